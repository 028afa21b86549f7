import { test } from 'tap'
import { sharedCheck } from '../../lib/shared-check.js'
import { pollUntil } from '../support/completes.js'

test('concurrent callers share one run of the check, and its result within the reuse interval', async (t) => {
  let runs = 0
  const check = sharedCheck(async () => ++runs, 60_000)
  const results = await Promise.all(Array.from({ length: 200 }, () => check()))
  t.same(new Set(results), new Set([1]), '200 concurrent calls: one run')
  t.equal(await check(), 1, 'a call after it ended reuses it')
  t.equal(runs, 1)
})

test('after the reuse interval the next call runs the check again', async (t) => {
  let runs = 0
  const check = sharedCheck(async () => ++runs, 20)
  t.equal(await check(), 1)
  t.ok(await pollUntil(async () => (await check()) === 2, 100, 10), 'a new run once the interval has passed')
})

test('with no reuse interval, only calls made while a run is in flight share it', async (t) => {
  let runs = 0
  const check = sharedCheck(async () => ++runs, 0)
  t.same(await Promise.all([check(), check()]), [1, 1])
  t.equal(await check(), 2)
})

test('a failing check is shared like a result', async (t) => {
  let runs = 0
  const check = sharedCheck(() => Promise.reject(new Error(`failure ${++runs}`)), 60_000)
  const outcomes = await Promise.allSettled([check(), check()])
  t.same(outcomes.map(o => o.status), ['rejected', 'rejected'])
  t.equal(runs, 1)
})

import { setTimeout as sleep } from 'node:timers/promises'

/** Fails the test when a request hangs: every answer must come, however a store fails. */
export function completes<T> (request: Promise<T>, withinMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${withinMs} ms`)), withinMs)
  })
  return Promise.race([request, hang]).finally(() => clearTimeout(timer))
}

/** Checks again (at most `attempts` times, `everyMs` apart) until `check` holds; says whether it did. */
export async function pollUntil (check: () => Promise<boolean>, attempts = 100, everyMs = 100) {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true
    await sleep(everyMs)
  }
  return false
}

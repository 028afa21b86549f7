/**
 * Shares one run of `check` among every caller: while it runs, and for `reuseMs` after it
 * settles, callers get that run's promise instead of starting another. A flood of health probes
 * then costs the stores one check at a time, at most one per `reuseMs`.
 * `check` should not reject: a rejection is shared (and reused) like a result.
 */
export function sharedCheck<T> (check: () => Promise<T>, reuseMs: number): () => Promise<T> {
  let last: { promise: Promise<T>, settledAt: number | undefined } | undefined
  return function run () {
    if (last !== undefined && (last.settledAt === undefined || performance.now() - last.settledAt < reuseMs)) {
      return last.promise
    }
    const current: { promise: Promise<T>, settledAt: number | undefined } = { promise: check(), settledAt: undefined }
    const settled = () => { current.settledAt = performance.now() }
    current.promise.then(settled, settled)
    last = current
    return current.promise
  }
}

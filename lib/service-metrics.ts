import { Counter, Gauge, type Registry } from 'prom-client'

/** The service's own events, as plugins and routes report them with `app.countEvent`. */
export type ServiceEvent =
  | 'login_succeeded' | 'login_failed' | 'registered' | 'refreshed' | 'refresh_reused'
  | 'revoked_by_logout' | 'revoked_by_logout_all' | 'revoked_by_session_delete' | 'revoked_by_password_change'
  | 'revoked_by_password_reset' | 'revoked_by_account_delete'
  | 'redis_unavailable' | 'mariadb_unavailable'

/** Counts read from Redis at scrape time (NaN when Redis does not answer). */
export interface LiveCounts {
  sessions(): Promise<number>
  tokens(): Promise<number>
}

/**
 * The counters and gauges of the service in `registry`, and the one function that counts an
 * event. Every labelled series starts at 0, so a rate() has a first sample before the first event.
 */
export function serviceMetrics (registry: Registry, live: LiveCounts) {
  const registers = [registry]
  const logins = new Counter({ name: 'jwt_logins_total', help: 'Login attempts by outcome (failed: unknown user or wrong password)', labelNames: ['outcome'], registers })
  const registrations = new Counter({ name: 'jwt_registrations_total', help: 'Accounts created', registers })
  const refreshes = new Counter({ name: 'jwt_refreshes_total', help: 'Refresh tokens rotated into a new pair', registers })
  const reuses = new Counter({ name: 'jwt_refresh_reuse_detected_total', help: 'Consumed refresh tokens presented again (each revoked its session)', registers })
  const revoked = new Counter({ name: 'jwt_sessions_revoked_total', help: 'Sessions revoked, by what revoked them', labelNames: ['reason'], registers })
  const storeErrors = new Counter({ name: 'jwt_store_errors_total', help: 'Requests answered 503 because a store was unavailable, by store', labelNames: ['store'], registers })

  registry.registerMetric(new Gauge({
    name: 'jwt_live_sessions',
    help: 'Sessions with a live refresh token (read from Redis at scrape time)',
    registers: [],
    async collect () { this.set(await live.sessions()) }
  }))
  registry.registerMetric(new Gauge({
    name: 'jwt_live_tokens',
    help: 'Live access and refresh tokens, as /health reports them (read from Redis at scrape time)',
    registers: [],
    async collect () { this.set(await live.tokens()) }
  }))

  const labelled = (counter: Counter<string>, labels: Record<string, string>) => {
    counter.inc(labels, 0)
    return (n: number) => counter.inc(labels, n)
  }
  const plain = (counter: Counter) => (n: number) => counter.inc(n)

  const increments: Record<ServiceEvent, (n: number) => void> = {
    login_succeeded: labelled(logins, { outcome: 'succeeded' }),
    login_failed: labelled(logins, { outcome: 'failed' }),
    registered: plain(registrations),
    refreshed: plain(refreshes),
    refresh_reused: plain(reuses),
    revoked_by_logout: labelled(revoked, { reason: 'logout' }),
    revoked_by_logout_all: labelled(revoked, { reason: 'logout_all' }),
    revoked_by_session_delete: labelled(revoked, { reason: 'session_delete' }),
    revoked_by_password_change: labelled(revoked, { reason: 'password_change' }),
    revoked_by_password_reset: labelled(revoked, { reason: 'password_reset' }),
    revoked_by_account_delete: labelled(revoked, { reason: 'account_delete' }),
    redis_unavailable: labelled(storeErrors, { store: 'redis' }),
    mariadb_unavailable: labelled(storeErrors, { store: 'mariadb' })
  }

  return function countEvent (event: ServiceEvent, n = 1) {
    increments[event](n)
  }
}

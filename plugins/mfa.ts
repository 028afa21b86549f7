import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { errors } from '../lib/errors.js'
import { mfaPreviousKeys } from '../lib/config.js'
import { mfaFactors } from '../lib/mfa/factors.js'
import { loginChallenges } from '../lib/mfa/login-challenges.js'
import { parseKey, secretBox } from '../lib/mfa/secret-box.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A sensitive route: an access token of a user with a second factor must come from a session
     * that proved it (`aal2`), or the answer is 403 MFA_REQUIRED. Needs `onRequest: app.authenticate`.
     */
    requireAal2?: boolean
  }
  interface FastifyInstance {
    mfa: ReturnType<typeof mfaFactors> & { challenges: ReturnType<typeof loginChallenges> }
  }
}

/**
 * Second factors (lib/mfa/): TOTP with recovery codes, the login's second step, and the
 * `requireAal2` route option. Without MFA_ENCRYPTION_KEY the service runs, enrolment answers 501,
 * and an account that has TOTP on still needs its second factor to log in (a recovery code
 * works; a TOTP code answers 501): turning the key off never turns the factor off.
 */
export default fp(async function mfa (app) {
  const { config } = app
  const box = config.MFA_ENCRYPTION_KEY === ''
    ? undefined
    : secretBox(parseKey(config.MFA_ENCRYPTION_KEY), mfaPreviousKeys(config).map(parseKey))
  if (box === undefined) app.log.warn('MFA_ENCRYPTION_KEY is not set: TOTP enrolment answers 501 (docs/mfa.md)')

  const factors = mfaFactors({ db: app.mysql, timeout: config.DB_TIMEOUT_MS, box, issuer: config.MFA_ISSUER, mail: app.mail })
  const challenges = loginChallenges(app.redis)
  /** Any Redis failure of a challenge is a 503, as for sessions. */
  const guarded = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A): Promise<R> =>
    call(...args).catch((err: unknown) => { throw new errors.TokenStoreUnavailable({ cause: err }) })
  app.decorate('mfa', {
    ...factors,
    challenges: { issue: guarded(challenges.issue), read: guarded(challenges.read), fail: guarded(challenges.fail), consume: guarded(challenges.consume) }
  })

  // Only the routes that ask for it pay for the check (one read of MariaDB, for aal1 tokens only)
  async function requireAal2 (request: FastifyRequest) {
    if (request.user.aal === 'aal2') return
    if (await factors.isEnabled(Number(request.user.sub))) throw new errors.MfaRequired()
  }
  app.addHook('onRoute', (route) => {
    if (route.config?.requireAal2 !== true) return
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]
    route.preHandler = [requireAal2, ...existing]
  })
}, { name: 'mfa', dependencies: ['config', 'mysql', 'redis', 'mail'] })

import fp from 'fastify-plugin'
import { accountFlows } from '../lib/accounts/flows.js'

declare module 'fastify' {
  interface FastifyInstance {
    accounts: ReturnType<typeof accountFlows>
  }
}

/**
 * The account lifecycle (lib/accounts/): email verification, password reset, email change and
 * account deletion, each announced by a mail of the outbox and ending sessions where it must.
 */
export default fp(async function accounts (app) {
  const flows = accountFlows(app)
  app.decorate('accounts', flows)
  // Before the pools close: a reset mail being written after its answer is not cut off
  app.addHook('preClose', () => flows.close())
}, { name: 'accounts', dependencies: ['config', 'mysql', 'users', 'mail', 'sessions', 'passwords'] })

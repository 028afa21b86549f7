import fp from 'fastify-plugin'
import { createMailer } from '../lib/mail/mailer.js'
import { smtpTransport } from '../lib/mail/transport.js'

declare module 'fastify' {
  interface FastifyInstance {
    mail: ReturnType<typeof createMailer>
  }
}

/**
 * Mail through the outbox (lib/mail/). Without SMTP_HOST the service still writes every mail to
 * the outbox and says so once at start: they go out when an instance with SMTP_HOST runs.
 */
export default fp(async function mail (app) {
  const { config } = app
  if (config.SMTP_HOST === '') {
    app.log.warn('SMTP_HOST is not set: mails wait in the outbox (table mail_outbox) until an instance with SMTP_HOST sends them')
  }
  const mailer = createMailer({
    db: app.mysql,
    timeout: config.DB_TIMEOUT_MS,
    transport: config.SMTP_HOST === '' ? undefined : smtpTransport(config),
    key: app.jwtKeys.deriveKey('mail-outbox'),
    publicUrl: config.PUBLIC_URL,
    pollSeconds: config.MAIL_POLL_SECONDS,
    retry: { maxAttempts: config.MAIL_MAX_ATTEMPTS, baseSeconds: config.MAIL_RETRY_SECONDS, maxSeconds: 3600 },
    log: app.log
  })
  app.decorate('mail', mailer)
  app.addHook('onReady', async () => mailer.wake())
  app.addHook('onClose', () => mailer.close())
}, { name: 'mail', dependencies: ['config', 'mysql', 'jwt'] })

import type { FastifyBaseLogger } from 'fastify'
import type { Pool, PoolConnection } from 'mysql2/promise'
import type { Transporter } from 'nodemailer'
import { outbox, type ClaimedMail, type OutgoingMail, type Retry } from './outbox.js'
import { sealer } from './seal.js'
import { render, type TemplateParams } from './templates.js'

const BATCH = 20
/** How long a claimed mail is this sender's; longer than nodemailer's timeouts of one send. */
const LEASE_SECONDS = 120

export interface MailerOptions {
  db: Pick<Pool, 'execute'>
  timeout: number
  /** Undefined when SMTP_HOST is not set: mails wait in the outbox. */
  transport: Transporter | undefined
  key: Buffer
  publicUrl: string
  pollSeconds: number
  retry: Retry
  log: FastifyBaseLogger
}

/**
 * The outbox and its worker. A mail is a row written with the change it announces; the worker
 * (woken after each commit on this instance, and every MAIL_POLL_SECONDS for the rows of others
 * and for retries) claims due rows, sends them over SMTP and records the outcome.
 */
export function createMailer (options: MailerOptions) {
  const { transport, log, retry } = options
  const rows = outbox(options.db, options.timeout)
  const sealed = sealer(options.key)
  const domain = new URL(options.publicUrl).hostname
  let running: Promise<void> | undefined
  let again = false
  let closed = false

  async function deliver (mail: ClaimedMail, claim: Buffer, sender: Transporter) {
    let params: unknown
    try {
      if (mail.sealed_params === null) throw new Error('no parameters')
      params = sealed.open(mail.sealed_params)
    } catch {
      // Sealed under another signing key (rotated since) or damaged: no attempt can send it.
      await rows.failed(mail, claim, 'parameters cannot be opened (signing key changed?)', { ...retry, maxAttempts: 0 })
      log.warn({ mailId: mail.id }, 'mail given up: its parameters cannot be opened')
      return
    }
    const { subject, text, html } = render(mail.template, mail.locale, params as TemplateParams[typeof mail.template])
    try {
      await sender.sendMail({
        to: mail.recipient,
        subject,
        text,
        html,
        // The same id on every attempt: a mail sent twice (a sender died after sending) is one for clients
        messageId: `<outbox-${mail.id}@${domain}>`,
        headers: { 'Auto-Submitted': 'auto-generated' }
      })
      await rows.sent(mail.id, claim)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      const gaveUp = await rows.failed(mail, claim, reason, retry)
      log.warn({ mailId: mail.id, attempt: mail.attempts, reason }, gaveUp ? 'mail given up after its last attempt' : 'mail not sent; it will be retried')
    }
  }

  /** Sends the mails due now; resolves with how many were claimed. */
  async function sendDue (sender: Transporter): Promise<number> {
    const { claim, mails } = await rows.claim(BATCH, LEASE_SECONDS)
    for (const mail of mails) await deliver(mail, claim, sender)
    return mails.length
  }

  function wake () {
    if (transport === undefined || closed) return
    if (running !== undefined) {
      again = true
      return
    }
    running = (async () => {
      // A full batch may have left more behind: go on until one comes back short
      let claimed = BATCH
      while (claimed === BATCH) claimed = await sendDue(transport)
    })().catch((err: unknown) => {
      log.warn({ err }, 'mail worker could not read the outbox; it tries again at the next poll')
    }).finally(() => {
      running = undefined
      if (again) {
        again = false
        wake()
      }
    })
  }

  const timer = setInterval(wake, options.pollSeconds * 1000).unref()

  return {
    /** Writes a mail in the caller's transaction; call `wake()` after the commit. */
    enqueue: (connection: PoolConnection, mail: OutgoingMail) => rows.add(connection, mail, sealed.seal(mail.params)),
    /** Starts sending now instead of at the next poll. */
    wake,
    /** Mails not yet sent nor given up. */
    pending: () => rows.pending(),
    async close () {
      closed = true
      clearInterval(timer)
      await running
      transport?.close()
    }
  }
}

import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../scripts/free-port.js'

type Test = { teardown(fn: () => unknown): void }

export interface CaughtMail { to: string, subject: string, text: string, html: string, messageId: string, language: string }

/**
 * A real SMTP server in this process that keeps every mail it receives, parsed. `stop()` and
 * `start()` take it down and bring it back on the same port (an SMTP outage).
 */
export async function startMailCatcher (t: Test) {
  const port = await freePort()
  const mails: CaughtMail[] = []
  let server: SMTPServer | undefined

  const keep = (parsed: ParsedMail) => {
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to
    mails.push({
      to: to?.value[0]?.address ?? '',
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      messageId: parsed.messageId ?? '',
      language: /<html lang="(\w+)"/.exec(typeof parsed.html === 'string' ? parsed.html : '')?.[1] ?? ''
    })
  }

  async function start () {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData (stream, _session, callback) {
        simpleParser(stream).then(parsed => { keep(parsed); callback() }, callback)
      }
    })
    const listening = server
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject)
      listening.listen(port, '127.0.0.1', () => resolve())
    })
  }

  async function stop () {
    const closing = server
    server = undefined
    if (closing !== undefined) await new Promise<void>(resolve => closing.close(() => resolve()))
  }

  await start()
  t.teardown(stop)

  return {
    port,
    mails,
    start,
    stop,
    /** The settings that send an app's mail here. */
    settings: { SMTP_HOST: '127.0.0.1', SMTP_PORT: port, SMTP_STARTTLS: 'off', MAIL_POLL_SECONDS: 1, MAIL_RETRY_SECONDS: 1 },
    /** Waits (up to a minute, for a busy machine) for the first mail to `to` that `match` accepts. */
    async waitFor (to: string, match: (mail: CaughtMail) => boolean = () => true): Promise<CaughtMail> {
      for (let waited = 0; waited < 60_000; waited += 25) {
        const found = mails.find(mail => mail.to === to && match(mail))
        if (found !== undefined) return found
        await sleep(25)
      }
      throw new Error(`no mail to ${to} within a minute; got ${mails.length} other(s)`)
    }
  }
}

/** The one-time token of a mail's link (it travels in the URL fragment). */
export function tokenIn (mail: CaughtMail): string {
  const token = /#token=([\w-]+)/.exec(mail.text)?.[1]
  if (token === undefined) throw new Error(`no token in the mail "${mail.subject}"`)
  return token
}

import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { RowDataPacket } from 'mysql2'
import { setTimeout as sleep } from 'node:timers/promises'
import { build, buildLogged } from '../support/helper.js'
import { startMailCatcher } from '../support/mail-catcher.js'
import type { OutgoingMail } from '../../lib/mail/outbox.js'

/** Writes mails as the account flows do: in a transaction, then wakes the worker. */
async function send (app: FastifyInstance, ...mails: OutgoingMail[]) {
  const connection = await app.mysql.getConnection()
  try {
    await connection.beginTransaction()
    for (const mail of mails) await app.mail.enqueue(connection, mail)
    await connection.commit()
  } finally {
    connection.release()
  }
  app.mail.wake()
}

const reset = (to: string, locale: 'es' | 'en' = 'es'): OutgoingMail =>
  ({ to, template: 'password_reset', locale, params: { username: 'ana', link: 'http://localhost:5000/reset-password#token=secret-token-value', minutes: 30 } })

async function outboxRows (app: FastifyInstance) {
  const [rows] = await app.mysql.query<RowDataPacket[]>('SELECT recipient, status, attempts, last_error, sealed_params FROM mail_outbox ORDER BY id')
  return rows
}

async function until (condition: () => Promise<boolean>, what: string) {
  for (let waited = 0; waited < 60_000; waited += 25) {
    if (await condition()) return
    await sleep(25)
  }
  throw new Error(`not within a minute: ${what}`)
}

test('a mail of the outbox goes out over SMTP as text and HTML in the chosen language', async (t) => {
  const smtp = await startMailCatcher(t)
  const app = await build(t, smtp.settings)
  await send(app, reset('ana@example.com', 'es'), reset('bob@example.com', 'en'))

  const es = await smtp.waitFor('ana@example.com')
  t.equal(es.subject, 'Restablece tu contraseña')
  t.match(es.text, 'http://localhost:5000/reset-password#token=secret-token-value')
  t.match(es.html, 'href="http://localhost:5000/reset-password#token=secret-token-value"')
  t.equal(es.language, 'es')
  const en = await smtp.waitFor('bob@example.com')
  t.equal(en.subject, 'Reset your password')
  t.equal(en.language, 'en')

  await until(async () => (await outboxRows(app)).every(row => row.status === 'sent'), 'both rows marked sent')
  t.ok((await outboxRows(app)).every(row => row.sealed_params === null), 'the parameters are wiped once sent')
})

test('waiting mails keep their link sealed: the table never holds it readable', async (t) => {
  const app = await build(t)
  await send(app, reset('carla@example.com'))
  const [row] = await outboxRows(app)
  t.equal(row.status, 'pending', 'without SMTP_HOST the mail waits')
  t.notOk(Buffer.from(row.sealed_params).toString('latin1').includes('secret-token-value'))
})

test('with SMTP down requests still write their mails, and they go out once it is back', async (t) => {
  const smtp = await startMailCatcher(t)
  await smtp.stop()
  const app = await build(t, smtp.settings)
  await send(app, reset('dora@example.com'))
  await until(async () => (await outboxRows(app))[0].attempts >= 2, 'two failed attempts')
  const [failing] = await outboxRows(app)
  t.equal(failing.status, 'pending')
  t.match(failing.last_error, /ECONNREFUSED|connect/i)

  await smtp.start()
  const mail = await smtp.waitFor('dora@example.com')
  t.equal(mail.subject, 'Restablece tu contraseña')
  await until(async () => (await outboxRows(app))[0].status === 'sent', 'the row marked sent')
  t.equal(smtp.mails.length, 1, 'sent once')
})

test('several instances sharing the outbox send each mail exactly once', async (t) => {
  const smtp = await startMailCatcher(t)
  const first = await build(t, smtp.settings)
  // Instances of one deployment share the database and the signing key (the outbox's key derives from it)
  const shared = { ...smtp.settings, DB_NAME: first.config.DB_NAME, JWT_SECRET_KEY: first.config.JWT_SECRET_KEY }
  const second = await build(t, shared)
  const third = await build(t, shared)
  const mails = Array.from({ length: 60 }, (_, i) => reset(`user${i}@example.com`))
  await Promise.all([send(first, ...mails.slice(0, 30)), send(second, ...mails.slice(30))])
  third.mail.wake()

  await until(async () => (await outboxRows(first)).every(row => row.status === 'sent'), 'every row sent')
  t.equal(smtp.mails.length, 60, 'sixty mails received')
  t.equal(new Set(smtp.mails.map(mail => mail.to)).size, 60, 'one for each address')
  t.equal(new Set(smtp.mails.map(mail => mail.messageId)).size, 60, 'no message twice')
})

test('without SMTP_HOST the service starts, says once that mails wait, and keeps them', async (t) => {
  const { app, lines } = await buildLogged(t, 'warn')
  t.ok(lines.some(line => String(line.msg).startsWith('SMTP_HOST is not set: mails wait in the outbox')))
  await send(app, reset('eva@example.com'))
  t.equal(await app.mail.pending(), 1)
})

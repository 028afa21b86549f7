import nodemailer from 'nodemailer'
import type { Config } from '../config.js'

type SmtpSettings = Pick<Config, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'SMTP_SECURE' | 'SMTP_STARTTLS' | 'MAIL_FROM'>

/**
 * nodemailer over SMTP. SMTP_SECURE: TLS from the first byte (port 465); otherwise STARTTLS is
 * required (the default), used when offered, or off (a local catcher such as Mailpit).
 */
export function smtpTransport (config: SmtpSettings) {
  return nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    requireTLS: !config.SMTP_SECURE && config.SMTP_STARTTLS === 'required',
    ignoreTLS: !config.SMTP_SECURE && config.SMTP_STARTTLS === 'off',
    auth: config.SMTP_USER === '' ? undefined : { user: config.SMTP_USER, pass: config.SMTP_PASSWORD },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000
  }, { from: config.MAIL_FROM })
}

import type { FastifyInstance } from 'fastify'
import type { PoolConnection } from 'mysql2/promise'
import { errors } from '../errors.js'
import { errorCode } from '../error-code.js'
import { isDatabaseUnavailable } from '../database-unavailable.js'
import { assertAcceptablePassword } from '../password-policy.js'
import { LOCALES, localeFrom, type Locale } from '../mail/templates.js'
import { confirmedAccount } from '../confirm-password.js'
import { accountStore } from './store.js'
import { linkTo, newToken, hashToken } from './tokens.js'

type Services = Pick<FastifyInstance, 'mysql' | 'config' | 'log' | 'users' | 'mail' | 'sessions' | 'passwords'>

/** An account's address and name, as a mail to it needs them. */
interface Recipient { id: number, username: string, email: string, locale: string | null }

/** An epoch no login ever read: once an account is deleted, no racing login is admitted. */
const DELETED_EPOCH = Number.MAX_SAFE_INTEGER

/** The pages of PUBLIC_URL that read a token from the fragment and post it back. */
const PAGES = { password_reset: 'reset-password', verify_email: 'verify-email', change_email: 'confirm-email' } as const

/** Turns "the database cannot serve this now" into a 503; anything else goes on as it is. */
function unavailable (err: unknown): never {
  if (isDatabaseUnavailable(err)) throw new errors.DatabaseUnavailable({ cause: err })
  throw err
}

/**
 * The account lifecycle: verification, password reset, address change and deletion. Each
 * change is written with the mail that announces it in one transaction (the outbox), and every
 * one-time token is random, single-use, bound to its purpose and stored only as its SHA-256.
 */
export function accountFlows (app: Services) {
  const { config, users, mail, sessions, passwords, log } = app
  const store = accountStore(app.mysql, config.DB_TIMEOUT_MS)
  const inFlight = new Set<Promise<void>>()

  /** The stored language of the user's mails, else the one the request prefers. */
  const localeOf = (user: Recipient, acceptLanguage: string | undefined): Locale =>
    LOCALES.find(locale => locale === user.locale) ?? localeFrom(acceptLanguage)

  /** A new verification token for `email` (the current or the new address) and its mail, in `connection`'s transaction. */
  async function sendVerification (connection: PoolConnection, user: Recipient, email: string, purpose: 'verify_email' | 'change_email', locale: Locale) {
    const { token, hash } = newToken()
    const minutes = config.EMAIL_VERIFICATION_TTL_MINUTES
    await store.issue(connection, { hash, userId: user.id, purpose, email, ttlMinutes: minutes })
    const params = { username: user.username, link: linkTo(config.PUBLIC_URL, PAGES[purpose], token), minutes }
    await mail.enqueue(connection, purpose === 'verify_email'
      ? { to: email, template: 'verify_email', locale, params }
      : { to: email, template: 'confirm_email_change', locale, params })
  }

  async function sendReset (user: Recipient, locale: Locale) {
    const { token, hash } = newToken()
    const minutes = config.PASSWORD_RESET_TTL_MINUTES
    await store.transaction(async (connection) => {
      await store.issue(connection, { hash, userId: user.id, purpose: 'password_reset', email: user.email, ttlMinutes: minutes })
      await mail.enqueue(connection, {
        to: user.email,
        template: 'password_reset',
        locale,
        params: { username: user.username, link: linkTo(config.PUBLIC_URL, PAGES.password_reset, token), minutes }
      })
    })
    mail.wake()
  }

  /** Runs work after the answer; close() waits for it. Its failure is logged without details of the request. */
  function afterAnswer (work: Promise<void>, what: string) {
    const tracked = work.catch((err: unknown) => { log.error({ err }, `${what} failed`) })
      .finally(() => { inFlight.delete(tracked) })
    inFlight.add(tracked)
  }

  const verifiedUser = (userId: number, password: string) => confirmedAccount(app, userId, password, errors.WrongPassword)

  return {
    /** Creates the account and writes its verification mail with it. */
    async register (account: { username: string, email: string, password: string }, acceptLanguage: string | undefined) {
      const locale = acceptLanguage === undefined ? null : localeFrom(acceptLanguage)
      const passwordHash = await passwords.hash(account.password)
      const userId = await users.create({ username: account.username, email: account.email, passwordHash, locale }, (connection, id) =>
        sendVerification(connection, { id, username: account.username, email: account.email, locale }, account.email, 'verify_email', localeFrom(acceptLanguage)))
      mail.wake()
      return userId
    },

    /**
     * Mails a reset link when `email` is an account's. The answer never waits for that work: it
     * costs the same one indexed read whether or not the address is known.
     */
    async forgotPassword (email: string, acceptLanguage: string | undefined) {
      const user = await users.findByEmail(email)
      if (user !== undefined) afterAnswer(sendReset(user, localeOf(user, acceptLanguage)), 'password reset mail')
    },

    /**
     * Consumes a reset token: the new password, a raised credential epoch (every session ends,
     * no racing login is admitted), all reset tokens gone and a notice mailed, or nothing at all.
     */
    async resetPassword (token: string, newPassword: string) {
      const hash = hashToken(token)
      const owner = await store.owner(hash, ['password_reset']).catch(unavailable)
      if (owner === undefined) throw new errors.ResetTokenInvalid()
      assertAcceptablePassword('new_password', newPassword, owner)
      const passwordHash = await passwords.hash(newPassword)
      const credentialEpoch = await store.transaction(async (connection) => {
        // Locked until commit: of two requests with one token, the second finds it gone
        if (await store.owner(hash, ['password_reset'], connection) === undefined) throw new errors.ResetTokenInvalid()
        const epoch = await store.setPassword(connection, owner.user_id, passwordHash)
        await store.dropTokens(connection, owner.user_id, ['password_reset'])
        await mail.enqueue(connection, {
          to: owner.email,
          template: 'password_changed',
          locale: localeOf({ ...owner, id: owner.user_id }, undefined),
          params: { username: owner.username }
        })
        return epoch
      }).catch(unavailable)
      mail.wake()
      return await sessions.credentialsReplaced({ userId: String(owner.user_id), credentialEpoch, reason: 'password_reset' })
    },

    /** Proves an address: the current one (verification) or a new one, which then replaces the old. */
    async verifyEmail (token: string) {
      const hash = hashToken(token)
      return await store.transaction(async (connection) => {
        const owner = await store.owner(hash, ['verify_email', 'change_email'], connection)
        if (owner === undefined || owner.token_email === null) throw new errors.VerificationTokenInvalid()
        const user = { ...owner, id: owner.user_id }
        if (owner.purpose === 'verify_email') {
          await store.dropTokens(connection, user.id, ['verify_email'])
          // A token for an address the account no longer has proves nothing
          if (!await store.markVerified(connection, user.id, owner.token_email)) throw new errors.VerificationTokenInvalid()
          return { email: owner.token_email }
        }
        try {
          await store.replaceEmail(connection, user.id, owner.token_email)
        } catch (err) {
          if (errorCode(err) === 'ER_DUP_ENTRY') throw new errors.EmailTaken()
          throw err
        }
        // Links mailed to the old address (a reset, a verification) must not work any more
        await store.dropTokens(connection, user.id)
        await mail.enqueue(connection, {
          to: owner.email,
          template: 'email_changed',
          locale: localeOf(user, undefined),
          params: { username: owner.username, new_email: owner.token_email }
        })
        return { email: owner.token_email }
      }).catch(unavailable).finally(() => mail.wake())
    },

    /** A new verification mail for the caller's address; older links stop working. */
    async resendVerification (userId: number, acceptLanguage: string | undefined) {
      const user = await users.findById(userId)
      if (user === undefined) throw new errors.UserNotFound()
      if (user.email_verified_at !== null) throw new errors.EmailAlreadyVerified()
      await store.transaction(connection => sendVerification(connection, user, user.email, 'verify_email', localeOf(user, acceptLanguage)))
        .catch(unavailable)
      mail.wake()
    },

    /** Mails a confirmation link to `newEmail`; the address changes only when it is followed. */
    async changeEmail (userId: number, change: { newEmail: string, password: string }, acceptLanguage: string | undefined) {
      const user = await verifiedUser(userId, change.password)
      if (change.newEmail === user.email) throw new errors.EmailUnchanged()
      if (await store.emailTaken(change.newEmail, user.id).catch(unavailable)) throw new errors.EmailTaken()
      await store.transaction(async (connection) => {
        await store.setPendingEmail(connection, user.id, change.newEmail)
        await sendVerification(connection, user, change.newEmail, 'change_email', localeOf(user, acceptLanguage))
      }).catch(unavailable)
      mail.wake()
    },

    /** Deletes the account and ends every session; its username and email are free again. */
    async deleteAccount (userId: number, password: string) {
      await verifiedUser(userId, password)
      await store.deleteUser(userId).catch(unavailable)
      return await sessions.credentialsReplaced({ userId: String(userId), credentialEpoch: DELETED_EPOCH, reason: 'account_deleted' })
    },

    /** Waits for the work still running after its answer (at shutdown). */
    async close () {
      await Promise.all(inFlight)
    }
  }
}

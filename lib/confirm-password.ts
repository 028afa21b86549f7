import type { FastifyInstance } from 'fastify'
import { errors } from './errors.js'

/**
 * The account `userId`, once `password` (compared NFC-normalised, as it was hashed) is confirmed as
 * its own. A mismatch throws `Wrong`: the error that names the field the route read it from.
 */
export async function confirmedAccount (
  { users, passwords }: Pick<FastifyInstance, 'users' | 'passwords'>,
  userId: number,
  password: string,
  Wrong: typeof errors.WrongPassword | typeof errors.WrongCurrentPassword
) {
  const user = await users.findById(userId)
  if (user === undefined) throw new errors.UserNotFound()
  if (!await passwords.verify(password.normalize('NFC'), user.password_hash)) throw new Wrong()
  return user
}

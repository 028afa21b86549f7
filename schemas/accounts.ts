import { Type, type Static } from '@sinclair/typebox'
import { Password } from './users.js'
import { messageReply } from './message-reply.js'

const token = 'q3X0b2Vc9kP1sT7wXk2l1mQnR8sT0uVwYz3A4b5C6d7'

/**
 * A one-time token from a mailed link (`PUBLIC_URL/...#token=<token>`). Any string is taken, so
 * that a damaged or foreign token gets the flow's own 400 code rather than a schema error.
 */
const OneTimeToken = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'The `token` of the mailed link\'s fragment: 43 characters, single-use',
  examples: [token]
})

const email = (example: string) => Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Looked up and stored in canonical form: Unicode NFKC, lower-cased, trimmed',
  examples: [example]
})

export const ForgotPasswordBody = Type.Object({ email: email('usuario@example.com') }, {
  additionalProperties: false,
  examples: [{ email: 'usuario@example.com' }]
})
export type ForgotPasswordBodyType = Static<typeof ForgotPasswordBody>

export const ForgotPasswordReply = messageReply('If an account has this address, a reset link is on its way',
  'The same answer whether or not an account has the address')

export const ResetPasswordBody = Type.Object({ token: OneTimeToken, new_password: Password }, {
  additionalProperties: false,
  examples: [{ token, new_password: 'otra_contraseña_larga' }]
})

export const ResetPasswordReply = messageReply('Password has been reset; every session was logged out',
  'The new password is set, every session of the account ended and a notice mailed')

export const VerifyEmailBody = Type.Object({ token: OneTimeToken }, {
  additionalProperties: false,
  examples: [{ token }]
})

export const VerifyEmailReply = Type.Object({
  message: Type.Literal('Email address verified'),
  email: Type.String({ description: 'The address now proven (after a change: the account\'s new address)', examples: ['usuario@example.com'] })
}, { description: 'The address is proven', examples: [{ message: 'Email address verified', email: 'usuario@example.com' }] })

export const ResendVerificationReply = messageReply('A new verification link is on its way',
  'A new link was mailed to the account\'s address; earlier ones stop working')

export const ChangeEmailBody = Type.Object({
  new_email: email('nuevo@example.com'),
  password: Type.String({ minLength: 1, maxLength: 1024, description: 'The account\'s current password', examples: ['contraseña_segura'] })
}, { additionalProperties: false, examples: [{ new_email: 'nuevo@example.com', password: 'contraseña_segura' }] })

export const ChangeEmailReply = messageReply('Confirm the new address with the link mailed to it',
  'A confirmation link was mailed to the new address; the current one stays until it is followed')

export const DeleteAccountBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 1024, description: 'The account\'s current password', examples: ['contraseña_segura'] })
}, { additionalProperties: false, examples: [{ password: 'contraseña_segura' }] })

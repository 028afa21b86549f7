import { Type } from '@sinclair/typebox'
import { DeviceToken } from './tokens.js'
import { FactorState } from './mfa.js'

export const Username = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: '3 to 32 letters, digits, `_`, `.` or `-`, checked and stored in canonical form: Unicode NFKC, ' +
    'lower-cased, trimmed (so `ＡＬＩＣＥ ` is `alice`); unique in that form',
  examples: ['usuario_ejemplo']
})

/** A new password; the limit that matters, 72 bytes of UTF-8, is checked by lib/password-policy.ts. */
export const Password = Type.String({
  minLength: 8,
  maxLength: 1024,
  description: 'At least 8 characters and at most 72 bytes of UTF-8 (bcrypt ignores anything past 72 bytes), ' +
    'not the username or email, not one of the 10,000+ most common passwords; compared after Unicode NFC',
  examples: ['contraseña_segura']
})

export const RegisterBody = Type.Object({
  username: Username,
  email: Type.String({ format: 'email', maxLength: 254, description: 'Checked and stored in canonical form: Unicode NFKC, lower-cased, trimmed', examples: ['usuario@example.com'] }),
  password: Password
}, {
  additionalProperties: false,
  examples: [{ username: 'usuario_ejemplo', email: 'usuario@example.com', password: 'contraseña_segura' }]
})

export const RegisterReply = Type.Object({
  message: Type.Literal('User registered successfully'),
  user_id: Type.Integer({ examples: [1] })
}, { description: 'The account was created', examples: [{ message: 'User registered successfully', user_id: 1 }] })

export const LoginBody = Type.Object({
  username: Type.String({
    minLength: 1,
    maxLength: 254,
    description: 'The username or the account\'s email (a name with `@` is an email: no username has one); ' +
      'looked up in canonical form (Unicode NFKC, lower-cased, trimmed), byte for byte: no other spelling matches',
    examples: ['usuario_ejemplo']
  }),
  password: Type.String({ minLength: 1, maxLength: 1024, examples: ['contraseña_segura'] }),
  device_token: Type.Optional(Type.String({
    ...DeviceToken,
    description: 'The `device_token` of this client\'s last successful login to this account, if it kept one: ' +
      'such a client is not blocked by failed logins of others at the account (it has a small limit of its own). ' +
      'An expired token or one of another account counts as none'
  }))
}, { additionalProperties: false, examples: [{ username: 'usuario_ejemplo', password: 'contraseña_segura' }] })

export const ProtectedReply = Type.Object({
  message: Type.Literal('This is a protected endpoint'),
  user_id: Type.Integer({ examples: [1] }),
  data: Type.Literal('Secret data only for authenticated users')
}, {
  description: 'The token is live',
  examples: [{ message: 'This is a protected endpoint', user_id: 1, data: 'Secret data only for authenticated users' }]
})

export const Profile = Type.Object({
  id: Type.Integer({ examples: [1] }),
  username: Type.String({ examples: ['usuario_ejemplo'] }),
  email: Type.String({ examples: ['usuario@example.com'] }),
  email_verified: Type.Boolean({ description: 'Whether a link mailed to `email` was followed', examples: [true] }),
  pending_email: Type.Union([Type.String(), Type.Null()], {
    description: 'An address asked for with `POST /email/change`, not yet confirmed',
    examples: [null]
  }),
  created_at: Type.String({ format: 'date-time' }),
  mfa: FactorState
}, {
  description: 'The caller\'s account',
  examples: [{ id: 1, username: 'usuario_ejemplo', email: 'usuario@example.com', email_verified: true, pending_email: null, created_at: '2024-01-01T12:00:00.000Z', mfa: { totp: 'enabled', recovery_codes_left: 10 } }]
})

export const ChangePasswordBody = Type.Object({
  current_password: Type.String({ minLength: 1, maxLength: 1024, examples: ['contraseña_segura'] }),
  new_password: Password
}, { additionalProperties: false, examples: [{ current_password: 'contraseña_segura', new_password: 'otra_contraseña_larga' }] })

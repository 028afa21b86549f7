import { Type, type Static } from '@sinclair/typebox'
import { messageReply } from './message-reply.js'

const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'
const Jwt = Type.String({ examples: [jwt] })

const deviceToken = 'd1.1.q3X0b2Vc9kP1sT7w.1780000000.Xk2l1mQnR8sT0uVwYz3A4b5C6d7E8f9G0h1I2j3K4l5'
/** `d1.<user id>.<device id>.<expiry, s>.<HMAC-SHA256>` (lib/device-tokens.ts). */
export const DeviceToken = Type.String({ pattern: '^d1\\.\\d{1,10}\\.[A-Za-z0-9_-]{16}\\.\\d{1,12}\\.[A-Za-z0-9_-]{43}$', examples: [deviceToken] })

export const TokenPair = Type.Object({
  access_token: Jwt,
  refresh_token: Jwt,
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires', examples: [900] })
})
export type TokenPairType = Static<typeof TokenPair>

export const LoginReply = Type.Composite([TokenPair, Type.Object({
  message: Type.Literal('Login successful'),
  device_token: Type.String({
    ...DeviceToken,
    description: 'Proof that this client logged in to this account (signed, expires after DEVICE_TOKEN_EXPIRES_DAYS): ' +
      'send it as `device_token` with the next login, so that failed logins of others at the account do not block it; ' +
      'each login returns a new one'
  })
})], {
  $id: 'LoginReply',
  title: 'LoginReply',
  description: 'A new session: its access and refresh token',
  examples: [{ access_token: jwt, refresh_token: jwt, token_type: 'Bearer', expires_in: 900, message: 'Login successful', device_token: deviceToken }]
})

export const RefreshBody = Type.Object({
  refresh_token: Type.String({ minLength: 1, maxLength: 4096, examples: [jwt] })
}, { additionalProperties: false, examples: [{ refresh_token: jwt }] })

export const RefreshReply = Type.Composite([TokenPair, Type.Object({ message: Type.Literal('Token refreshed successfully') })], {
  description: 'The next pair: the presented refresh token is consumed, the previous access token revoked',
  examples: [{ access_token: jwt, refresh_token: jwt, token_type: 'Bearer', expires_in: 900, message: 'Token refreshed successfully' }]
})

export const LogoutReply = messageReply('Logged out successfully', 'The session\'s access and refresh tokens are revoked')

export const LogoutAllReply = messageReply('Logged out successfully', 'Every session of the caller is revoked, this one included')

export const BearerHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <access_token>', examples: [`Bearer ${jwt}`] }))
})

/** Claims of both token types; `type` keeps a refresh token from passing as an access token. */
export const TokenClaims = Type.Object({
  sub: Type.String(),
  sid: Type.String(),
  jti: Type.String(),
  type: Type.Union([Type.Literal('access'), Type.Literal('refresh')]),
  /** Refresh tokens only: the session's absolute end (seconds), which no rotation passes. */
  sxp: Type.Optional(Type.Integer()),
  /** Whether the user's address was proven when the session began (carried on by refresh tokens). */
  email_verified: Type.Optional(Type.Boolean()),
  iat: Type.Integer(),
  exp: Type.Integer(),
  iss: Type.String(),
  aud: Type.String(),
  /** How the session's user proved who they are (RFC 8176): `["pwd"]`, or `["pwd","otp"]` after a second factor. */
  amr: Type.Optional(Type.Array(Type.String())),
  /** `aal2` once the session proved a second factor; tokens issued before MFA existed have neither claim (aal1). */
  aal: Type.Optional(Type.Union([Type.Literal('aal1'), Type.Literal('aal2')]))
})
export type TokenClaimsType = Static<typeof TokenClaims>

/** Which of a session's two tokens: `access` or `refresh`. */
export type TokenKind = TokenClaimsType['type']

/** A user's id wherever a session or token carries it (the `sub` claim): the users table's id in decimal. */
export type UserId = TokenClaimsType['sub']

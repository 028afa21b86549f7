import { Type, type Static } from '@sinclair/typebox'
import { messageReply } from './message-reply.js'

const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'
const Jwt = Type.String({ examples: [jwt] })

export const TokenPair = Type.Object({
  access_token: Jwt,
  refresh_token: Jwt,
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires', examples: [900] })
})
export type TokenPairType = Static<typeof TokenPair>

export const LoginReply = Type.Composite([TokenPair, Type.Object({ message: Type.Literal('Login successful') })], {
  description: 'A new session: its access and refresh token',
  examples: [{ access_token: jwt, refresh_token: jwt, token_type: 'Bearer', expires_in: 900, message: 'Login successful' }]
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
  iat: Type.Integer(),
  exp: Type.Integer(),
  iss: Type.String(),
  aud: Type.String()
})
export type TokenClaimsType = Static<typeof TokenClaims>

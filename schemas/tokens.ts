import { Type, type Static } from '@sinclair/typebox'

const Jwt = Type.String({ examples: ['eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'] })

export const TokenPair = Type.Object({
  access_token: Jwt,
  refresh_token: Jwt,
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires', examples: [900] })
})
export type TokenPairType = Static<typeof TokenPair>

export const LoginReply = Type.Composite([TokenPair, Type.Object({ message: Type.Literal('Login successful') })])

export const RefreshBody = Type.Object({
  refresh_token: Type.String({ minLength: 1, maxLength: 4096, examples: ['eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'] })
}, { additionalProperties: false })

export const RefreshReply = Type.Composite([TokenPair, Type.Object({ message: Type.Literal('Token refreshed successfully') })])

export const LogoutReply = Type.Object({ message: Type.Literal('Logged out successfully') })

export const BearerHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <access_token>', examples: ['Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'] }))
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

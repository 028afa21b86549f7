import { Type } from '@sinclair/typebox'
import { TokenClaims } from './tokens.js'

export const IntrospectBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 8192 }),
  token_type_hint: Type.Optional(Type.String({ maxLength: 64 }))
}, { additionalProperties: false, examples: [{ token: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...' }] })

export const IntrospectReply = Type.Object({
  active: Type.Boolean(),
  sub: Type.Optional(Type.String()),
  sid: Type.Optional(Type.String()),
  jti: Type.Optional(Type.String()),
  token_type: Type.Optional(TokenClaims.properties.type),
  exp: Type.Optional(Type.Integer()),
  iat: Type.Optional(Type.Integer()),
  iss: Type.Optional(Type.String()),
  aud: Type.Optional(Type.String()),
  amr: Type.Optional(Type.Array(Type.String(), { description: 'How the session\'s user proved who they are: `["pwd"]` or `["pwd","otp"]`' })),
  aal: Type.Optional(Type.Union([Type.Literal('aal1'), Type.Literal('aal2')], { description: '`aal2` once the session proved a second factor' }))
}, {
  description: 'RFC 7662 answer: only `active` when the token is not live',
  examples: [{
    active: true,
    sub: '1',
    sid: 'CLJEn_-rYlMDOuOW',
    jti: 'q8mN3vXw2Yk7LpR4',
    token_type: 'access',
    exp: 1704111300,
    iat: 1704110400,
    iss: 'jwt-microservice',
    aud: 'jwt-microservice',
    amr: ['pwd', 'otp'],
    aal: 'aal2'
  }, { active: false }]
})

export const BasicAuthHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Basic base64(INTROSPECTION_CLIENT_ID:INTROSPECTION_CLIENT_SECRET)' }))
})

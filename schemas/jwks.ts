import { Type, type Static } from '@sinclair/typebox'

/** A public JSON Web Key (RFC 7517); never carries private or symmetric material. */
export const Jwk = Type.Object({
  kty: Type.String({ examples: ['OKP'] }),
  kid: Type.String(),
  alg: Type.String({ examples: ['EdDSA'] }),
  use: Type.Literal('sig'),
  crv: Type.Optional(Type.String()),
  x: Type.Optional(Type.String()),
  y: Type.Optional(Type.String()),
  n: Type.Optional(Type.String()),
  e: Type.Optional(Type.String())
}, { $id: 'Jwk', title: 'Jwk' })
export type JwkType = Static<typeof Jwk>

export const JwksReply = Type.Object({ keys: Type.Array(Type.Ref(Jwk)) }, {
  title: 'Jwks',
  description: 'The JWK Set (`{"keys":[]}` with HS256)',
  examples: [{
    keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'znTwWqv2sa_6hXLsCvVrKc5wIIQvyqQn7RyGr_tfn5A', kid: 'rVfhxC-2hS44oIJGfBvOxtnNTisjBgIKQB81ujiZq6c', alg: 'EdDSA', use: 'sig' }]
  }]
})

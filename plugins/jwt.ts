import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import { createDecoder, createVerifier } from 'fast-jwt'
import { hkdfSync } from 'node:crypto'
import { loadSigningKeys, type SigningKeys } from '../lib/signing-keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    jwtKeys: ReturnType<typeof createJwtKeys>
  }
}

const CLAIMS = ['sub', 'sid', 'jti', 'type', 'exp', 'iat']

/**
 * @fastify/jwt signs with the current key. Verification goes straight to fast-jwt verifiers
 * built once, with their cache: one for the current key and one for each previous public key
 * listed during a key rotation (app.jwt.verify merges its options again on every call, a
 * measurable share of a token check). Headers such as jku, x5u or jwk are never followed: only
 * configured keys verify.
 */
export default fp(async function jwt (app) {
  const { config } = app
  const signingKeys = loadSigningKeys(config)
  const claimChecks = { allowedIss: config.JWT_ISSUER, allowedAud: config.JWT_AUDIENCE, requiredClaims: CLAIMS }

  await app.register(fastifyJwt, {
    secret: signingKeys.alg === 'HS256' ? signingKeys.signing : { private: signingKeys.signing, public: signingKeys.verifying },
    sign: { algorithm: signingKeys.alg, kid: signingKeys.kid, iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE },
    verify: { algorithms: [signingKeys.alg], cache: true, ...claimChecks }
  })
  app.decorate('jwtKeys', createJwtKeys(signingKeys, claimChecks))
}, { name: 'jwt', dependencies: ['config'] })

/** Verification and the JWKS, from the configured keys only. */
function createJwtKeys (signingKeys: SigningKeys, claimChecks: { allowedIss: string, allowedAud: string, requiredClaims: string[] }) {
  const current = createVerifier({ key: signingKeys.verifying, algorithms: [signingKeys.alg], cache: true, ...claimChecks })
  const previous = new Map(signingKeys.published
    .filter(key => key.kid !== signingKeys.kid)
    .map(key => [key.kid, createVerifier({ key: key.pem, algorithms: [key.alg], cache: true, ...claimChecks })]))
  const decodeHeader = createDecoder({ complete: true })

  return {
    /** The public keys other services verify with (RFC 7517); empty with HS256. */
    jwks: { keys: signingKeys.published.map(key => key.jwk) },
    /** Verifies with the key the token's `kid` names, pinned to that key's algorithm. */
    verify (token: string): unknown {
      if (previous.size === 0) return current(token)
      const kid: unknown = decodeHeader(token).header.kid
      const verifyPrevious = typeof kid === 'string' ? previous.get(kid) : undefined
      return verifyPrevious === undefined ? current(token) : verifyPrevious(token)
    },
    /**
     * A 32-byte key for another use (`purpose`), derived from the signing key with HKDF: every
     * instance holds it without a setting of its own, and it changes when the signing key does.
     */
    deriveKey: (purpose: string) => Buffer.from(hkdfSync('sha256', signingKeys.signing, 'jwt-microservice', purpose, 32))
  }
}

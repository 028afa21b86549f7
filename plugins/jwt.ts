import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'

/**
 * @fastify/jwt configured once, globally, so the verifier (and its cache) is built once.
 * HS256 is pinned on both sides; issuer and audience are checked on every verification.
 */
export default fp(async function jwt (app) {
  const { config } = app
  await app.register(fastifyJwt, {
    secret: config.JWT_SECRET_KEY,
    sign: { algorithm: 'HS256', iss: config.JWT_ISSUER, aud: config.JWT_AUDIENCE },
    verify: {
      algorithms: ['HS256'],
      allowedIss: config.JWT_ISSUER,
      allowedAud: config.JWT_AUDIENCE,
      requiredClaims: ['sub', 'sid', 'jti', 'type', 'exp', 'iat']
    }
  })
}, { name: 'jwt', dependencies: ['config'] })

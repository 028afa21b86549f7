import fp from 'fastify-plugin'
import { deviceTokens } from '../lib/device-tokens.js'

declare module 'fastify' {
  interface FastifyInstance {
    deviceTokens: ReturnType<typeof deviceTokens>
  }
}

/**
 * Device tokens for /login (lib/device-tokens.ts), keyed by HKDF from the JWT signing key: that
 * material is already secret and whoever holds it could sign access tokens anyway. Rotating the
 * signing key retires every device token: clients fall back to the per-account limit until their
 * next login.
 */
export default fp(async function deviceTokensPlugin (app) {
  const { config, jwtKeys } = app
  app.decorate('deviceTokens', deviceTokens(jwtKeys.deriveKey('device tokens'), config.DEVICE_TOKEN_EXPIRES_DAYS * 86_400_000))
}, { name: 'device-tokens', dependencies: ['config', 'jwt'] })

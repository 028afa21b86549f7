import fp from 'fastify-plugin'
import { createSigner } from 'fast-jwt'
import { backchannelSender, parseReceivers } from '../lib/backchannel-logout.js'
import { loadSigningKeys } from '../lib/signing-keys.js'

/** How long a receiver may take to answer, and how often the outbox is read. */
const DELIVERY_TIMEOUT_MS = 5000
const ROUND_EVERY_MS = 250
const LOGOUT_TOKEN_SECONDS = 120

/**
 * OpenID Connect Back-Channel Logout: each receiver of BACKCHANNEL_LOGOUT_RECEIVERS gets a
 * logout token (a JWT signed with the service's key, verifiable with its JWKS) for every session
 * end on the revocation feed, with retries (lib/backchannel-logout.ts). Off without receivers.
 */
export default fp(async function backchannelLogout (app) {
  const receivers = parseReceivers(app.config.BACKCHANNEL_LOGOUT_RECEIVERS)
  if (receivers.length === 0) return
  const keys = loadSigningKeys(app.config)
  const sender = backchannelSender({
    redis: app.redis,
    receivers,
    log: app.log,
    timeoutMs: DELIVERY_TIMEOUT_MS,
    // Each receiver's client id is its tokens' audience: a logout token is never an access token
    signerFor: receiver => createSigner({
      key: keys.signing,
      algorithm: keys.alg,
      kid: keys.kid,
      iss: app.config.JWT_ISSUER,
      aud: receiver.clientId,
      expiresIn: LOGOUT_TOKEN_SECONDS * 1000,
      header: { alg: keys.alg, typ: 'logout+jwt' }
    })
  })

  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  const tick = () => {
    running = sender.round().finally(() => {
      if (!stopped) timer = setTimeout(tick, ROUND_EVERY_MS)
    })
  }
  app.addHook('onReady', async () => {
    await sender.prepare()
    tick()
  })
  app.addHook('onClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
  })
}, { name: 'backchannel-logout', dependencies: ['config', 'redis', 'revocations'] })

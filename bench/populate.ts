import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app from '../app.js'
import { loadConfig } from '../lib/config.js'

/**
 * Adds live sessions through the service's own sessions plugin (no bcrypt: they skip login),
 * `perUser` sessions to each user, numbering sessions from `first`.
 */
export async function populateSessions (env: Record<string, string | number>, count: number, perUser = 1, first = 0, userAgent = 'bench/1.0 (populate)') {
  if (count <= 0) return
  const server = Fastify({ logger: false })
  await server.register(fp(app), { config: loadConfig({ ...env, LOG_LEVEL: 'silent' }) })
  await server.ready()
  const batch = 2000
  for (let done = 0; done < count; done += batch) {
    const size = Math.min(batch, count - done)
    await Promise.all(Array.from({ length: size }, (_, i) =>
      server.sessions.create({ userId: String(1_000_000 + Math.floor((first + done + i) / perUser)), credentialEpoch: 0, emailVerified: false }, { userAgent, ip: '127.0.0.1' })))
  }
  await server.close()
}

// The bare baseline of the benchmark: a Fastify route that does only what a token check must
// do (one HS256 verify, one Redis EXISTS on the session) and nothing else. Configured by environment.
import Fastify from 'fastify'
import { createVerifier } from 'fast-jwt'
import { Redis } from 'ioredis'

const env = process.env
const verify = createVerifier({ key: env.JWT_SECRET_KEY, algorithms: ['HS256'], cache: true })
const redis = new Redis({ host: '127.0.0.1', port: Number(env.REDIS_PORT), keyPrefix: env.REDIS_KEY_PREFIX, enableAutoPipelining: true })
const app = Fastify({ logger: false })

app.get('/protected', async (request, reply) => {
  const claims = verify((request.headers.authorization ?? '').slice(7))
  if (await redis.exists(`sess:{${claims.sid}}`) !== 1) return reply.code(401).send({ message: 'revoked' })
  return { message: 'This is a protected endpoint', user_id: Number(claims.sub), data: 'Secret data only for authenticated users' }
})
app.addHook('onClose', async () => { await redis.quit() })

await app.listen({ port: Number(env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => { app.close().then(() => process.exit(0), () => process.exit(1)) })

import fp from 'fastify-plugin'
import fastifyMysql, { type MySQLPromisePool } from '@fastify/mysql'
import { migrate } from '../lib/migrations.js'

declare module 'fastify' {
  interface FastifyInstance {
    mysql: MySQLPromisePool
  }
}

/**
 * The users database: a bounded mysql2 pool. Before it opens, the schema is brought to the
 * newest version (sql/migrations, under a lock; see lib/migrations.ts), creating the database
 * first when the account may.
 */
export default fp(async function mysql (app) {
  const { config } = app
  const applied = await migrate(config)
  if (applied.length > 0) app.log.info({ migrations: applied }, 'database schema migrated')

  await app.register(fastifyMysql, {
    promise: true,
    host: config.DB_HOST,
    port: config.DB_PORT,
    user: config.DB_USER,
    password: config.DB_PASSWORD,
    connectTimeout: config.DB_TIMEOUT_MS,
    database: config.DB_NAME,
    connectionLimit: config.DB_POOL_SIZE,
    queueLimit: config.DB_QUEUE_LIMIT,
    enableKeepAlive: true,
    charset: 'utf8mb4_unicode_ci'
  })
}, { name: 'mysql', dependencies: ['config'] })

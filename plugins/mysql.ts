import fp from 'fastify-plugin'
import { errorCode } from '../lib/error-code.js'
import fastifyMysql, { type MySQLPromisePool } from '@fastify/mysql'
import { createConnection } from 'mysql2/promise'
import { readFile } from 'node:fs/promises'

declare module 'fastify' {
  interface FastifyInstance {
    mysql: MySQLPromisePool
  }
}

const ACCESS_DENIED = new Set(['ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR'])

/**
 * The users database: a bounded mysql2 pool. On start it creates the database (when the
 * account may) and the users table from sql/init.sql, the file docker-compose also mounts.
 */
export default fp(async function mysql (app) {
  const { config } = app
  const connection = {
    host: config.DB_HOST,
    port: config.DB_PORT,
    user: config.DB_USER,
    password: config.DB_PASSWORD,
    connectTimeout: config.DB_TIMEOUT_MS
  }

  const bootstrap = await createConnection(connection)
  try {
    await bootstrap.query(`CREATE DATABASE IF NOT EXISTS \`${config.DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  } catch (err) {
    // An account limited to an existing database may not create one: that is fine.
    if (!ACCESS_DENIED.has(errorCode(err) ?? '')) throw err
  } finally {
    await bootstrap.end()
  }

  await app.register(fastifyMysql, {
    promise: true,
    ...connection,
    database: config.DB_NAME,
    connectionLimit: config.DB_POOL_SIZE,
    queueLimit: config.DB_QUEUE_LIMIT,
    enableKeepAlive: true,
    charset: 'utf8mb4_unicode_ci'
  })
  await app.mysql.query(await readFile(new URL('../sql/init.sql', import.meta.url), 'utf8'))
}, { name: 'mysql', dependencies: ['config'] })

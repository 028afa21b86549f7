import fp from 'fastify-plugin'
import { loadConfig, type Config } from '../lib/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface ConfigPluginOptions {
  /** An already validated configuration (server.ts and tests); read from the environment otherwise. */
  config?: Config
}

export default fp<ConfigPluginOptions>(async function config (app, opts) {
  app.decorate('config', opts.config ?? loadConfig())
}, { name: 'config' })

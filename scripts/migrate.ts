// `npm run migrate`: brings the database named by the configuration (environment, then .env) to
// the newest schema and exits; the service does the same at every start, so this is for
// deployments that migrate as a step of their own before new instances start.
import { loadConfig } from '../lib/config.js'
import { migrate } from '../lib/migrations.js'

try {
  const applied = await migrate(loadConfig())
  console.log(applied.length === 0 ? 'database schema is up to date' : `applied: ${applied.join(', ')}`)
} catch (err) {
  console.error(`Cannot migrate: ${(err as Error).message}`)
  process.exitCode = 1
}

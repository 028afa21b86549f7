// Writes openapi.json and test/docs/client/api.d.ts from the application's live document.
// The app is built as it starts, so MariaDB and Redis must answer: `npm run openapi` reads
// local.env (the local services of `npm run start:local`).
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import { writeFile } from 'node:fs/promises'
import app, { serverOptions } from '../app.js'
import { loadConfig } from '../lib/config.js'
import { documentSettings, files, stableJson, typesOf } from './openapi-files.js'

const config = loadConfig(documentSettings)
const server = Fastify(serverOptions(config))
// fp() lifts the app's decorators (swagger) to the instance held here
await server.register(fp(app), { config })
await server.ready()
try {
  const document = stableJson(server.swagger())
  await writeFile(files.document, document)
  await writeFile(files.types, await typesOf(document))
  console.log('wrote openapi.json and test/docs/client/api.d.ts')
} finally {
  await server.close()
}

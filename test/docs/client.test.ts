import { test, type Test } from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { build, newUser } from '../support/helper.js'
import { generatedDir, strictErrors } from '../support/type-check.js'
import { stableJson, typesOf } from '../../scripts/openapi-files.js'
import { runFlow } from './client/flow.js'

const flowSource = new URL('client/flow.ts', import.meta.url)

/** Type-checks the client program with --strict against types generated from `documentJson`. */
async function typeCheckClient (dir: string, documentJson: string): Promise<string[]> {
  await writeFile(`${dir}api.d.ts`, await typesOf(documentJson))
  await writeFile(`${dir}flow.ts`, await readFile(flowSource, 'utf8'))
  return strictErrors(`${dir}flow.ts`)
}

async function liveDocumentJson (t: Test) {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/documentation/json' })
  t.equal(res.statusCode, 200)
  return { app, documentJson: stableJson(res.json()) }
}

test('the client program uses no casts and no any', async (t) => {
  const code = (await readFile(flowSource, 'utf8')).replace(/\/\/.*$/gm, '')
  t.notMatch(code, /\bas\s+(?!const\b)/, 'no type assertion')
  t.notMatch(code, /\bany\b/, 'no any')
  t.notMatch(code, /@ts-(ignore|expect-error|nocheck)/, 'no suppressed error')
})

test('a client generated from the live document type-checks with --strict and drives the service', async (t) => {
  const { app, documentJson } = await liveDocumentJson(t)
  t.same(await typeCheckClient(await generatedDir(t), documentJson), [], 'tsc --strict accepts the client')

  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const result = await runFlow(baseUrl, newUser('client'))
  t.ok(result.userId > 0, 'register gave a user id')
  t.equal(result.tokenType, 'Bearer')
  t.equal(result.expiresIn, 900)
  t.equal(result.protectedData, 'Secret data only for authenticated users')
  t.equal(result.protectedUserId, result.userId, 'protected names the registered user')
  t.equal(result.rotated, true, 'refresh rotated the refresh token')
  t.equal(result.logoutMessage, 'Logged out successfully')
  t.match(result.afterLogout, { status: 401, error: { statusCode: 401, code: 'TOKEN_REVOKED' } }, 'the typed error body after logout')
  t.same(result.health, { status: 'healthy', redis: 'connected', database: 'connected' })
})

test('a breaking change of the document (a renamed field, a removed path) fails the client type-check', async (t) => {
  const { documentJson } = await liveDocumentJson(t)
  const broken = documentJson.replaceAll('"access_token"', '"accessToken"')
  t.not(broken, documentJson, 'the change applies')
  const dir = await generatedDir(t)
  const errors = await typeCheckClient(dir, broken)
  t.ok(errors.some(message => message.includes('access_token')), `tsc rejects the client: ${errors.join('; ')}`)

  const removed = JSON.stringify(JSON.parse(documentJson, (key, value: unknown) => key === '/refresh' ? undefined : value))
  t.ok((await typeCheckClient(dir, removed)).some(message => message.includes('/refresh')), 'a removed path is rejected too')
})

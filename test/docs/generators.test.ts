import { test } from 'tap'
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createClient } from '@hey-api/openapi-ts'
import { generatedDir, strictErrors } from '../support/type-check.js'

const document = fileURLToPath(new URL('../../openapi.json', import.meta.url))

/** The recipe of docs/clients.md: a program that logs in and reads the error code of a refusal. */
const program = `import { createClient } from './sdk/client/index.js'
import { login, logout } from './sdk/sdk.gen.js'
import type { ErrorReply } from './sdk/types.gen.js'

const client = createClient({ baseUrl: 'http://127.0.0.1:5000' })
export async function tryLogin (username: string, password: string): Promise<string | ErrorReply['code'] | 'MFA_REQUIRED'> {
  const { data, error } = await login({ client, body: { username, password } })
  if (error !== undefined) return error.code
  // An account with a second factor gets a challenge instead (POST /login/mfa completes it)
  if (!('access_token' in data)) return 'MFA_REQUIRED'
  await logout({ client, headers: { authorization: \`Bearer \${data.access_token}\` } })
  return data.access_token
}
`

test('@hey-api/openapi-ts generates an SDK from openapi.json that type-checks with --strict under NodeNext', async (t) => {
  const dir = await generatedDir(t, 'hey-api-')

  // NodeNext resolution needs the .js extension on every relative import of the output
  await createClient({ input: document, output: { path: `${dir}sdk`, importFileExtension: '.js' }, logs: { level: 'silent' } })
  await writeFile(`${dir}use.ts`, program)
  const errors = strictErrors(`${dir}use.ts`)
  t.same(errors, [], 'tsc --strict accepts the generated SDK and its use')
})

import { test } from 'tap'
import { readFile } from 'node:fs/promises'
import { errors } from '../../lib/errors.js'

/**
 * Codes Fastify itself answers with (validation, body size and media type, a URL that does not
 * decode), the 404 handler's and those of requests that never reached Fastify (lib/client-errors.ts).
 */
const FRAMEWORK_CODES = ['FST_ERR_VALIDATION', 'FST_ERR_CTP_BODY_TOO_LARGE', 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'FST_ERR_BAD_URL', 'NOT_FOUND',
  'REQUEST_TIMEOUT', 'HEADERS_TOO_LARGE', 'MALFORMED_REQUEST']

test('the table of error codes in docs/api.md lists exactly the codes the service answers with', async (t) => {
  const page = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8')
  const endpoints = page.slice(page.indexOf('## Error codes'), page.indexOf('\n## ', page.indexOf('## Error codes') + 1))
  const rows = endpoints.split('\n').filter(line => /^\| `[A-Z_]+`/.test(line))
  const documented = rows.flatMap(row => row.split('|')[1].match(/`[A-Z_]+`/g) ?? []).map(code => code.slice(1, -1))
  const answered = [...Object.values(errors).map(E => new E('x').code), ...FRAMEWORK_CODES]
  t.same([...documented].sort(), [...answered].sort())

  for (const row of rows) {
    const [, codes, status] = row.split('|').map(cell => cell.trim())
    for (const code of codes.match(/[A-Z_]+/g) ?? []) {
      const E = Object.values(errors).find(E => new E('x').code === code)
      if (E !== undefined) t.equal(String(new E('x').statusCode), status, `${code} is documented with its status`)
    }
  }
})

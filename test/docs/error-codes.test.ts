import { test } from 'tap'
import { readFile } from 'node:fs/promises'
import { errors, errorCodes } from '../../lib/errors.js'
import { ErrorReply } from '../../schemas/errors.js'

test('the table of error codes in docs/api.md lists exactly the codes the service answers with', async (t) => {
  const page = await readFile(new URL('../../docs/api.md', import.meta.url), 'utf8')
  const endpoints = page.slice(page.indexOf('## Error codes'), page.indexOf('\n## ', page.indexOf('## Error codes') + 1))
  const rows = endpoints.split('\n').filter(line => /^\| `[A-Z_]+`/.test(line))
  const documented = rows.flatMap(row => row.split('|')[1].match(/`[A-Z_]+`/g) ?? []).map(code => code.slice(1, -1))
  t.same([...documented].sort(), [...errorCodes].sort())
  t.same(ErrorReply.properties.code.enum, errorCodes, 'ErrorReply.code is an enum of the same codes')

  for (const row of rows) {
    const [, codes, status] = row.split('|').map(cell => cell.trim())
    for (const code of codes.match(/[A-Z_]+/g) ?? []) {
      const E = Object.values(errors).find(E => new E('x').code === code)
      if (E !== undefined) t.equal(String(new E('x').statusCode), status, `${code} is documented with its status`)
    }
  }
})

import { test } from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { build } from '../support/helper.js'
import { freePort } from '../../scripts/free-port.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `npm run smoke -- <url>` as an operator runs it: its output and exit code. */
function smoke (url: string): Promise<{ code: number | null, lines: string[] }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'smoke', '--', url], { cwd: root, timeout: 60_000 }, (err, stdout) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : null), lines: stdout.trim().split('\n') })
    })
  })
}

test('against a listening instance every step passes and it exits 0', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0

  const { code, lines } = await smoke(`http://127.0.0.1:${port}/`)
  t.equal(code, 0, lines.join('\n'))
  const steps = lines.filter(line => /^(PASS|FAIL|SKIP) /.test(line))
  t.same(steps.map(line => line.split(':')[0]), [
    'PASS  health', 'PASS  register', 'PASS  login', 'PASS  protected', 'PASS  refresh', 'PASS  old access token refused',
    'PASS  logout', 'PASS  revoked access token refused', 'PASS  old refresh tokens refused'
  ])
  t.equal(lines.at(-1), 'smoke test passed: 9 of 9 steps')
})

test('against a dead loopback port the first step fails, the rest are skipped, and it exits non-zero', async (t) => {
  const { code, lines } = await smoke(`http://127.0.0.1:${await freePort()}`)
  t.not(code, 0)
  t.match(lines[1], /^FAIL {2}health: .*ECONNREFUSED/)
  t.equal(lines.filter(line => line.startsWith('SKIP ')).length, 8)
  t.equal(lines.at(-1), 'smoke test FAILED: 0 of 9 steps passed')
})

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../scripts/free-port.js'
import { pollUntil } from './completes.js'

type Test = { teardown(fn: () => unknown): void }

/** Why nginx cannot run here, or undefined when it can (Debian's nginx-light or nginx package). */
export function nginxMissing (): string | undefined {
  const probe = spawnSync('nginx', ['-v'], { stdio: 'ignore' })
  return probe.error === undefined && probe.status === 0
    ? undefined
    : 'nginx is not installed (apt-get install nginx-light); the gateway tests need a real nginx'
}

const listening = (port: number) => new Promise<boolean>(resolve => {
  const socket = connect(port, '127.0.0.1')
  socket.once('connect', () => { socket.end(); resolve(true) })
  socket.once('error', () => resolve(false))
})

/**
 * Starts nginx on a free loopback port with docs/gateways/nginx.conf, its two upstreams
 * pointed at the given ports, under a prefix directory of its own; stopped by its pid.
 */
export async function startNginx (t: Test, ports: { auth: number, upstream: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'nginx-gateway-'))
  await mkdir(join(dir, 'temp'))
  const port = await freePort()
  const site = (await readFile(new URL('../../docs/gateways/nginx.conf', import.meta.url), 'utf8'))
    .replace('server app:5000;', `server 127.0.0.1:${ports.auth};`)
    .replace('server sample-upstream:8080;', `server 127.0.0.1:${ports.upstream};`)
    .replace('listen 8000;', `listen 127.0.0.1:${port};`)
  await writeFile(join(dir, 'site.conf'), site)
  const temp = (name: string) => `${name}_temp_path ${join(dir, 'temp', name)};`
  await writeFile(join(dir, 'nginx.conf'), [
    // One process in the foreground: its pid is the child's, and it needs no other user.
    'daemon off;', 'master_process off;', `pid ${join(dir, 'nginx.pid')};`, `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {', 'access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp),
    `include ${join(dir, 'site.conf')};`, '}'
  ].join('\n'))

  const child: ChildProcess = spawn('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' })
  const exited = new Promise(resolve => child.once('exit', resolve))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  })
  if (!await pollUntil(() => listening(port), 100, 100)) {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')
    throw new Error(`nginx did not start: ${log}`)
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid }
}

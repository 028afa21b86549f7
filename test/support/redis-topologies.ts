import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { freePort } from '../../scripts/free-port.js'

type Test = { teardown(fn: () => unknown): void }

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Asks one Redis (or Sentinel) a question on a short-lived connection; undefined while it is not up. */
async function ask (port: number, ...command: string[]): Promise<unknown> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.call(command[0], ...command.slice(1))
  } catch {
    return undefined
  } finally {
    client.disconnect()
  }
}

async function waitFor (what: string, check: () => Promise<boolean>, withinMs = 20_000) {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(100)
  }
  throw new Error(`${what}: not within ${withinMs} ms`)
}

/** Starts redis-server processes in a private temporary directory; kills them by pid and removes it at teardown. */
async function servers (t: Test, name: string) {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`))
  const children: ChildProcess[] = []
  t.teardown(async () => {
    await Promise.all(children.map(child => new Promise(resolve => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined)
      child.once('exit', resolve)
      child.kill('SIGKILL')
    })))
    await rm(dir, { recursive: true, force: true })
  })
  return {
    dir,
    start (args: string[]) {
      children.push(spawn('redis-server', args, { stdio: 'ignore', cwd: dir }))
    }
  }
}

/** A 3-master Redis Cluster (no replicas) on loopback ports, ready (cluster_state:ok) when this resolves. */
export async function startCluster (t: Test): Promise<{ nodes: string }> {
  const run = await servers(t, 'redis-cluster')
  const ports: number[] = []
  for (let i = 0; i < 3; i++) {
    const [port, busPort] = [await freePort(), await freePort()]
    ports.push(port)
    run.start(['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', run.dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no'])
  }
  for (const port of ports) await waitFor(`redis-server on ${port}`, async () => (await ask(port, 'PING')) === 'PONG')
  await promisify(execFile)('redis-cli', ['--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`),
    '--cluster-replicas', '0', '--cluster-yes'])
  for (const port of ports) {
    await waitFor(`cluster_state:ok on ${port}`, async () => String(await ask(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'))
  }
  return { nodes: ports.map(p => `127.0.0.1:${p}`).join(',') }
}

/** A Redis master watched by one Sentinel (quorum 1), both on loopback ports. */
export async function startSentinel (t: Test, name = 'jwtmaster'): Promise<{ masterPort: number, sentinels: string, name: string }> {
  const run = await servers(t, 'redis-sentinel')
  const [masterPort, sentinelPort] = [await freePort(), await freePort()]
  run.start(['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
  await waitFor('the master', async () => (await ask(masterPort, 'PING')) === 'PONG')
  const conf = join(run.dir, 'sentinel.conf')
  await writeFile(conf, [
    `port ${sentinelPort}`,
    'bind 127.0.0.1',
    `dir ${run.dir}`,
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${name} 5000`,
    ''
  ].join('\n'))
  run.start([conf, '--sentinel'])
  await waitFor('the sentinel', async () => {
    const address = await ask(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)
    return Array.isArray(address) && String(address[1]) === String(masterPort)
  })
  return { masterPort, sentinels: `127.0.0.1:${sentinelPort}`, name }
}

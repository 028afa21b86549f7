import { freePort } from '../../scripts/free-port.js'
import { spawn, type ChildProcess } from 'node:child_process'
import { Redis } from 'ioredis'

export interface ThrowawayRedis {
  port: number
  process: ChildProcess
  /** Kills the server by its pid and waits for it to exit. */
  stop(): Promise<void>
  /** Starts it again on the same port (with the same arguments). */
  restart(): Promise<void>
}

/** Starts a private redis-server on a spare loopback port, for tests that break Redis. */
export async function startRedis (t: { teardown(fn: () => unknown): void }, extraArgs: string[] = []): Promise<ThrowawayRedis> {
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs]
  const launch = async () => {
    const child = spawn('redis-server', args, { stdio: 'ignore' })
    await waitForPing(port)
    return child
  }
  const instance: ThrowawayRedis = {
    port,
    process: await launch(),
    async stop () {
      const child = instance.process
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
    async restart () {
      await instance.stop()
      instance.process = await launch()
    }
  }
  t.teardown(() => instance.stop())
  return instance
}

async function waitForPing (port: number) {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.ping()
      return
    } catch {
      await new Promise(resolve => setTimeout(resolve, 50))
    } finally {
      client.disconnect()
    }
  }
  throw new Error(`redis-server on port ${port} did not start`)
}

import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../../lib/config.js'
import { freePort } from '../../scripts/free-port.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface ServiceProcess {
  url: string
  process: ChildProcess
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>
  /** What the process wrote to stderr so far, for failure messages. */
  stderr(): string
}

/**
 * Runs server.ts (through tsx) as a real process on a spare loopback port with the given
 * configuration, and waits until it answers. Killed by pid when the test ends if still running.
 */
export async function startService (t: { teardown(fn: () => unknown): void }, config: Config): Promise<ServiceProcess> {
  const port = await freePort()
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', FASTIFY_AUTOLOAD_TYPESCRIPT: '1' }
  for (const [name, value] of Object.entries(config)) env[name] = String(value)
  env.PORT = String(port)
  env.HOST = '127.0.0.1'

  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | string>(resolve => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  t.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  })

  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}: ${stderr}`)
    try {
      if ((await fetch(`${url}/health/live`)).ok) return { url, process: child, exited, stderr: () => stderr }
    } catch {}
    await sleep(100)
  }
  throw new Error(`the service on port ${port} did not come up: ${stderr}`)
}

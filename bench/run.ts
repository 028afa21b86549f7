// npm run bench: measures the built service (dist/) against a bare baseline route, side by side
// in one run, on 127.0.0.1 only, with every run bounded in time. Prints one table and writes
// bench/results/<date>.json and bench/results/latest.json.
import autocannon from 'autocannon'
import bcrypt from 'bcryptjs'
import { Pool } from 'undici'
import { Redis } from 'ioredis'
import { createConnection } from 'mysql2/promise'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { freePort } from '../scripts/free-port.js'
import { populateSessions } from './populate.js'
import { redisKeys } from '../lib/sessions/redis-keys.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
/** Rounds of each side-by-side comparison: a ratio is the median of the rounds' ratios. */
const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const run = randomBytes(4).toString('hex')

interface Row { scenario: string, rps: number, p50: number, p99: number, errors: number, cpu?: number, ratio?: string, note?: string }
const rows: Row[] = []
const children: ChildProcess[] = []
/** The process of each server started, by port. */
const servers = new Map<string, number>()
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

function start (args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.push(child)
  if (env.PORT !== undefined && child.pid !== undefined) servers.set(env.PORT, child.pid)
  return child
}

async function stop (child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => { child.once('exit', resolve); setTimeout(resolve, 3000) })
  child.kill('SIGTERM')
  await exited
}

/** Starts a server on a free port of 127.0.0.1 and waits until `probe` answers. */
async function launch (args: string[], env: Record<string, string>, probe: string) {
  const port = String(await freePort())
  const child = start(args, { ...env, PORT: port, HOST: '127.0.0.1' })
  const url = `http://127.0.0.1:${port}`
  await waitFor(`${url}${probe}`)
  return { url, stop: () => stop(child) }
}

/** CPU time (user and system, ms) a process has used so far; undefined without Linux's /proc. */
function cpuMs (pid: number | undefined) {
  if (pid === undefined) return undefined
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10 // utime + stime, in ticks of 10 ms
  } catch {
    return undefined
  }
}

/**
 * Runs a load against the server behind `url` and adds `cpu`: the server's CPU time per
 * request, in microseconds. Unlike req/s, it does not depend on how much of the machine the
 * load generator took, so it shows a change in the server's own cost through a noisy run.
 */
async function measured<T extends { rps: number }> (url: string, durationMs: number, load: () => Promise<T>) {
  const pid = servers.get(new URL(url).port)
  const before = cpuMs(pid)
  const result = await load()
  const after = cpuMs(pid)
  const requests = result.rps * durationMs / 1000
  const cpu = before === undefined || after === undefined || requests === 0 ? undefined : Math.round((after - before) * 1000 / requests)
  return { ...result, cpu }
}

async function waitFor (url: string) {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url)
      return
    } catch {}
    await sleep(100)
  }
  throw new Error(`${url} did not come up`)
}

function cannon (url: string, opts: Partial<autocannon.Options> = {}) {
  return measured(url, seconds * 1000, async () => {
    const result = await autocannon({ url, connections, duration: seconds, ...opts })
    return { rps: result.requests.total / seconds, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx }
  })
}

/** Load that is not measured, to bring a fresh server to its steady state (see section 1). */
async function warm (url: string, headers: Record<string, string>) {
  await autocannon({ url: `${url}/protected`, connections, duration: 10, headers })
}

type Measured = Awaited<ReturnType<typeof cannon>>

/** Closed-loop clients that each carry their own state forward (refresh chains, logins). */
function loops (base: string, clients: number, durationMs: number, step: (pool: Pool, i: number) => Promise<boolean>) {
  return measured(base, durationMs, () => closedLoops(base, clients, durationMs, step))
}

async function closedLoops (base: string, clients: number, durationMs: number, step: (pool: Pool, i: number) => Promise<boolean>) {
  const pool = new Pool(base, { connections: clients })
  const latencies: number[] = []
  let errors = 0
  const end = Date.now() + durationMs
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    while (Date.now() < end) {
      const t0 = performance.now()
      const ok = await step(pool, i).catch(() => false)
      latencies.push(performance.now() - t0)
      if (!ok) errors++
    }
  }))
  await pool.close()
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0)
  return { rps: latencies.length / (durationMs / 1000), p50: pct(0.5), p99: pct(0.99), errors }
}

async function post (pool: Pool, path: string, body: object) {
  const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.statusCode, json: await res.body.json() as Record<string, string> }
}

async function startRedis () {
  const port = await freePort()
  // hash-max-listpack-value as docker-compose.yml sets it: a session hash holding a browser's
  // user agent stays compact
  children.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--hash-max-listpack-value', '256'], { stdio: 'ignore' }))
  for (let i = 0; i < 100; i++) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null })
    probe.on('error', () => {})
    try {
      await probe.connect()
      await probe.quit()
      return port
    } catch {
      probe.disconnect()
      await sleep(50)
    }
  }
  throw new Error(`redis-server on ${port} did not come up`)
}

/** Redis used_memory growth per session while `count` sessions are added, `perUser` to a user. */
async function bytesPerSession (env: Record<string, string | number>, count: number, perUser: number, userAgent?: string) {
  const probe = new Redis({ port: Number(env.REDIS_PORT), host: '127.0.0.1' })
  const memory = async () => Number(/used_memory:(\d+)/.exec(await probe.info('memory'))?.[1])
  await populateSessions(env, 1000, perUser, 0, userAgent)
  const before = await memory()
  await populateSessions(env, count - 1000, perUser, 1000, userAgent)
  const bytes = (await memory() - before) / (count - 1000)
  await probe.quit()
  return bytes
}

const BROWSER_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'.slice(0, 100)

const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

interface Run { rps: number, cpu?: number }

/** The run of median throughput, with the median server CPU per request of all runs. */
function median<T extends Run> (runs: T[]): T {
  const cpus = runs.flatMap(run => run.cpu ?? [])
  return { ...[...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)], cpu: cpus.length === runs.length ? middle(cpus) : undefined }
}

/** The median of the per-round throughput ratios of two series measured alternately. */
const ratioOf = (runs: Run[], against: Run[]) => middle(runs.map((run, i) => run.rps / against[i].rps)).toFixed(2)

/** The same for server CPU per request: the baseline's over the service's (more is better). */
function cpuRatioOf (runs: Run[], against: Run[]) {
  const ratios = runs.flatMap((run, i) => run.cpu && against[i].cpu ? against[i].cpu / run.cpu : [])
  return ratios.length === runs.length ? `${middle(ratios).toFixed(2)}x` : 'not measured'
}

const serviceArgs = ['dist/server.js']

async function main () {
  const redisPort = await startRedis()
  const secret = randomBytes(32).toString('hex')
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_SECRET_KEY: secret,
    BCRYPT_ROUNDS: '10',
    DB_HOST: process.env.BENCH_DB_HOST ?? '127.0.0.1',
    DB_USER: process.env.BENCH_DB_USER ?? 'root',
    DB_PASSWORD: process.env.BENCH_DB_PASSWORD ?? '',
    DB_NAME: `jwt_bench_${run}`,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redisPort),
    REDIS_PASSWORD: '',
    REDIS_KEY_PREFIX: 'jwt:',
    // one access token serves the whole run
    ACCESS_TOKEN_EXPIRES_MINUTES: '120',
    RATE_LIMIT_ENABLED: 'false',
    METRICS_ENABLED: 'false',
    // Production refuses public metrics: the instances that turn them on need a token
    METRICS_TOKEN: randomBytes(16).toString('hex')
  }
  // The service that registers and logs in the benchmark's users and serves scenarios 2 to 4
  const service = await launch(serviceArgs, env, '/health')
  const api = new Pool(service.url, { connections: 4 })

  const users = Array.from({ length: 16 }, (_, i) => ({ username: `bench_${run}_${i}`, email: `bench_${run}_${i}@example.com`, password: `bench-password-${i}` }))
  for (const user of users) await post(api, '/register', user)
  const { json: tokens } = await post(api, '/login', { username: users[0].username, password: users[0].password })
  const auth = { authorization: `Bearer ${tokens.access_token}` }

  // 1. Token checks: the service against the bare baseline, alternated for BENCH_ROUNDS rounds.
  // A ratio is the median of the rounds' ratios, so a machine that speeds up or slows down
  // between rounds moves both sides of each ratio alike. Each server is first warmed up for
  // 10 s (not measured): a fresh process is slower while it compiles its hot path and collects
  // the garbage of its start, and a long-running deployment lives in the steady state after
  // that. Two more instances show what the optional per-request work costs: one with the
  // Prometheus metrics on, one with metrics and rate limits on (the defaults; the limits raised
  // so nothing is refused).
  const instances = await Promise.all([
    launch(['--import', 'tsx', 'bench/baseline.ts'], env, '/protected'),
    launch(serviceArgs, env, '/health'),
    launch(serviceArgs, { ...env, METRICS_ENABLED: 'true' }, '/health'),
    launch(serviceArgs, { ...env, METRICS_ENABLED: 'true', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_MAX: '1000000000' }, '/health')
  ])
  for (const instance of instances) await warm(instance.url, auth)
  const runs = instances.map((): Measured[] => [])
  // The gateway check (GET /auth/verify, no rules file) on the service instance, alternated too
  const verifyRuns: Measured[] = []
  for (let i = 0; i < rounds; i++) {
    for (const [j, instance] of instances.entries()) runs[j].push(await cannon(`${instance.url}/protected`, { headers: auth }))
    verifyRuns.push(await cannon(`${instances[1].url}/auth/verify`, { headers: auth }))
  }
  await Promise.all(instances.map(instance => instance.stop()))
  const [base, svc, metered, limited] = runs
  const protectedAlone = median(svc)
  rows.push({ scenario: 'baseline: HS256 verify + Redis EXISTS', ...median(base) })
  rows.push({ scenario: 'GET /protected (metrics and rate limits off)', ...protectedAlone, ratio: `${ratioOf(svc, base)}x baseline`, note: `target >= 0.8x; by server CPU per request ${cpuRatioOf(svc, base)}` })
  rows.push({ scenario: 'GET /auth/verify (forward-auth, metrics and rate limits off)', ...median(verifyRuns), ratio: `${ratioOf(verifyRuns, svc)}x /protected`, note: `target ~1x (same work: one Redis command); by server CPU per request ${cpuRatioOf(verifyRuns, svc)}` })
  rows.push({ scenario: 'GET /protected, metrics on', ...median(metered), ratio: `${ratioOf(metered, base)}x baseline`, note: 'route histogram (fastify-metrics): a timer and an observation per request' })
  rows.push({ scenario: 'GET /protected, metrics and rate limits on (raised)', ...median(limited), ratio: `${ratioOf(limited, base)}x baseline`, note: 'the defaults; global per-IP limit: one more Redis script per request' })

  // 2. Refresh chains: each client rotates its own session and carries the new token forward.
  const chains: string[] = []
  for (let i = 0; i < 32; i++) chains.push((await post(api, '/login', { username: users[i % 16].username, password: users[i % 16].password })).json.refresh_token)
  const refresh = await loops(service.url, 32, seconds * 1000, async (pool, i) => {
    const { status, json } = await post(pool, '/refresh', { refresh_token: chains[i] })
    if (status === 200) chains[i] = json.refresh_token
    return status === 200
  })
  rows.push({ scenario: 'POST /refresh (32 rotating chains)', ...refresh })

  // 3. Logins against what the machine's cores can hash.
  // One bcryptjs compare timed on this thread just before and just after the login run (mean),
  // so a busy machine slows the capacity figure and the logins alike.
  const hash = bcrypt.hashSync('bench-password-0', 10)
  const timeCompare = () => {
    const t0 = performance.now()
    for (let i = 0; i < 10; i++) bcrypt.compareSync('bench-password-0', hash)
    return (performance.now() - t0) / 10
  }
  const compareBefore = timeCompare()
  const login = await loops(service.url, 16, seconds * 1000, async (pool, i) =>
    (await post(pool, '/login', { username: users[i].username, password: users[i].password })).status === 200)
  const compareMs = (compareBefore + timeCompare()) / 2
  const capacity = availableParallelism() * 1000 / compareMs
  rows.push({ scenario: 'POST /login (16 clients, BCRYPT_ROUNDS=10)', ...login, ratio: `${(login.rps / capacity).toFixed(2)}x capacity`, note: `capacity = ${availableParallelism()} cores / ${compareMs.toFixed(1)} ms per compare = ${capacity.toFixed(1)}/s; target >= 0.9x` })

  // 4. Token checks while 16 clients log in continuously.
  const [storm] = await Promise.all([
    cannon(`${service.url}/protected`, { headers: auth }),
    loops(service.url, 16, seconds * 1000, async (pool, i) =>
      (await post(pool, '/login', { username: users[i].username, password: users[i].password })).status === 200)
  ])
  rows.push({ scenario: 'GET /protected during a login storm', ...storm, ratio: `${(storm.p99 / Math.max(1, protectedAlone.p99)).toFixed(2)}x p99 alone`, note: 'target <= 3x' })

  // 5. Token checks at 2k and at 200k live sessions, on one instance of the service: its Redis
  // holds 2k sessions in db 0, where the service works, and 200k in db 1, and SWAPDB exchanges
  // the two between runs, so both sides are measured alternately on the same process (ratio as
  // above). The measured user's session is copied into both. Bytes per session are read off the
  // 200k, and off a scratch Redis where each user holds four sessions (the per-user session
  // index is then shared).
  const big = Number(process.env.BENCH_SESSIONS ?? 200_000)
  const sessionsPort = String(await startRedis())
  await populateSessions({ ...env, REDIS_PORT: sessionsPort }, 2000)
  const perSessionOneEach = await bytesPerSession({ ...env, REDIS_PORT: sessionsPort, REDIS_DB: '1' }, big, 1)
  const sessionsService = await launch(serviceArgs, { ...env, REDIS_PORT: sessionsPort }, '/health')
  const sessionsPool = new Pool(sessionsService.url, { connections: 1 })
  const { json: own } = await post(sessionsPool, '/login', { username: users[1].username, password: users[1].password })
  await sessionsPool.close()
  const sessions = new Redis({ port: Number(sessionsPort), host: '127.0.0.1', keyPrefix: env.REDIS_KEY_PREFIX })
  const { sid } = JSON.parse(Buffer.from(own.access_token.split('.')[1], 'base64url').toString()) as { sid: string }
  if (await sessions.copy(redisKeys.session(sid), redisKeys.session(sid), 'DB', 1) !== 1) throw new Error('the session was not copied into db 1')
  const ownAuth = { authorization: `Bearer ${own.access_token}` }
  await warm(sessionsService.url, ownAuth)
  const smallRuns = []
  const largeRuns = []
  for (let i = 0; i < rounds; i++) {
    smallRuns.push(await cannon(`${sessionsService.url}/protected`, { headers: ownAuth }))
    await sessions.swapdb(0, 1)
    largeRuns.push(await cannon(`${sessionsService.url}/protected`, { headers: ownAuth }))
    await sessions.swapdb(0, 1)
  }
  await sessions.quit()
  rows.push({ scenario: 'GET /protected, 2k live sessions', ...median(smallRuns) })
  rows.push({ scenario: `GET /protected, ${big / 1000}k live sessions`, ...median(largeRuns), ratio: `${ratioOf(largeRuns, smallRuns)}x at 2k`, note: `target within 5% (0.95x-1.05x); by server CPU per request ${cpuRatioOf(largeRuns, smallRuns)}` })
  const scratchPort = await startRedis()
  const perSessionFourEach = await bytesPerSession({ ...env, REDIS_PORT: scratchPort }, big, 4)
  rows.push({ scenario: 'Redis memory per live session, 1 session per user', rps: 0, p50: 0, p99: 0, errors: 0, ratio: `${Math.round(perSessionOneEach)} bytes`, note: 'target < 500 bytes' })
  rows.push({ scenario: 'Redis memory per live session, 4 sessions per user', rps: 0, p50: 0, p99: 0, errors: 0, ratio: `${Math.round(perSessionFourEach)} bytes`, note: 'target < 500 bytes' })
  const browserPort = await startRedis()
  const perSessionBrowser = await bytesPerSession({ ...env, REDIS_PORT: browserPort }, Math.min(big, 50_000), 1, BROWSER_USER_AGENT)
  rows.push({ scenario: 'Redis memory per live session, 1 per user, 100-byte browser user agent', rps: 0, p50: 0, p99: 0, errors: 0, ratio: `${Math.round(perSessionBrowser)} bytes`, note: 'the rows above: a 20-byte API-client user agent' })
  await api.close()

  const db = await createConnection({ host: env.DB_HOST, user: env.DB_USER, password: env.DB_PASSWORD })
  await db.query(`DROP DATABASE IF EXISTS \`${env.DB_NAME}\``)
  await db.end()
}

function report () {
  const header = '| scenario | req/s | p50 ms | p99 ms | errors | server CPU µs/req | ratio | note |\n|---|---:|---:|---:|---:|---:|---|---|'
  const lines = rows.map(r => `| ${r.scenario} | ${r.rps ? Math.round(r.rps) : ''} | ${r.rps ? r.p50 : ''} | ${r.rps ? r.p99 : ''} | ${r.rps ? r.errors : ''} | ${r.cpu ?? ''} | ${r.ratio ?? ''} | ${r.note ?? ''} |`)
  const table = [header, ...lines].join('\n')
  console.log(table)
  const dir = fileURLToPath(new URL('results/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const result = JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: availableParallelism(), seconds, connections, rows }, null, 2)
  writeFileSync(`${dir}${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`, result)
  writeFileSync(`${dir}latest.json`, result)
}

try {
  await main()
  report()
} finally {
  // The servers first, then the Redis they use.
  for (const child of children.reverse()) await stop(child)
}

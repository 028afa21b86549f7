import fp from 'fastify-plugin'
import { Piscina } from 'piscina'
import { availableParallelism } from 'node:os'
import { randomBytes } from 'node:crypto'
import bcrypt from 'bcryptjs'
import type { PasswordTask } from '../lib/password-worker.js'

declare module 'fastify' {
  interface FastifyInstance {
    passwords: ReturnType<typeof createPasswords>
  }
}

// The worker runs as TypeScript under the test loader and as JavaScript from dist/.
const workerFile = new URL(`../lib/password-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)

// One bcrypt thread per core, at a lower CPU priority than the event loop (nice +10 on Linux):
// a login storm then slows other logins, not the token checks served meanwhile. One pool per
// process, however many app instances it builds (the tests build one per test): a thread costs
// a second or two of CPU to start, and idle threads are unref'd, so the pool never holds the
// process open and needs no closing.
let sharedPool: Piscina<PasswordTask, string | boolean> | undefined
const passwordPool = () => (sharedPool ??= new Piscina({ filename: workerFile.href, maxThreads: availableParallelism(), niceIncrement: 10 }))

/** bcrypt at cost `rounds` in worker threads: never on the event loop. */
function createPasswords (rounds: number) {
  const pool = passwordPool()

  const hash = async (plain: string) => String(await pool.run({ op: 'hash', plain, rounds }))
  let comparisons = 0
  const verify = async (plain: string, hash: string) => {
    const matches = (await pool.run({ op: 'verify', plain, hash })) === true
    comparisons++
    return matches
  }
  // Made here, on the main thread before the server listens: started in the pool, at nice +10
  // behind a worker that still has to load, a busy host could hold the start past its timeout.
  const dummyHash = bcrypt.hashSync(randomBytes(16).toString('hex'), rounds)

  return {
    hash,
    verify,
    /** Spends one comparison like a real login would, so unknown users cost the same time. */
    async verifyNothing (plain: string) {
      await verify(plain, dummyHash)
      return false as const
    },
    /** Whether a stored hash is of another algorithm or cost than BCRYPT_ROUNDS makes now. */
    needsRehash (hash: string) {
      // bcryptjs writes $2b$; $2a$ and $2y$ (other bcrypt implementations) are upgraded too
      return !hash.startsWith(`$2b$${String(rounds).padStart(2, '0')}$`)
    },
    /** Comparisons completed since start, real or against the dummy hash (for tests and metrics). */
    get comparisons () { return comparisons }
  }
}

export default fp(async function passwords (app) {
  app.decorate('passwords', createPasswords(app.config.BCRYPT_ROUNDS))
}, { name: 'passwords', dependencies: ['config'] })

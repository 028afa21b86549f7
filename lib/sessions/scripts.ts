import { readFileSync } from 'node:fs'
import type { Redis, Result } from 'ioredis'

/**
 * The session engine's Lua scripts as ioredis commands. Their arguments are positional, as Redis
 * takes them: only the typed store (store.ts) and the live counts (live-counts.ts) call them.
 */
declare module 'ioredis' {
  interface RedisCommander<Context> {
    createSession(sessionKey: string, ...args: Array<string | number>): Result<number, Context>
    rotateSession(sessionKey: string, successorKey: string, ...args: Array<string | number>): Result<Array<string | null>, Context>
    endSession(sessionKey: string, successorKey: string): Result<Array<string | null>, Context>
    admitSession(userSessionsKey: string, epochKey: string, ...args: Array<string | number>): Result<number, Context>
    raiseCredentialEpoch(epochKey: string, epoch: number, ttlMs: number): Result<number, Context>
    reissueSession(sessionKey: string, successorKey: string, ...args: Array<string | number>): Result<Array<string | null>, Context>
    adjustLiveCount(bucketKey: string, delta: number, expiresAt: number): Result<number, Context>
  }
}

const scripts = {
  createSession: { file: 'create-session', numberOfKeys: 1 },
  rotateSession: { file: 'rotate-session', numberOfKeys: 2 },
  endSession: { file: 'end-session', numberOfKeys: 2 },
  admitSession: { file: 'admit-session', numberOfKeys: 2 },
  raiseCredentialEpoch: { file: 'raise-credential-epoch', numberOfKeys: 1 },
  reissueSession: { file: 'reissue-session', numberOfKeys: 2 },
  adjustLiveCount: { file: 'adjust-live-count', numberOfKeys: 1 }
}

/** Defines the scripts on a client (a single Redis, a Sentinel master or a Cluster). */
export function defineSessionScripts (redis: Pick<Redis, 'defineCommand'>) {
  for (const [name, { file, numberOfKeys }] of Object.entries(scripts)) {
    redis.defineCommand(name, { numberOfKeys, lua: readFileSync(new URL(`${file}.lua`, import.meta.url), 'utf8') })
  }
}

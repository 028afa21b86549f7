import bcrypt from 'bcryptjs'

export type PasswordTask =
  | { op: 'hash', plain: string, rounds: number }
  | { op: 'verify', plain: string, hash: string }

/** Runs in a worker thread: bcrypt is CPU-bound and would stall the event loop. */
export default function run (task: PasswordTask): string | boolean {
  return task.op === 'hash'
    ? bcrypt.hashSync(task.plain, task.rounds)
    : bcrypt.compareSync(task.plain, task.hash)
}

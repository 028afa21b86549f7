/** The `code` of an error thrown by a library (mysql2, fast-jwt, Node), if it has one. */
export function errorCode (err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}

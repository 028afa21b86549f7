// A consumer of the service, written only against the types generated from its OpenAPI
// document (test/client.test.ts type-checks it with --strict against the live document).
import createClient from 'openapi-fetch'
import type { paths, components } from './api.js'

export interface Account { username: string, email: string, password: string }

type ErrorReply = components['schemas']['ErrorReply']

/** What the flow saw, field by field, for the test to check. */
export interface FlowResult {
  userId: number
  tokenType: 'Bearer'
  expiresIn: number
  protectedData: 'Secret data only for authenticated users'
  protectedUserId: number
  rotated: boolean
  logoutMessage: 'Logged out successfully'
  afterLogout: { status: number, error: ErrorReply | undefined }
  health: { status: 'healthy' | 'unhealthy', redis: 'connected' | 'disconnected', database: 'connected' | 'disconnected' }
}

function fail (step: string, status: number, error: ErrorReply | undefined): never {
  throw new Error(`${step} failed: ${status} ${error?.code ?? ''} ${error?.message ?? ''}`)
}

/** Register, login, protected, refresh, logout and health, the way a generated client does them. */
export async function runFlow (baseUrl: string, account: Account): Promise<FlowResult> {
  const client = createClient<paths>({ baseUrl })

  const registered = await client.POST('/register', { body: account })
  if (registered.data === undefined) return fail('register', registered.response.status, registered.error)

  const login = await client.POST('/login', { body: { username: account.username, password: account.password } })
  if (login.data === undefined) return fail('login', login.response.status, login.error)
  // A user with a second factor would get `mfa_required` here (POST /login/mfa); this one has none
  if (!('access_token' in login.data)) return fail('login', login.response.status, undefined)
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  const secret = await client.GET('/protected', { headers: bearer(login.data.access_token) })
  if (secret.data === undefined) return fail('protected', secret.response.status, secret.error)

  const refreshed = await client.POST('/refresh', { body: { refresh_token: login.data.refresh_token } })
  if (refreshed.data === undefined) return fail('refresh', refreshed.response.status, refreshed.error)

  const logout = await client.POST('/logout', { headers: bearer(refreshed.data.access_token) })
  if (logout.data === undefined) return fail('logout', logout.response.status, logout.error)

  const afterLogout = await client.GET('/protected', { headers: bearer(refreshed.data.access_token) })

  const health = await client.GET('/health')
  if (health.data === undefined) return fail('health', health.response.status, undefined)

  return {
    userId: registered.data.user_id,
    tokenType: login.data.token_type,
    expiresIn: login.data.expires_in,
    protectedData: secret.data.data,
    protectedUserId: secret.data.user_id,
    rotated: refreshed.data.refresh_token !== login.data.refresh_token,
    logoutMessage: logout.data.message,
    afterLogout: { status: afterLogout.response.status, error: afterLogout.error },
    health: { status: health.data.status, redis: health.data.redis, database: health.data.database }
  }
}

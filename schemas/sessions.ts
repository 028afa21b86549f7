import { Type, type Static } from '@sinclair/typebox'
import { messageReply } from './message-reply.js'
import { TokenPair } from './tokens.js'

export const SessionId = Type.String({ pattern: '^[A-Za-z0-9_-]{16}$', description: 'Session id (the `sid` claim of its tokens)', examples: ['CLJEn_-rYlMDOuOW'] })

/** Longer User-Agent headers are cut when stored: a session's hash stays small and bounded. */
export const USER_AGENT_MAX_BYTES = 256

export const Session = Type.Object({
  id: SessionId,
  created_at: Type.String({ format: 'date-time' }),
  last_refreshed_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time', description: 'Absolute end: no refresh extends the session past it' }),
  user_agent: Type.String({ maxLength: USER_AGENT_MAX_BYTES, description: `The User-Agent header of the login, cut at ${USER_AGENT_MAX_BYTES} bytes` }),
  ip: Type.String(),
  current: Type.Boolean({ description: 'Whether the access token of this request belongs to this session' })
}, { $id: 'Session', title: 'Session' })
export type SessionType = Static<typeof Session>

export const SessionsReply = Type.Object({ sessions: Type.Array(Type.Ref(Session)) }, {
  description: 'Live sessions, oldest first',
  examples: [{
    sessions: [{
      id: 'CLJEn_-rYlMDOuOW',
      created_at: '2024-01-01T12:00:00.000Z',
      last_refreshed_at: '2024-01-01T12:15:00.000Z',
      expires_at: '2024-01-31T12:00:00.000Z',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      ip: '203.0.113.7',
      current: true
    }]
  }]
})

export const SessionParams = Type.Object({ id: SessionId })

export const SessionRevokedReply = messageReply('Session revoked', 'The session\'s access and refresh tokens are revoked')

const passwordChanged = 'Password changed; other sessions were logged out'
const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9...'
export const PasswordChangedReply = Type.Composite([TokenPair, Type.Object({ message: Type.Literal(passwordChanged) })], {
  description: 'The new password is set; every other session of the user is revoked, and this one goes on with ' +
    'the new pair: its previous access and refresh tokens are revoked (presenting that refresh token again ends the session)',
  examples: [{ access_token: jwt, refresh_token: jwt, token_type: 'Bearer', expires_in: 900, message: passwordChanged }]
})

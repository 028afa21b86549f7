import { Type, type Static } from '@sinclair/typebox'

export const SessionId = Type.String({ pattern: '^[A-Za-z0-9_-]{16}$', description: 'Session id (the `sid` claim of its tokens)', examples: ['CLJEn_-rYlMDOuOW'] })

export const Session = Type.Object({
  id: SessionId,
  created_at: Type.String({ format: 'date-time' }),
  last_refreshed_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time', description: 'Absolute end: no refresh extends the session past it' }),
  user_agent: Type.String(),
  ip: Type.String(),
  current: Type.Boolean({ description: 'Whether the access token of this request belongs to this session' })
}, { $id: 'Session', title: 'Session' })
export type SessionType = Static<typeof Session>

export const SessionsReply = Type.Object({ sessions: Type.Array(Type.Ref(Session)) }, { description: 'Live sessions, oldest first' })

export const SessionParams = Type.Object({ id: SessionId })

export const MessageReply = Type.Object({ message: Type.String() }, { description: 'Done' })

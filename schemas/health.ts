import { Type } from '@sinclair/typebox'

const Connection = Type.Union([Type.Literal('connected'), Type.Literal('disconnected')])

export const HealthReply = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
  database: Connection,
  redis: Connection,
  tables: Type.Array(Type.String(), { examples: [['users']] }),
  redis_tokens: Type.Integer({ description: 'Live access and refresh tokens', examples: [5] }),
  note: Type.String({ examples: ['Tokens managed in Redis, not database'] }),
  timestamp: Type.String({ examples: ['2024-01-01T12:00:00.000000'] })
})

export const LiveReply = Type.Object({
  status: Type.Literal('ok')
})

export const ReadyReply = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('draining'), Type.Literal('unavailable')], {
    description: '`draining` while shutting down; `unavailable` when MariaDB or Redis does not answer'
  }),
  database: Type.Optional(Connection),
  redis: Type.Optional(Connection)
})

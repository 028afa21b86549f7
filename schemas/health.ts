import { Type } from '@sinclair/typebox'

const Connection = Type.Union([Type.Literal('connected'), Type.Literal('disconnected')])

const healthFields = {
  status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
  database: Connection,
  redis: Connection,
  tables: Type.Array(Type.String(), { examples: [['users']] }),
  redis_tokens: Type.Integer({ description: 'Live access and refresh tokens', examples: [5] }),
  note: Type.String({ examples: ['Tokens managed in Redis, not database'] }),
  timestamp: Type.String({ examples: ['2024-01-01T12:00:00.000000'] })
}

export const HealthReply = Type.Object(healthFields, {
  description: 'MariaDB and Redis both answer',
  examples: [{
    status: 'healthy',
    database: 'connected',
    redis: 'connected',
    tables: ['users'],
    redis_tokens: 5,
    note: 'Tokens managed in Redis, not database',
    timestamp: '2024-01-01T12:00:00.000000'
  }]
})

export const UnhealthyReply = Type.Object(healthFields, {
  description: 'MariaDB or Redis does not answer: the failing part is `disconnected`',
  examples: [{
    status: 'unhealthy',
    database: 'connected',
    redis: 'disconnected',
    tables: ['users'],
    redis_tokens: 0,
    note: 'Tokens managed in Redis, not database',
    timestamp: '2024-01-01T12:00:00.000000'
  }]
})

export const LiveReply = Type.Object({
  status: Type.Literal('ok')
}, { description: 'The process answers', examples: [{ status: 'ok' }] })

export const ReadyReply = Type.Object({
  status: Type.Literal('ready'),
  database: Connection,
  redis: Connection
}, { description: 'Both stores answer: send traffic here', examples: [{ status: 'ready', database: 'connected', redis: 'connected' }] })

export const NotReadyReply = Type.Object({
  status: Type.Union([Type.Literal('draining'), Type.Literal('unavailable')], {
    description: '`draining` while shutting down; `unavailable` when MariaDB or Redis does not answer'
  }),
  database: Type.Optional(Connection),
  redis: Type.Optional(Connection)
}, {
  description: 'Send no traffic here: shutting down, or a store does not answer (named `disconnected`)',
  examples: [{ status: 'unavailable', database: 'connected', redis: 'disconnected' }, { status: 'draining' }]
})

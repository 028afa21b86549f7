import { Type, type Static } from '@sinclair/typebox'

export const ErrorReply = Type.Object({
  statusCode: Type.Integer({ examples: [401] }),
  error: Type.String({ examples: ['Unauthorized'] }),
  message: Type.String({ examples: ['Token has been revoked'] }),
  code: Type.Optional(Type.String({ description: 'Stable machine-readable error code', examples: ['TOKEN_REVOKED'] }))
}, { $id: 'ErrorReply', title: 'ErrorReply', description: 'Every error answer of the service' })

export type ErrorReplyType = Static<typeof ErrorReply>

/** A reference to the shared error schema, for route response maps. */
export const ErrorRef = Type.Ref(ErrorReply)

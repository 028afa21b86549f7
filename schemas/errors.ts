import { Type, type Static } from '@sinclair/typebox'
import { errorCodes } from '../lib/errors.js'

export const ErrorReply = Type.Object({
  statusCode: Type.Integer({ examples: [401] }),
  error: Type.String({ examples: ['Unauthorized'] }),
  message: Type.String({ examples: ['Token has been revoked'] }),
  code: Type.Optional(Type.String({ enum: errorCodes, description: 'Stable machine-readable error code (docs/api.md, "Error codes"); absent on a 500', examples: ['TOKEN_REVOKED'] }))
}, { $id: 'ErrorReply', title: 'ErrorReply', description: 'Every error answer of the service' })

export type ErrorReplyType = Static<typeof ErrorReply>

/** A reference to the shared error schema, for route response maps. */
export const ErrorRef = Type.Ref(ErrorReply)

import { Type } from '@sinclair/typebox'

/**
 * The body of a route that takes none: nothing (of any content type), or `{}`. A field is
 * refused as on every other route. Fastify validates a missing body as `null`; the OpenAPI
 * document marks a body that accepts `null` as optional (plugins/swagger.ts).
 */
export const NoBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()], {
  $id: 'NoBody',
  title: 'NoBody',
  description: 'No body is needed; `{}` is accepted, a field is not'
})

/** A reference to NoBody, for route schemas. */
export const NoBodyRef = Type.Ref(NoBody)

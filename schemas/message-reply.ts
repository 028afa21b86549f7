import { Type } from '@sinclair/typebox'

/** An answer that is one fixed message, documented with its meaning and itself as example. */
export const messageReply = <M extends string>(message: M, description: string) =>
  Type.Object({ message: Type.Literal(message) }, { description, examples: [{ message }] })

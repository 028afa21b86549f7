import type { FastifyInstance } from 'fastify'
import type { Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'
import { errorCode } from './error-code.js'

/** What a client whose request never became one hears, by the error Node's HTTP parser raised. */
const ANSWERS: Record<string, { statusCode: number, code: string, message: string }> = {
  // HTTP_HEADERS_TIMEOUT_MS or HTTP_REQUEST_TIMEOUT_MS passed before the request was complete
  ERR_HTTP_REQUEST_TIMEOUT: { statusCode: 408, message: 'The request did not arrive in time', code: 'REQUEST_TIMEOUT' },
  HPE_HEADER_OVERFLOW: { statusCode: 431, message: 'Request headers are too large', code: 'HEADERS_TOO_LARGE' }
}
const MALFORMED = { statusCode: 400, message: 'The request is not valid HTTP', code: 'MALFORMED_REQUEST' }

/**
 * Fastify's `clientErrorHandler`: answers errors raised before a request reaches Fastify (a
 * timeout, headers too large, bytes that are not HTTP) in the service's error shape, then closes
 * the connection, since the parser cannot tell where the next request would start.
 */
export function clientErrorHandler (this: FastifyInstance, err: Error, socket: Socket) {
  const code = errorCode(err)
  if (code === 'ECONNRESET' || socket.destroyed) return
  const { statusCode, message, code: answerCode } = ANSWERS[code ?? ''] ?? MALFORMED
  const reason = STATUS_CODES[statusCode] ?? 'Error'
  const body = JSON.stringify({ statusCode, error: reason, message, code: answerCode })
  this.log.debug({ err }, 'client error')
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(err)
}

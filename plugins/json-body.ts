import fp from 'fastify-plugin'
import { errorCodes, type FastifyRequest } from 'fastify'
import { errors } from '../lib/errors.js'

/** Keys that reach for an object's prototype: refused anywhere in a body, at any depth. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

function refusePrototypeKeys (key: string, value: unknown) {
  if (PROTOTYPE_KEYS.has(key)) throw new errors.PrototypeKey(key)
  return value
}

/** No byte of body follows the headers (the same test Fastify makes for a request without a type). */
function hasNoBody ({ headers }: FastifyRequest) {
  const length = headers['content-length']
  return length === '0' || (length === undefined && headers['transfer-encoding'] === undefined)
}

/**
 * JSON is the only body the service parses (/introspect adds forms for itself); any other
 * content type, text/plain included, gets 415. Fastify's own JSON parser answers "not valid
 * JSON" for a prototype key too; this one names the key. Parse errors never echo the body: it
 * may hold a password or a token. An empty body is no body, as the seed service took it
 * (`POST /logout` with `Content-Type: application/json` and nothing else), whatever type it is
 * labelled with: axios sends `application/x-www-form-urlencoded` on a POST without data.
 */
export default fp(async function jsonBody (app) {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, function (_request, text, done) {
    if (text === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(String(text), refusePrototypeKeys))
    } catch (err) {
      done(err instanceof errors.PrototypeKey ? err : new errors.InvalidJson(), undefined)
    }
  })
  // Any other type: a request without a body passes unread; one with a body gets 415 unread.
  app.addContentTypeParser('*', function (request, _payload, done) {
    done(hasNoBody(request) ? null : new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(), undefined)
  })
}, { name: 'json-body' })

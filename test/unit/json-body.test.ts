import { test } from 'tap'
import Fastify from 'fastify'
import jsonBody from '../../plugins/json-body.js'

/** The plugin alone on a bare instance: the parser is the whole of what it adds. */
async function echo (t: { teardown (fn: () => unknown): void }) {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(jsonBody)
  app.post('/echo', async (request) => ({ body: request.body ?? null }))
  return app
}

test('JSON bodies are parsed; an empty body is no body', async (t) => {
  const app = await echo(t)
  const parsed = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":[1,{"b":"c"}]}' })
  t.same(parsed.json(), { body: { a: [1, { b: 'c' }] } })
  const empty = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '' })
  t.same(empty.json(), { body: null })
})

test('a prototype key at any depth is refused with its own code', async (t) => {
  const app = await echo(t)
  for (const payload of ['{"__proto__":{"admin":true}}', '{"a":{"b":{"constructor":{}}}}', '[{"prototype":1}]']) {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload })
    t.equal(res.statusCode, 400, payload)
    t.equal(res.json().code, 'FORBIDDEN_KEY', payload)
  }
})

test('malformed JSON is a 400 that never echoes the body', async (t) => {
  const app = await echo(t)
  const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"password":"hunter2"' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'INVALID_JSON')
  t.notMatch(res.body, /hunter2/)
})

test('other content types are not parsed (415)', async (t) => {
  const app = await echo(t)
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload: 'x=1' })
    t.equal(res.statusCode, 415, type)
  }
})

test('a request without a body is never refused for its content type (axios labels an empty POST as a form)', async (t) => {
  const app = await echo(t)
  for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type, 'content-length': '0' } })
    t.equal(res.statusCode, 200, type)
    t.same(res.json(), { body: null }, `${type}: no body`)
    const withBody = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload: 'a=1' })
    t.equal(withBody.statusCode, 415, `${type} with a body`)
  }
})

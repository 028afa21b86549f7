import { test } from 'tap'
import { readFileSync } from 'node:fs'
import { build } from '../support/helper.js'

const file = readFileSync(new URL('../../docs/requests.http', import.meta.url), 'utf8')
/** The request lines of docs/requests.http as `METHOD /path`, a placeholder id read as the route's parameter. */
const requested = [...file.matchAll(/^(GET|POST|PUT|PATCH|DELETE) \{\{baseUrl\}\}(\S+)$/gm)]
  .map(([, method, path]) => ({ method, url: path.replace(/\/replace-with-a-session-id$/, '/:id') }))

test('docs/requests.http asks only for routes the service has, and for every one of them', async (t) => {
  const app = await build(t)
  for (const { method, url } of requested) t.ok(app.hasRoute({ method, url }), `${method} ${url} is a route`)

  // Every operation of the OpenAPI document, and the two routes it leaves out on purpose
  const documented = Object.entries(app.swagger().paths ?? {}).flatMap(([path, operations]) =>
    Object.keys(operations ?? {}).map(method => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
  const listed = new Set(requested.map(({ method, url }) => `${method} ${url}`))
  t.same([...documented, 'GET /metrics', 'GET /documentation/json'].filter(route => !listed.has(route)), [], 'routes without a request')
})

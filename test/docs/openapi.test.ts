import { test, type Test } from 'tap'
import { readFile } from 'node:fs/promises'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import Fastify, { type RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import app, { serverOptions } from '../../app.js'
import { build, testConfig, cleanUp } from '../support/helper.js'
import { documentSettings, files, stableJson, typesOf } from '../../scripts/openapi-files.js'

const ERROR_REF = '#/components/schemas/ErrorReply'
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

interface MediaType { schema?: { $ref?: string }, example?: unknown, examples?: Record<string, { value: unknown }> }
interface Operation {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: Array<Record<string, string[]>>
  requestBody?: { required?: boolean, content: Record<string, MediaType> }
  parameters?: Array<{ name: string, in: string }>
  responses: Record<string, { description: string, content?: Record<string, MediaType> }>
}
interface Document extends Record<string, unknown> {
  openapi: string
  info: { title: string, version: string }
  servers: Array<{ url: string, description?: string }>
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown>, securitySchemes: Record<string, { type: string, scheme: string }> }
}

async function liveDocument (t: Test, overrides: Record<string, unknown> = {}) {
  const app = await build(t, { ...documentSettings, ...overrides })
  const res = await app.inject({ method: 'GET', url: '/documentation/json' })
  t.equal(res.statusCode, 200, 'the document is served without credentials')
  return { app, document: res.json<Document>() }
}

function operations (document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter(method => method in item).map(method => ({ path, method, operation: item[method] })))
}

const errorRefOf = (operation: Operation, status: string) => operation.responses[status]?.content?.['application/json']?.schema?.$ref

test('the live document is valid OpenAPI 3.1', async (t) => {
  const { document } = await liveDocument(t)
  const validator = new Validator()
  const result = await validator.validate(structuredClone(document))
  t.same(result.errors, undefined, 'no validation errors')
  t.equal(result.valid, true)
  t.equal(validator.version, '3.1')
  t.equal(document.info.version, JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version)
  t.match(document.components.securitySchemes, {
    bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    basicAuth: { type: 'http', scheme: 'basic' }
  })
})

test('every operation has an id, a summary, a tag, and its errors by reference to ErrorReply', async (t) => {
  const { document } = await liveDocument(t)
  const ops = operations(document)
  t.ok(ops.length >= 13, `all routes are documented (${ops.length})`)
  t.equal(new Set(ops.map(op => op.operation.operationId)).size, ops.length, 'operationIds are unique')
  for (const { path, method, operation } of ops) {
    const name = `${method.toUpperCase()} ${path}`
    t.match(operation.operationId, /^[a-z][A-Za-z]+$/, `${name}: operationId`)
    t.ok(operation.summary, `${name}: summary`)
    t.ok(operation.tags?.length, `${name}: tag`)
    t.equal(errorRefOf(operation, '500'), ERROR_REF, `${name}: 500`)
    const clientErrors = Object.keys(operation.responses).filter(status => status.startsWith('4'))
    if (!path.startsWith('/health') && path !== '/.well-known/jwks.json') {
      t.ok(clientErrors.length > 0, `${name}: at least one 4xx`)
    }
    for (const status of Object.keys(operation.responses).filter(status => Number(status) >= 400)) {
      // Health probes answer 503 with their own report of the failing part, not an error.
      if ((path === '/health' || path === '/health/ready') && status === '503') continue
      t.equal(errorRefOf(operation, status), ERROR_REF, `${name}: ${status} refers to the shared error schema`)
    }
    if (operation.requestBody !== undefined) {
      for (const status of ['400', '413', '415']) t.ok(operation.responses[status], `${name}: a body can get ${status}`)
    }
  }
})

test('the error schema is defined once and never inlined', async (t) => {
  const { document } = await liveDocument(t)
  t.match(document.components.schemas.ErrorReply, { type: 'object', required: ['statusCode', 'error', 'message'] })
  const copies: string[] = []
  const walk = (node: unknown, where: string) => {
    if (typeof node !== 'object' || node === null) return
    if ('properties' in node && typeof node.properties === 'object' && node.properties !== null &&
      'statusCode' in node.properties && 'error' in node.properties) copies.push(where)
    for (const [key, value] of Object.entries(node)) walk(value, `${where}/${key}`)
  }
  walk(document, '#')
  t.same(copies, ['#/components/schemas/ErrorReply'], 'the only definition is the shared one')
})

test('documented security matches what the routes demand', async (t) => {
  const { app, document } = await liveDocument(t, { INTROSPECTION_CLIENT_ID: 'resource-server', INTROSPECTION_CLIENT_SECRET: 'a-fake-test-secret-0123456789' })
  const bearer = operations(document).filter(op => op.operation.security?.some(s => 'bearerAuth' in s))
  t.same(bearer.map(op => `${op.method.toUpperCase()} ${op.path}`).sort(), [
    'DELETE /me', 'DELETE /mfa/totp', 'DELETE /sessions/{id}', 'GET /auth/verify', 'GET /me', 'GET /protected', 'GET /sessions',
    'POST /email/change', 'POST /email/verify/resend', 'POST /logout', 'POST /logout/all',
    'POST /mfa/recovery-codes', 'POST /mfa/totp', 'POST /mfa/totp/confirm', 'POST /mfa/verify', 'POST /password'
  ])
  for (const { path, method, operation } of operations(document)) {
    const url = path.replace('{id}', 'AAAAAAAAAAAAAAAA')
    const payload = path === '/introspect' ? { token: 'x' } : undefined
    const res = await app.inject({ method, url, payload })
    const secured = (operation.security ?? []).length > 0
    if (secured) {
      t.equal(res.statusCode, 401, `${method} ${path} refuses a request without credentials`)
      t.ok(operation.responses[String(res.statusCode)], `${method} ${path} documents ${res.statusCode}`)
    } else {
      t.not(res.statusCode, 401, `${method} ${path} needs no credentials`)
    }
  }
})

test('error statuses a client can cause are documented and answered with ErrorReply', async (t) => {
  const { app, document } = await liveDocument(t)
  const login = document.paths['/login'].post
  const wrongType = await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
  t.equal(wrongType.statusCode, 415)
  t.ok(login.responses['415'])
  t.match(wrongType.json(), { statusCode: 415, error: 'Unsupported Media Type', code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })
  const tooLarge = await app.inject({ method: 'POST', url: '/login', payload: { username: 'x'.repeat(20_000), password: 'p' } })
  t.equal(tooLarge.statusCode, 413)
  t.ok(login.responses['413'])
  const invalid = await app.inject({ method: 'POST', url: '/login', payload: {} })
  t.equal(invalid.statusCode, 400)
  t.match(invalid.json(), { code: 'FST_ERR_VALIDATION' })
})

test('request bodies and answers carry the seed README examples', async (t) => {
  const { document } = await liveDocument(t)
  const example = (path: string, method: string, status?: string) => {
    const operation = document.paths[path][method]
    const content = status === undefined ? operation.requestBody?.content : operation.responses[status].content
    return content?.['application/json']?.example
  }
  t.same(example('/register', 'post'), { username: 'usuario_ejemplo', email: 'usuario@example.com', password: 'contraseña_segura' })
  t.same(example('/register', 'post', '201'), { message: 'User registered successfully', user_id: 1 })
  t.same(example('/login', 'post'), { username: 'usuario_ejemplo', password: 'contraseña_segura' })
  t.match(example('/login', 'post', '200'), { token_type: 'Bearer', expires_in: 900, message: 'Login successful' })
  t.match(example('/refresh', 'post'), { refresh_token: /^eyJ/ })
  t.match(example('/refresh', 'post', '200'), { message: 'Token refreshed successfully' })
  t.same(example('/logout', 'post', '200'), { message: 'Logged out successfully' })
  t.same(example('/protected', 'get', '200'), { message: 'This is a protected endpoint', user_id: 1, data: 'Secret data only for authenticated users' })
  t.match(example('/health', 'get', '200'), { status: 'healthy', database: 'connected', redis: 'connected', tables: ['users'], redis_tokens: 5 })
  t.match(example('/health', 'get', '503'), { status: 'unhealthy' })
})

test('429 is documented on every operation exactly when a rate limit applies', async (t) => {
  for (const enabled of [true, false]) {
    const { app, document } = await liveDocument(t, { RATE_LIMIT_ENABLED: enabled })
    for (const { path, method, operation } of operations(document)) {
      // Health probes are polled by load balancers, forward auth by gateways: never limited
      const limited = enabled && app.hasDecorator('rateLimit') && !path.startsWith('/health') && path !== '/auth/verify'
      t.equal(operation.responses['429'] !== undefined, limited, `${method} ${path}: 429 ${limited ? 'documented' : 'absent'} (RATE_LIMIT_ENABLED=${enabled})`)
    }
  }
})

test('the YAML document and the UI answer without credentials', async (t) => {
  const { app } = await liveDocument(t)
  const yaml = await app.inject({ method: 'GET', url: '/documentation/yaml' })
  t.equal(yaml.statusCode, 200)
  t.match(yaml.headers['content-type'], /yaml/)
  t.match(yaml.body, /^openapi: 3\.1\.0$/m)
  const ui = await app.inject({ method: 'GET', url: '/documentation/' })
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
  t.match(ui.headers['content-security-policy'], /script-src 'self'/, 'the UI sends its own CSP')
  t.notMatch(ui.headers['content-security-policy'], /upgrade-insecure-requests/, 'the UI also works over plain HTTP')
})

test('DOCS_ENABLED=false turns the UI and its routes off; the document is still built', async (t) => {
  const app = await build(t, { DOCS_ENABLED: false })
  for (const url of ['/documentation', '/documentation/', '/documentation/json', '/documentation/yaml']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 404, `${url} is not served`)
  }
  t.ok(app.swagger().paths?.['/login'], 'npm run openapi still has the document')
})

test('the committed openapi.json and client types are those of the live document', async (t) => {
  const { document } = await liveDocument(t)
  const live = stableJson(document)
  const committed = await readFile(files.document, 'utf8').catch(() => '')
  t.ok(committed === live, 'openapi.json is stale: run npm run openapi')
  const types = await readFile(files.types, 'utf8').catch(() => '')
  t.ok(types === await typesOf(committed), 'test/docs/client/api.d.ts is stale: run npm run openapi')
})

/** The examples a media type shows: one `example`, or each value of `examples`. */
const examplesOf = (media: MediaType): unknown[] =>
  media.examples !== undefined ? Object.values(media.examples).map(example => example.value) : media.example === undefined ? [] : [media.example]

test('every request body and every success answer shows an example, and each example fits its schema', async (t) => {
  const { document } = await liveDocument(t)
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  // A schema's $refs point into components: validate each schema with them at hand.
  const fits = (schema: object, value: unknown) => ajv.validate({ ...schema, components: document.components }, value) ? '' : ajv.errorsText()
  for (const { path, method, operation } of operations(document)) {
    const name = `${method.toUpperCase()} ${path}`
    const media = [
      ...Object.entries(operation.requestBody?.content ?? {}).map(([type, content]) => ({ where: `request ${type}`, content })),
      ...Object.entries(operation.responses).filter(([status]) => Number(status) < 400)
        .flatMap(([status, response]) => Object.entries(response.content ?? {}).map(([type, content]) => ({ where: `${status} ${type}`, content })))
    ]
    // Forward auth answers gateways with headers and an empty body
    if (path !== '/auth/verify') t.ok(media.length > 0, `${name}: has a body to show`)
    for (const { where, content } of media) {
      const examples = examplesOf(content)
      t.ok(examples.length > 0, `${name} ${where}: an example`)
      for (const example of examples) t.equal(fits(content.schema ?? {}, example), '', `${name} ${where}: the example fits the schema`)
    }
  }
})

test('the document holds the API and nothing else: no route of the docs or of the metrics, no route left out', async (t) => {
  const config = testConfig({ RATE_LIMIT_ENABLED: true })
  const server = Fastify(serverOptions(config))
  const routes: Array<{ method: string, url: string }> = []
  server.addHook('onRoute', (route: RouteOptions) => {
    // Forward auth's other methods and Envoy's path are aliases that GET /auth/verify describes
    if (route.url.startsWith('/auth/verify') && route.schema?.hide === true) return
    for (const method of [route.method].flat()) routes.push({ method: method.toLowerCase(), url: route.url })
  })
  await server.register(fp(app), { config })
  await server.ready()
  t.teardown(async () => {
    await server.close()
    await cleanUp(config)
  })
  const documented = operations(server.swagger() as Document).map(({ method, path }) => `${method} ${path}`)
  const notApi = (url: string) => url.startsWith('/documentation') || url === '/metrics'
  t.ok(routes.some(route => route.url.startsWith('/documentation')), 'the docs routes are there to be left out')
  t.same(documented.filter(operation => notApi(operation.split(' ')[1])), [], 'no docs or metrics route is an operation')
  const api = routes
    .filter(route => route.method !== 'head' && route.method !== 'options' && !notApi(route.url))
    .map(route => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`)
  t.same([...new Set(api)].sort(), [...documented].sort(), 'every other route is documented')
})

test('headers a client must send are described on the operations that need them', async (t) => {
  const { document } = await liveDocument(t)
  const schemes = document.components.securitySchemes
  for (const { path, method, operation } of operations(document)) {
    const name = `${method.toUpperCase()} ${path}`
    for (const scheme of (operation.security ?? []).flatMap(requirement => Object.keys(requirement))) {
      t.ok(schemes[scheme], `${name}: ${scheme} is a declared scheme`)
      t.match((operation as { description?: string }).description, /`Authorization: (Bearer|Basic) /, `${name}: its description says which Authorization header to send`)
    }
    const required = (operation.parameters ?? []).filter(parameter => parameter.in === 'header' && (parameter as { required?: boolean }).required === true)
    t.same(required.map(parameter => parameter.name), [], `${name}: no other header is required`)
  }
})

test('shared schemas are components referenced by $ref: no object schema is written out in two operations', async (t) => {
  const { document } = await liveDocument(t)
  const places = new Map<string, Set<string>>()
  const walk = (node: unknown, operation: string) => {
    if (typeof node !== 'object' || node === null) return
    if ('properties' in node) {
      const key = JSON.stringify(node)
      places.set(key, (places.get(key) ?? new Set()).add(operation))
    }
    for (const value of Object.values(node)) walk(value, operation)
  }
  for (const { path, method, operation } of operations(document)) walk(operation, `${method.toUpperCase()} ${path}`)
  const repeated = [...places].filter(([, where]) => where.size > 1).map(([schema, where]) => `${[...where].join(', ')}: ${schema.slice(0, 80)}`)
  t.same(repeated, [], 'each shared shape is defined once under components/schemas')
  t.same(Object.keys(document.components.schemas).sort(), ['ErrorReply', 'Jwk', 'LoginReply', 'NoBody', 'PasswordConfirmation', 'Session'])
})

test('Swagger UI tries requests at whatever address it was opened: a relative server its CSP allows', async (t) => {
  const { app, document } = await liveDocument(t)
  t.same(document.servers, [{ url: '/', description: 'The instance serving this document' }])
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  const page = await fetch(`${base}/documentation/`)
  t.equal(page.status, 200)
  const csp = page.headers.get('content-security-policy') ?? ''
  const directive = (name: string) => csp.split(';').map(part => part.trim()).find(part => part.startsWith(`${name} `))
  t.equal(directive('connect-src'), 'connect-src \'self\'', 'requests may go to the origin the page came from')
  const server = new URL(document.servers[0].url, `${base}/documentation/json`)
  t.equal(server.origin, new URL(base).origin, 'which is where the relative server points')
  const tried = await fetch(new URL('health/live', server))
  t.equal(tried.status, 200, '"Try it out" reaches the service')
})

test('a route that takes no body documents it as optional, so generated clients need not send one', async (t) => {
  const { document } = await liveDocument(t)
  for (const [path, method] of [['/logout', 'post'], ['/logout/all', 'post'], ['/sessions/{id}', 'delete']] as const) {
    const body = document.paths[path][method].requestBody
    t.match(body, { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/NoBody' } } } }, `${method} ${path}`)
  }
})

/**
 * Hostile request bodies for one route, generated from a seed: the same list on every run.
 * `shape` is a body of the route's fields whose values are wrong in a way no single change
 * repairs (a username too short by two), so nothing generated here is ever a valid request.
 */
export interface HostileBody {
  name: string
  /** undefined: no Content-Type header at all */
  contentType: string | undefined
  payload: string
}

const JSON_TYPE = 'application/json'

/** mulberry32: a small seeded PRNG, good enough to pick test values. */
function seeded (seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6D2B79F5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const MALFORMED = ['{', '}', '{"a":', '{"a":1,}', '{\'a\':1}', '[', '"', 'nul', 'undefined', 'NaN', '{a:1}', '{"a":1}}',
  '{"a":"\\x41"}', '{"a":"\u0000"', '\uFEFF{}', '/* */{}', '{"a":01}', '{"a":.5}', '{"a":1e}', '0x10', 'Infinity', '\x00\x01\x02']
const NOT_AN_OBJECT = ['null', 'true', 'false', '0', '-1', '1e309', '"a string"', '""', '[]', '[{}]', '[null]', '[[[[[[[[]]]]]]]]']
const WRONG_TYPES: unknown[] = [null, 0, -1, 1.5, true, false, [], {}, ['x'], { $gt: '' }, { $ne: null }, 1e308]
const STRANGE_STRINGS = ["' OR '1'='1' -- ", '"; DROP TABLE users; --', '\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000', '../../../../etc/passwd',
  '<script>alert(1)</script>', 'a\r\nSet-Cookie: x=1', '%00%0d%0a%00%00%00%00', '\u202Eevil\u202Dname', '𝕦𝕤𝕖𝕣𝕟𝕒𝕞𝕖𝕤𝕤', 'e\u0301e\u0301e\u0301e\u0301e\u0301',
  '$' + '{jndi:ldap://127.0.0.1:1/a}', '{{7*7}}{{7*7}}', '\uD800\uD800\uD800\uD800\uD800\uD800\uD800\uD800', '   ', '\t\n\v\f\r ']
const CONTENT_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/octet-stream',
  'application/x-www-form-urlencoded', 'text/html', 'application/json-patch+json']
const RANDOM_CHARS = 'aZ09_.-@ "\\/{}[]:,\u0000\u00e9\u0301\u202e\ud83d\ude00\u4e2d%\'<>\n'

export function hostileBodies (shape: Record<string, string>, { seed = 5, count = 300 } = {}): HostileBody[] {
  const random = seeded(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]
  const fields = Object.keys(shape)
  const bodies: HostileBody[] = []
  const add = (name: string, payload: string, contentType: string | undefined = JSON_TYPE) => bodies.push({ name, contentType, payload })
  const json = (value: unknown) => JSON.stringify(value)

  for (const text of MALFORMED) add(`malformed ${json(text)}`, text)
  for (const text of NOT_AN_OBJECT) add(`not an object: ${text}`, text)
  for (const field of fields) {
    for (const value of WRONG_TYPES) add(`${field} = ${json(value)}`, json({ ...shape, [field]: value }))
    add(`${field} missing`, json(Object.fromEntries(Object.entries(shape).filter(([key]) => key !== field))))
    for (const size of [300, 1100, 5000, 20_000, 70_000]) add(`${field} of ${size} characters`, json({ ...shape, [field]: 'a'.repeat(size) }))
    add(`${field} of 3000 four-byte characters`, json({ ...shape, [field]: '😀'.repeat(3000) }))
    add(`__proto__ inside ${field}`, `{${fields.map(key => key === field ? `"${key}":{"__proto__":{"admin":true}}` : `${json(key)}:${json(shape[key])}`).join(',')}}`)
  }
  for (const text of STRANGE_STRINGS) add(`every field ${json(text)}`, json(Object.fromEntries(fields.map(key => [key, text]))))
  add('__proto__ key', `{"__proto__":{"admin":true},${json(shape).slice(1)}`)
  add('constructor.prototype key', `{"constructor":{"prototype":{"admin":true}},${json(shape).slice(1)}`)
  add('prototype key', `{"prototype":1,${json(shape).slice(1)}`)
  add('an extra field', json({ ...shape, is_admin: true }))
  add('a duplicate field', `{${fields.map(key => `${json(key)}:1,${json(key)}:${json(shape[key])}`).join(',')}}`)
  add('deep nesting', `{"${fields[0]}":${'['.repeat(1000)}${']'.repeat(1000)}}`)
  add('many keys', json(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]))))
  for (const type of CONTENT_TYPES) add(`as ${type}`, json(shape), type)
  add('no content type', json(shape), undefined)
  add('JSON declared as UTF-16', json(shape), 'application/json; charset=utf-16')

  const text = json(shape)
  const randomString = () => Array.from({ length: Math.floor(random() * 40) }, () => pick([...RANDOM_CHARS])).join('')
  const randomValue = (depth: number): unknown => {
    const kind = Math.floor(random() * (depth > 2 ? 4 : 6))
    if (kind === 0) return null
    if (kind === 1) return Math.floor(random() * 2e9) - 1e9
    if (kind === 2) return random() < 0.5
    if (kind === 3) return randomString()
    if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1))
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick([...fields, randomString()]), randomValue(depth + 1)]))
  }
  while (bodies.length < count) {
    const n = bodies.length
    if (n % 3 === 0) {
      // one character of the valid-looking text deleted, replaced or inserted
      const at = Math.floor(random() * text.length)
      const change = pick(['delete', 'replace', 'insert'])
      const mutated = text.slice(0, at) + (change === 'delete' ? '' : pick([...RANDOM_CHARS])) + text.slice(change === 'insert' ? at : at + 1)
      add(`mutation ${n}: ${change} at ${at}`, mutated)
    } else if (n % 3 === 1) {
      add(`random value ${n}`, json(randomValue(0)))
    } else {
      add(`random fields ${n}`, json({ ...shape, [pick(fields)]: randomValue(1) }))
    }
  }
  return bodies
}

import { test } from 'tap'
import { build } from '../support/helper.js'

const MARK = 'zq<script>marker'

test('error messages never repeat the request: URL, field names, content type', async (t) => {
  const app = await build(t)
  const answers = {
    'an unknown route': await app.inject({ method: 'GET', url: `/${encodeURIComponent(MARK)}?q=${encodeURIComponent(MARK)}` }),
    'an unknown field': await app.inject({ method: 'POST', url: '/login', payload: { username: 'someone', password: 'a-password', [MARK]: 1 } }),
    'an unaccepted content type': await app.inject({ method: 'POST', url: '/login', headers: { 'content-type': `text/${MARK}` }, payload: 'x' }),
    'a URL that does not decode': await app.inject({ method: 'GET', url: `/sessions/${MARK}%zz` })
  }
  for (const [what, res] of Object.entries(answers)) {
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: ${res.statusCode}`)
    t.notOk(res.body.includes('marker'), `${what}: the answer does not repeat it`)
  }
  t.same(answers['an unknown route'].json(), { statusCode: 404, error: 'Not Found', message: 'No such route', code: 'NOT_FOUND' })
  t.match(answers['an unknown field'].json(), { statusCode: 400, message: 'body has a field that is not accepted', code: 'FST_ERR_VALIDATION' })
  t.match(answers['an unaccepted content type'].json(), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })
})

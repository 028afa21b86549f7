import { test } from 'tap'
import { build, loginAsNewUser, getProtected } from './helper.js'

test('smoke', async (t) => {
  const app = await build(t)
  const { tokens } = await loginAsNewUser(app)
  const res = await getProtected(app, tokens.access_token)
  t.equal(res.statusCode, 200, res.body)
})

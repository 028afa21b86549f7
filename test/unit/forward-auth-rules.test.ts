import { test } from 'tap'
import { accessOf, forwardedPath } from '../../lib/forward-auth-rules.js'

test('forwarded paths are read as nginx reads them before routing', async (t) => {
  t.equal(forwardedPath('/a/b?c=d#e'), '/a/b')
  t.equal(forwardedPath('/a/./b/../c'), '/a/c')
  t.equal(forwardedPath('/%61%2e%2e/b'), '/a../b')
  t.equal(forwardedPath('/public//../admin'), '/admin', 'slashes merge before dots resolve, as nginx does')
  t.equal(forwardedPath('/a/b/..'), '/a/')
  t.equal(forwardedPath('/x%3F/../admin'), undefined, 'an escaped ? is refused')
  t.equal(forwardedPath('https://example.com/x/y'), '/x/y', 'an absolute URI gives its path')
  t.equal(forwardedPath('/%zz'), undefined)
  t.equal(forwardedPath('/a%00b'), undefined)
})

test('the longest matching prefix decides; the default where none matches', async (t) => {
  const accessFor = accessOf({ default: 'deny', rules: [{ prefix: '/', access: 'public' }, { prefix: '/api/', access: 'authenticated' }] })
  t.equal(accessFor('GET', '/anything'), 'public')
  t.equal(accessFor('get', '/api/x'), 'authenticated', 'the longest prefix wins; methods in any case')
  t.equal(accessOf({ default: 'deny', rules: [] })('GET', '/'), 'deny', 'the default applies when nothing matches')
})

test('a rule naming methods applies to those only, and wins over one that does not at equal length', async (t) => {
  const accessFor = accessOf({ rules: [{ prefix: '/r', access: 'public' }, { prefix: '/r', methods: ['DELETE'], access: 'deny' }] })
  t.equal(accessFor('DELETE', '/r/1'), 'deny')
  t.equal(accessFor('GET', '/r/1'), 'public')
  t.equal(accessFor('GET', '/x'), 'authenticated', 'without a default, authenticated')
})

import { test } from 'tap'
import { canonical } from '../../lib/canonical.js'

test('spellings that only differ in case, width, compatibility form or edge spaces share one form', async (t) => {
  for (const spelling of ['victim', 'VICTIM', 'Victim', ' victim', 'victim ', 'victim\u3000', '\tvictim\n', 'ｖｉｃｔｉｍ', 'ＶＩＣＴＩＭ']) {
    t.equal(canonical(spelling), 'victim', JSON.stringify(spelling))
  }
  t.equal(canonical('  Old.User@Example.COM '), 'old.user@example.com')
  t.equal(canonical('ﬁx'), 'fix', 'a ligature is its letters')
})

test('spellings that are other names stay other names', async (t) => {
  for (const [spelling, lookalike] of [
    ['víctim', 'victim'],
    ['vi\u0301ctim', 'victim'],
    ['vic tim', 'victim'],
    ['victim\u200b', 'victim'],
    ['ALİCE', 'alice'],
    ['straße', 'strasse']
  ]) t.not(canonical(spelling), lookalike, JSON.stringify(spelling))
  t.equal(canonical('vi\u0301ctim'), canonical('víctim'), 'a combining accent and a precomposed letter are one form')
})

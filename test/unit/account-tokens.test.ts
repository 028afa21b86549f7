import { test } from 'tap'
import { createHash } from 'node:crypto'
import { hashToken, linkTo, newToken, TOKEN_PATTERN } from '../../lib/accounts/tokens.js'

test('a one-time token is 43 base64url characters, fresh each time, kept only as its SHA-256', async (t) => {
  const tokens = Array.from({ length: 100 }, () => newToken())
  for (const { token, hash } of tokens) {
    t.match(token, new RegExp(TOKEN_PATTERN))
    t.same(hash, createHash('sha256').update(token).digest())
    t.same(hashToken(token), hash, 'the stored hash is found again from the mailed token')
  }
  t.equal(new Set(tokens.map(({ token }) => token)).size, 100, 'no token twice')
})

test('a link carries the token in the URL fragment, under PUBLIC_URL with or without a slash', async (t) => {
  t.equal(linkTo('https://app.example.com', 'reset-password', 'abc'), 'https://app.example.com/reset-password#token=abc')
  t.equal(linkTo('https://app.example.com/cuenta/', 'verify-email', 'abc'), 'https://app.example.com/cuenta/verify-email#token=abc')
  t.equal(new URL(linkTo('https://app.example.com', 'reset-password', 'abc')).search, '', 'no query string a server would log')
})

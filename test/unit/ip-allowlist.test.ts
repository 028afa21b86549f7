import { test } from 'tap'
import { ipAllowlist } from '../../lib/ip-allowlist.js'

test('an empty list allows nobody', async (t) => {
  const listed = ipAllowlist(' , ')
  t.notOk(listed('127.0.0.1'))
  t.notOk(listed('::1'))
})

test('addresses and CIDR ranges of both families match, IPv4-mapped IPv6 as IPv4', async (t) => {
  const listed = ipAllowlist('10.0.0.0/8, 192.168.1.7, fd00::/8, 2001:db8::1')
  t.ok(listed('10.200.3.4'))
  t.ok(listed('192.168.1.7'))
  t.notOk(listed('192.168.1.8'))
  t.ok(listed('fd12:3456::1'))
  t.ok(listed('2001:db8::1'))
  t.notOk(listed('2001:db8::2'))
  t.ok(listed('::ffff:10.1.2.3'), 'an IPv4-mapped address matches its IPv4 range')
  t.notOk(listed('11.0.0.1'))
})

test('an entry that is not an address or a range is refused, named in the message', async (t) => {
  for (const entry of ['10.0.0.0/33', 'fd00::/129', 'example.com', '10.0.0.1/8/2', '10.0.0.0/x']) {
    t.throws(() => ipAllowlist(`127.0.0.1, ${entry}`), new RegExp(`"${entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is not an IP address`), entry)
  }
})

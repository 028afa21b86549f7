import { test } from 'tap'
import { forwardedAddress, strictForwardedFor } from '../../lib/forwarded-for.js'

test('an X-Forwarded-For entry is an address with its port dropped, or nothing', async (t) => {
  for (const [entry, address] of [
    ['198.51.100.7', '198.51.100.7'],
    [' 198.51.100.7:4431 ', '198.51.100.7'],
    ['2001:db8::7', '2001:db8::7'],
    ['[2001:db8::7]', '2001:db8::7'],
    ['[2001:db8::7]:443', '2001:db8::7'],
    ['::ffff:198.51.100.7', '::ffff:198.51.100.7']
  ]) t.equal(forwardedAddress(entry), address, entry)
  for (const entry of ['garbage<script>', '', 'unknown', '198.51.100.7:', '198.51.100.7:99999', '2001:db8::7:443x', '[198.51.100.7]:80', 'fe80::1%eth0', '[fe80::1%eth0]:80', '1.2.3']) {
    t.equal(forwardedAddress(entry), undefined, JSON.stringify(entry))
  }
  t.equal(strictForwardedFor('garbage, 198.51.100.7:1, 10.0.8.2'), '198.51.100.7, 10.0.8.2', 'read from the right, cut at the first invalid entry')
  t.equal(strictForwardedFor('198.51.100.7, garbage<script>'), undefined, 'an invalid nearest entry leaves nothing')
})

import { BlockList, isIP } from 'node:net'

/**
 * Parses a comma-separated list of IP addresses and CIDR ranges (IPv4 or IPv6) into a test of
 * whether an address is listed. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) match IPv4 entries.
 * Throws an error naming the first entry that is neither.
 */
export function ipAllowlist (text: string): (ip: string) => boolean {
  const list = new BlockList()
  const entries = text.split(',').map(entry => entry.trim()).filter(entry => entry !== '')
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/')
    const version = isIP(address)
    const bits = version === 4 ? 32 : 128
    const type = version === 4 ? 'ipv4' : 'ipv6'
    if (version === 0 || rest.length > 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits))) {
      throw new Error(`"${entry}" is not an IP address or a CIDR range like 10.0.0.0/8 or fd00::/8`)
    }
    if (prefix === undefined) list.addAddress(address, type)
    else list.addSubnet(address, Number(prefix), type)
  }
  if (entries.length === 0) return () => false
  return (ip) => list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6')
}

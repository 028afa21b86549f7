import { isIP } from 'node:net'

/**
 * The address in one X-Forwarded-For entry as proxies write it: bare, `ip:port`, `[v6]` or
 * `[v6]:port`, without the port; undefined when the entry is no IP address (or names an IPv6
 * zone, which would make one client many).
 */
export function forwardedAddress (entry: string): string | undefined {
  const text = entry.trim()
  const bracketed = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(text)
  const withPort = /^([\d.]+):(\d{1,5})$/.exec(text)
  const [, address, port] = bracketed ?? withPort ?? [text, text, undefined]
  const version = isIP(address)
  if (version === 0 || address.includes('%') || (bracketed !== null && version !== 6)) return undefined
  return port === undefined || Number(port) <= 65535 ? address : undefined
}

/**
 * X-Forwarded-For reduced to what can be believed: read from the nearest hop (the right end),
 * each entry becomes its bare address, and the chain stops at the first entry that is no
 * address. What lies beyond it was never vouched for by a proxy that wrote a valid entry, so the
 * client is the hop that reported the invalid value (the connection's address when that is the
 * only hop). Undefined when nothing remains.
 */
export function strictForwardedFor (header: string): string | undefined {
  const entries = header.split(',')
  const addresses: string[] = []
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = forwardedAddress(entries[i])
    if (address === undefined) break
    addresses.unshift(address)
  }
  return addresses.length === 0 ? undefined : addresses.join(', ')
}

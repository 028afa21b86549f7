import fp from 'fastify-plugin'
import { strictForwardedFor } from '../lib/forwarded-for.js'

/**
 * With TRUST_PROXY, request.ip comes from X-Forwarded-For, which Fastify (proxy-addr) takes as
 * written: `198.51.100.7:4431` would be a new client per port and `garbage<script>` an address
 * kept in a session. Before any other hook reads request.ip, the header is replaced by its
 * strict reading (lib/forwarded-for.ts), so every limit, allowlist and session sees a valid
 * address. Without TRUST_PROXY the header is ignored anyway and nothing is added.
 */
export default fp(async function clientAddress (app) {
  if (app.config.TRUST_PROXY === '') return
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.raw.headers['x-forwarded-for']
    if (header !== undefined) {
      const strict = strictForwardedFor(Array.isArray(header) ? header.join(',') : header)
      if (strict === undefined) delete request.raw.headers['x-forwarded-for']
      else request.raw.headers['x-forwarded-for'] = strict
    }
    done()
  })
}, { name: 'client-address', dependencies: ['config'] })

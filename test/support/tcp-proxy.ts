import { createServer, connect, type Server, type Socket } from 'node:net'
import { freePort } from '../../scripts/free-port.js'

export interface TcpProxy {
  port: number
  /** Listens on the proxy's port and forwards every connection to the target. */
  start(): Promise<void>
  /** Cuts the link: every connection is dropped and new ones are refused. */
  stop(): Promise<void>
  /** A link that stops answering: connections stay open (new ones too) but nothing passes. */
  freeze(): void
  /** Ends a freeze: the silent connections are dropped, new ones are forwarded again. */
  thaw(): void
}

/**
 * A loopback TCP forwarder between the service and a store, to break the link without
 * stopping the store itself (the local MariaDB is shared by every test).
 */
export async function tcpProxy (targetPort: number, targetHost: string): Promise<TcpProxy> {
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let frozen = false
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const dropAll = () => { for (const socket of sockets) socket.destroy() }

  return {
    port,
    async start () {
      server = createServer(client => {
        track(client)
        if (frozen) return
        const upstream = connect(targetPort, targetHost)
        track(upstream)
        client.on('data', chunk => { if (!frozen) upstream.write(chunk) })
        upstream.on('data', chunk => { if (!frozen) client.write(chunk) })
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      await new Promise<void>(resolve => server?.listen(port, '127.0.0.1', resolve))
    },
    async stop () {
      const closing = server
      server = undefined
      if (closing === undefined) return
      const closed = new Promise(resolve => closing.close(resolve))
      dropAll()
      await closed
    },
    freeze () { frozen = true },
    thaw () {
      frozen = false
      dropAll()
    }
  }
}

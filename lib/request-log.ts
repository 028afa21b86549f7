import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest, type LogLevel } from 'fastify'

type Bindings = Record<string, unknown>
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>
type Logger = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean }

/** One log line per request, when the answer is sent (Fastify's default writes two). */
export class OneLinePerRequest extends LogController {
  incomingRequest () {}

  requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    if (error) {
      reply.log.error({ ...completed(request, reply), err: error }, 'request errored')
    } else if (enabled(reply.log, 'info')) {
      reply.log.info(completed(request, reply), 'request completed')
    }
  }
}

const completed = (request: FastifyRequest, reply: FastifyReply) =>
  ({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 })

const enabled = (logger: Logger, level: LogLevel) => logger.isLevelEnabled?.(level) ?? true

/**
 * Fastify's childLoggerFactory: each request's logger (with its request id) is made only when
 * the request logs something its level lets through. At LOG_LEVEL=warn a token check logs
 * nothing, so a pino child made for each was work and memory spent on the hot path for nothing.
 */
export function requestLogger (this: unknown, logger: Logger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // Routes with their own log level or serializers get a real child at once
  if (options.level !== undefined || options.serializers !== undefined || logger.isLevelEnabled === undefined) {
    return logger.child(bindings, options)
  }
  return new LazyChild(logger, bindings)
}

class LazyChild implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined

  constructor (private readonly parent: Logger, private readonly bindings: Bindings) {}

  get level () { return (this.#child ?? this.parent).level }
  set level (level) { this.real().level = level }
  isLevelEnabled (level: LogLevel) { return enabled(this.#child ?? this.parent, level) }

  fatal (...args: unknown[]) { this.write('fatal', args) }
  error (...args: unknown[]) { this.write('error', args) }
  warn (...args: unknown[]) { this.write('warn', args) }
  info (...args: unknown[]) { this.write('info', args) }
  debug (...args: unknown[]) { this.write('debug', args) }
  trace (...args: unknown[]) { this.write('trace', args) }
  silent () {}

  child (bindings: Bindings, options?: object) { return this.real().child(bindings, options) }

  private write (level: LogLevel, args: unknown[]) {
    if (!this.isLevelEnabled(level)) return
    const logger = this.real()
    Reflect.apply(logger[level], logger, args)
  }

  private real () {
    this.#child ??= this.parent.child(this.bindings)
    return this.#child
  }
}

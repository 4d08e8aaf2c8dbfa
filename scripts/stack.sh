#!/usr/bin/env bash
# The production arrangement on this machine, on loopback, for rehearsals, tests and the load test:
#
#   scripts/stack.sh start              a fresh PostgreSQL cluster, Redis, migrations and the demo,
#                                       two gunicorn app nodes, a Huey consumer, nginx with TLS
#   scripts/stack.sh stop               stops them all by PID (the folder stays, logs and all)
#   scripts/stack.sh restart-postgres   `pg_ctl restart -m fast` of the stack's cluster
#   scripts/stack.sh start-node N       app node N (1 or 2) again, after it was stopped or killed
#
# Everything lives in STACK_DIR (instance/stack): stack.env (the settings every process reads,
# readable by its owner only), run/*.pid, log/, the cluster, Redis's files, the certificate and
# nginx.conf rendered from deploy/nginx/. Ports: STACK_HTTPS_PORT (8443), STACK_APP_PORTS
# ("8101 8102"), STACK_POSTGRES_PORT (55432), STACK_REDIS_PORT (6390); workers per node:
# STACK_WORKERS (4) sync workers (STACK_THREADS above 1: gthread workers of as many threads). `start` begins afresh: what an earlier run left
# in STACK_DIR is removed first.
set -eEuo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/postgres-common.sh"

STACK_DIR="${STACK_DIR:-$ROOT/instance/stack}"
HTTPS_PORT="${STACK_HTTPS_PORT:-8443}"
read -r APP_PORT_1 APP_PORT_2 <<<"${STACK_APP_PORTS:-8101 8102}"
POSTGRES_PORT="${STACK_POSTGRES_PORT:-55432}"
REDIS_PORT="${STACK_REDIS_PORT:-6390}"
WORKERS="${STACK_WORKERS:-4}"
THREADS="${STACK_THREADS:-1}"
BIN="$ROOT/.venv/bin"
RUN="$STACK_DIR/run"
LOG="$STACK_DIR/log"
PGDATA="$STACK_DIR/postgres/data"
PGSOCKET="$STACK_DIR/postgres/socket"
# Started in this order, stopped in the reverse one.
PROCESSES=(postgres redis app1 app2 consumer nginx)

say() { echo "stack: $*"; }

running() {  # the PID in run/$1.pid, when that process is alive
  local file="$RUN/$1.pid"
  [ -s "$file" ] && kill -0 "$(head -n 1 "$file")" 2>/dev/null
}

# A program started with stack.env's settings in its own session, its output in log/$1.log,
# its PID in run/$1.pid.
launch() {
  local name="$1"
  shift
  (
    set -a
    source "$STACK_DIR/stack.env"
    set +a
    unset CONFERENCE_NOW  # production refuses a set clock
    cd "$ROOT"
    exec setsid "$@"
  ) >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

wait_until() {  # wait_until SECONDS WHAT COMMAND...: retry COMMAND every 0.2 s
  local seconds="$1" what="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "stack: $what did not come up within $seconds s; see $LOG" >&2
  return 1
}

render() {  # render TEMPLATE OUT: {{NAME}} placeholders replaced
  sed -e "s|{{APP_PORT_1}}|$APP_PORT_1|g" -e "s|{{APP_PORT_2}}|$APP_PORT_2|g" \
      -e "s|{{HTTPS_PORT}}|$HTTPS_PORT|g" -e "s|{{CERTIFICATE}}|$STACK_DIR/tls/cert.pem|g" \
      -e "s|{{CERTIFICATE_KEY}}|$STACK_DIR/tls/key.pem|g" -e "s|{{LOG_DIR}}|$LOG|g" \
      -e "s|{{STATIC_DIR}}|$ROOT/static|g" -e "s|{{RUN_DIR}}|$RUN|g" \
      -e "s|{{TEMP_DIR}}|$STACK_DIR/nginx/temp|g" -e "s|{{SITE}}|$STACK_DIR/nginx/conference.conf|g" \
      "$1" >"$2"
  if grep -q '{{' "$2"; then
    echo "stack: a placeholder of $1 is left unfilled" >&2
    return 1
  fi
}

secret() { head -c "$1" /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$2"; }

write_settings() {
  local password
  password="$(secret 24 24)"
  umask 077
  cat >"$STACK_DIR/stack.env" <<ENV
CONFERENCE_ENV=production
DATABASE_URL=postgresql+psycopg://conference:$password@127.0.0.1:$POSTGRES_PORT/conference
POSTGRES_PASSWORD=$password
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
SECRET_KEY=$(secret 48 48)
PII_KEY=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')
PUBLIC_URL=https://127.0.0.1:$HTTPS_PORT
TRUSTED_PROXY_COUNT=1
INSTANCE_PATH=$STACK_DIR/instance
MAIL_BACKEND=file
LOG_FORMAT=json
GUNICORN_WORKERS=$WORKERS
GUNICORN_THREADS=$THREADS
STACK_DIR=$STACK_DIR
STACK_HTTPS_PORT=$HTTPS_PORT
STACK_APP_PORT_1=$APP_PORT_1
STACK_APP_PORT_2=$APP_PORT_2
STACK_POSTGRES_PORT=$POSTGRES_PORT
STACK_REDIS_PORT=$REDIS_PORT
ENV
  umask 022
}

with_settings() {  # run a command with stack.env in its environment
  (
    set -a
    source "$STACK_DIR/stack.env"
    set +a
    unset CONFERENCE_NOW  # production refuses a set clock
    cd "$ROOT"
    "$@"
  )
}

start_postgres() {
  mkdir -p "$PGDATA" "$PGSOCKET"
  chown -R postgres: "$STACK_DIR/postgres"
  chmod 700 "$PGDATA"
  as_postgres "$(postgres_bin)/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >>"$LOG/setup.log"
  # The server writes its own log (as postgres, in its folder), so a restart keeps writing it.
  cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
unix_socket_directories = '$PGSOCKET'
max_connections = 200
logging_collector = on
log_directory = '$STACK_DIR/postgres/log'
CONF
  as_postgres "$(postgres_bin)/pg_ctl" -D "$PGDATA" -w start >/dev/null
  head -n 1 "$PGDATA/postmaster.pid" >"$RUN/postgres.pid"
  wait_for_postgres "$POSTGRES_PORT"
  local password
  password="$(grep '^POSTGRES_PASSWORD=' "$STACK_DIR/stack.env" | cut -d= -f2)"
  create_database "$PGSOCKET" "$POSTGRES_PORT" conference "$password"
}

start_redis() {
  mkdir -p "$STACK_DIR/redis"
  # The job queue outlives a restart (append-only file); rate limits need no more.
  launch redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STACK_DIR/redis" \
    --appendonly yes --save "" --daemonize no --protected-mode yes
  wait_until 10 "Redis" redis-cli -p "$REDIS_PORT" ping
}

start_node() {
  local number="$1" port
  port="APP_PORT_$number"
  launch "app$number" "$BIN/gunicorn" -c "$ROOT/gunicorn.conf.py" -b "127.0.0.1:${!port}" \
    --control-socket "$RUN/app$number.ctl" wsgi:app
  wait_until 60 "app node $number" curl -fsS "http://127.0.0.1:${!port}/healthz"
}

start_nginx() {
  mkdir -p "$STACK_DIR/tls" "$STACK_DIR/nginx/temp"
  # A certificate of its own for each run, valid for the loopback address only.
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$STACK_DIR/tls/key.pem" -out "$STACK_DIR/tls/cert.pem" 2>>"$LOG/nginx.log"
  chmod 600 "$STACK_DIR/tls/key.pem"
  if [ "$(id -u)" -eq 0 ]; then
    chown nobody "$STACK_DIR/nginx/temp"  # nginx's workers run as nobody when started by root
  fi
  render "$ROOT/deploy/nginx/conference.conf" "$STACK_DIR/nginx/conference.conf"
  render "$ROOT/deploy/nginx/stack.conf" "$STACK_DIR/nginx/nginx.conf"
  nginx -q -c "$STACK_DIR/nginx/nginx.conf" -p "$STACK_DIR/nginx" -g "daemon on;" 2>>"$LOG/nginx.log"
  wait_until 10 "nginx" test -s "$RUN/nginx.pid"
  wait_until 30 "the stack's /readyz through nginx" \
    curl -fsS --cacert "$STACK_DIR/tls/cert.pem" "https://127.0.0.1:$HTTPS_PORT/readyz"
}

stop_one() {
  local name="$1" pid
  running "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  pid="$(head -n 1 "$RUN/$name.pid")"
  if [ "$name" = postgres ]; then
    # pg_ctl returns once the PID file is gone, a moment before the process itself
    as_postgres "$(postgres_bin)/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  else
    kill -TERM "$pid"
  fi
  for _ in $(seq 1 150); do  # gunicorn lets requests finish: at most 30 s
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
  fi
  rm -f "$RUN/$name.pid"
  say "$name stopped"
}

stop() {
  local index
  for ((index = ${#PROCESSES[@]} - 1; index >= 0; index--)); do
    stop_one "${PROCESSES[index]}"
  done
}

start() {
  for name in "${PROCESSES[@]}"; do
    if running "$name"; then
      echo "stack: already running ($name, PID $(head -n 1 "$RUN/$name.pid")); scripts/stack.sh stop first" >&2
      exit 1
    fi
  done
  rm -rf "$STACK_DIR"
  mkdir -p "$RUN" "$LOG" "$STACK_DIR/instance"
  write_settings
  trap 'echo "stack: start failed; stopping what started" >&2; stop' ERR
  start_postgres
  say "PostgreSQL on 127.0.0.1:$POSTGRES_PORT (PID $(cat "$RUN/postgres.pid"))"
  start_redis
  say "Redis on 127.0.0.1:$REDIS_PORT (PID $(cat "$RUN/redis.pid"))"
  with_settings "$BIN/flask" db upgrade >>"$LOG/setup.log" 2>&1
  with_settings "$BIN/flask" demo load --if-empty >>"$LOG/setup.log" 2>&1
  say "migrations run, demo loaded"
  start_node 1
  start_node 2
  say "app nodes on 127.0.0.1:$APP_PORT_1 and :$APP_PORT_2 (PIDs $(cat "$RUN/app1.pid") $(cat "$RUN/app2.pid"))"
  # Below the app nodes in the CPU's queue: a burst of registrations is answered first, and its
  # mail leaves a moment later. Each program runs in a session of its own, and Linux shares the
  # CPU between sessions (autogroups) before nice weighs processes inside one: the consumer's
  # session itself is niced (/proc/self/autogroup), or it would get as much as a whole node.
  launch consumer sh -c 'echo 10 >/proc/self/autogroup 2>/dev/null; exec nice -n 10 "$@"' consumer \
    "$BIN/huey_consumer" conference.jobs.huey -k thread -w 2
  wait_until 10 "the Huey consumer" running consumer
  say "Huey consumer on Redis (PID $(cat "$RUN/consumer.pid"))"
  start_nginx
  trap - ERR
  say "nginx on https://127.0.0.1:$HTTPS_PORT/ (PID $(cat "$RUN/nginx.pid")); certificate $STACK_DIR/tls/cert.pem"
  say "logs in $LOG; stop with: make stack-stop"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart-postgres)
    as_postgres "$(postgres_bin)/pg_ctl" -D "$PGDATA" -m fast -w restart >/dev/null
    head -n 1 "$PGDATA/postmaster.pid" >"$RUN/postgres.pid"
    say "PostgreSQL restarted (PID $(cat "$RUN/postgres.pid"))"
    ;;
  start-node)
    case "${2:-}" in 1 | 2) ;; *) echo "usage: $0 start-node 1|2" >&2; exit 2 ;; esac
    running "app$2" && { echo "stack: app node $2 is running" >&2; exit 1; }
    start_node "$2"
    say "app node $2 started (PID $(cat "$RUN/app$2.pid"))"
    ;;
  *) echo "usage: $0 start|stop|restart-postgres|start-node N" >&2; exit 2 ;;
esac

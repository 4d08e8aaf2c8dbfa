#!/usr/bin/env bash
# Run a command with TEST_DATABASE_URL pointing at a throwaway PostgreSQL database.
# Uses TEST_DATABASE_URL as it is when set; otherwise starts Debian's local cluster
# (PostgreSQL refuses to run as root, so pg_ctlcluster starts it as postgres), creates a
# database and a role for this run, and drops the database afterwards.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi

source "$(dirname "$0")/postgres-common.sh"

cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  $SUDO pg_createcluster "$(postgres_version)" main
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  $SUDO pg_ctlcluster "$version" "$name" start
fi
wait_for_postgres "$port"

password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
database="conference_test_$$_$(date +%s)"
role="$database"
create_database /var/run/postgresql "$port" "$database" "$password"
cleanup() {
  # the run's database and the ones its pytest-xdist workers made beside it
  as_postgres psql -q -p "$port" -At -c "SELECT datname FROM pg_database WHERE datname LIKE '${database}%'" |
    while read -r name; do
      as_postgres psql -q -p "$port" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null || true
    done
  as_postgres psql -q -p "$port" -c "DROP ROLE IF EXISTS $role" >/dev/null || true
}
trap cleanup EXIT

echo "PostgreSQL $version on port $port, database $database"
export TEST_DATABASE_URL="postgresql+psycopg://$role:$password@127.0.0.1:$port/$database"
"$@"

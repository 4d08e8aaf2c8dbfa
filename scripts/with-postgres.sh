#!/usr/bin/env bash
# Run a command with TEST_DATABASE_URL pointing at a throwaway PostgreSQL database.
# Uses TEST_DATABASE_URL as it is when set; otherwise starts Debian's local cluster
# (PostgreSQL refuses to run as root, so pg_ctlcluster starts it as postgres), creates a
# database and a role for this run, and drops the database afterwards.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  exec "$@"
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres "$@"
  fi
}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  $SUDO pg_createcluster "$version" main
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  $SUDO pg_ctlcluster "$version" "$name" start
fi
for _ in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.2
done

# A role and a database of this run's own, so that runs side by side never share a password.
password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
database="conference_test_$$_$(date +%s)"
role="$database"
as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE $database OWNER $role ENCODING 'UTF8' TEMPLATE template0;
SQL
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

# Shared by scripts/with-postgres.sh (the tests' database) and scripts/stack.sh (the stack's own
# cluster): sourced, not run. PostgreSQL refuses to run as root, so its programs run as postgres.

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

# The newest PostgreSQL installed: its version number and its programs' folder.
postgres_version() {
  ls /usr/lib/postgresql | sort -n | tail -n 1
}
postgres_bin() {
  echo "/usr/lib/postgresql/$(postgres_version)/bin"
}

# Wait until a server answers on 127.0.0.1:$1, at most ten seconds.
wait_for_postgres() {
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p "$1" && return 0
    sleep 0.2
  done
  echo "PostgreSQL did not answer on port $1" >&2
  return 1
}

# A role and a database of its own (named $3, password $4) on the server listening on the socket
# folder $1 and port $2, so that users side by side never share a password.
create_database() {
  as_postgres psql -q -h "$1" -p "$2" -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE $3 LOGIN CREATEDB PASSWORD '$4';
CREATE DATABASE $3 OWNER $3 ENCODING 'UTF8' TEMPLATE template0;
SQL
}

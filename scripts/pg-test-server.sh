#!/usr/bin/env bash
# Start (or reuse) a private PostgreSQL server for the test suite and print its URL.
#
#   scripts/pg-test-server.sh start   -> prints postgresql+psycopg://... on stdout
#   scripts/pg-test-server.sh stop
#
# The server runs as a non-root user, listens on 127.0.0.1 at a private port and
# on a socket in its own folder, and requires a password (generated once, kept
# in a file readable by its owner only). PostgreSQL is installed with apt-get
# when the machine does not have it.
set -euo pipefail

PGTEST_DIR=${PGTEST_DIR:-/tmp/auto_applyer_pgtest}
PGTEST_PORT=${PGTEST_PORT:-54329}
DB_NAME=auto_applyer_test
DB_USER=auto_applyer
DATA="$PGTEST_DIR/data"
LOG="$PGTEST_DIR/server.log"

log() { printf 'pg-test-server: %s\n' "$*" >&2; }

find_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then
            printf '%s\n' "$dir"
        fi
    done | sort -V | tail -n 1
}

ensure_installed() {
    if [ -z "$(find_bindir)" ]; then
        if [ "$(id -u)" -ne 0 ]; then
            log "PostgreSQL is not installed and this user cannot apt-get install it"
            exit 1
        fi
        log "installing PostgreSQL with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
    fi
}

# Run a command as the server's user: 'postgres' when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PGTEST_DIR" postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    ensure_installed
    local bin
    bin=$(find_bindir)
    mkdir -p "$PGTEST_DIR"
    chmod 700 "$PGTEST_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PGTEST_DIR" postgres
        chown postgres: "$PGTEST_DIR"
    fi
    local pwfile="$PGTEST_DIR/password"
    if [ ! -s "$DATA/PG_VERSION" ]; then
        log "creating a cluster in $DATA"
        rm -rf "$DATA"
        as_owner bash -c "umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > '$pwfile'"
        # Local (socket) connections need no password: the socket's folder is private.
        as_owner "$bin/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGTEST_PORT
unix_socket_directories = '$PGTEST_DIR'
fsync = on
max_connections = 100
CONF
    fi
    # The monitoring's figures include pg_stat_statements, which must be preloaded.
    # A cluster made before this line was added gets it now, loaded at its next start.
    if ! grep -q "^shared_preload_libraries = 'pg_stat_statements'" "$DATA/postgresql.conf"; then
        as_owner bash -c "printf '%s\n' \"shared_preload_libraries = 'pg_stat_statements'\" >> '$DATA/postgresql.conf'"
        if as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
            log "pg_stat_statements loads at the server's next start ($0 stop, then start)"
        fi
    fi
    if ! as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        log "starting on 127.0.0.1:$PGTEST_PORT"
        as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
    fi
    local password
    password=$(as_owner cat "$pwfile")
    as_owner "$bin/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d postgres -qtA \
        -v ON_ERROR_STOP=1 -v user="$DB_USER" -v pw="$password" -v db="$DB_NAME" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pw')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
-- Lets the test suite drop its per-run databases even while autovacuum visits them.
SELECT format('GRANT pg_signal_backend TO %I', :'user') \gexec
-- Lets the row-level security tests create (and drop) their per-run application role.
SELECT format('ALTER ROLE %I CREATEROLE', :'user') \gexec
-- Lets the database health report read every session's statistics.
SELECT format('GRANT pg_read_all_stats TO %I', :'user') \gexec
SQL
    # Once per cluster (a connection to template1 would make a concurrent CREATE
    # DATABASE fail): in template1, every database the test suite creates has it.
    local marker="$PGTEST_DIR/pg_stat_statements.created"
    if ! as_owner test -e "$marker"; then
        local db created=yes
        for db in template1 "$DB_NAME"; do
            if ! as_owner "$bin/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d "$db" -qtA \
                -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null; then
                created=no
            fi
        done
        if [ "$created" = yes ]; then
            as_owner touch "$marker"
        else
            log "pg_stat_statements could not be created; the health report goes without it"
        fi
    fi
    printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$password" "$PGTEST_PORT" "$DB_NAME"
}

stop() {
    local bin
    bin=$(find_bindir)
    if [ -n "$bin" ] && [ -d "$DATA" ]; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    fi
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) log "usage: $0 start|stop"; exit 2 ;;
esac

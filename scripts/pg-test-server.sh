#!/usr/bin/env bash
# Start (or reuse) a private PostgreSQL server for the test suite and print its URL.
#
#   scripts/pg-test-server.sh start          -> the primary's postgresql+psycopg://... on stdout
#   scripts/pg-test-server.sh replica        -> a hot standby streaming from it (its URL)
#   scripts/pg-test-server.sh pgbouncer      -> PgBouncer in transaction mode in front of it (its URL)
#   scripts/pg-test-server.sh replica-stop   -> stop the standby (replica starts it again)
#   scripts/pg-test-server.sh replica-remove -> stop it, drop its slot and its data (replica makes a new one)
#   scripts/pg-test-server.sh replica-pause  -> the standby stops replaying (it falls behind)
#   scripts/pg-test-server.sh replica-resume -> it replays again
#   scripts/pg-test-server.sh stop           -> stop all three
#
# Each URL names the same database and role; the three listen on PGTEST_PORT,
# PGTEST_PORT+1 (the standby) and PGTEST_PORT+2 (PgBouncer) unless
# PGTEST_REPLICA_PORT / PGTEST_BOUNCER_PORT say otherwise. The standby is made
# once with pg_basebackup and follows the primary through a replication slot.
#
# The server runs as a non-root user, listens on 127.0.0.1 at a private port and
# on a socket in its own folder, and requires a password (generated once, kept
# in a file readable by its owner only). PostgreSQL is installed with apt-get
# when the machine does not have it.
set -euo pipefail

PGTEST_DIR=${PGTEST_DIR:-/tmp/auto_applyer_pgtest}
# One run at a time: parallel test workers all ask for the server at once, and
# its set-up must not race itself. flock holds the lock and keeps it from the
# servers this script starts (-o), which outlive it.
if [ -z "${PGTEST_LOCKED:-}" ]; then
    PGTEST_LOCKED=1 exec flock -o "$PGTEST_DIR.lock" "$BASH" "$0" "$@"
fi
PGTEST_PORT=${PGTEST_PORT:-54329}
DB_NAME=auto_applyer_test
DB_USER=auto_applyer
PGTEST_REPLICA_PORT=${PGTEST_REPLICA_PORT:-$((PGTEST_PORT + 1))}
PGTEST_BOUNCER_PORT=${PGTEST_BOUNCER_PORT:-$((PGTEST_PORT + 2))}
DATA="$PGTEST_DIR/data"
LOG="$PGTEST_DIR/server.log"
REPLICA="$PGTEST_DIR/replica"
SLOT=auto_applyer_replica
BOUNCER="$PGTEST_DIR/pgbouncer"

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
max_connections = 200
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
    as_owner env PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d postgres -qtA \
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
    ensure_auth_lookup "$bin"
    print_url "$PGTEST_PORT"
}

# PgBouncer looks passwords up in the database a client asks for, as AUTH_ROLE
# through a function that reads pg_shadow for it: a role that is no superuser,
# so that the tests may end its sessions when they drop their databases. Made
# once per cluster, in template1 (hence in every database made after it) too.
AUTH_ROLE=pgbouncer_auth
ensure_auth_lookup() {
    local marker="$PGTEST_DIR/pgbouncer_auth.created" db
    if as_owner test -e "$marker"; then
        return
    fi
    as_owner env PGOPTIONS="-c client_min_messages=warning" "$1/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d postgres -qtA \
        -v ON_ERROR_STOP=1 -v role="$AUTH_ROLE" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SQL
    for db in template1 postgres "$DB_NAME"; do
        as_owner env PGOPTIONS="-c client_min_messages=warning" "$1/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d "$db" -qtA \
            -v ON_ERROR_STOP=1 -v role="$AUTH_ROLE" >/dev/null <<'SQL'
CREATE SCHEMA IF NOT EXISTS pgbouncer;
CREATE OR REPLACE FUNCTION pgbouncer.user_lookup(name text, OUT usename text, OUT passwd text)
RETURNS record LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $$ SELECT usename::text, passwd FROM pg_shadow WHERE usename = name $$;
REVOKE ALL ON FUNCTION pgbouncer.user_lookup(text) FROM PUBLIC;
SELECT format('GRANT USAGE ON SCHEMA pgbouncer TO %I', :'role') \gexec
SELECT format('GRANT EXECUTE ON FUNCTION pgbouncer.user_lookup(text) TO %I', :'role') \gexec
SQL
    done
    as_owner touch "$marker"
}

print_url() {
    local password
    password=$(as_owner cat "$PGTEST_DIR/password")
    printf 'postgresql+psycopg://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$password" "$1" "$DB_NAME"
}

# A hot standby of the primary: pg_basebackup once (creating the replication
# slot, so the primary keeps the WAL the standby has not received yet), then
# started like the primary on its own port and socket.
replica() {
    start >/dev/null
    local bin
    bin=$(find_bindir)
    if ! as_owner test -s "$REPLICA/PG_VERSION"; then
        log "making a standby in $REPLICA"
        as_owner rm -rf "$REPLICA"
        as_owner env PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d postgres -qtA \
            -v slot="$SLOT" >/dev/null <<'SQL'
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :'slot';
SQL
        as_owner "$bin/pg_basebackup" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -D "$REPLICA" \
            -R -X stream -c fast -C -S "$SLOT" >/dev/null
        as_owner bash -c "cat >> '$REPLICA/postgresql.conf'" <<CONF
port = $PGTEST_REPLICA_PORT
hot_standby = on
hot_standby_feedback = on
CONF
        as_owner chmod 700 "$REPLICA"
    fi
    if ! as_owner "$bin/pg_ctl" -D "$REPLICA" status >/dev/null 2>&1; then
        log "starting the standby on 127.0.0.1:$PGTEST_REPLICA_PORT"
        as_owner "$bin/pg_ctl" -D "$REPLICA" -l "$PGTEST_DIR/replica.log" -w -t 60 start >/dev/null
    fi
    print_url "$PGTEST_REPLICA_PORT"
}

replica_stop() {
    local bin
    bin=$(find_bindir)
    if [ -n "$bin" ] && as_owner test -d "$REPLICA"; then
        as_owner "$bin/pg_ctl" -D "$REPLICA" -m fast stop >/dev/null 2>&1 || true
    fi
}

# A standby costs the primary's every write a second replay, and a stopped one
# keeps its slot's WAL: once the replica tests are done, it goes altogether.
replica_remove() {
    replica_stop
    local bin
    bin=$(find_bindir)
    if [ -n "$bin" ] && as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_owner env PGOPTIONS="-c client_min_messages=warning" "$bin/psql" -h "$PGTEST_DIR" -p "$PGTEST_PORT" -U postgres -d postgres -qtA \
            -v slot="$SLOT" >/dev/null <<'SQL'
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :'slot';
SQL
    fi
    as_owner rm -rf "$REPLICA"
}

# Pause or resume the standby's replay (the tests make it lag on purpose).
replica_replay() {
    local bin
    bin=$(find_bindir)
    as_owner "$bin/psql" -h "$PGTEST_DIR" -p "$PGTEST_REPLICA_PORT" -U postgres -d postgres -qtA \
        -v ON_ERROR_STOP=1 -c "SELECT pg_wal_replay_$1()" >/dev/null
}

# PgBouncer in transaction-pooling mode: every database of the primary, every
# role, its passwords read from the primary itself (auth_query as AUTH_ROLE,
# over the trusted socket), so roles made by the tests work too.
pgbouncer_start() {
    start >/dev/null
    if ! command -v pgbouncer >/dev/null 2>&1; then
        if [ "$(id -u)" -ne 0 ]; then
            log "PgBouncer is not installed and this user cannot apt-get install it"
            exit 1
        fi
        log "installing PgBouncer with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq pgbouncer >&2 || { apt-get update -qq >&2; apt-get install -y -qq pgbouncer >&2; }
    fi
    as_owner mkdir -p "$BOUNCER"
    as_owner bash -c "umask 077; cat > '$BOUNCER/pgbouncer.ini.new'" <<INI
[databases]
* = host=$PGTEST_DIR port=$PGTEST_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGTEST_BOUNCER_PORT
unix_socket_dir = $BOUNCER
auth_type = scram-sha-256
auth_file = $BOUNCER/userlist.txt
auth_user = $AUTH_ROLE
auth_query = SELECT usename, passwd FROM pgbouncer.user_lookup(\$1)
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 10
max_db_connections = 40
server_idle_timeout = 10
ignore_startup_parameters = extra_float_digits
logfile = $BOUNCER/pgbouncer.log
pidfile = $BOUNCER/pgbouncer.pid
INI
    as_owner bash -c "umask 077; printf '\"$AUTH_ROLE\" \"\"\n' > '$BOUNCER/userlist.txt'"
    local running=no
    if as_owner bash -c "test -s '$BOUNCER/pgbouncer.pid' && kill -0 \$(cat '$BOUNCER/pgbouncer.pid')" 2>/dev/null; then
        running=yes
    fi
    if as_owner cmp -s "$BOUNCER/pgbouncer.ini.new" "$BOUNCER/pgbouncer.ini"; then
        as_owner rm "$BOUNCER/pgbouncer.ini.new"
    else
        as_owner mv "$BOUNCER/pgbouncer.ini.new" "$BOUNCER/pgbouncer.ini"
        if [ "$running" = yes ]; then  # a changed setting: the running one reloads it
            as_owner bash -c "kill -HUP \$(cat '$BOUNCER/pgbouncer.pid')"
        fi
    fi
    if [ "$running" = no ]; then
        log "starting PgBouncer on 127.0.0.1:$PGTEST_BOUNCER_PORT"
        as_owner pgbouncer -d "$BOUNCER/pgbouncer.ini"
        local i
        for i in $(seq 1 50); do
            (exec 3<>"/dev/tcp/127.0.0.1/$PGTEST_BOUNCER_PORT") 2>/dev/null && break
            sleep 0.1
        done
    fi
    print_url "$PGTEST_BOUNCER_PORT"
}

pgbouncer_stop() {
    if as_owner test -s "$BOUNCER/pgbouncer.pid" 2>/dev/null; then
        as_owner bash -c "kill \$(cat '$BOUNCER/pgbouncer.pid')" >/dev/null 2>&1 || true
    fi
}

stop() {
    pgbouncer_stop
    replica_stop
    local bin
    bin=$(find_bindir)
    if [ -n "$bin" ] && [ -d "$DATA" ]; then
        as_owner "$bin/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    fi
}

case "${1:-start}" in
    start) start ;;
    replica) replica ;;
    replica-stop) replica_stop ;;
    replica-remove) replica_remove ;;
    replica-pause) replica_replay pause ;;
    replica-resume) replica_replay resume ;;
    pgbouncer) pgbouncer_start ;;
    stop) stop ;;
    *) log "usage: $0 start|replica|replica-stop|replica-remove|replica-pause|replica-resume|pgbouncer|stop"; exit 2 ;;
esac

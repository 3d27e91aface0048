#!/usr/bin/env bash
# Local services without Docker: a real TimescaleDB and Redis on loopback.
#
#   scripts/services.sh start   provision (first run only) and start; write URLs into .env
#   scripts/services.sh stop    stop what `start` started
#   scripts/services.sh status
#   scripts/services.sh client  (re)write the wrappers of the server's pg_dump/pg_restore/psql
#
# TimescaleDB is not packaged for Debian bookworm, so it runs from a Debian trixie root
# (postgresql-17 + postgresql-17-timescaledb + postgresql-17-cron) built once with debootstrap
# and started with chroot on its own port. The root is cached outside the work tree, so every
# clone on the machine shares it; a second `start` only checks that the server answers.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

SERVICES_HOME="${MFG_SERVICES_HOME:-/var/lib/mfgplatform}"
ROOT="$SERVICES_HOME/timescaledb-trixie"
PGPORT="${MFG_TSDB_PORT:-5433}"
PGDATA_IN_ROOT="/srv/pgdata"
PG_BIN="/usr/lib/postgresql/17/bin"
DB_NAME="${MFG_DB_NAME:-mfgplatform}"
REDIS_PORT="${MFG_REDIS_PORT:-6379}"
REDIS_DIR="$SERVICES_HOME/redis"
STATE_DIR="$here/.services"   # what this checkout started, so `stop` stops only that

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
    [ "$(id -u)" -eq 0 ] || die "provisioning TimescaleDB needs root (debootstrap, chroot); run as root or use docker-compose.yml"
}

in_root_as_postgres() { chroot --userspec=postgres:postgres "$ROOT" "$@"; }

provision_root() {
    if [ -x "$ROOT$PG_BIN/postgres" ] && [ -f "$ROOT/usr/share/postgresql/17/extension/timescaledb.control" ]; then
        return
    fi
    need_root
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "installing debootstrap"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    log "building the TimescaleDB root in $ROOT (about a minute, once per machine)"
    rm -rf "$ROOT.partial"
    mkdir -p "$SERVICES_HOME"
    debootstrap --variant=minbase \
        --include=postgresql-17,postgresql-17-timescaledb,postgresql-17-cron \
        trixie "$ROOT.partial" >"$SERVICES_HOME/debootstrap.log" 2>&1 \
        || die "debootstrap failed; see $SERVICES_HOME/debootstrap.log"
    mv "$ROOT.partial" "$ROOT"
}

init_cluster() {
    [ -f "$ROOT$PGDATA_IN_ROOT/PG_VERSION" ] && return
    log "initialising the cluster"
    mkdir -p "$ROOT$PGDATA_IN_ROOT"
    chroot "$ROOT" chown postgres:postgres "$PGDATA_IN_ROOT"
    in_root_as_postgres "$PG_BIN/initdb" -D "$PGDATA_IN_ROOT" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 >/dev/null
    # Development and test settings only: trust auth on loopback. Production uses the Docker image
    # (docker-compose.yml) or a managed TimescaleDB with password authentication.
    cat >>"$ROOT$PGDATA_IN_ROOT/postgresql.conf" <<EOF

# --- mfgplatform local development server ---
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '/tmp'
shared_preload_libraries = 'timescaledb,pg_cron'
cron.database_name = '$DB_NAME'
dynamic_shared_memory_type = mmap
timescaledb.telemetry_level = off
max_connections = 200
shared_buffers = 2GB
work_mem = 32MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
synchronous_commit = off
fsync = ${MFG_TSDB_FSYNC:-on}
timezone = 'UTC'
EOF
    cat >"$ROOT$PGDATA_IN_ROOT/pg_hba.conf" <<'EOF'
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF
}

# pg_dump/pg_restore must be at least the server's major version (17); bookworm hosts ship 15.
# Wrappers run the root's own 17 client programs through the root's dynamic loader and libraries, so
# they need neither chroot nor root and see the host's paths. manage.py backup/restore find them here
# (mfgplatform/backup/client.py) unless PG_CLIENT_BIN_DIR names another client.
CLIENT_DIR="$SERVICES_HOME/pgclient/bin"
write_client_wrappers() {
    [ -x "$ROOT$PG_BIN/pg_dump" ] || return 0
    mkdir -p "$CLIENT_DIR"
    local libs="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu" program
    for program in pg_dump pg_restore psql; do
        printf '#!/bin/sh\nexec "%s" --library-path "%s" "%s" "$@"\n' \
            "$ROOT/lib64/ld-linux-x86-64.so.2" "$libs" "$ROOT$PG_BIN/$program" >"$CLIENT_DIR/$program.tmp"
        chmod 755 "$CLIENT_DIR/$program.tmp"
        mv "$CLIENT_DIR/$program.tmp" "$CLIENT_DIR/$program"
    done
}

tsdb_ready() { pg_isready -q -h 127.0.0.1 -p "$PGPORT" 2>/dev/null; }

# A server that was killed (machine stop, SIGKILL) leaves postmaster.pid behind; when no postgres process
# has that PID any more (or the PID now belongs to another program) the file is stale.
remove_stale_pidfile() {
    local pidfile="$ROOT$PGDATA_IN_ROOT/postmaster.pid" pid
    [ -f "$pidfile" ] || return 0
    pid="$(head -n 1 "$pidfile")"
    if ! ps -o comm= -p "$pid" 2>/dev/null | grep -q '^postgres'; then
        log "removing the stale lock file of a server that is no longer running (PID $pid)"
        rm -f "$pidfile"
    fi
}

start_tsdb() {
    if tsdb_ready; then
        log "TimescaleDB already answering on 127.0.0.1:$PGPORT"
    else
        need_root
        provision_root
        init_cluster
        remove_stale_pidfile
        log "starting TimescaleDB on 127.0.0.1:$PGPORT"
        # A server killed a moment ago may linger as a zombie that still owns its lock file: retry briefly.
        local attempt
        for attempt in 1 2 3 4 5; do
            in_root_as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_IN_ROOT" -l "$PGDATA_IN_ROOT/server.log" -w -t 60 start \
                >/dev/null 2>&1 && break
            [ "$attempt" -eq 5 ] && die "TimescaleDB did not start; see $ROOT$PGDATA_IN_ROOT/server.log"
            sleep 2
            remove_stale_pidfile
        done
        mkdir -p "$STATE_DIR"; touch "$STATE_DIR/tsdb.started"
    fi
    if ! psql -h 127.0.0.1 -p "$PGPORT" -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1; then
        log "creating database $DB_NAME"
        createdb -h 127.0.0.1 -p "$PGPORT" -U postgres "$DB_NAME"
    fi
    PGOPTIONS="-c client_min_messages=warning" \
        psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DB_NAME" -qc "CREATE EXTENSION IF NOT EXISTS timescaledb" >/dev/null
}

start_redis() {
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
        log "Redis already answering on 127.0.0.1:$REDIS_PORT"
        return
    fi
    command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    mkdir -p "$REDIS_DIR"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --pidfile "$REDIS_DIR/redis.pid"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    mkdir -p "$STATE_DIR"; touch "$STATE_DIR/redis.started"
}

# Add KEY=VALUE to .env unless the user already set KEY there.
env_default() {
    local key="$1" value="$2"
    touch .env
    grep -qE "^${key}=" .env || printf '%s=%s\n' "$key" "$value" >>.env
}

write_env() {
    env_default DATABASE_URL "postgres://postgres@127.0.0.1:$PGPORT/$DB_NAME"
    env_default REDIS_URL "redis://127.0.0.1:$REDIS_PORT/0"
    env_default DEBUG "true"
    # The demo plant's zone: its shift calendar then has the 7 h and 9 h daylight-saving nights.
    env_default PLANT_TIME_ZONE "Europe/Berlin"
    env_default SECRET_KEY "dev-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 56)"
}

stop_all() {
    if [ -f "$STATE_DIR/tsdb.started" ] && tsdb_ready; then
        log "stopping TimescaleDB"
        in_root_as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_IN_ROOT" -m fast -w stop >/dev/null || true
    fi
    rm -f "$STATE_DIR/tsdb.started"
    if [ -f "$STATE_DIR/redis.started" ]; then
        log "stopping Redis"
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    rm -f "$STATE_DIR/redis.started"
}

case "${1:-start}" in
    start) start_tsdb; write_client_wrappers; start_redis; write_env; log "ready: TimescaleDB 127.0.0.1:$PGPORT/$DB_NAME, Redis 127.0.0.1:$REDIS_PORT" ;;
    stop) stop_all ;;
    status)
        tsdb_ready && log "TimescaleDB up on $PGPORT" || log "TimescaleDB down"
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && log "Redis up on $REDIS_PORT" || log "Redis down" ;;
    client) write_client_wrappers; log "PostgreSQL client programs of the server: $CLIENT_DIR" ;;
    *) die "usage: $0 start|stop|status|client" ;;
esac

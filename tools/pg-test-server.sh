#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for lifeline's PostgreSQL tests (CI and local).
#
#   eval "$(tools/pg-test-server.sh start DIR)"   # prints `export LIFELINE_TEST_DATABASE_URL=...`
#   tools/pg-test-server.sh stop DIR              # stops the cluster and deletes DIR
#
# DIR must not exist yet (start creates it). The cluster listens on 127.0.0.1 only, on a
# free port, with its Unix socket inside DIR; role `lifeline` (CREATEDB, so tests can make a
# fresh database each) owns database `lifeline`. Needs Debian's `postgresql` package (the
# binaries under /usr/lib/postgresql/N/bin). Run as root it runs the cluster as `postgres`.
set -euo pipefail

die() {
    echo "pg-test-server: $*" >&2
    exit 2
}

pg_bin() {
    local initdb
    initdb=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
    [[ -n $initdb ]] || initdb=$(command -v initdb || true)
    [[ -n $initdb ]] || die "no initdb found; hint: apt-get install postgresql"
    dirname "$initdb"
}

# Runs a command as the cluster's owner: `postgres` when we are root (PostgreSQL refuses to
# run as root), ourselves otherwise.
as_owner() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1 bin port password
    [[ ! -e $dir ]] || die "\`$dir\` already exists"
    bin=$(pg_bin)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    ((EUID != 0)) || chown postgres: "$dir"
    # The superuser gets no password: it is reached only through the socket inside DIR.
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        {
            cat "$dir/initdb.log" >&2
            die "initdb failed"
        }
    port=$(free_port)
    # fsync off: a test cluster that loses its data on a power cut is fine, and it is faster.
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        die "pg_ctl start failed"
    }
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    as_owner "$bin/psql" --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --host="$dir" --port="$port" \
        --username=postgres --dbname=postgres >/dev/null <<SQL
CREATE ROLE lifeline LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE lifeline OWNER lifeline;
SQL
    echo "$port" >"$dir/port"
    printf 'export LIFELINE_TEST_DATABASE_URL=%q\n' "postgres://lifeline:$password@127.0.0.1:$port/lifeline"
}

stop() {
    local dir=$1 bin
    [[ -d $dir/data ]] || return 0
    bin=$(pg_bin)
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
start) start "${2:?usage: pg-test-server.sh start DIR}" ;;
stop) stop "${2:?usage: pg-test-server.sh stop DIR}" ;;
*) die "usage: pg-test-server.sh start|stop DIR" ;;
esac

# Sourced by tools/schemathesis.sh, bench/serve.sh and bench/dashboard.sh: a scratch folder and a
# fresh database for `lifeline serve`, removed when the script exits; `start_server` starts it.
#
#   serve_database TARGET PREFIX   # TARGET: `sqlite` or postgres://USER:PASS@HOST:PORT/DB
#
# Sets `tmp` (the scratch folder), `database` (the URL, also exported as
# LIFELINE_DATABASE_URL), `label` (SQLite or PostgreSQL) and XDG_DATA_HOME (the data folder
# holds a PostgreSQL database's key file: the admin commands and the server must share it).
# A PostgreSQL TARGET gets a new database PREFIX_PID_RANDOM on the same server (its user
# needs CREATEDB), dropped at exit. The caller sets `server_pid` once it starts the server;
# at exit a server still running gets SERVE_STOP_SIGNAL (default TERM). Needs `die`.
#
#   start_server BIN [SERVE FLAGS...]   # `BIN serve` on a free loopback port
#
# Sets `port`, `base` (http://127.0.0.1:PORT) and `server_pid`, logs to $tmp/serve.log, and
# returns once /healthz answers (dies, showing the log, if the server exits first).

serve_database_cleanup() {
    if [[ -n ${server_pid:-} ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "-${SERVE_STOP_SIGNAL:-TERM}" "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n ${pg_db:-} ]]; then
        psql --quiet --no-psqlrc "$pg_admin_url" -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "${tmp:?}"
}

serve_database() {
    local target=$1 prefix=$2
    tmp=$(mktemp -d)
    server_pid=
    pg_admin_url=
    pg_db=
    trap serve_database_cleanup EXIT
    case $target in
    sqlite)
        database="sqlite://$tmp/lifeline.db"
        label=SQLite
        ;;
    postgres://* | postgresql://*)
        command -v psql >/dev/null || die "psql is needed to make a fresh database; hint: apt-get install postgresql-client"
        pg_admin_url=$target
        pg_db="${prefix}_$$_${RANDOM}"
        psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 "$pg_admin_url" -c "CREATE DATABASE \"$pg_db\"" >/dev/null ||
            die "cannot create database \`$pg_db\` on the PostgreSQL server"
        # The same server and credentials, another database: replace the URL's path.
        database=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_admin_url" "$pg_db")
        label=PostgreSQL
        ;;
    *) die "\`$target\`: expected \`sqlite\` or a postgres:// URL" ;;
    esac
    export LIFELINE_DATABASE_URL=$database
    export XDG_DATA_HOME=$tmp/data
}

start_server() {
    local bin=$1
    shift
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    base="http://127.0.0.1:$port"
    "$bin" serve --listen "127.0.0.1:$port" "$@" >"$tmp/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || {
            cat "$tmp/serve.log" >&2
            die "the server exited"
        }
        sleep 0.1
    done
    die "the server did not answer on $base within 10 s"
}

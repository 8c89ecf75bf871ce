#!/usr/bin/env bash
# Throughput and latency of `lifeline serve` on loopback, with wrk: a stored stress report
# (GET /api/v1/jobs/{id}/result, authenticated, read from the database on each request) and,
# for scale, GET /healthz (no authentication, no database); plus the server's resident memory
# when idle, after start and after the load.
#
#   bench/serve.sh [sqlite|postgres://USER:PASS@127.0.0.1:PORT/DB] [NETWORK_FILE]
#
# Defaults: a fresh SQLite file, examples/iv-fluids.json. A PostgreSQL URL gets a fresh
# database created in it (USER needs CREATEDB) and dropped at the end.
# Environment: LIFELINE_BIN (default: the release build under $CARGO_TARGET_DIR or ./target;
# build it with `cargo build --release -p lifeline-cli`), BENCH_DURATION (seconds per run,
# default 15), BENCH_CONNECTIONS (64), BENCH_THREADS (2).
# wrk and the server share the machine: on 2 cores the figures are a floor, not a ceiling.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${LIFELINE_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/lifeline}
duration=${BENCH_DURATION:-15}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
target=${1:-sqlite}
network_file=${2:-$root/examples/iv-fluids.json}

die() {
    echo "bench/serve.sh: $*" >&2
    exit 2
}
[[ -x $bin ]] || die "\`$bin\` is not built; hint: cargo build --release -p lifeline-cli"
command -v wrk >/dev/null || die "wrk is not installed; hint: apt-get install wrk"
[[ -f $network_file ]] || die "\`$network_file\`: no such file"

# shellcheck source=../tools/serve-database.sh
source "$root/tools/serve-database.sh"
serve_database "$target" lifeline_bench
export NO_COLOR=1 LIFELINE_QUIET=1

"$bin" admin create-org bench >/dev/null
printf 'bench password 1\n' | "$bin" admin create-user --org bench --name bench --role admin >/dev/null
token=$("$bin" admin create-token --user bench)
auth="Authorization: Bearer $token"

start_server "$bin"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status"; }
sleep 1
rss_start=$(rss_kib)

json_field() { python3 -c 'import json, sys; d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d[k]
print(d)' "$1"; }
case $network_file in
*.zip) content_type=application/zip ;;
*.yaml | *.yml) content_type=application/yaml ;;
*) content_type=application/json ;;
esac
network=$(curl -fsS -H "$auth" -H "Content-Type: $content_type" --data-binary "@$network_file" \
    "$base/api/v1/networks?name=bench" | json_field id)
job=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' --data-binary '{}' \
    "$base/api/v1/networks/$network/stress" | json_field job.id)
state=
for _ in $(seq 1 3000); do
    state=$(curl -fsS -H "$auth" "$base/api/v1/jobs/$job" | json_field state)
    [[ $state == succeeded || $state == failed ]] && break
    sleep 0.1
done
[[ $state == succeeded ]] || die "stress job \`$job\` ended \`$state\`"
result_url="$base/api/v1/jobs/$job/result"
result_bytes=$(curl -fsS -H "$auth" "$result_url" | wc -c)
sleep 1
rss_idle=$(rss_kib)

wrk_runs=0
run_wrk() {
    local name=$1 url=$2 out
    out=$tmp/wrk-$((++wrk_runs)).txt
    shift 2
    wrk --threads "$threads" --connections "$connections" --duration "${duration}s" --latency "$@" "$url" >"$out"
    echo "== $name: $url" >&2
    cat "$out" >&2
    local rps p99 non2xx
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $5 }' "$out")
    [[ -z $non2xx ]] || die "$name: $non2xx responses were not 2xx"
    printf '%-28s %10s req/s   p99 %8s\n' "$name" "$rps" "$p99"
}

echo "lifeline serve on $label, $(nproc) cores, wrk -t$threads -c$connections -d${duration}s --latency"
echo "network $(basename "$network_file"); stress report $result_bytes bytes"
run_wrk "GET job result (stored)" "$result_url" -H "$auth"
run_wrk "GET /healthz" "$base/healthz"
echo "RSS: ${rss_start} KiB after start, ${rss_idle} KiB idle with the report stored, $(rss_kib) KiB after the load (peak $(hwm_kib) KiB)"

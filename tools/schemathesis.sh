#!/usr/bin/env bash
# Property-based tests of `lifeline serve`'s HTTP API against its own OpenAPI document
# (schemathesis), on a fresh database: SQLite, or a new database on a PostgreSQL server.
#
#   tools/schemathesis.sh sqlite
#   tools/schemathesis.sh postgres://USER:PASS@127.0.0.1:PORT/DB   # USER needs CREATEDB
#
# It makes an org, an admin user and a token with `lifeline admin`, starts `lifeline serve`
# on a free loopback port, uploads examples/iv-fluids.json and stresses it once (so the
# store holds a network, a job and a result, which must equal `lifeline stress --format json`
# byte for byte), then runs schemathesis against /api/v1/openapi.json with the bearer token,
# stops the server with SIGTERM and expects a clean exit. Exits non-zero when schemathesis finds a failure, when the server panics, dies
# or does not shut down cleanly; the failing requests are printed as curl commands.
#
# Environment: LIFELINE_BIN (default: $CARGO_TARGET_DIR or ./target, then debug/lifeline),
# SCHEMATHESIS_MAX_EXAMPLES (per operation and phase, default 25), SCHEMATHESIS_SEED
# (default 1: CI is reproducible; set another to explore), SCHEMATHESIS_TIMEOUT (seconds for
# the schemathesis run, default 300), SCHEMATHESIS_CHECKS (comma-separated, default: the five
# conformance checks below; `all` explores further).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${LIFELINE_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/lifeline}
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-25}
seed=${SCHEMATHESIS_SEED:-1}
run_timeout=${SCHEMATHESIS_TIMEOUT:-300}

die() {
    echo "schemathesis.sh: $*" >&2
    exit 2
}

target=${1:-}
[[ -n $target ]] || die "usage: tools/schemathesis.sh sqlite|postgres://USER:PASS@HOST:PORT/DB"
[[ -x $bin ]] || die "\`$bin\` is not built; hint: cargo build -p lifeline-cli"
# pip puts the command beside python3's scripts, which need not be on PATH (pyenv shims are
# rehashed lazily).
schemathesis=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/schemathesis
[[ -x $schemathesis ]] || schemathesis=$(command -v schemathesis) ||
    die "schemathesis is not installed; hint: python3 -m pip install schemathesis==4.32.5"
command -v curl >/dev/null || die "curl is not installed"

# The server is killed outright at exit if still running (a clean stop is checked below).
SERVE_STOP_SIGNAL=KILL
# shellcheck source=serve-database.sh
source "$root/tools/serve-database.sh"
serve_database "$target" lifeline_schemathesis
export NO_COLOR=1

echo "schemathesis.sh: $label, fresh database; $("$bin" --version 2>/dev/null || echo lifeline)"
"$bin" admin create-org acme >/dev/null
printf 'correct horse battery staple\n' | "$bin" admin create-user --org acme --name alice --role admin >/dev/null
token=$("$bin" admin create-token --user alice)
[[ -n $token ]] || die "\`lifeline admin create-token\` printed no token"
auth="Authorization: Bearer $token"

start_server "$bin"

server_log() {
    echo "---- lifeline serve (stderr, last 60 lines) ----" >&2
    tail -n 60 "$tmp/serve.log" >&2
    echo "----" >&2
}
fail() {
    echo "schemathesis.sh: FAILED ($label): $*" >&2
    server_log
    exit 1
}

curl -fsS -o /dev/null "$base/readyz" || fail "GET /readyz did not answer 200"

# curl_json METHOD PATH EXPECTED_STATUS [curl args...]: the body, or fail naming the request.
curl_json() {
    local method=$1 path=$2 want=$3 status
    shift 3
    status=$(curl -sS -o "$tmp/body" -w '%{http_code}' -X "$method" -H "$auth" "$@" "$base$path") ||
        fail "$method $path: no answer"
    [[ $status == "$want" ]] || fail "$method $path: HTTP $status, expected $want: $(head -c 2000 "$tmp/body")"
    cat "$tmp/body"
}
json_field() { python3 -c 'import json, sys; d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d[k]
print(d)' "$1"; }

network=$(curl_json POST "/api/v1/networks?name=iv-fluids" 201 -H 'Content-Type: application/json' \
    --data-binary "@$root/examples/iv-fluids.json" | json_field id)
job=$(curl_json POST "/api/v1/networks/$network/stress" 202 -H 'Content-Type: application/json' \
    --data-binary '{}' | json_field job.id)
state=
for _ in $(seq 1 600); do
    state=$(curl_json GET "/api/v1/jobs/$job" 200 | json_field state)
    [[ $state == succeeded || $state == failed ]] && break
    sleep 0.1
done
[[ $state == succeeded ]] || fail "stress job \`$job\` on \`$network\` ended \`$state\`"
# The stored report is the CLI's report, byte for byte.
curl_json GET "/api/v1/jobs/$job/result" 200 >"$tmp/result.json"
LIFELINE_QUIET=1 "$bin" stress "$root/examples/iv-fluids.json" --format json >"$tmp/cli.json"
cmp -s "$tmp/result.json" "$tmp/cli.json" ||
    fail "GET /api/v1/jobs/$job/result differs from \`lifeline stress examples/iv-fluids.json --format json\`"
# The example vendor register, so that the risk routes score rather than answer 409.
curl_json PUT "/api/v1/vendors" 201 -H 'Content-Type: application/json' \
    --data-binary "@$root/examples/iv-fluids.vendors.json" >/dev/null
vendor=north-cove-iv
echo "schemathesis.sh: seeded network $network, job $job and the vendor register"

# Random ids only ever reach the 404 branch: bind every path parameter to a dictionary of the
# ids that exist (the network, the job and a vendor), used for half of the generated values.
curl -fsS -o "$tmp/openapi.json" "$base/api/v1/openapi.json" || fail "GET /api/v1/openapi.json"
python3 - "$tmp/openapi.json" "$network" "$job" "$vendor" >"$tmp/schemathesis.toml" <<'PY' || fail "cannot read the OpenAPI document"
import json, sys
spec = json.load(open(sys.argv[1]))
names = set()
for item in spec.get("paths", {}).values():
    for operation in [item] + [v for v in item.values() if isinstance(v, dict)]:
        for parameter in operation.get("parameters", []):
            if isinstance(parameter, dict) and parameter.get("in") == "path":
                names.add(parameter["name"])
print("[dictionaries.existing]")
print("values = " + json.dumps(sys.argv[2:]))
print("[parameters]")
for name in sorted(names):
    print(json.dumps("path." + name) + ' = { dictionary = "existing", probability = 0.5 }')
PY

# Checks that hold for every response, in positive and negative modes alike. Workers: 1, so
# the server's two-core neighbour (cargo) keeps its share and the run is reproducible.
checks=${SCHEMATHESIS_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance}
st_status=0
(cd "$tmp" && timeout --signal=INT --kill-after=15 "$run_timeout" \
    "$schemathesis" --config-file "$tmp/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --header "$auth" \
    --checks "$checks" \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 1 \
    --request-timeout 30 \
    --suppress-health-check too_slow,filter_too_much \
    --output-truncate false) || st_status=$?

kill -0 "$server_pid" 2>/dev/null || fail "the server died during the run"
if grep -q 'panicked' "$tmp/serve.log"; then
    fail "the server logged a panic: $(grep -m 5 'panicked' "$tmp/serve.log")"
fi

# Graceful shutdown: SIGTERM, then a clean exit within 10 s.
kill -TERM "$server_pid"
for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
    fail "the server did not stop within 10 s of SIGTERM"
fi
serve_status=0
wait "$server_pid" || serve_status=$?
server_pid=
((serve_status == 0)) || fail "the server exited with status $serve_status after SIGTERM"

if ((st_status == 124)); then
    fail "schemathesis did not finish within ${run_timeout} s"
elif ((st_status != 0)); then
    fail "schemathesis found failures (exit $st_status; the failing requests are printed above as curl commands; seed $seed)"
fi
echo "schemathesis.sh: $label: passed"

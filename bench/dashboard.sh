#!/usr/bin/env bash
# The web dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
# first contentful paint of the overview and the stress page of the 1,700-node benchmark
# network (median of 5 loads), the overview's page weight, and on a 10,000-node network's
# page (/networks/{id}) the time until the map is drawn and the longest frame gap while the
# map is panned and zoomed with the mouse. Prints a markdown table on stdout (progress on
# stderr) and writes bench/out/dashboard.json.
#
#   bench/dashboard.sh [sqlite|postgres://USER:PASS@127.0.0.1:PORT/DB]
#
# It builds the release binary (`cargo build --release -p lifeline-cli`) unless LIFELINE_BIN
# names one, generates both networks (`lifeline generate --tiers 200,500,1000 --seed 7` and
# `--nodes 10000 --seed 7`), starts `lifeline serve` on loopback with a fresh database,
# uploads them through the API with a bearer token, runs their stress jobs (the 10k sweep
# takes about a minute on 2 cores; BENCH_10K_SAMPLE=K runs K scenarios of the default sweep
# instead, seeded), then runs bench/dashboard.mjs.
# Needs node and the browser tests' packages: npm ci --prefix crates/lifeline-cli/tests/browser
# Environment: LIFELINE_BIN, LIFELINE_CHROMIUM (default /usr/bin/chromium), BENCH_LOADS
# (loads per page, default 5), BENCH_10K_SAMPLE.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:-sqlite}
node_dir=$root/crates/lifeline-cli/tests/browser
chromium=${LIFELINE_CHROMIUM:-/usr/bin/chromium}

die() {
    echo "bench/dashboard.sh: $*" >&2
    exit 2
}
if [[ -z ${LIFELINE_BIN:-} ]]; then
    (cd "$root" && cargo build --release --quiet -p lifeline-cli) || die "the release build failed"
fi
bin=${LIFELINE_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/lifeline}
[[ -x $bin ]] || die "\`$bin\` is not built; hint: cargo build --release -p lifeline-cli"
command -v node >/dev/null || die "node is not installed; hint: apt-get install nodejs npm"
[[ -x $chromium ]] || die "no Chromium at \`$chromium\`; hint: apt-get install chromium"
[[ -f $node_dir/node_modules/playwright-core/package.json ]] ||
    die "the node packages are missing; hint: npm ci --prefix crates/lifeline-cli/tests/browser"

# shellcheck source=../tools/serve-database.sh
source "$root/tools/serve-database.sh"
serve_database "$target" lifeline_dashboard_bench
export NO_COLOR=1 LIFELINE_QUIET=1

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

log "generating the 1,700-node and the 10,000-node networks"
"$bin" generate --tiers 200,500,1000 --seed 7 --output "$tmp/bench-1700.json"
"$bin" generate --nodes 10000 --seed 7 --output "$tmp/bench-10k.json"

user=bench
password='bench dashboard password 1'
"$bin" admin create-org bench >/dev/null
printf '%s\n' "$password" | "$bin" admin create-user --org bench --name "$user" --role admin >/dev/null
token=$("$bin" admin create-token --user "$user")
auth="Authorization: Bearer $token"

start_server "$bin"

json_field() { python3 -c 'import json, sys; d = json.load(sys.stdin)
for k in sys.argv[1].split("."): d = d[k]
print(d)' "$1"; }

upload() {
    curl -fsS -H "$auth" -H 'Content-Type: application/json' --data-binary "@$1" \
        "$base/api/v1/networks?name=$2" | json_field id
}

stress() {
    curl -fsS -H "$auth" -H 'Content-Type: application/json' --data-binary "@$2" \
        "$base/api/v1/networks/$1/stress" | json_field job.id
}

wait_job() {
    local job=$1 state= started=$SECONDS
    while ((SECONDS - started < 900)); do
        state=$(curl -fsS -H "$auth" "$base/api/v1/jobs/$job" | json_field state)
        [[ $state == succeeded || $state == failed ]] && break
        sleep 0.5
    done
    [[ $state == succeeded ]] || {
        cat "$tmp/serve.log" >&2
        die "stress job \`$job\` ended \`$state\`"
    }
}

# The 10k network first, so that the 1.7k one is the latest (the overview's default).
echo '{}' >"$tmp/full.json"
if [[ -n ${BENCH_10K_SAMPLE:-} ]]; then
    python3 - "$tmp/bench-10k.json" "$BENCH_10K_SAMPLE" >"$tmp/sample-10k.json" <<'EOF'
import json, random, sys
doc = json.load(open(sys.argv[1]))
sweep = []
for kind, key in (("node", "nodes"), ("site", "sites"), ("platform", "platforms")):
    for ent in doc.get(key, []):
        if "ttr" in ent:
            sweep.append({"id": ent["id"], "ttr": ent["ttr"], "disrupt": [{kind: ent["id"], "capacity_factor": 0.0}]})
k = min(int(sys.argv[2]), len(sweep))
print(json.dumps({"scenarios": random.Random(7).sample(sweep, k)}))
EOF
    params_10k=$tmp/sample-10k.json
    scenarios_10k="$BENCH_10K_SAMPLE sampled scenarios"
else
    params_10k=$tmp/full.json
    scenarios_10k="full sweep"
fi
log "uploading; stress jobs (10k: $scenarios_10k)"
network_10k=$(upload "$tmp/bench-10k.json" bench-10k)
started=$SECONDS
job_10k=$(stress "$network_10k" "$params_10k")
wait_job "$job_10k"
log "10k stress job: $((SECONDS - started)) s"
network_1700=$(upload "$tmp/bench-1700.json" bench-1700)
started=$SECONDS
job_1700=$(stress "$network_1700" "$tmp/full.json")
wait_job "$job_1700"
log "1.7k stress job: $((SECONDS - started)) s"

mkdir -p "$root/bench/out"
LIFELINE_BASE_URL=$base LIFELINE_USER=$user LIFELINE_PASSWORD=$password \
    LIFELINE_NETWORK_1700=$network_1700 LIFELINE_NETWORK_10K=$network_10k \
    LIFELINE_CHROMIUM=$chromium BENCH_LOADS=${BENCH_LOADS:-5} \
    BENCH_LABEL="lifeline serve on $label, $(nproc) cores; 10k stress: $scenarios_10k" \
    BENCH_OUT=$root/bench/out/dashboard.json \
    node "$root/bench/dashboard.mjs"

#!/usr/bin/env bash
# The vendor risk register at scale: 5,000 vendors over a 10,000-node network
# (`lifeline generate --nodes 10000 --seed 7`), 200,000 scan findings over their products,
# scored by `lifeline_risk::score`. The stress sweep is timed apart from scoring (it runs
# once, through `lifeline stress --format json`, and the example reads its report); reading
# the scan JSON and writing the register's JSON are timed apart too. Target: scoring in
# under 2 s. Prints a Markdown table on stdout (progress on stderr).
#
#   bench/risk.sh [VENDORS [FINDINGS]]
#
# It builds the release example (`cargo build --release -p lifeline-risk --example
# risk_bench`) and, unless LIFELINE_BIN names one, the release CLI. Environment:
# LIFELINE_BIN, BENCH_NODES (default 10000), BENCH_STRESS (a saved report of the generated
# network, to skip the sweep).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vendors=${1:-5000}
findings=${2:-200000}
nodes=${BENCH_NODES:-10000}
target=${CARGO_TARGET_DIR:-$root/target}

die() {
    echo "bench/risk.sh: $*" >&2
    exit 2
}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if [[ -z ${LIFELINE_BIN:-} ]]; then
    (cd "$root" && cargo build --release --quiet -p lifeline-cli) || die "the release build of lifeline failed"
fi
bin=${LIFELINE_BIN:-$target/release/lifeline}
[[ -x $bin ]] || die "\`$bin\` is not built; hint: cargo build --release -p lifeline-cli"
(cd "$root" && cargo build --release --quiet -p lifeline-risk --example risk_bench) ||
    die "the release build of the risk_bench example failed"
example=$target/release/examples/risk_bench

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 LIFELINE_QUIET=1

log "generating the ${nodes}-node network"
"$bin" generate --nodes "$nodes" --seed 7 --output "$tmp/network.json"

stress=${BENCH_STRESS:-}
if [[ -z $stress ]]; then
    log "stress sweep of the ${nodes}-node network (every node with a TTR)"
    started=$(date +%s.%N)
    "$bin" stress "$tmp/network.json" --format json >"$tmp/stress.json"
    finished=$(date +%s.%N)
    sweep=$(python3 -c "print(f'{$finished - $started:.1f}')")
    stress=$tmp/stress.json
fi

log "scoring ${vendors} vendors with ${findings} findings"
echo "## Risk register: ${vendors} vendors, ${nodes}-node network, ${findings} findings"
echo
[[ -n ${sweep:-} ]] && echo "Stress sweep (\`lifeline stress --format json\`, wall clock): ${sweep} s" && echo
"$example" "$tmp/network.json" --vendors "$vendors" --findings "$findings" --stress "$stress"

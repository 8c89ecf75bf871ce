#!/usr/bin/env bash
# Declaring an incident at scale: `lifeline incident declare` on the 1,700-node benchmark
# network (`lifeline generate --tiers 200,500,1000 --seed 7`) and on a 10,000-node network
# (`lifeline generate --nodes 10000 --seed 7`), end to end: reading and validating the
# network, the day-by-day simulation over the horizon, the stress test of the declared
# disruption, matching the playbooks, instantiating their tasks and storing the first
# timeline entry in a fresh SQLite database. The declared entity is the supplier with the
# most customers (so the simulation and the LP have real work), down for 21 days, with
# the built-in manufacturing-plant-down playbook (generated nodes carry no `kind` to match).
# Targets (issue 16): under 1 s at 1,700 nodes, under 5 s at 10,000. Prints a Markdown
# table on stdout (median and slowest of RUNS runs, default 5), progress on stderr.
#
#   bench/incident.sh [RUNS]
#
# Builds the release CLI unless LIFELINE_BIN names one.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
target=${CARGO_TARGET_DIR:-$root/target}

die() {
    echo "bench/incident.sh: $*" >&2
    exit 2
}
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if [[ -z ${LIFELINE_BIN:-} ]]; then
    (cd "$root" && cargo build --release --quiet -p lifeline-cli) || die "the release build of lifeline failed"
fi
bin=${LIFELINE_BIN:-$target/release/lifeline}
[[ -x $bin ]] || die "\`$bin\` is not built; hint: cargo build --release -p lifeline-cli"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 LIFELINE_QUIET=1

# The node with the most outgoing edges among those with a ttr: the supplier whose outage
# reaches the most customers.
busiest() {
    python3 - "$1" <<'PY'
import json, sys, collections
doc = json.load(open(sys.argv[1]))
out = collections.Counter(e["from"] for e in doc["edges"])
ttr = {n["id"] for n in doc["nodes"] if n.get("ttr") is not None}
print(max(sorted(ttr), key=lambda n: out[n]))
PY
}

echo "## Incident declaration (\`lifeline incident declare\`, release, SQLite)"
echo
echo "| network | nodes | edges | declared entity | demand nodes | run short | TTS (d) | tasks | median | slowest | target |"
echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"
for spec in "1.7k:--tiers 200,500,1000:1 s" "10k:--nodes 10000:5 s"; do
    IFS=: read -r name gen goal <<<"$spec"
    log "generating the $name network"
    # shellcheck disable=SC2086
    "$bin" generate $gen --seed 7 --output "$tmp/$name.json"
    entity=$(busiest "$tmp/$name.json")
    times=()
    for run in $(seq "$runs"); do
        db="$tmp/$name-$run.db"
        started=$(date +%s.%N)
        "$bin" incident declare --network "$tmp/$name.json" --entity "$entity" \
            --expected-ttr 21 --kind site-outage --playbook manufacturing-plant-down \
            --at 2026-12-06T08:00:00Z \
            --database "sqlite://$db" --actor bench --format json >"$tmp/$name.incident.json"
        finished=$(date +%s.%N)
        times+=("$(python3 -c "print($finished - $started)")")
        log "$name run $run: ${times[-1]} s"
    done
    python3 - "$tmp/$name.json" "$tmp/$name.incident.json" "$entity" "$goal" "$name" "${times[@]}" <<'PY'
import json, statistics, sys
net = json.load(open(sys.argv[1]))
incident = json.load(open(sys.argv[2]))
entity, goal, name = sys.argv[3], sys.argv[4], sys.argv[5]
times = [float(t) for t in sys.argv[6:]]
print(f"| {name} | {len(net['nodes']):,} | {len(net['edges']):,} | `{entity}` | "
      f"{len(incident['impact']['demand']):,} | "
      f"{sum(1 for d in incident['impact']['demand'] if d['first_stockout_day'] is not None):,} | "
      f"{incident['impact']['stress']['tts']:.3g} | {len(incident['tasks'])} | "
      f"**{statistics.median(times):.2f} s** | {max(times):.2f} s | < {goal} |")
PY
done

#!/usr/bin/env bash
# lifeline-trace benchmark: hash N events (default 1,000,000) with lifeline and with the
# reference Python generator (epcis-event-hash-generator, PyPI) in the same run, check the
# hashes agree, then ingest + rule check into a fresh SQLite repository. Peak memory from
# /usr/bin/time. The driver prints wall and CPU seconds per phase, and the CPU of the
# busiest thread of each phase (ingest and check each run on two threads): on an idle
# machine with two cores a phase takes about its busiest thread's CPU in wall time.
# Findings are streamed and counted, not kept. Usage: bench/trace_bench.sh [EVENTS] [PYTHON_EVENTS]
#   PYTHON_EVENTS (default = EVENTS) lets the slow reference run on a prefix of the file.
# Needs: python3 -m venv /tmp/ehg && /tmp/ehg/bin/pip install epcis-event-hash-generator
set -euo pipefail
N=${1:-1000000}
PN=${2:-$N}
PY=${PY:-/tmp/ehg/bin/python}
WORK=${WORK:-/tmp/trace-bench}
cd "$(dirname "$0")/.."
mkdir -p "$WORK"
python3 bench/trace_generate.py --events "$N" > "$WORK/events.jsonld"
python3 bench/trace_generate.py --events "$PN" > "$WORK/events-py.jsonld"
ls -l "$WORK/events.jsonld"
cargo build --release -q -p lifeline-trace --example trace_bench
BIN=${CARGO_TARGET_DIR:-target}/release/examples/trace_bench
echo "== lifeline ($N events)"
/usr/bin/time -f "lifeline: %e s wall, %U s user, %M KiB max RSS" "$BIN" "$WORK/events.jsonld" "$WORK/trace.sqlite" "$WORK/lifeline.hashes"
echo "== reference Python generator ($PN events)"
/usr/bin/time -f "python: %e s wall, %U s user, %M KiB max RSS" "$PY" tools/trace_hash_oracle.py "$WORK/events-py.jsonld" > "$WORK/python.hashes"
if cmp -s <(head -n "$PN" "$WORK/lifeline.hashes") "$WORK/python.hashes"; then
  echo "hashes agree on all $PN events"
else
  echo "HASHES DIFFER"; exit 1
fi

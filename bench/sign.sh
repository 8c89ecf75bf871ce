#!/usr/bin/env bash
# Signing and verifying alerts on one core (issue 17: at least 20,000 alerts per second
# each): `crates/lifeline-share/benches/sign.rs` in release, pinned to one CPU with
# taskset when it is there. N messages (default 100,000), the example alert and
# directory of examples/partners/. Prints a Markdown table on stdout.
#
#   bench/sign.sh [N]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-100000}
cd "$root"
pin=()
if command -v taskset >/dev/null; then
    pin=(taskset -c 0)
fi
cargo bench --quiet -p lifeline-share --bench sign --no-run >&2
echo "## Signing and verifying alerts (one core, release)"
echo
"${pin[@]}" cargo bench --quiet -p lifeline-share --bench sign -- "$n"

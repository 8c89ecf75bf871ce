#!/usr/bin/env bash
# Fan-out benchmark (issue 17: an alert to 5,000 partner contacts in under 5 s over SMTP on
# loopback): 5,000 partner organisations with one contact each get one signed alert each
# (a fresh id, nonce and one-time acknowledgement link per contact), sent through a real
# SMTP server on loopback (PyPI's aiosmtpd, its Sink handler: accepts and discards) by
# lifeline-notify's Notifier over pooled connections. Prints the time and rate; fails when
# it takes 5 s or more.
#
#   bench/fanout.sh            # release build; FANOUT_CONNECTIONS=N (default 16)
#
# Needs aiosmtpd (pip install aiosmtpd). The SMTP server is a single Python process: on
# a small machine it, not lifeline, sets the pace (see BENCHMARKS.md).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
python3 -c 'import aiosmtpd' 2>/dev/null || {
    echo "bench/fanout.sh: needs PyPI's aiosmtpd: pip install aiosmtpd" >&2
    exit 2
}
cargo test --release -p lifeline-notify --test fanout -- --ignored --nocapture 2>&1 |
    grep -E '^fan-out:|panicked|test result'

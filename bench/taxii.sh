#!/usr/bin/env bash
# The TAXII 2.1 server against the reference server, in one run on the same machine:
# `lifeline serve` (a fresh database) gets one POST of 10,000 STIX objects; PyPI medallion 3
# (its memory backend, the reference implementation's default) starts with the same objects
# loaded (its add takes time that grows with the square of the collection: a POST of 10,000
# did not finish in 5 CPU-minutes here); then both are paged through with `limit` and `next` by the same Python client
# (bench/taxii_bench.py). Issue 17 asks: POST 10,000 objects in under 2 s; paging at least
# 5x as fast as medallion.
#
#   bench/taxii.sh [sqlite|postgres://USER:PASS@127.0.0.1:PORT/DB]
#
# Environment: LIFELINE_BIN (default: the release build under $CARGO_TARGET_DIR or ./target;
# build it with `cargo build --release -p lifeline-cli`), BENCH_OBJECTS (10000), BENCH_PAGE
# (objects per page, 1000), BENCH_RUNS (pagings, best counts, 3).
# Needs: pip install medallion requests. Client and servers share the machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${LIFELINE_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/lifeline}
target=${1:-sqlite}
objects=${BENCH_OBJECTS:-10000}
page=${BENCH_PAGE:-1000}
runs=${BENCH_RUNS:-3}

die() {
    echo "bench/taxii.sh: $*" >&2
    exit 2
}
[[ -x $bin ]] || die "\`$bin\` is not built; hint: cargo build --release -p lifeline-cli"
command -v medallion >/dev/null || die "medallion is not installed; hint: pip install medallion"

# shellcheck source=../tools/serve-database.sh
source "$root/tools/serve-database.sh"
serve_database "$target" lifeline_bench
export NO_COLOR=1 LIFELINE_QUIET=1

"$bin" admin create-org bench >/dev/null
printf 'bench password 1\n' | "$bin" admin create-user --org bench --name bench --role admin >/dev/null
token=$("$bin" admin create-token --user bench)
collection=$("$bin" taxii collection create --org bench --actor bench --title "Benchmark")
start_server "$bin"
org=$(curl -fsS -H "Authorization: Bearer $token" "$base/taxii2/" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["api_roots"][0].split("/")[2])')
lifeline_url="$base/taxii2/$org/collections/$collection/objects/"

# medallion: one API root with one empty, writable collection; pages up to 1,000.
medallion_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
python3 "$root/bench/taxii_bench.py" --medallion-data "$tmp/medallion-data.json" \
    --port "$medallion_port" --objects "$objects"
python3 -c 'import json, sys; json.dump({"backend": {"module": "medallion.backends.memory_backend",
    "module_class": "MemoryBackend", "filename": sys.argv[1]}, "users": {"bench": "bench password 1"},
    "taxii": {"max_page_size": 1000}}, open(sys.argv[2], "w"))' "$tmp/medallion-data.json" "$tmp/medallion.json"
medallion --host 127.0.0.1 --port "$medallion_port" "$tmp/medallion.json" >"$tmp/medallion.log" 2>&1 &
medallion_pid=$!
trap 'kill $medallion_pid 2>/dev/null || true; serve_database_cleanup' EXIT
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null -u "bench:bench password 1" -H "Accept: application/taxii+json;version=2.1" \
        "http://127.0.0.1:$medallion_port/taxii2/" 2>/dev/null && break
    kill -0 "$medallion_pid" 2>/dev/null || { cat "$tmp/medallion.log" >&2; die "medallion exited"; }
    sleep 0.2
done
medallion_url="http://127.0.0.1:$medallion_port/bench/collections/6f8e2a40-9c1b-4d3e-8a5f-0b7c6d5e4f31/objects/"

echo "lifeline: $("$bin" --version 2>/dev/null || echo "$bin") on $label; medallion $(python3 -c 'import medallion; print(getattr(medallion, "__version__", "?"))'); $(nproc) cores"
python3 "$root/bench/taxii_bench.py" --objects "$objects" --page "$page" --runs "$runs" \
    --server lifeline "$lifeline_url" bench "$token" \
    --preloaded medallion "$medallion_url" bench "bench password 1"

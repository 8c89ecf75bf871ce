#!/usr/bin/env bash
# Oracle (CI runs it on the golden OSCAL files): do lifeline's OSCAL documents load in compliance-trestle (the OSCAL
# Compass SDK that GRC pipelines use)? Needs Python 3 with venv, and PyPI once.
#
#   tools/oscal-trestle.sh                 # writes the test documents, checks all four
#   tools/oscal-trestle.sh AR.json POAM.json ...   # checks the given documents
#
# Installs compliance-trestle 3.12.4 (the last release line reading OSCAL 1.1.x; 4.x and
# 5.x read only OSCAL 1.2) into a venv under the cargo target dir, then for each document:
# loads it with trestle's pydantic models (unknown fields are errors), serialises it back
# and compares (nothing dropped), imports it into a scratch trestle workspace and runs
# `trestle validate` (duplicate UUIDs, references); and checks that a broken copy is
# refused, so a pass means something. CI installs it under target/ on each run.
#
# Timing on the dev machine (2 shared cores): 23 s from nothing (venv + pip install 13 s,
# writing the documents with `cargo test` 2 s once built, trestle 7 s for four documents:
# mostly its start-up, once per `trestle import`/`validate`); 10 s once installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
command -v python3 >/dev/null || { echo "oscal-trestle: python3 not found" >&2; exit 2; }
# Cargo's own target dir (CARGO_TARGET_DIR, .cargo/config, or ./target).
target=${CARGO_TARGET_DIR:-$(cd "$root" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}
venv=$target/oscal-trestle-venv
version=3.12.4

die() {
    echo "oscal-trestle: $*" >&2
    exit 2
}

if ! "$venv/bin/python" -c "import trestle, sys; sys.exit(trestle.__version__ != '$version')" 2>/dev/null; then
    echo "oscal-trestle: installing compliance-trestle $version into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "compliance-trestle==$version" \
        || die "pip install compliance-trestle==$version failed"
fi

if (($# == 0)); then
    out=$target/oscal-trestle-samples
    rm -rf "$out"
    echo "oscal-trestle: writing the test documents to $out" >&2
    (cd "$root" && LIFELINE_OSCAL_OUT=$out cargo test --quiet \
        -p lifeline-risk --test oscal both_documents_validate >/dev/null) \
        || die "cargo test -p lifeline-risk --test oscal failed"
    set -- "$out"/*.json
fi

exec "$venv/bin/python" "$here/oscal_trestle_check.py" "$@"

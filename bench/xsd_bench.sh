#!/usr/bin/env bash
# lifeline-xsd benchmark: streaming XSD validation of a large generated EPCIS 2.0 XML
# document (bench/xsd_generate.py), throughput and peak memory from /usr/bin/time, against
# the same XSDs loaded by lxml (libxml2 too, but whole-tree validation: the usual way Python
# tools validate EPCIS XML) as the peer.
# Usage: bench/xsd_bench.sh [EVENTS] [PEER_EVENTS] (defaults 1,000,000 and 100,000: lxml
# holds the whole tree, about 7 GB RSS and growing at 1 GB of XML, so the peer runs on a
# smaller document of the same shape). Needs: pip install lxml
set -euo pipefail
N=${1:-1000000}
PN=${2:-100000}
WORK=${WORK:-/tmp/xsd-bench}
cd "$(dirname "$0")/.."
mkdir -p "$WORK"
python3 bench/xsd_generate.py --events "$N" > "$WORK/epcis.xml"
python3 bench/xsd_generate.py --events "$N" --broken 1000 > "$WORK/epcis-broken.xml"
python3 bench/xsd_generate.py --events "$PN" > "$WORK/epcis-peer.xml"
ls -l "$WORK"/epcis*.xml
cargo build --release -q -p lifeline-xsd --example validate
BIN=${CARGO_TARGET_DIR:-target}/release/examples/validate
echo "== lifeline-xsd, valid document ($N events)"
/usr/bin/time -f "lifeline-xsd: %e s wall, %U s user, %M KiB max RSS" "$BIN" epcis "$WORK/epcis.xml"
echo "== lifeline-xsd, one event in 1000 broken"
/usr/bin/time -f "lifeline-xsd: %e s wall, %U s user, %M KiB max RSS" "$BIN" epcis "$WORK/epcis-broken.xml" > "$WORK/broken.txt" || true
echo "$(wc -l < "$WORK/broken.txt") problems printed; first: $(head -c 200 "$WORK/broken.txt")"
echo "== lifeline-xsd, valid document ($PN events)"
/usr/bin/time -f "lifeline-xsd: %e s wall, %U s user, %M KiB max RSS" "$BIN" epcis "$WORK/epcis-peer.xml"
echo "== lxml (whole tree), valid document ($PN events)"
/usr/bin/time -f "lxml: %e s wall, %U s user, %M KiB max RSS" python3 - "$WORK/epcis-peer.xml" <<'PY'
import os, sys, time
from lxml import etree
schema = etree.XMLSchema(etree.parse("crates/lifeline-xsd/schemas/epcis/EPCglobal-epcis-masterdata-2_0.xsd"))
started = time.perf_counter()
document = etree.parse(sys.argv[1], etree.XMLParser(huge_tree=True))
valid = schema.validate(document)
seconds = time.perf_counter() - started
megabytes = os.path.getsize(sys.argv[1]) / 1e6
print(f"lxml: {'valid' if valid else 'invalid'}, {megabytes:.1f} MB in {seconds:.2f} s = {megabytes / seconds:.1f} MB/s (parse + validate)", file=sys.stderr)
PY

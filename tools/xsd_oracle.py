#!/usr/bin/env python3
"""Second opinion for lifeline-xsd: validates the crate's test documents with the
pure-Python `xmlschema` package (an XSD 1.0 implementation independent of libxml2) against
the same embedded schema files, and prints one verdict per file.

Dev-only (never needed by users or by `cargo test`):

    pip install xmlschema==4.3.2
    python3 tools/xsd_oracle.py            # every file under crates/lifeline-xsd/tests/data
    python3 tools/xsd_oracle.py --compare  # also run the crate's example and diff verdicts

Exit status 1 when a verdict disagrees with the file name (valid-*/invalid-*; EPCIS
examples must be valid) or, with --compare, with lifeline-xsd.
"""
import argparse
import pathlib
import subprocess
import sys

import xmlschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATE = ROOT / "crates" / "lifeline-xsd"
SCHEMAS = CRATE / "schemas"
DATA = CRATE / "tests" / "data"


# EPCIS 1.2 event-hash vectors that use EPCIS 2.0 element placement under the 1.2 namespace.
KNOWN_INVALID = {"differentRepresentationsOfObjectEvent.xml", "numberPrecision.xml",
                 "timestampTimeZone.xml"}


def schema_for(path: pathlib.Path, cache: dict):
    parts = path.relative_to(DATA).parts
    if parts[0] == "epcis":
        key, entry = "epcis", SCHEMAS / "epcis" / "EPCglobal-epcis-masterdata-2_0.xsd"
    elif parts[0] == "epcis-1.2":
        key, entry = "epcis-1.2", SCHEMAS / "epcis" / "EPCglobal-epcis-1_2.xsd"
    else:
        key = parts[1]
        entry = SCHEMAS / "cyclonedx" / f"bom-{key}.xsd"
    if key not in cache:
        cache[key] = xmlschema.XMLSchema10(str(entry))
    return key, cache[key]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    cache: dict = {}
    wrong = 0
    files = sorted(DATA.rglob("*.xml"))
    for path in files:
        key, schema = schema_for(path, cache)
        errors = list(schema.iter_errors(str(path)))
        valid = not errors
        name = path.name
        expected = not (name.startswith("invalid-") or name in KNOWN_INVALID)
        verdict = "valid" if valid else f"invalid ({errors[0].reason})"
        mark = ""
        if expected is not None and expected != valid:
            mark = "  <-- name disagrees"
            wrong += 1
        if args.compare:
            set_name = key if key.startswith("epcis") else f"cyclonedx-{key}"
            run = subprocess.run(
                ["cargo", "run", "-q", "--release", "-p", "lifeline-xsd", "--example",
                 "validate", "--", set_name, str(path)],
                cwd=ROOT, capture_output=True, text=True, check=False)
            ours = run.returncode == 0
            if ours != valid:
                mark += "  <-- lifeline-xsd disagrees"
                wrong += 1
        print(f"{path.relative_to(DATA)}: {verdict[:160]}{mark}")
    print(f"{len(files)} files, {wrong} disagreements", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())

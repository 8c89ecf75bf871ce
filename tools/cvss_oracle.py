#!/usr/bin/env python3
"""Dev-only oracle for lifeline's CVSS base scores.

Re-scores every `(vector, score)` row of `crates/lifeline-vuln/tests/it/cvss.rs` with the
`cvss` Python package (Red Hat Product Security's implementation of the FIRST v3.x and
v4.0 calculators; `pip install cvss`) and reports any row whose expected score differs.
Exit code 0 when all rows agree.

    python3 tools/cvss_oracle.py
"""

import os
import re
import sys

from cvss import CVSS3, CVSS4

TABLE = os.path.join(os.path.dirname(__file__), "..", "crates", "lifeline-vuln", "tests", "it", "cvss.rs")


def main():
    rows = re.findall(r'\("(CVSS:[^"]+)",\s*([0-9.]+)\)', open(TABLE).read())
    wrong = 0
    for vector, expected in rows:
        score = CVSS4(vector).base_score if vector.startswith("CVSS:4.0/") else CVSS3(vector).base_score
        ok = abs(float(score) - float(expected)) < 1e-9
        wrong += not ok
        print(f"{'ok  ' if ok else 'DIFF'} {vector} expected {expected} oracle {score}")
    print(f"{len(rows) - wrong}/{len(rows)} rows agree")
    return 1 if wrong or not rows else 0


if __name__ == "__main__":
    sys.exit(main())

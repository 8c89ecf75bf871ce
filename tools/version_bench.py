#!/usr/bin/env python3
"""Dev-only benchmark for lifeline-version: the OSV matching hot path and the
peer ratio of parsing and sorting (CPU time, so that a busy machine
disturbs the figures less) versions against `packaging` (PyPI) and node
`semver` (npm) on the same 100,000 versions. Setup as in tools/version_oracle.py.

    cargo build --release -p lifeline-version --example version_bench
    NODE_PATH=/tmp/lifeline-oracle/node_modules \
      /tmp/lifeline-oracle-venv/bin/python tools/version_bench.py
"""

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import version_oracle  # noqa: E402  (the corpus generators)

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BINARY = TARGET / "release" / "examples" / "version_bench"

NODE_SORT = """
const semver = require("semver");
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\\n").filter(Boolean);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const t0 = cpu();
const valid = lines.filter((l) => semver.valid(l) !== null).map((l) => new semver.SemVer(l));
const t1 = cpu();
valid.sort((a, b) => a.compare(b));
const t2 = cpu();
console.log(`node semver ${valid.length} versions: parse ${t1 - t0} ms, sort ${t2 - t1} ms (CPU time)`);
"""


def ours(ecosystem, path):
    done = subprocess.run([str(BINARY), "sort", ecosystem, path], capture_output=True, text=True, check=True)
    line = done.stdout.strip()
    parse = float(line.split("parse ")[1].split(" ms")[0])
    sort = float(line.split(", sort ")[1].split(" ms")[0])
    return line, parse + sort


def main():
    if not BINARY.exists():
        sys.exit(f"build first: cargo build --release -p lifeline-version --example version_bench ({BINARY})")
    print(subprocess.run([str(BINARY), "match"], capture_output=True, text=True, check=True).stdout, end="")
    print(subprocess.run([str(BINARY), "match", "100000", "10000", "100"], capture_output=True, text=True, check=True).stdout, end="")
    r = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        pypi = [version_oracle.gen_pypi(r) for _ in range(100_000)]
        path = os.path.join(tmp, "pypi.txt")
        Path(path).write_text("\n".join(pypi) + "\n")
        line, mine = ours("PyPI", path)
        print("lifeline-version", line)
        from packaging.version import Version
        t0 = time.process_time()
        parsed = [Version(v) for v in pypi]
        t1 = time.process_time()
        parsed.sort()
        t2 = time.process_time()
        theirs = (t2 - t0) * 1e3
        print(f"packaging {len(parsed)} versions: parse {(t1 - t0) * 1e3:.2f} ms, sort {(t2 - t1) * 1e3:.2f} ms (CPU time)")
        print(f"PyPI peer ratio (packaging / lifeline-version, parse + sort): {theirs / mine:.1f}x")

        npm = [version_oracle.gen_semver(r) for _ in range(100_000)]
        path = os.path.join(tmp, "npm.txt")
        Path(path).write_text("\n".join(npm) + "\n")
        line, mine = ours("npm", path)
        print("lifeline-version", line)
        done = subprocess.run(["node", "-e", NODE_SORT, path], capture_output=True, text=True, check=True)
        out = done.stdout.strip()
        print(out)
        theirs = float(out.split("parse ")[1].split(" ms")[0]) + float(out.split(", sort ")[1].split(" ms")[0])
        print(f"npm peer ratio (node semver / lifeline-version, parse + sort): {theirs / mine:.1f}x")


if __name__ == "__main__":
    main()

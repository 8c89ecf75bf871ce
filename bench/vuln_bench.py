#!/usr/bin/env python3
"""Dev-only benchmark driver for `lifeline sbom scan` (standard library, plus `univers` for
the peer).

1. Generates the benchmark data with `bench/vuln_generate.py` when it is missing
   (100,000 OSV advisories in an `all.zip`, a 10,000-component CycloneDX SBOM, a KEV
   catalogue);
2. builds `lifeline` in release mode and runs `lifeline sbom scan ... --format json`
   `--runs` times under `/usr/bin/time -v`, reading the index load time and the scan time
   that lifeline prints on stderr, and the peak memory (maximum resident set size);
3. runs the peer `bench/vuln_peer.py` (the same matching in Python on `univers`) on the same
   data, and compares the two component by component: the set of OSV records matched per
   component must be the same;
4. prints a Markdown table for BENCHMARKS.md.

    python3 bench/vuln_bench.py [--runs 3] [--regenerate] [--no-peer]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "out", "vuln")


def run_lifeline(binary):
    command = ["/usr/bin/time", "-v", binary, "sbom", "scan", os.path.join(DATA, "bom.cdx.json"),
               "--osv", os.path.join(DATA, "all.zip"), "--kev", os.path.join(DATA, "kev.json"),
               "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    load = float(re.search(r"loaded .* in ([0-9.]+) s", done.stderr).group(1))
    scan = float(re.search(r"scanned .* in ([0-9.]+) s", done.stderr).group(1))
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([0-9.]+)", done.stderr)
    wall_s = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([0-9.]+)", done.stderr).group(1))
              for kind in ("User", "System"))
    return load, scan, rss_kib / 1024, wall_s, json.loads(done.stdout), cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    if args.regenerate or not os.path.exists(os.path.join(DATA, "all.zip")):
        subprocess.run([sys.executable, os.path.join(HERE, "vuln_generate.py"), "--out", DATA], check=True)
    subprocess.run(["cargo", "build", "--release", "-p", "lifeline-cli"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "release", "lifeline")

    runs = [run_lifeline(binary) for _ in range(args.runs)]
    load = statistics.median(r[0] for r in runs)
    scan = statistics.median(r[1] for r in runs)
    rss = max(r[2] for r in runs)
    wall = statistics.median(r[3] for r in runs)
    cpu = statistics.median(r[5] for r in runs)
    report = runs[-1][4]["reports"][0]
    ours = {}
    for finding in report["findings"]:
        ours.setdefault(finding["component"]["bomRef"], set()).update(finding["advisories"])
    findings = len(report["findings"])
    matched_records = sum(len(v) for v in ours.values())

    print(f"| lifeline | index load (100k advisories, zip) | scan (10k components) | peak RSS | wall | CPU (user+sys) |")
    print(f"|---|---|---|---|---|---|")
    print(f"| release, median of {args.runs} | {load:.2f} s | {scan:.3f} s | {rss:.0f} MiB | {wall:.2f} s | {cpu:.2f} s |")
    print(f"\nfindings (aliases merged): {findings}; (component, OSV record) matches: {matched_records}; "
          f"open KEV: {report['summary']['openKev']}; unmatched components: {report['summary']['unmatched']}")

    if args.no_peer:
        return 0
    done = subprocess.run([sys.executable, os.path.join(HERE, "vuln_peer.py"), "--osv", os.path.join(DATA, "all.zip"),
                           "--bom", os.path.join(DATA, "bom.cdx.json")], capture_output=True, text=True, check=True)
    peer = json.loads(done.stdout)
    theirs = {k: set(v) for k, v in peer["matches"].items()}
    components = set(ours) | set(theirs)
    agree = sum(1 for c in components if ours.get(c, set()) == theirs.get(c, set()))
    print(f"\n| peer (Python + univers) | index load | scan | lifeline speed-up (scan) | lifeline speed-up (load) |")
    print(f"|---|---|---|---|---|")
    print(f"| same data | {peer['load_seconds']:.2f} s | {peer['scan_seconds']:.2f} s | "
          f"{peer['scan_seconds'] / max(scan, 1e-9):.0f}x | {peer['load_seconds'] / max(load, 1e-9):.1f}x |")
    print(f"\nagreement: {agree}/{len(components)} components with identical matched-record sets; "
          f"peer (component, OSV record) matches: {sum(len(v) for v in theirs.values())}")
    shown = 0
    for component in sorted(components):
        a, b = ours.get(component, set()), theirs.get(component, set())
        if a != b and shown < 10:
            shown += 1
            print(f"  {component}: lifeline only {sorted(a - b)}, peer only {sorted(b - a)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The stress sweep called from Python against the same sweep from the command line.

Generates the 1,700-node benchmark network (`lifeline generate --tiers 200,500,1000
--seed 7`, with `--preset PRESET` when given), then times, alternating, RUNS times each:

  cli        `lifeline stress NET --format json --threads T -o FILE` (process start,
             load, sweep, JSON written), wall clock from Python's `subprocess`;
  py-report  in one Python process: `Network.load(NET)` then
             `net.stress_report(threads=T)` (load, sweep, the report as a dict);
  py-frame   the same with `net.stress(threads=T)` (a pandas DataFrame);
  py-process a fresh `python3 -c "import lifeline; ..."` doing py-report, interpreter
             start and imports (pandas included) counted.

It checks that the Python report equals the CLI's JSON, and prints a Markdown table
(medians, and the overhead of each Python path over the CLI) for BENCHMARKS.md, plus
`bench/out/python_bench.json`. Both sides must be release builds of the same source:
`cargo build --release -p lifeline-cli -p lifeline-py --features lifeline-py/extension-module`
builds both in one go; `--package-dir` points at a folder holding the `lifeline` package
with that `_native` (see bench/README.md), else the installed package is used.

    python3 bench/python_bench.py [--lifeline target/release/lifeline] [--runs 5]
        [--threads 2] [--preset realistic] [--package-dir DIR] [--network NET.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lifeline", default=str(REPO / "target" / "release" / "lifeline"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--preset", default=None, help="generator preset (easy|realistic)")
    ap.add_argument("--package-dir", default=None,
                    help="folder holding the `lifeline` package to import (default: installed)")
    ap.add_argument("--network", default=None, help="use this network instead of generating")
    args = ap.parse_args()

    if args.package_dir:
        sys.path.insert(0, str(Path(args.package_dir).resolve()))
    import lifeline  # noqa: E402  (after the path is set)

    env = dict(os.environ, LIFELINE_QUIET="1")
    if args.package_dir:
        env["PYTHONPATH"] = str(Path(args.package_dir).resolve())
    work = Path(tempfile.mkdtemp(prefix="python-bench-"))
    if args.network:
        net_path = Path(args.network)
    else:
        net_path = work / "bench-1700.json"
        generate = [args.lifeline, "generate", "--tiers", "200,500,1000", "--seed", "7"]
        if args.preset:
            generate += ["--preset", args.preset]
        subprocess.run([*generate, "-o", str(net_path)], check=True, env=env)
    out = work / "cli.json"
    cli = [args.lifeline, "stress", str(net_path), "--format", "json",
           "--threads", str(args.threads), "-o", str(out)]
    py_code = (
        "import lifeline, time, sys\n"
        f"net = lifeline.Network.load({str(net_path)!r})\n"
        f"net.stress_report(threads={args.threads})\n"
    )

    def time_cli() -> float:
        started = time.perf_counter()
        subprocess.run(cli, check=True, env=env)
        return time.perf_counter() - started

    def time_report() -> float:
        started = time.perf_counter()
        net = lifeline.Network.load(net_path)
        net.stress_report(threads=args.threads)
        return time.perf_counter() - started

    def time_frame() -> float:
        started = time.perf_counter()
        net = lifeline.Network.load(net_path)
        net.stress(threads=args.threads)
        return time.perf_counter() - started

    def time_process() -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", py_code], check=True, env=env)
        return time.perf_counter() - started

    log(f"warm-up and equality check on {net_path}")
    time_cli()
    expected = json.loads(out.read_text())
    got = lifeline.Network.load(net_path).stress_report(threads=args.threads)
    if got != expected:
        log("error: the Python report differs from the CLI's JSON")
        return 1
    scenarios = len(expected["scenarios"])

    timings: dict[str, list[float]] = {"cli": [], "py-report": [], "py-frame": [], "py-process": []}
    for run in range(args.runs):
        for name, fn in [("cli", time_cli), ("py-report", time_report),
                         ("py-frame", time_frame), ("py-process", time_process)]:
            timings[name].append(fn())
        log(f"run {run + 1}/{args.runs}: " + ", ".join(
            f"{k} {v[-1]:.3f} s" for k, v in timings.items()))

    median = {k: statistics.median(v) for k, v in timings.items()}
    base = median["cli"]
    rows = [
        ("`lifeline stress --format json` (CLI, process)", "cli"),
        ("`Network.load` + `stress_report()` (in Python)", "py-report"),
        ("`Network.load` + `stress()` → DataFrame (in Python)", "py-frame"),
        ("`python3 -c` doing the same as a fresh process", "py-process"),
    ]
    nodes = lifeline.Network.load(net_path).summary()["nodes"]
    print(f"\n1,700-node network ({nodes:,} nodes, {scenarios:,} scenarios"
          f"{', preset ' + args.preset if args.preset else ''}), {args.threads} threads, "
          f"median of {args.runs}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores\n")
    print("| path | median (s) | min (s) | overhead vs CLI |")
    print("|---|---:|---:|---:|")
    for label, key in rows:
        overhead = "—" if key == "cli" else f"{(median[key] - base) / base * 100:+.1f}%"
        print(f"| {label} | {median[key]:.3f} | {min(timings[key]):.3f} | {overhead} |")
    print("\nThe Python report equals the CLI's JSON (checked before timing).")

    results = REPO / "bench" / "out"
    results.mkdir(parents=True, exist_ok=True)
    (results / "python_bench.json").write_text(json.dumps({
        "network": str(net_path), "nodes": nodes, "scenarios": scenarios,
        "threads": args.threads, "runs": args.runs, "preset": args.preset,
        "timings_s": timings, "median_s": median,
    }, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs the national example on Ray: the stress test's sweep of every entity with a time
to recover, and a 100,000-replication Monte Carlo of an ordering-platform outage.

    pip install ./crates/lifeline-py ray
    python3 examples/national/generate.py            # writes examples/national/national.json
    python3 examples/national/run.py                 # a local Ray cluster on this machine
    python3 examples/national/run.py --address auto  # an existing cluster (`ray start`)

Both reports are written as JSON next to the network (``*.stress.json``,
``*.montecarlo.json``); they are the ones ``net.stress_report()`` and
``net.montecarlo_report(...)`` would give in one process, bit for bit
(``--check`` computes those too and compares, which takes as long again on one machine).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import lifeline
import lifeline.ray


def main() -> None:
    here = Path(__file__).parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", type=Path, default=here / "national.json")
    parser.add_argument("--address", default=None, help="Ray cluster (default: start one here)")
    parser.add_argument("--outage", default="order-platform-0")
    parser.add_argument("--replications", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--chunks", type=int, default=None)
    parser.add_argument("--check", action="store_true", help="compare with one process")
    args = parser.parse_args()

    import ray

    ray.init(address=args.address, log_to_driver=False)
    print(f"Ray: {ray.cluster_resources().get('CPU', 0):.0f} CPUs on {len(ray.nodes())} node(s)")

    started = time.monotonic()
    net = lifeline.Network.load(args.network)
    print(f"{net} loaded in {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    stress = lifeline.ray.stress(net, chunks=args.chunks)
    sweep_s = time.monotonic() - started
    out = args.network.with_suffix(".stress.json")
    out.write_text(json.dumps(stress, indent=2) + "\n")
    worst = stress["scenarios"][:5]
    print(f"sweep: {len(stress['scenarios'])} scenarios in {sweep_s:.1f} s -> {out}")
    for s in worst:
        print(f"  {s['id']:<28} REI {s['rei'] or 0:.3f}  TTS {s['tts']:.1f} d  TTR {s['ttr']}")

    options = dict(duration="ransomware-downtime", days=args.days, downtime_cost=None)
    started = time.monotonic()
    mc = lifeline.ray.montecarlo(
        net, args.outage, args.replications, args.seed, chunks=args.chunks, **options
    )
    mc_s = time.monotonic() - started
    out = args.network.with_suffix(".montecarlo.json")
    out.write_text(json.dumps(mc, indent=2) + "\n")
    totals = mc["totals"]
    print(
        f"Monte Carlo: {mc['replications']} replications of `{args.outage}` down in "
        f"{mc_s:.1f} s -> {out}\n"
        f"  P(some hospital runs short) = {totals['p_any_stockout']:.3f}, "
        f"hospitals short p50/p90/p99 = {totals['nodes_short']['p50']:.0f}/"
        f"{totals['nodes_short']['p90']:.0f}/{totals['nodes_short']['p99']:.0f}"
    )
    if "binned_quantile_error" in mc:
        print(
            "  (unmet-unit and loss percentiles binned to within "
            f"{100 * mc['binned_quantile_error']:.2f}%: the run keeps no per-replication list)"
        )

    if args.check:
        assert net.stress_report() == stress, "the sweep differs from one process"
        one = net.montecarlo_report(
            args.outage, replications=args.replications, seed=args.seed, **options
        )
        assert json.dumps(one) == json.dumps(mc), "Monte Carlo differs from one process"
        print("both reports equal the single-process ones, bit for bit")


if __name__ == "__main__":
    main()

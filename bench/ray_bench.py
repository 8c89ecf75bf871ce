#!/usr/bin/env python3
"""lifeline.ray against one process, on the national example, and a cost model for larger
clusters.

    pip install ./crates/lifeline-py ray==2.60.0
    python3 bench/ray_bench.py                       # 6,000 hospitals, 20,000 replications
    python3 bench/ray_bench.py --quick               # 600 hospitals, 2,048 replications

It measures, on a Ray cluster started on this machine (``--cpus`` CPUs, loopback only):

- one process on one thread, and on every core (``threads=None``): the reference times;
- Ray: the same sweep and Monte Carlo cut into tasks, and the speed-up against both;
- Ray's overhead per task (empty tasks), the network's size in the object store and the
  time to put it, the bytes each chunk returns, and the time to merge them;

then fits the cost model

    T(N nodes × C CPUs) = t_put + N·S_net/B + W/(N·C)·u + k·o/(N·C) + k·S_chunk/B + t_merge

(W: one-thread work in CPU-seconds, k: tasks, o: Ray's overhead per task, S_net: the
network in the object store, fetched once per node, S_chunk: bytes a task returns, B:
network bandwidth, u: the imbalance of the last wave, ⌈k/(N·C)⌉·N·C/k) and predicts 16
and 64 nodes of ``--cpus-per-node`` CPUs. Figures: a markdown table on stdout and
``--json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "national_generate", ROOT / "examples" / "national" / "generate.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def timed(f, repeat: int = 1):
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = f()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hospitals", type=int, default=6000)
    parser.add_argument("--replications", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--outage", default="order-platform-0")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--cpus-per-node", type=int, default=16)
    parser.add_argument("--bandwidth", type=float, default=1.25e9, help="bytes/s (10 GbE)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.quick:
        args.hospitals, args.replications = 600, 2048

    import lifeline
    import lifeline.ray as lray
    from lifeline import _native
    import ray
    import ray._private.services as services

    # Keep the local cluster on loopback (Ray would otherwise advertise and listen on the
    # machine's routable address); see crates/lifeline-py/tests/ray_loopback.py.
    services.node_ip_address_from_perspective = lambda address=None: "127.0.0.1"

    generate = load_generator().generate
    document = generate(hospitals=args.hospitals)
    path = Path(tempfile.mkdtemp(prefix="ray-bench-")) / "national.json"
    path.write_text(json.dumps(document))
    net = lifeline.Network.load(path)
    scenarios = _native.stress_scenario_count(net, None)
    mc = dict(days=args.days, replications=args.replications, seed=1)
    print(f"# {net}: {scenarios} scenarios; Monte Carlo {args.replications} replications of "
          f"{args.days} days, `{args.outage}` down", file=sys.stderr)

    rows = {}
    # One process.
    rows["sweep_1thread_s"], reference = timed(lambda: net.stress_report(threads=1))
    rows["sweep_all_threads_s"], _ = timed(lambda: net.stress_report())
    rows["mc_1thread_s"], mc_reference = timed(
        lambda: net.montecarlo_report(args.outage, threads=1, **mc)
    )
    rows["mc_all_threads_s"], _ = timed(lambda: net.montecarlo_report(args.outage, **mc))

    # The cluster.
    started = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
    rows["ray_start_s"] = time.perf_counter() - started

    @ray.remote(num_cpus=1)
    def nothing(x):
        return x

    ray.get([nothing.remote(i) for i in range(args.cpus * 4)])  # warm the workers
    tasks = 400
    elapsed, _ = timed(lambda: ray.get([nothing.remote(i) for i in range(tasks)]), 3)
    rows["ray_overhead_per_task_ms"] = 1000 * elapsed * args.cpus / tasks

    rows["network_pickled_bytes"] = len(pickle.dumps(net))
    rows["network_put_s"], _ = timed(lambda: ray.put(net), 3)

    sweep_chunks = 4 * args.cpus
    blocks = _native.montecarlo_block_count(args.replications)
    mc_chunks = min(blocks, 2 * args.cpus)
    rows["sweep_ray_s"], on_ray = timed(
        lambda: lray.stress(net, chunks=sweep_chunks, progress=False)
    )
    assert json.dumps(on_ray) == json.dumps(reference), "sweep differs from one process"
    rows["mc_ray_s"], mc_on_ray = timed(
        lambda: lray.montecarlo(net, args.outage, chunks=mc_chunks, progress=False, **mc)
    )
    assert json.dumps(mc_on_ray) == json.dumps(mc_reference), "Monte Carlo differs"

    # What a chunk returns, and the merges.
    bounds = [scenarios * i // sweep_chunks for i in range(sweep_chunks + 1)]
    parts = [
        _native.stress_chunk(net, None, a, b, threads=1)
        for a, b in zip(bounds, bounds[1:])
        if b > a
    ]
    rows["sweep_chunk_bytes"] = sum(map(len, parts)) / len(parts)
    rows["sweep_merge_s"], _ = timed(lambda: _native.stress_merge(parts), 3)
    cuts = [blocks * i // mc_chunks for i in range(mc_chunks + 1)]
    mc_parts = [
        _native.montecarlo_chunk(net, args.outage, a, b, threads=1, **mc)
        for a, b in zip(cuts, cuts[1:])
        if b > a
    ]
    rows["mc_part_bytes"] = sum(map(len, mc_parts)) / len(mc_parts)
    rows["mc_merge_s"], _ = timed(
        lambda: _native.montecarlo_merge(net, args.outage, mc_parts, **mc), 1
    )
    ray.shutdown()

    rows["sweep_speedup_vs_1thread"] = rows["sweep_1thread_s"] / rows["sweep_ray_s"]
    rows["sweep_speedup_vs_all_threads"] = rows["sweep_all_threads_s"] / rows["sweep_ray_s"]
    rows["mc_speedup_vs_1thread"] = rows["mc_1thread_s"] / rows["mc_ray_s"]
    rows["mc_speedup_vs_all_threads"] = rows["mc_all_threads_s"] / rows["mc_ray_s"]

    # The cost model, for 100,000 replications (the national example's run).
    def predict(work_s, tasks_k, chunk_bytes, merge_s, nodes, cpus):
        slots = nodes * cpus
        waves = math.ceil(tasks_k / slots)
        imbalance = waves * slots / tasks_k
        return (
            rows["network_put_s"]
            + nodes * rows["network_pickled_bytes"] / args.bandwidth
            + work_s / slots * imbalance
            + tasks_k * rows["ray_overhead_per_task_ms"] / 1000 / slots
            + tasks_k * chunk_bytes / args.bandwidth
            + merge_s
        )

    scale = 100_000 / args.replications
    model = {}
    for nodes in (1, 16, 64):
        cpus = args.cpus if nodes == 1 else args.cpus_per_node
        slots = nodes * cpus
        sweep_k = min(scenarios, 4 * slots)
        mc_blocks = _native.montecarlo_block_count(100_000)
        mc_k = min(mc_blocks, 2 * slots)
        model[nodes] = {
            "cpus": slots,
            "sweep_s": predict(
                rows["sweep_1thread_s"], sweep_k, rows["sweep_chunk_bytes"],
                rows["sweep_merge_s"], nodes, cpus,
            ),
            "mc_100k_s": predict(
                rows["mc_1thread_s"] * scale, mc_k, rows["mc_part_bytes"],
                rows["mc_merge_s"] * mc_k / len(mc_parts), nodes, cpus,
            ),
        }
    rows["model"] = model

    print(f"| national example, {args.hospitals} hospitals ({scenarios} scenarios) | seconds / figure |")
    print("|---|---|")
    for key, value in rows.items():
        if key == "model":
            continue
        print(f"| {key} | {value:.4g} |")
    print()
    print(f"| cost model (C = {args.cpus_per_node} CPUs a node, B = {args.bandwidth:.3g} B/s) "
          "| CPUs | sweep s | Monte Carlo 100k s |")
    print("|---|---|---|---|")
    print(f"| this machine (measured fit) | {model[1]['cpus']} | {model[1]['sweep_s']:.3g} | {model[1]['mc_100k_s']:.3g} |")
    for nodes in (16, 64):
        m = model[nodes]
        print(f"| {nodes} nodes | {m['cpus']} | {m['sweep_s']:.3g} | {m['mc_100k_s']:.3g} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""lifeline.ray against one process, on the national example, and a cost model for larger
clusters.

    pip install ./crates/lifeline-py ray==2.60.0
    python3 bench/ray_bench.py                       # 6,000 hospitals, 4,096 replications
    python3 bench/ray_bench.py --quick               # 600 hospitals, 2,048 replications

It measures, on this machine:

- one process on one thread, and on every core (``threads=None``): the reference times;
- what a Ray worker pays once per run (the network read back from the object store, and
  for the sweep the undisrupted optima its first chunk solves), each scenario's time alone,
  a Monte Carlo block's time and what a task adds to its blocks;
- on a Ray cluster started here (``--cpus`` CPUs, loopback only): the same sweep and Monte
  Carlo cut into tasks, the speed-up against both references, Ray's overhead per task
  (empty tasks), the network's size in the object store and the time to put it, the bytes
  each chunk returns, and the time to merge them;

then the cost model: the driver puts the network once (t_put) and each of N nodes fetches
it (N·S_net/B, B the network bandwidth); each slot (N·C of them) reads it back and, for the
sweep, solves the optima before its first task; the k tasks (every k-th scenario, or consecutive
block ranges, as lifeline.ray cuts them, each costing its measured work plus Ray's overhead) go
to whichever slot frees first; their results come back (k·S_chunk/B) and are merged. It
checks itself against the measured runs on this machine and predicts the full sweep and a
100,000-replication Monte Carlo on 16 and 64 nodes of ``--cpus-per-node`` CPUs. Figures:
a markdown table on stdout and ``--json``.
"""

from __future__ import annotations

import argparse
import heapq
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
    parser.add_argument("--replications", type=int, default=4096)
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
    # One process. Each timing gets a network of its own: a Network keeps the stress
    # test's undisrupted optima after its first sweep, and every run here must pay for them.
    def fresh():
        return lifeline.Network.load(path)

    for key, threads in (("sweep_1thread_s", 1), ("sweep_all_threads_s", None)):
        other = fresh()
        rows[key], reference = timed(lambda: other.stress_report(threads=threads))
    rows["mc_1thread_s"], mc_reference = timed(
        lambda: net.montecarlo_report(args.outage, threads=1, **mc)
    )
    rows["mc_all_threads_s"], _ = timed(lambda: net.montecarlo_report(args.outage, **mc))

    # What a worker pays once per run: the network read back from the object store
    # (parsed and validated again), and the stress test's undisrupted optima (solved by
    # its first chunk, kept for the others).
    pickled = pickle.dumps(net)
    rows["network_pickled_bytes"] = len(pickled)
    rows["network_restore_s"], restored = timed(lambda: pickle.loads(pickled), 3)
    first, _ = timed(lambda: _native.stress_chunk(restored, None, 0, 1, threads=1))
    again, _ = timed(lambda: _native.stress_chunk(restored, None, 0, 1, threads=1), 3)
    rows["baseline_solve_s"] = first - again
    # Each scenario alone on one thread (from the kept optima): the spread of the work.
    scenario_s = []
    for i in range(scenarios):
        t, _ = timed(lambda: _native.stress_chunk(restored, None, i, i + 1, threads=1))
        scenario_s.append(t)
    rows["scenario_mean_ms"] = 1000 * sum(scenario_s) / scenarios
    rows["scenario_max_ms"] = 1000 * max(scenario_s)
    # A Monte Carlo block on one thread, and what a task adds to its blocks.
    blocks = _native.montecarlo_block_count(args.replications)
    block_s = rows["mc_1thread_s"] / blocks
    one_block, _ = timed(
        lambda: _native.montecarlo_chunk(restored, args.outage, 0, 1, threads=1, **mc), 3
    )
    rows["mc_block_s"] = block_s
    rows["mc_task_fixed_s"] = max(0.0, one_block - block_s)

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
    rows["network_put_s"], _ = timed(lambda: ray.put(net), 3)

    sweep_chunks = min(scenarios, 4 * args.cpus)
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
    bounds = cuts(scenarios, sweep_chunks)
    parts = [_native.stress_chunk(restored, None, a, b, threads=1) for a, b in bounds]
    rows["sweep_chunk_bytes"] = sum(map(len, parts)) / len(parts)
    rows["sweep_merge_s"], _ = timed(lambda: _native.stress_merge(parts), 3)
    mc_parts = [
        _native.montecarlo_chunk(restored, args.outage, a, b, threads=1, **mc)
        for a, b in cuts(blocks, mc_chunks)
    ]
    rows["mc_part_bytes"] = sum(map(len, mc_parts)) / len(mc_parts)
    rows["mc_merge_s"], _ = timed(
        lambda: _native.montecarlo_merge(net, args.outage, mc_parts, **mc), 1
    )
    # The merge again from one part per block: what a part adds to the merge, and what it
    # costs whatever the parts (the time to survive it compares with, the report).
    block_parts = [
        _native.montecarlo_chunk(restored, args.outage, b, b + 1, threads=1, **mc)
        for b in range(blocks)
    ]
    merge_blocks, _ = timed(
        lambda: _native.montecarlo_merge(net, args.outage, block_parts, **mc), 1
    )
    if blocks > len(mc_parts):
        rows["mc_merge_per_part_s"] = max(
            0.0, (merge_blocks - rows["mc_merge_s"]) / (blocks - len(mc_parts))
        )
    else:
        rows["mc_merge_per_part_s"] = 0.0
    rows["mc_merge_fixed_s"] = max(
        0.0, rows["mc_merge_s"] - len(mc_parts) * rows["mc_merge_per_part_s"]
    )
    ray.shutdown()

    rows["sweep_speedup_vs_1thread"] = rows["sweep_1thread_s"] / rows["sweep_ray_s"]
    rows["sweep_speedup_vs_all_threads"] = rows["sweep_all_threads_s"] / rows["sweep_ray_s"]
    rows["mc_speedup_vs_1thread"] = rows["mc_1thread_s"] / rows["mc_ray_s"]
    rows["mc_speedup_vs_all_threads"] = rows["mc_all_threads_s"] / rows["mc_ray_s"]

    # The cost model. Tasks are cut as lifeline.ray cuts them, handed to
    # the N·C slots in order, each to the slot that frees first; a slot's first task also
    # reads the network (and, for the sweep, solves the optima).
    overhead = rows["ray_overhead_per_task_ms"] / 1000

    def makespan(task_s, slots, setup_s):
        free = [setup_s] * min(slots, len(task_s))
        heapq.heapify(free)
        for t in task_s:
            heapq.heapreplace(free, free[0] + t + overhead)
        return max(free)

    def predict(task_s, part_bytes, merge_s, nodes, cpus, setup_s):
        return (
            rows["network_put_s"]
            + nodes * rows["network_pickled_bytes"] / args.bandwidth
            + makespan(task_s, nodes * cpus, rows["network_restore_s"] + setup_s)
            + len(task_s) * part_bytes / args.bandwidth
            + merge_s
        )

    def sweep_tasks(k):
        k = max(1, min(k, scenarios))
        return [sum(scenario_s[j::k]) for j in range(k)]

    def mc_tasks(replications, k):
        count = _native.montecarlo_block_count(replications)
        return [(b - a) * block_s + rows["mc_task_fixed_s"] for a, b in cuts(count, k)]

    def mc_merge(k):
        return rows["mc_merge_fixed_s"] + k * rows["mc_merge_per_part_s"]

    model = {
        "this machine": {
            "cpus": args.cpus,
            "sweep_s": predict(
                sweep_tasks(sweep_chunks), rows["sweep_chunk_bytes"],
                rows["sweep_merge_s"], 1, args.cpus, rows["baseline_solve_s"],
            ),
            "sweep_measured_s": rows["sweep_ray_s"],
            "mc_s": predict(
                mc_tasks(args.replications, mc_chunks), rows["mc_part_bytes"],
                rows["mc_merge_s"], 1, args.cpus, 0.0,
            ),
            "mc_measured_s": rows["mc_ray_s"],
        }
    }
    mc_blocks_100k = _native.montecarlo_block_count(100_000)
    for nodes in (16, 64):
        slots = nodes * args.cpus_per_node
        k_sweep = min(scenarios, 4 * slots)
        k_mc = min(mc_blocks_100k, 2 * slots)
        model[f"{nodes} nodes"] = {
            "cpus": slots,
            "sweep_s": predict(
                sweep_tasks(k_sweep), rows["sweep_chunk_bytes"] * sweep_chunks / k_sweep,
                rows["sweep_merge_s"], nodes, args.cpus_per_node, rows["baseline_solve_s"],
            ),
            "mc_100k_s": predict(
                mc_tasks(100_000, k_mc), rows["mc_part_bytes"], mc_merge(k_mc),
                nodes, args.cpus_per_node, 0.0,
            ),
            "mc_100k_one_process_s": block_s * mc_blocks_100k,
        }
    rows["model"] = model

    print(f"| national example, {args.hospitals} hospitals ({scenarios} scenarios; "
          f"Monte Carlo {args.replications} replications) | seconds / figure |")
    print("|---|---|")
    for key, value in rows.items():
        if key == "model":
            continue
        print(f"| {key} | {value:.4g} |")
    print()
    here = model["this machine"]
    print(f"| cost model (C = {args.cpus_per_node} CPUs a node, B = {args.bandwidth:.3g} B/s) "
          "| CPUs | sweep s | Monte Carlo s |")
    print("|---|---|---|---|")
    print(f"| this machine, predicted | {args.cpus} | {here['sweep_s']:.3g} | {here['mc_s']:.3g} "
          f"({args.replications} replications) |")
    print(f"| this machine, measured | {args.cpus} | {here['sweep_measured_s']:.3g} | "
          f"{here['mc_measured_s']:.3g} |")
    for nodes in (16, 64):
        m = model[f"{nodes} nodes"]
        print(f"| {nodes} nodes, predicted | {m['cpus']} | {m['sweep_s']:.3g} | "
              f"{m['mc_100k_s']:.3g} (100,000 replications; one thread: "
              f"{m['mc_100k_one_process_s']:.4g}) |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


def cuts(total: int, count: int):
    """``total`` items in ``count`` consecutive ranges, as lifeline.ray cuts them."""
    count = max(1, min(count, total))
    bounds = [total * i // count for i in range(count + 1)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


if __name__ == "__main__":
    main()

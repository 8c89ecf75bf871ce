#!/usr/bin/env python3
"""Benchmark of `lifeline simulate` / `lifeline montecarlo` against SupplyNetPy and stockpyl.

Dev-only. In one run, on the same machine:

(a) the issue's case: 1 manufacturer (unlimited supply) -> 20 DCs ((s,S), lead time 3) ->
    1,000 hospitals ((s,S), lead time 1, demand 100/day), DC 0 down on days 10-24, 365 days.
    Times SupplyNetPy 0.5.1 (`simulate_sc_net`, logging off), stockpyl 1.0.2
    (`sim.simulation`) and `lifeline simulate` (wall time of the process, and the engine's
    own time from its stderr line), and reports the ratios.
(b) 1,000 Monte Carlo replications of that case with `lifeline montecarlo` (DC 0 down from
    day 10 for a ransomware-downtime duration) on 2 threads and on 1 thread.
(c) SupplyNetPy's own N-node protocol (their `examples/notebooks/data/benchmark_performance.py`:
    about N/5 suppliers, N/10 manufacturers, N/7 distributors, the rest retailers, echelons
    all-to-all, 500 time units, median wall time of `simulate_sc_net`), mapped to lifeline
    (see `bench/sim_bench.md`), with the ratio per N.

Writes bench/out/sim_bench.json and bench/out/sim_bench.md (and the generated lifeline
networks under bench/out/). Needs `pip install supplynetpy==0.5.1 stockpyl==1.0.2` and a
release build: `cargo build --release -p lifeline-cli`.

    python3 bench/sim_bench.py [--lifeline PATH] [--quick] [--stockpyl-hospitals 1000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from importlib.metadata import version

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")

# The issue's case.
HOSPITAL_DEMAND = 100.0
HOSPITAL_S = (200.0, 500.0)  # (s, S): reorder at 2 days of demand, up to 5 days
DC_S = (20000.0, 40000.0)  # per DC of 50 hospitals (5,000/day): 4 and 8 days
DC_LEAD, HOSPITAL_LEAD = 3, 1
OUTAGE_START, OUTAGE_DAYS, DAYS = 10, 15, 365  # days 10..24


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# (a) the issue's case


def issue_lifeline(dcs: int, hospitals: int) -> dict:
    """The case as a lifeline-network/1 document. Hospitals are listed before the DCs so
    that each DC orders after seeing the day's hospital orders (lifeline's order step walks
    nodes in document order)."""
    nodes = []
    edges = []
    for h in range(hospitals):
        dc = h * dcs // hospitals
        nodes.append(
            {
                "id": f"H{h}",
                "kind": "hospital",
                "material": "ITEM",
                "demand": HOSPITAL_DEMAND,
                "inventory": HOSPITAL_S[1],
                "policy": {"type": "s_S", "s": HOSPITAL_S[0], "S": HOSPITAL_S[1]},
            }
        )
        edges.append({"from": f"DC{dc}", "to": f"H{h}", "lead_time": HOSPITAL_LEAD})
    for d in range(dcs):
        nodes.append(
            {
                "id": f"DC{d}",
                "kind": "distributor",
                "material": "ITEM",
                "inventory": DC_S[1],
                "policy": {"type": "s_S", "s": DC_S[0], "S": DC_S[1]},
            }
        )
        edges.append({"from": "MFG", "to": f"DC{d}", "lead_time": DC_LEAD})
    nodes.append({"id": "MFG", "kind": "manufacturer", "material": "ITEM"})
    return {
        "format": "lifeline-network/1",
        "name": f"sim benchmark: 1 manufacturer, {dcs} DCs, {hospitals} hospitals",
        "time_unit": "day",
        "horizon": DAYS,
        "nodes": nodes,
        "edges": edges,
        "scenarios": [
            {
                "id": "dc0-down",
                "ttr": OUTAGE_DAYS,
                "start": OUTAGE_START,
                "disrupt": [{"node": "DC0", "capacity_factor": 0}],
            }
        ],
    }


def issue_supplynetpy(dcs: int, hospitals: int):
    import SupplyNetPy.Components as scm
    from SupplyNetPy.Components.core import RawMaterial

    item = RawMaterial(ID="ITEM", name="item", extraction_quantity=10**9, extraction_time=1, mining_cost=0, cost=1)
    nodes = [{"ID": "MFG", "name": "MFG", "node_type": "infinite_supplier", "raw_material": item}]
    links, demands = [], []
    for d in range(dcs):
        node = {
            "ID": f"DC{d}",
            "name": f"DC{d}",
            "node_type": "distributor",
            "capacity": DC_S[1],
            "initial_level": DC_S[1],
            "inventory_holding_cost": 0.1,
            "replenishment_policy": scm.SSReplenishment,
            "policy_param": {"s": DC_S[0], "S": DC_S[1]},
            "product_buy_price": 1,
            "product_sell_price": 2,
        }
        if d == 0:
            # node_disrupt_time is the time to the *next* disruption, asked again after each
            # recovery: one outage at t = 10, lasting 15 (t in [10, 25)), then none.
            # SupplyNetPy calls it once more when the node is built, to check that it
            # returns a number (`ensure_numeric_callable`): that first call does not count.
            calls = [0]

            def next_disruption(calls=calls):
                calls[0] += 1
                return OUTAGE_START if calls[0] <= 2 else 10**9

            node["node_disrupt_time"] = next_disruption
            node["node_recovery_time"] = lambda: OUTAGE_DAYS
        nodes.append(node)
        links.append({"ID": f"L_MFG_DC{d}", "source": "MFG", "sink": f"DC{d}", "cost": 1, "lead_time": lambda: DC_LEAD})
    for h in range(hospitals):
        dc = h * dcs // hospitals
        nodes.append(
            {
                "ID": f"H{h}",
                "name": f"H{h}",
                "node_type": "retailer",
                "capacity": HOSPITAL_S[1],
                "initial_level": HOSPITAL_S[1],
                "inventory_holding_cost": 0.1,
                "replenishment_policy": scm.SSReplenishment,
                "policy_param": {"s": HOSPITAL_S[0], "S": HOSPITAL_S[1]},
                "product_buy_price": 2,
                "product_sell_price": 3,
            }
        )
        links.append({"ID": f"L_DC{dc}_H{h}", "source": f"DC{dc}", "sink": f"H{h}", "cost": 1, "lead_time": lambda: HOSPITAL_LEAD})
        demands.append(
            {
                "ID": f"d_H{h}",
                "name": "demand",
                "order_arrival_model": lambda: 1,
                "order_quantity_model": lambda: HOSPITAL_DEMAND,
                "demand_node": f"H{h}",
            }
        )
    return nodes, links, demands


def time_supplynetpy(nodes, links, demands, sim_time: float) -> tuple[float, float, dict]:
    """(build seconds, simulate seconds, a few results). Only `simulate_sc_net` is timed as
    the simulation, garbage collection off, as in SupplyNetPy's own benchmark."""
    import SupplyNetPy.Components as scm

    t0 = time.perf_counter()
    net = scm.create_sc_net(nodes, links, demands)
    built = time.perf_counter() - t0
    gc.collect()
    gc.disable()
    c0 = time.process_time()
    t0 = time.perf_counter()
    scm.simulate_sc_net(net, sim_time=sim_time, logging=False)
    simulated = time.perf_counter() - t0
    cpu = time.process_time() - c0
    gc.enable()
    results = {k: net.get(k) for k in ("shortage", "lost_sales", "disruption_lost_sales", "backorders")}
    results["cpu_s"] = cpu
    disrupted = net["nodes"].get("DC0") if isinstance(net.get("nodes"), dict) else None
    if disrupted is not None:
        results["DC0_disruptions"] = getattr(getattr(disrupted, "stats", None), "disruptions", None)
    return built, simulated, results


def issue_stockpyl(dcs: int, hospitals: int):
    from stockpyl.disruption_process import DisruptionProcess
    from stockpyl.supply_chain_network import network_from_edges

    # 0: manufacturer (external supply: unlimited), 1..dcs: DCs, then hospitals.
    ids = list(range(1 + dcs + hospitals))
    edges = [(0, 1 + d) for d in range(dcs)]
    edges += [(1 + h * dcs // hospitals, 1 + dcs + h) for h in range(hospitals)]
    big = 1e12
    policy_type, base_stock, reorder, up_to, init, lead, demand_type, demand_list = {}, {}, {}, {}, {}, {}, {}, {}
    policy_type[0], base_stock[0], init[0], lead[0], demand_type[0] = "BS", big, big, 0, None
    for d in range(dcs):
        i = 1 + d
        policy_type[i], reorder[i], up_to[i], init[i], lead[i], demand_type[i] = "sS", DC_S[0], DC_S[1], DC_S[1], DC_LEAD, None
    for h in range(hospitals):
        i = 1 + dcs + h
        policy_type[i], reorder[i], up_to[i], init[i], lead[i] = "sS", HOSPITAL_S[0], HOSPITAL_S[1], HOSPITAL_S[1], HOSPITAL_LEAD
        demand_type[i], demand_list[i] = "D", [HOSPITAL_DEMAND]
    network = network_from_edges(
        edges,
        node_order_in_lists=ids,
        policy_type=policy_type,
        base_stock_level=base_stock,
        reorder_point=reorder,
        order_up_to_level=up_to,
        initial_inventory_level=init,
        shipment_lead_time=lead,
        demand_type=demand_type,
        demand_list=demand_list,
        local_holding_cost=0.0,
        stockout_cost=0.0,
    )
    # DC 0 down: receipt-pausing (it ships what it has, receives nothing until day 25),
    # lifeline's rule for a disrupted node (see tools/sim_peer.py).
    states = [OUTAGE_START <= t < OUTAGE_START + OUTAGE_DAYS for t in range(DAYS + 1)]
    network.nodes_by_index[1].disruption_process = DisruptionProcess(
        random_process_type="E", disruption_type="RP", disruption_state_list=states
    )
    return network


def time_stockpyl(dcs: int, hospitals: int) -> tuple[float, float, dict]:
    from stockpyl import sim

    t0 = time.perf_counter()
    network = issue_stockpyl(dcs, hospitals)
    built = time.perf_counter() - t0
    c0 = time.process_time()
    t0 = time.perf_counter()
    sim.simulation(network, DAYS, rand_seed=1, progress_bar=False, consistency_checks="N")
    simulated = time.perf_counter() - t0
    cpu = time.process_time() - c0
    short_nodes, short_days = 0, 0
    for node in network.nodes:
        if node.demand_source is None or node.demand_source.type is None:
            continue
        p = node.product_indices[0]
        days = sum(1 for t in range(DAYS) if node.state_vars[t].backorders_by_successor[None][p] > 1e-9)
        short_days += days
        short_nodes += days > 0
    return built, simulated, {"hospitals_short": short_nodes, "shortage_days": short_days, "cpu_s": cpu}


# ---------------------------------------------------------------------------------------
# lifeline


ENGINE_SIM = re.compile(r"days of \d+ nodes in ([0-9.]+) s")
ENGINE_MC = re.compile(r"replications of \d+ days in ([0-9.]+) s")


CPU_SECONDS: dict[str, float] = {}


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_lifeline(args: list[str], pattern: re.Pattern) -> tuple[float, float, str]:
    """(process wall seconds, engine seconds from the stderr line, stdout). The process's
    CPU seconds (user + system, all threads) go to CPU_SECONDS["last"]: on a shared
    machine they say more than the wall time."""
    env = dict(os.environ)
    env.pop("LIFELINE_QUIET", None)
    cpu0 = child_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    CPU_SECONDS["last"] = child_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    match = pattern.search(proc.stderr)
    if match is None:
        raise RuntimeError(f"no timing line in stderr of {' '.join(args)}: {proc.stderr[-500:]}")
    return wall, float(match.group(1)), proc.stdout


def best_of(runs: int, fn):
    """Best (by wall time) of `runs` lifeline runs, with the least CPU time among them in
    CPU_SECONDS["best"]."""
    results, cpus = [], []
    for _ in range(runs):
        results.append(fn())
        cpus.append(CPU_SECONDS["last"])
    CPU_SECONDS["best"] = min(cpus)
    return min(results, key=lambda r: r[0]), results


def lifeline_summary(report: dict) -> dict:
    short = [d for d in report["demand_nodes"] if d["shortage_days"] > 0]
    return {
        "hospitals_short": len(short),
        "shortage_days": sum(d["shortage_days"] for d in short),
        "unmet_units": round(sum(d["unmet_units"] for d in short), 6),
    }


# ---------------------------------------------------------------------------------------
# (c) SupplyNetPy's N-node protocol


def protocol_counts(n: int) -> tuple[int, int, int, int]:
    n_sup = max(1, n // 5)
    n_man = max(1, n // 10)
    n_dis = max(1, n // 7)
    n_ret = max(1, n - n_sup - n_man - n_dis)
    return n_sup, n_man, n_dis, n_ret


# Their parameters: manufacturers (s,S) = (200, 800), start 200, batch 100 per time unit;
# distributors (100, 400), start 150; retailers (40, 150), start 80; lead times exponential
# with mean 3; each retailer gets orders of 10 units at exponential interarrival, rate 1.
PROTOCOL_LEAD = 3
PROTOCOL_DEMAND = 10.0
PROTOCOL_MAN_RATE = 100.0
PROTOCOL_L = 500


def protocol_supplynetpy(n: int):
    import SupplyNetPy.Components as scm
    from SupplyNetPy.Components.core import Product, RawMaterial

    n_sup, n_man, n_dis, n_ret = protocol_counts(n)
    rm = RawMaterial(ID="RM", name="raw", extraction_quantity=1000, extraction_time=1, mining_cost=1, cost=2)
    nodes, links, demands = [], [], []
    sup = [f"S{i}" for i in range(n_sup)]
    man = [f"M{i}" for i in range(n_man)]
    dis = [f"D{i}" for i in range(n_dis)]
    ret = [f"R{i}" for i in range(n_ret)]
    for sid in sup:
        nodes.append({"ID": sid, "name": sid, "node_type": "infinite_supplier", "raw_material": rm})
    for i, mid in enumerate(man):
        prod = Product(ID=f"P{i}", name="prod", manufacturing_cost=1, manufacturing_time=1, sell_price=15,
                       raw_materials=[(rm, 1)], batch_size=100)
        nodes.append({"ID": mid, "name": mid, "node_type": "manufacturer", "capacity": 1000, "initial_level": 200,
                      "inventory_holding_cost": 0.5, "product_sell_price": 15,
                      "replenishment_policy": scm.SSReplenishment, "policy_param": {"s": 200, "S": 800},
                      "product": prod})
    for did in dis:
        nodes.append({"ID": did, "name": did, "node_type": "distributor", "capacity": 500, "initial_level": 150,
                      "inventory_holding_cost": 0.5, "replenishment_policy": scm.SSReplenishment,
                      "policy_param": {"s": 100, "S": 400}, "product_buy_price": 10, "product_sell_price": 13})
    for rid in ret:
        nodes.append({"ID": rid, "name": rid, "node_type": "retailer", "capacity": 200, "initial_level": 80,
                      "inventory_holding_cost": 0.5, "replenishment_policy": scm.SSReplenishment,
                      "policy_param": {"s": 40, "S": 150}, "product_buy_price": 13, "product_sell_price": 18})
    for a_ids, b_ids in ((sup, man), (man, dis), (dis, ret)):
        for b in b_ids:
            for a in a_ids:
                links.append({"ID": f"L_{a}_{b}", "source": a, "sink": b, "cost": 3,
                              "lead_time": (lambda: random.expovariate(1 / 3))})
    for rid in ret:
        demands.append({"ID": f"d_{rid}", "name": "dem", "order_arrival_model": (lambda: random.expovariate(1)),
                        "order_quantity_model": (lambda: 10), "demand_node": rid})
    return nodes, links, demands


def protocol_lifeline(n: int) -> dict:
    """The same network in lifeline: exponential lead times and demand replaced by their
    means (lead time 3 on every edge, 10 units a day per retailer), one material per echelon
    so that every node can buy from every node of the echelon above, SupplyNetPy's (s,S)
    levels and starting stock, manufacturers making at most one batch (100) a day."""
    n_sup, n_man, n_dis, n_ret = protocol_counts(n)
    sup = [f"S{i}" for i in range(n_sup)]
    man = [f"M{i}" for i in range(n_man)]
    dis = [f"D{i}" for i in range(n_dis)]
    ret = [f"R{i}" for i in range(n_ret)]
    nodes = []
    for rid in ret:
        nodes.append({"id": rid, "kind": "retailer", "material": "RETAIL", "demand": PROTOCOL_DEMAND, "inventory": 80,
                      "policy": {"type": "s_S", "s": 40, "S": 150}})
    for did in dis:
        nodes.append({"id": did, "kind": "distributor", "material": "PROD", "inventory": 150,
                      "policy": {"type": "s_S", "s": 100, "S": 400}})
    for mid in man:
        nodes.append({"id": mid, "kind": "manufacturer", "material": "MADE", "inventory": 200,
                      "capacity": PROTOCOL_MAN_RATE, "policy": {"type": "s_S", "s": 200, "S": 800}})
    for sid in sup:
        nodes.append({"id": sid, "kind": "supplier", "material": "RM"})
    edges = []
    for a_ids, b_ids in ((sup, man), (man, dis), (dis, ret)):
        for b in b_ids:
            for a in a_ids:
                edges.append({"from": a, "to": b, "lead_time": PROTOCOL_LEAD})
    return {
        "format": "lifeline-network/1",
        "name": f"SupplyNetPy N-node protocol, N = {n}",
        "time_unit": "day",
        "horizon": PROTOCOL_L,
        "nodes": nodes,
        "edges": edges,
        # Their protocol has no disruption; a scenario that changes nothing.
        "scenarios": [{"id": "none", "disrupt": [{"node": sup[0], "capacity_factor": 1}]}],
    }


# ---------------------------------------------------------------------------------------


def fmt(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lifeline", default=None, help="lifeline binary (default: $CARGO_TARGET_DIR or target/release)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for trying the script")
    parser.add_argument("--stockpyl-hospitals", type=int, default=1000,
                        help="hospitals in the stockpyl run of (a) (0: skip); DCs scale as hospitals/50")
    parser.add_argument("--protocol-n", default="50,100,200,350,500,750,1000,1500,2000")
    parser.add_argument("--protocol-budget", type=float, default=60.0,
                        help="seconds of SupplyNetPy replications per N (at least 1, at most 30)")
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--skip", default="", help="comma list of parts to skip: a,b,c")
    parser.add_argument("--name", default="sim_bench", help="output files bench/out/NAME.json and NAME.md")
    args = parser.parse_args()

    lifeline = args.lifeline or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "lifeline"
    )
    if not os.path.exists(lifeline):
        sys.exit(f"no lifeline binary at {lifeline}: cargo build --release -p lifeline-cli")
    os.makedirs(OUT, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    dcs, hospitals = (4, 200) if args.quick else (20, 1000)

    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_at_start": os.getloadavg()},
        "versions": {"supplynetpy": version("supplynetpy"), "stockpyl": version("stockpyl")},
        "lifeline": lifeline,
    }
    md: list[str] = []

    if "a" not in skip or "b" not in skip:
        doc = issue_lifeline(dcs, hospitals)
        issue_path = os.path.join(OUT, f"sim_issue_{hospitals}.json")
        with open(issue_path, "w") as f:
            json.dump(doc, f)

    if "a" not in skip:
        log(f"(a) lifeline simulate, {hospitals} hospitals ...")
        cmd = [lifeline, "simulate", issue_path, "--scenario", "dc0-down", "--days", str(DAYS), "--format", "json"]
        (wall, engine, stdout), runs = best_of(5, lambda: run_lifeline(cmd, ENGINE_SIM))
        cpu = CPU_SECONDS["best"]
        ours = lifeline_summary(json.loads(stdout))
        log(f"    wall {fmt(wall)}, engine {fmt(engine)}, cpu {fmt(cpu)}; {ours}")
        log("(a) SupplyNetPy ...")
        built, snp, snp_results = time_supplynetpy(*issue_supplynetpy(dcs, hospitals), DAYS)
        log(f"    build {fmt(built)}, simulate {fmt(snp)}; {snp_results}")
        part_a = {
            "hospitals": hospitals,
            "dcs": dcs,
            "days": DAYS,
            "lifeline_wall_s": wall,
            "lifeline_engine_s": engine,
            "lifeline_cpu_s": cpu,
            "lifeline_runs": [[r[0], r[1]] for r in runs],
            "lifeline_result": ours,
            "supplynetpy_build_s": built,
            "supplynetpy_simulate_s": snp,
            "supplynetpy_result": snp_results,
            "ratio_supplynetpy_over_lifeline_wall": snp / wall,
            "ratio_supplynetpy_over_lifeline_engine": snp / engine,
            "ratio_supplynetpy_over_lifeline_cpu": snp_results["cpu_s"] / cpu,
        }
        md += [
            f"### (a) 1 manufacturer → {dcs} DCs → {hospitals:,} hospitals, DC 0 down days 10–24, {DAYS} days",
            "",
            "| tool | time | lifeline is faster by |",
            "|---|---|---|",
            f"| lifeline `simulate` (process wall time, best of 5; includes load, baseline check, report) | {fmt(wall)} | — |",
            f"| lifeline engine (its stderr line: the scenario run) | {fmt(engine)} | — |",
            f"| lifeline process CPU time (user + system) | {fmt(cpu)} | — |",
            f"| SupplyNetPy {results['versions']['supplynetpy']} `simulate_sc_net` (build {fmt(built)} not counted; CPU {fmt(snp_results['cpu_s'])}) | {fmt(snp)} | "
            f"{snp / wall:,.0f}× (wall), {snp / engine:,.0f}× (engine), {snp_results['cpu_s'] / cpu:,.0f}× (CPU) |",
        ]
        sp_h = 0 if args.quick else args.stockpyl_hospitals
        if args.quick and args.stockpyl_hospitals:
            sp_h = hospitals
        if sp_h:
            sp_dcs = max(1, sp_h // 50)
            log(f"(a) stockpyl, {sp_h} hospitals ...")
            built_sp, sp, sp_results = time_stockpyl(sp_dcs, sp_h)
            log(f"    build {fmt(built_sp)}, simulate {fmt(sp)}; {sp_results}")
            part_a.update(
                {
                    "stockpyl_hospitals": sp_h,
                    "stockpyl_build_s": built_sp,
                    "stockpyl_simulate_s": sp,
                    "stockpyl_result": sp_results,
                }
            )
            if sp_h == hospitals:
                part_a["ratio_stockpyl_over_lifeline_wall"] = sp / wall
                md.append(
                    f"| stockpyl {results['versions']['stockpyl']} `sim.simulation` (build {fmt(built_sp)} not counted; CPU {fmt(sp_results['cpu_s'])}) | {fmt(sp)} | "
                    f"{sp / wall:,.0f}× (wall), {sp / engine:,.0f}× (engine), {sp_results['cpu_s'] / cpu:,.0f}× (CPU) |"
                )
            else:
                md.append(f"| stockpyl {results['versions']['stockpyl']}, {sp_h} hospitals only | {fmt(sp)} | — |")
        md += [
            "",
            f"Outcome: lifeline {ours['hospitals_short']} hospitals short, {ours['shortage_days']} hospital-days; "
            + (
                f"stockpyl {part_a['stockpyl_result']['hospitals_short']} hospitals short, "
                f"{part_a['stockpyl_result']['shortage_days']} hospital-days; "
                if "stockpyl_result" in part_a
                else ""
            )
            + f"SupplyNetPy shortage {snp_results['shortage']}, lost sales {snp_results['lost_sales']}, "
            f"disruption lost sales {snp_results['disruption_lost_sales']}.",
            "",
        ]
        results["a"] = part_a

    if "b" not in skip:
        md += [
            f"### (b) {args.replications:,} Monte Carlo replications of (a): DC 0 down from day 10, duration `ransomware-downtime`",
            "",
            "| threads | wall time (process) | engine | CPU time (process) | per replication (engine) |",
            "|---|---|---|---|---|",
        ]
        part_b = {}
        for threads in (2, 1):
            log(f"(b) lifeline montecarlo, {args.replications} replications, {threads} thread(s) ...")
            cmd = [lifeline, "montecarlo", issue_path, "--outage", "DC0", "--duration", "ransomware-downtime",
                   "--start", f"fixed:{OUTAGE_START}", "--replications", str(args.replications), "--seed", "1",
                   "--threads", str(threads), "--days", str(DAYS), "--format", "json"]
            (wall, engine, stdout), runs = best_of(3, lambda: run_lifeline(cmd, ENGINE_MC))
            cpu = CPU_SECONDS["best"]
            report = json.loads(stdout)
            worst = max(report["demand_nodes"], key=lambda d: d["p_stockout"])
            log(f"    wall {fmt(wall)}, engine {fmt(engine)}; worst P(stockout) {worst['id']} {worst['p_stockout']}")
            part_b[str(threads)] = {"wall_s": wall, "engine_s": engine, "cpu_s": cpu, "runs": [[r[0], r[1]] for r in runs],
                                    "worst": {"id": worst["id"], "p_stockout": worst["p_stockout"]}}
            md.append(f"| {threads} | {fmt(wall)} | {fmt(engine)} | {fmt(cpu)} | {fmt(engine / args.replications)} |")
        if part_b["1"]["wall_s"] and part_b["2"]["wall_s"]:
            md += ["", f"Speed-up on 2 threads: {part_b['1']['engine_s'] / part_b['2']['engine_s']:.2f}×.", ""]
        results["b"] = part_b

    if "c" not in skip:
        ns = [50, 100] if args.quick else [int(x) for x in args.protocol_n.split(",")]
        md += [
            f"### (c) SupplyNetPy's N-node protocol, L = {PROTOCOL_L} time units",
            "",
            "| N | edges | SupplyNetPy median (reps) | lifeline engine | lifeline wall | lifeline CPU | ratio (engine) | ratio (wall) | ratio (CPU) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        part_c = []
        for n in ns:
            doc = protocol_lifeline(n)
            path = os.path.join(OUT, f"sim_protocol_{n}.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            cmd = [lifeline, "simulate", path, "--scenario", "none", "--days", str(PROTOCOL_L), "--format", "json"]
            (wall, engine, stdout), _ = best_of(3, lambda: run_lifeline(cmd, ENGINE_SIM))
            cpu = CPU_SECONDS["best"]
            ours = lifeline_summary(json.loads(stdout))
            log(f"(c) N={n}: lifeline wall {fmt(wall)}, engine {fmt(engine)}; {ours}")
            nodes, links, demands = protocol_supplynetpy(n)
            times, cpus = [], []
            spent = 0.0
            while len(times) < 30 and (not times or spent < args.protocol_budget):
                random.seed(len(times))
                _, sim_s, snp_results = time_supplynetpy(nodes, links, demands, PROTOCOL_L)
                times.append(sim_s)
                cpus.append(snp_results["cpu_s"])
                spent += sim_s
                log(f"    SupplyNetPy rep {len(times)}: {fmt(sim_s)}")
            median = statistics.median(times)
            median_cpu = statistics.median(cpus)
            part_c.append({"n": n, "edges": len(doc["edges"]), "supplynetpy_median_s": median, "supplynetpy_reps": len(times),
                           "supplynetpy_times_s": times, "supplynetpy_cpu_s": cpus, "lifeline_engine_s": engine, "lifeline_wall_s": wall,
                           "lifeline_cpu_s": cpu, "lifeline_result": ours, "ratio_engine": median / engine, "ratio_wall": median / wall,
                           "ratio_cpu": median_cpu / cpu})
            md.append(f"| {n:,} | {len(doc['edges']):,} | {fmt(median)} ({len(times)}) | {fmt(engine)} | {fmt(wall)} | {fmt(cpu)} | "
                      f"{median / engine:,.0f}× | {median / wall:,.0f}× | {median_cpu / cpu:,.0f}× |")
        md.append("")
        results["c"] = part_c

    results["machine"]["load_average_at_end"] = os.getloadavg()
    md.append(f"Load average (1 min) at start {results['machine']['load_average_at_start'][0]:.1f}, "
              f"at end {results['machine']['load_average_at_end'][0]:.1f}, on {os.cpu_count()} CPUs.")
    with open(os.path.join(OUT, f"{args.name}.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(OUT, f"{args.name}.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())

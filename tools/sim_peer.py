#!/usr/bin/env python3
"""Peer cross-check of `lifeline-sim` against stockpyl's periodic-review simulation.

Dev-only (never needed by users or by `cargo test`). It runs the same small systems in
stockpyl 1.0.2 (`stockpyl.sim.simulation`) and writes, per case, one JSON file holding the
lifeline network document (with its scenario), the number of days and stockpyl's
per-retailer stockout days, first stockout day and shortage units. The Rust test
`crates/lifeline-sim/tests/it/peer.rs` replays those files with `lifeline_sim::Simulator`
and asserts equality, so no Python is needed at test time.

    pip install stockpyl==1.0.2
    python3 tools/sim_peer.py --out crates/lifeline-sim/tests/data/peer
    python3 tools/sim_peer.py --check target/release/lifeline   # also run the lifeline CLI

Systems: a serial line (supplier -> warehouse -> retailer) and a one-warehouse-multi-
retailer system (supplier -> warehouse -> 4 retailers with different demands), each with
(s,S) or base-stock policies, deterministic daily demand and backorders, and one of two
disruptions lasting D days from day `start`:

* "supplier down": lifeline disrupts the supplier node (capacity factor 0; the supplier
  holds no stock, so it ships nothing and its backlog ships on the first day back).
  stockpyl's external supply cannot be paused (SP at a node fed by external supply does
  nothing: stockpyl issues #109, #172), so the supplier is an explicit stockpyl node with
  effectively unlimited stock, and the warehouse gets an explicit 'SP' (shipment-pausing)
  disruption: its predecessor ships nothing to it and releases everything held back on the
  first period the disruption is over, which is lifeline's rule.
* "warehouse down": lifeline disrupts the warehouse (factor 0: it makes nothing, i.e. cannot
  turn received units into shippable stock, but still ships what it has on hand). That is
  stockpyl's 'RP' (receipt-pausing) at the warehouse: arrivals are held as inbound
  disrupted items (still counted in its inventory position, as lifeline counts its input
  stock) and received all at once when the disruption ends, while it keeps shipping from
  on-hand stock.

Both tools then run the same period: in stockpyl, (1) disruption states, (2) demands and
orders, downstream first, each node ordering on IP = on hand - backorders + pipeline -
this period's demand, (3) shipments, upstream first, each node receiving what is due
(shipment lead time L: sent in period t, received in period t+L) and shipping backorders
plus new orders from stock. In lifeline: (1) factors, (2) arrivals, (3) consumption,
(4) orders, (5) production and shipping, arriving `lead_time` days later. Both are the same
sequence as long as (a) the disrupted periods are the same set of days [start, start+D),
(b) a warehouse orders after its retailers in lifeline's step (4), which walks nodes in
document order: the documents list retailers first (see the report: with the warehouse
first, lifeline orders one day late), and (c) a short warehouse serves its retailers in the
same order: stockpyl fills successors one after another in the order the edges were added,
which is lifeline's `"allocation": "criticality"` with retailer values decreasing in that
order. A stockout day is a day on which a retailer ends with backorders (lifeline: anything
missing that day); shortage units are the demand of the day not met from stock that day
(stockpyl: demand - demand_met_from_stock, lifeline: `unmet_units` under `"unmet":
"backorder"`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

STOCKPYL_VERSION_EXPECTED = "1.0.2"
BIG = 1e9  # stock of the explicit stockpyl supplier: never runs out in these horizons


@dataclass
class Case:
    """One shared system. Node 0 is the supplier, node 1 the warehouse, 2.. the retailers."""

    name: str
    description: str
    demands: list[float]  # per retailer, per day
    policy: str  # "sS" or "BS"
    warehouse: dict  # {"s": .., "S": ..} or {"level": ..}
    retailers: list[dict]  # per retailer, same shapes
    lead_warehouse: int  # supplier -> warehouse
    lead_retailer: list[int]  # warehouse -> retailer
    disrupted: str  # "supplier" or "warehouse"
    start: int
    duration: int
    days: int
    init_warehouse: float = 0.0
    init_retailers: list[float] = field(default_factory=list)


def cases() -> list[Case]:
    return [
        Case(
            name="serial_sS_supplier_down",
            description="serial supplier -> warehouse -> retailer, (s,S) at both, supplier down 12 days",
            demands=[10.0],
            policy="sS",
            warehouse={"s": 40.0, "S": 90.0},
            retailers=[{"s": 20.0, "S": 50.0}],
            lead_warehouse=2,
            lead_retailer=[1],
            disrupted="supplier",
            start=10,
            duration=12,
            days=60,
            init_warehouse=90.0,
            init_retailers=[50.0],
        ),
        Case(
            name="serial_bs_warehouse_down",
            description="serial supplier -> warehouse -> retailer, base stock, warehouse down 9 days",
            demands=[7.0],
            policy="BS",
            warehouse={"level": 40.0},
            retailers=[{"level": 30.0}],
            lead_warehouse=3,
            lead_retailer=[2],
            disrupted="warehouse",
            start=5,
            duration=9,
            days=50,
            init_warehouse=40.0,
            init_retailers=[30.0],
        ),
        Case(
            name="owmr_sS_supplier_down",
            description="one warehouse, 4 retailers, (s,S), supplier down 15 days: the warehouse runs dry and serves retailers in priority order",
            demands=[10.0, 20.0, 5.0, 15.0],
            policy="sS",
            warehouse={"s": 120.0, "S": 300.0},
            retailers=[
                {"s": 20.0, "S": 60.0},
                {"s": 45.0, "S": 100.0},
                {"s": 10.0, "S": 30.0},
                {"s": 35.0, "S": 80.0},
            ],
            lead_warehouse=3,
            lead_retailer=[1, 2, 1, 1],
            disrupted="supplier",
            start=20,
            duration=15,
            days=90,
            init_warehouse=300.0,
            init_retailers=[60.0, 100.0, 30.0, 80.0],
        ),
        Case(
            name="owmr_bs_warehouse_down",
            description="one warehouse, 4 retailers, base stock, warehouse down 10 days",
            demands=[10.0, 20.0, 5.0, 15.0],
            policy="BS",
            warehouse={"level": 150.0},
            retailers=[{"level": 25.0}, {"level": 60.0}, {"level": 20.0}, {"level": 35.0}],
            lead_warehouse=2,
            lead_retailer=[1, 1, 2, 1],
            disrupted="warehouse",
            start=8,
            duration=10,
            days=60,
            init_warehouse=150.0,
            init_retailers=[25.0, 60.0, 20.0, 35.0],
        ),
        Case(
            name="owmr_sS_warehouse_down_long",
            description="one warehouse, 3 retailers, (s,S), warehouse down 30 days starting day 0",
            demands=[12.0, 8.0, 3.0],
            policy="sS",
            warehouse={"s": 60.0, "S": 200.0},
            retailers=[{"s": 24.0, "S": 60.0}, {"s": 16.0, "S": 40.0}, {"s": 12.0, "S": 20.0}],
            lead_warehouse=4,
            lead_retailer=[1, 1, 3],
            disrupted="warehouse",
            start=0,
            duration=30,
            days=70,
            init_warehouse=200.0,
            init_retailers=[60.0, 40.0, 20.0],
        ),
    ]


# ---------------------------------------------------------------------------------------
# stockpyl


def run_stockpyl(case: Case) -> dict:
    from stockpyl import sim
    from stockpyl.disruption_process import DisruptionProcess
    from stockpyl.supply_chain_network import network_from_edges

    n = len(case.demands)
    ids = list(range(n + 2))
    # Successor order = edge order: stockpyl fills retailer 1 first, then 2, ...
    edges = [(0, 1)] + [(1, 2 + k) for k in range(n)]
    policy_type = {0: "BS", 1: case.policy}
    base_stock = {0: BIG}
    reorder, order_up_to = {}, {}
    for i, spec in [(1, case.warehouse)] + [(2 + k, r) for k, r in enumerate(case.retailers)]:
        policy_type[i] = case.policy
        if case.policy == "sS":
            reorder[i], order_up_to[i] = spec["s"], spec["S"]
        else:
            base_stock[i] = spec["level"]
    network = network_from_edges(
        edges,
        node_order_in_lists=ids,
        # The explicit supplier: effectively unlimited stock, replenished at once.
        initial_inventory_level={0: BIG, 1: case.init_warehouse, **{2 + k: v for k, v in enumerate(case.init_retailers)}},
        shipment_lead_time={0: 0, 1: case.lead_warehouse, **{2 + k: v for k, v in enumerate(case.lead_retailer)}},
        demand_type={i: ("D" if i >= 2 else None) for i in ids},
        demand_list={2 + k: [d] for k, d in enumerate(case.demands)},
        policy_type=policy_type,
        base_stock_level=base_stock,
        reorder_point=reorder,
        order_up_to_level=order_up_to,
        local_holding_cost=0.0,
        stockout_cost=0.0,
    )
    warehouse = network.nodes_by_index[1]
    retailers = [network.nodes_by_index[2 + k] for k in range(n)]

    states = [case.start <= t < case.start + case.duration for t in range(case.days + 1)]
    kind = "SP" if case.disrupted == "supplier" else "RP"
    warehouse.disruption_process = DisruptionProcess(
        random_process_type="E", disruption_type=kind, disruption_state_list=states
    )

    sim.simulation(network, case.days, rand_seed=1, progress_bar=False, consistency_checks="E")

    out = []
    for k, r in enumerate(retailers):
        p = r.product_indices[0]
        stockout_days = 0
        first = None
        unmet = 0.0
        for t in range(case.days):
            sv = r.state_vars[t]
            demand = sv.inbound_order[None][p]
            assert abs(demand - case.demands[k]) < 1e-9, (case.name, t, demand)
            backorders = sv.backorders_by_successor[None][p]
            if backorders > 1e-9:
                stockout_days += 1
                if first is None:
                    first = t
            unmet += demand - sv.demand_met_from_stock[p]
        out.append(
            {
                "id": f"R{k + 1}",
                "shortage_days": stockout_days,
                "first_stockout_day": first,
                "unmet_units": round(unmet, 9),
            }
        )
    return {"retailers": out, "disruption_type": kind}


# ---------------------------------------------------------------------------------------
# lifeline


def lifeline_document(case: Case) -> dict:
    n = len(case.demands)

    def policy(spec):
        if case.policy == "sS":
            return {"type": "s_S", "s": spec["s"], "S": spec["S"]}
        return {"type": "base_stock", "level": spec["level"]}

    # Retailers first: lifeline's step (4) walks nodes in document order, and a warehouse
    # must see the day's retailer orders before it orders, as in stockpyl.
    nodes = []
    for k in range(n):
        nodes.append(
            {
                "id": f"R{k + 1}",
                "kind": "hospital",
                "material": "ITEM",
                "demand": case.demands[k],
                "inventory": case.init_retailers[k],
                # Decreasing values make "criticality" allocation serve R1, R2, ... in turn,
                # as stockpyl does; they play no other role here.
                "value": float(n - k),
                "unmet": "backorder",
                "policy": policy(case.retailers[k]),
            }
        )
    nodes.append(
        {
            "id": "W",
            "kind": "distributor",
            "material": "ITEM",
            "inventory": case.init_warehouse,
            "policy": policy(case.warehouse),
            "allocation": "criticality",
        }
    )
    nodes.append({"id": "S", "kind": "supplier", "material": "ITEM"})
    edges = [{"from": "S", "to": "W", "lead_time": case.lead_warehouse}]
    edges += [
        {"from": "W", "to": f"R{k + 1}", "lead_time": case.lead_retailer[k]} for k in range(n)
    ]
    disrupted = "S" if case.disrupted == "supplier" else "W"
    scenario = {
        "id": case.name,
        "ttr": case.duration,
        "start": case.start,
        "disrupt": [{"node": disrupted, "capacity_factor": 0}],
    }
    return {
        "format": "lifeline-network/1",
        "name": case.name,
        "time_unit": "day",
        "nodes": nodes,
        "edges": edges,
        "scenarios": [scenario],
    }


def run_lifeline(binary: str, document: dict, scenario: str, days: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "network.json")
        with open(path, "w") as f:
            json.dump(document, f)
        proc = subprocess.run(
            [binary, "simulate", path, "--scenario", scenario, "--days", str(days), "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
        )
    report = json.loads(proc.stdout)
    return [
        {
            "id": d["id"],
            "shortage_days": d["shortage_days"],
            "first_stockout_day": d["first_stockout_day"],
            "unmet_units": round(d["unmet_units"], 9),
        }
        for d in report["demand_nodes"]
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="folder for one JSON file per case")
    parser.add_argument("--check", metavar="LIFELINE", help="also run this lifeline binary and compare")
    args = parser.parse_args()

    import stockpyl  # noqa: F401  (fail early when missing)
    from importlib.metadata import version

    peer_version = version("stockpyl")
    if peer_version != STOCKPYL_VERSION_EXPECTED:
        print(f"warning: stockpyl {peer_version}, expected {STOCKPYL_VERSION_EXPECTED}", file=sys.stderr)

    disagreements = 0
    for case in cases():
        peer = run_stockpyl(case)
        document = lifeline_document(case)
        record = {
            "case": case.name,
            "description": case.description,
            "peer": {"tool": "stockpyl", "version": peer_version, "disruption_type": peer["disruption_type"]},
            "days": case.days,
            "scenario": case.name,
            "network": document,
            "expected": peer["retailers"],
        }
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, f"{case.name}.json"), "w") as f:
                json.dump(record, f, indent=1)
                f.write("\n")
        line = ", ".join(
            f"{r['id']}: {r['shortage_days']} d from {r['first_stockout_day']}, {r['unmet_units']:g} u"
            for r in peer["retailers"]
        )
        print(f"{case.name}: stockpyl {line}")
        if args.check:
            ours = run_lifeline(args.check, document, case.name, case.days)
            if ours != peer["retailers"]:
                disagreements += 1
                print(f"  DISAGREE lifeline: {ours}")
            else:
                print("  lifeline agrees")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())

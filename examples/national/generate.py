#!/usr/bin/env python3
"""Writes a national-size lifeline network: about 6,000 hospitals, 200 items, and the
manufacturers, distributors and ordering platforms that feed them.

    python3 examples/national/generate.py                 # examples/national/national.json
    python3 examples/national/generate.py --hospitals 600 --out small.json

The network is synthetic and fictional (no real company or hospital), deterministic for a
seed, and uses only the standard library. Its shape:

- ``--items`` items (default 200), each made by two manufacturers at different plants
  (``--plants`` manufacturing sites, default 60; one of them is the sole *main* source of
  a fifth of the items, as a dominant plant often is) with capacity slack of 25-60% over
  the demand it serves; a plant has a time to recover (TTR) of 14-112 days.
- ``--distributors`` regional distribution centres (default 12), each carrying every item
  its hospitals use, with 5-12 days of cover; each orders through one of ``--platforms``
  ordering platforms (default 4, TTR 17 days: median ransomware downtime, see
  docs/research in the repository) and runs at 30-85% of its capacity while its platform is
  down.
- ``--hospitals`` hospitals (default 6,000), each in one region, stocking
  ``--items-per-hospital`` items (default 2) drawn by popularity (a few items everywhere,
  most in few places), with 3-21 days of cover, served by its region's distribution centre
  and a second one.

Why this size fits a laptop: a hospital holds the few critical items it is modelled for,
not all 200, so the network has about 12,000 demand nodes and 15,000 nodes in all rather
than 1.2 million; the stress test's scenarios are the entities with a TTR (manufacturers,
plants, platforms: about 460), and a Monte Carlo replication simulates every node for the
run's days (90 in run.py). Scale it with the options.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def generate(
    hospitals: int = 6000,
    items: int = 200,
    plants: int = 60,
    distributors: int = 12,
    platforms: int = 4,
    items_per_hospital: int = 2,
    seed: int = 1,
) -> dict:
    rng = random.Random(seed)
    item_ids = [f"item-{i:03d}" for i in range(items)]
    # Popularity: Zipf-like weights, so a few items are in most hospitals.
    weights = [1.0 / (i + 1) ** 0.8 for i in range(items)]
    plant_ids = [f"plant-{p:02d}" for p in range(plants)]
    dc_ids = [f"dc-{d:02d}" for d in range(distributors)]
    platform_ids = [f"order-platform-{k}" for k in range(platforms)]

    # Hospitals: region, items, daily demand per item.
    hospital_items = []
    for h in range(hospitals):
        region = h % distributors
        chosen = set()
        while len(chosen) < min(items_per_hospital, items):
            chosen.add(rng.choices(range(items), weights)[0])
        second = (region + 1 + rng.randrange(max(1, distributors - 1))) % distributors
        for i in sorted(chosen):
            demand = round(rng.uniform(5, 120), 1)
            hospital_items.append((h, region, second, i, demand))

    # Demand per (distributor, item): a hospital orders mostly from its region's centre.
    dc_demand = {}
    item_demand = [0.0] * items
    for h, region, second, i, demand in hospital_items:
        dc_demand[(region, i)] = dc_demand.get((region, i), 0.0) + 0.8 * demand
        dc_demand[(second, i)] = dc_demand.get((second, i), 0.0) + 0.2 * demand
        item_demand[i] += demand

    nodes, edges = [], []
    sites = []
    main_plant = plant_ids[0]
    for p, plant in enumerate(plant_ids):
        sites.append(
            {
                "id": plant,
                "name": f"Manufacturing plant {p} (fictional)",
                "kind": "manufacturing plant",
                "ttr": rng.choice([14, 21, 30, 46, 60, 112]),
            }
        )
    for d, dc in enumerate(dc_ids):
        sites.append(
            {
                "id": dc,
                "name": f"Regional distribution centre {d} (fictional)",
                "kind": "distribution centre",
            }
        )

    # Manufacturers: two per item, at different plants; the main plant is the first
    # source of every fifth item.
    makers = {}
    for i, item in enumerate(item_ids):
        if item_demand[i] == 0:
            continue
        first = main_plant if i % 5 == 0 else rng.choice(plant_ids[1:])
        second = rng.choice([p for p in plant_ids if p != first])
        makers[i] = []
        for share, plant in ((0.65, first), (0.35, second)):
            slack = rng.uniform(1.25, 1.6)
            node = {
                "id": f"{item}@{plant}",
                "kind": "manufacturer",
                "material": item,
                "site": plant,
                "capacity": round(slack * share * item_demand[i] * 1.2, 1),
                "ttr": rng.choice([7, 14, 21, 30]),
            }
            nodes.append(node)
            makers[i].append(node["id"])

    # Distributors: one node per (centre, item) with demand through it.
    for (d, i), demand in sorted(dc_demand.items()):
        dc = dc_ids[d]
        node = {
            "id": f"{item_ids[i]}@{dc}",
            "kind": "distributor",
            "material": item_ids[i],
            "site": dc,
            "capacity": round(demand * rng.uniform(1.3, 1.8), 1),
            "inventory": round(demand * rng.uniform(5, 12), 1),
            "depends_on": [
                {
                    "platform": platform_ids[d % platforms],
                    "degraded_capacity": round(rng.uniform(0.3, 0.85), 2),
                }
            ],
        }
        nodes.append(node)
        for maker in makers[i]:
            edges.append({"from": maker, "to": node["id"], "lead_time": rng.randint(2, 6)})

    # Hospitals.
    for h, region, second, i, demand in hospital_items:
        node_id = f"{item_ids[i]}@hosp-{h:05d}"
        nodes.append(
            {
                "id": node_id,
                "kind": "hospital",
                "material": item_ids[i],
                "demand": demand,
                "inventory": round(demand * rng.uniform(3, 21), 1),
                "value": rng.choice([10, 25, 50, 100, 250]),
            }
        )
        for dc in (region, second):
            edges.append(
                {
                    "from": f"{item_ids[i]}@{dc_ids[dc]}",
                    "to": node_id,
                    "lead_time": rng.randint(1, 3),
                }
            )

    return {
        "format": "lifeline-network/1",
        "name": f"national (synthetic): {hospitals} hospitals, {items} items, seed {seed}",
        "time_unit": "day",
        "horizon": 90,
        "nodes": nodes,
        "edges": edges,
        "sites": sites,
        # Only the items some hospital uses (with few hospitals, not all 200 are).
        "items": [
            {"id": item, "name": f"Critical item {i} (fictional)"}
            for i, item in enumerate(item_ids)
            if item_demand[i] > 0
        ],
        "platforms": [
            {
                "id": platform,
                "name": f"Ordering platform {k} (fictional)",
                "kind": "ordering platform",
                "ttr": 17,
            }
            for k, platform in enumerate(platform_ids)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hospitals", type=int, default=6000)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--plants", type=int, default=60)
    parser.add_argument("--distributors", type=int, default=12)
    parser.add_argument("--platforms", type=int, default=4)
    parser.add_argument("--items-per-hospital", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("national.json")
    )
    args = parser.parse_args()
    network = generate(
        args.hospitals,
        args.items,
        args.plants,
        args.distributors,
        args.platforms,
        args.items_per_hospital,
        args.seed,
    )
    args.out.write_text(json.dumps(network, indent=None, separators=(",", ":")) + "\n")
    kinds = {}
    for node in network["nodes"]:
        kinds[node["kind"]] = kinds.get(node["kind"], 0) + 1
    print(
        f"{args.out}: {len(network['nodes'])} nodes ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}), "
        f"{len(network['edges'])} edges, {len(network['sites'])} sites, {len(network['platforms'])} platforms"
    )


if __name__ == "__main__":
    main()

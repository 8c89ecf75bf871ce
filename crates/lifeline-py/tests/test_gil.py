"""The GIL is released while a sweep solves: Python threads keep running meanwhile."""

import threading
import time

import lifeline


def many_groups(groups: int) -> dict:
    """`groups` copies of the spec's worked example side by side (a supplier of each
    material per group and a shared backup), enough scenarios for a sweep of a second."""
    nodes, edges = [], []
    for g in range(groups):
        for s, capacity in enumerate([30, 45, 60]):
            nodes.append({"id": f"S{g}_{s}", "material": f"M{g}", "capacity": capacity, "ttr": 2 + s})
        for p, (demand, inventory) in enumerate([(75, 20), (50, 25)]):
            nodes.append({"id": f"P{g}_{p}", "demand": demand, "inventory": inventory, "value": 10 + p})
            for s in range(3):
                edges.append({"from": f"S{g}_{s}", "to": f"P{g}_{p}"})
    return {"format": "lifeline-network/1", "name": "groups", "horizon": 365,
            "nodes": nodes, "edges": edges}


def test_python_runs_while_a_sweep_solves() -> None:
    net = lifeline.Network.from_dict(many_groups(150))
    done = threading.Event()
    timing = {}

    def sweep() -> None:
        started = time.perf_counter()
        net.stress_report(threads=1)
        timing["sweep"] = time.perf_counter() - started
        done.set()

    thread = threading.Thread(target=sweep)
    ticks = []
    thread.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        sum(range(2000))  # pure Python work, needs the GIL
    thread.join()
    assert timing["sweep"] > 0.2, "the sweep is too short to show anything"
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    # Holding the GIL for the whole sweep would leave one gap as long as the sweep.
    assert max(gaps) < timing["sweep"] / 4, (max(gaps), timing["sweep"])
    assert len(ticks) > 100

#!/usr/bin/env python3
"""Benchmark peer: the lifeline stress test done the Pyomo + HiGHS way (dev-only).

For each scenario it builds a `pyomo.environ.ConcreteModel` (Sets, Params, Vars and
rule-based Constraints, as a Pyomo user writes them) for the TTR "performance
impact" LP and again for the TTS "time to survive" LP, solves each with HiGHS
through Pyomo, and reads the values back. The network semantics (materials, BOM
ratios, sites, platforms, disruption factors, default sweep) come from
tools/stress_oracle.py, so both tools agree by construction on what is solved.

    python3 bench/pyomo_stress.py NETWORK.json [--sample K] [--seed S] [--solver NAME]

solves a random sample of K scenarios of the sweep (all when --sample is absent) and
prints JSON with the timings and the results; `extrapolated_sweep_seconds` is the
sampled time scaled to the whole sweep. Network loading is not timed.

Needs: pip install highspy pyomo numpy
"""
import argparse
import importlib.metadata
import json
import os
import random
import sys
import time

import pyomo.environ as pyo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from stress_oracle import Network, scenarios_to_run, stdout_to_stderr  # noqa: E402

SOLVERS = ("appsi_highs", "highs")  # first available one is used unless --solver


def build_model(net, scenario, ttr=None):
    """TTR model when `ttr` is given (window fixed, minimise weighted loss),
    otherwise the TTS model (window t is a variable, maximised)."""
    node_f, site_f = net.factors(scenario)
    m = pyo.ConcreteModel(name=f"{scenario['id']}-{'ttr' if ttr is not None else 'tts'}")

    # --- sets
    m.N = pyo.Set(initialize=list(net.nodes), ordered=True)
    m.E = pyo.Set(initialize=net.edges, dimen=2, ordered=True)
    m.V = pyo.Set(initialize=net.demand_nodes(), ordered=True)
    m.NK = pyo.Set(dimen=2, ordered=True,  # (node, input material) pairs
                   initialize=[(j, k) for j in net.nodes for k in net.suppliers[j]])
    m.U = pyo.Set(initialize=[i for i in net.nodes if net.customers[i]], ordered=True)
    m.C = pyo.Set(initialize=[j for j, n in net.nodes.items() if "capacity" in n], ordered=True)
    m.Z = pyo.Set(initialize=[j for j, n in net.nodes.items()  # unlimited but switched off
                              if "capacity" not in n and node_f[j] == 0.0], ordered=True)
    m.S = pyo.Set(initialize=[s for s, site in net.sites.items()
                              if "capacity" in site and net.site_members(s)], ordered=True)

    # --- parameters
    m.inv = pyo.Param(m.N, initialize={j: float(n.get("inventory", 0.0))
                                       for j, n in net.nodes.items()})
    m.cap = pyo.Param(m.C, initialize={j: node_f[j] * float(net.nodes[j]["capacity"]) for j in m.C})
    m.site_cap = pyo.Param(m.S, initialize={s: site_f[s] * float(net.sites[s]["capacity"])
                                            for s in m.S})
    m.demand = pyo.Param(m.V, initialize={j: float(net.nodes[j]["demand"]) for j in m.V})
    m.value = pyo.Param(m.V, initialize={j: float(net.nodes[j].get("value", 1.0)) for j in m.V})
    m.ratio = pyo.Param(m.NK, initialize={(j, k): net.ratio(j, k) for j, k in m.NK})

    # --- variables
    m.u = pyo.Var(m.N, domain=pyo.NonNegativeReals)
    m.y = pyo.Var(m.E, domain=pyo.NonNegativeReals)
    if ttr is None:
        m.t = pyo.Var(domain=pyo.NonNegativeReals, bounds=(0, net.horizon))
    else:
        m.t = pyo.Param(initialize=float(ttr))
        m.l = pyo.Var(m.V, domain=pyo.NonNegativeReals)

    # --- constraints
    def material_rule(m, j, k):
        return m.ratio[j, k] * m.u[j] <= sum(m.y[i, j] for i in net.suppliers[j][k])
    m.material = pyo.Constraint(m.NK, rule=material_rule)

    def flow_rule(m, i):
        return sum(m.y[i, j] for j in net.customers[i]) <= m.inv[i] + m.u[i]
    m.flow = pyo.Constraint(m.U, rule=flow_rule)

    def capacity_rule(m, j):
        return m.u[j] <= m.cap[j] * m.t
    m.capacity = pyo.Constraint(m.C, rule=capacity_rule)

    def down_rule(m, j):
        return m.u[j] == 0
    m.down = pyo.Constraint(m.Z, rule=down_rule)

    def site_rule(m, s):
        return sum(m.u[j] for j in net.site_members(s)) <= m.site_cap[s] * m.t
    m.site = pyo.Constraint(m.S, rule=site_rule)

    if ttr is None:
        def survive_rule(m, j):
            return m.u[j] + m.inv[j] >= m.demand[j] * m.t
        m.demand_met = pyo.Constraint(m.V, rule=survive_rule)
        m.obj = pyo.Objective(expr=m.t, sense=pyo.maximize)
    else:
        def loss_rule(m, j):
            return m.l[j] + m.u[j] + m.inv[j] >= m.demand[j] * m.t
        m.demand_met = pyo.Constraint(m.V, rule=loss_rule)
        m.obj = pyo.Objective(expr=sum(m.value[j] * m.l[j] for j in m.V), sense=pyo.minimize)
    return m


def solve(solver, model):
    res = solver.solve(model)
    if res.solver.termination_condition != pyo.TerminationCondition.optimal:
        raise RuntimeError(f"{model.name}: {res.solver.termination_condition}")


def pick_solver(name):
    for cand in ([name] if name else SOLVERS):
        solver = pyo.SolverFactory(cand)
        if solver.available(exception_flag=False):
            return cand, solver
    raise SystemExit(f"no HiGHS interface available in pyomo (tried {name or SOLVERS})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network", help="lifeline-network/1 JSON document")
    ap.add_argument("--sample", type=int, help="number of scenarios to solve (default: all)")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    ap.add_argument("--solver", choices=SOLVERS, help="Pyomo HiGHS interface (default: "
                    "first available of " + ", ".join(SOLVERS) + ")")
    args = ap.parse_args()

    with open(args.network) as fh:
        net = Network(json.load(fh))
    sweep = scenarios_to_run(net)
    k = len(sweep) if args.sample is None else min(args.sample, len(sweep))
    chosen = random.Random(args.seed).sample(range(len(sweep)), k)
    sample = [sweep[i] for i in sorted(chosen)]

    results, build_s, solve_s = [], 0.0, 0.0
    with stdout_to_stderr():
        solver_name, solver = pick_solver(args.solver)
        start = time.perf_counter()
        for sc in sample:
            t0 = time.perf_counter()
            tts_model = build_model(net, sc)
            t1 = time.perf_counter()
            solve(solver, tts_model)
            t2 = time.perf_counter()
            build_s, solve_s = build_s + t1 - t0, solve_s + t2 - t1
            row = {"id": sc["id"], "tts": pyo.value(tts_model.t), "performance_impact": None}
            if sc.get("ttr") is not None:
                t0 = time.perf_counter()
                ttr_model = build_model(net, sc, ttr=sc["ttr"])
                t1 = time.perf_counter()
                solve(solver, ttr_model)
                t2 = time.perf_counter()
                build_s, solve_s = build_s + t1 - t0, solve_s + t2 - t1
                row["performance_impact"] = pyo.value(ttr_model.obj)
            results.append(row)
        seconds = time.perf_counter() - start

    out = {
        "solver": solver_name,
        "pyomo": importlib.metadata.version("pyomo"),
        "highspy": importlib.metadata.version("highspy"),
        "scenarios_total": len(sweep),
        "sampled": k,
        "seconds_sampled": seconds,
        "seconds_per_scenario": seconds / k if k else 0.0,
        "extrapolated_sweep_seconds": len(sweep) * seconds / k if k else 0.0,
        "seconds_build": build_s,   # model construction (Python/Pyomo)
        "seconds_solve": solve_s,   # solver.solve(): writing to HiGHS, solving, loading back
        "nodes": len(net.nodes),
        "edges": len(net.edges),
        "results": results,
    }
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Stress-test oracle for lifeline (dev-only; users never need it).

An independent second implementation of the stress test described in
shared/spec/network-format.md ("The two linear programs"), written for
clarity, not speed: every LP is built fresh with the low-level `highspy` API
and solved with tight tolerances. Its purpose is to cross-check the Rust
engine's report (`lifeline stress --format json`) and to share the network
semantics with the Pyomo benchmark peer (bench/pyomo_stress.py).

    python3 tools/stress_oracle.py NETWORK.json [--scenarios FILE.json]

prints the stress-test report JSON on stdout:
    {"network", "horizon", "baseline_tts",
     "scenarios": [{"id", "ttr", "tts", "performance_impact", "rei", "lost_units"}]}

Needs: pip install highspy numpy
"""
import argparse
import json
import os
import sys
from contextlib import contextmanager

import highspy
import numpy as np

# --------------------------------------------------------------------------
# Network semantics (shared with bench/pyomo_stress.py)
# --------------------------------------------------------------------------


class Network:
    """The parts of a lifeline-network/1 document the stress test reads."""

    def __init__(self, doc):
        self.name = doc.get("name", "")
        self.horizon = float(doc.get("horizon", 365))
        self.nodes = {n["id"]: n for n in doc["nodes"]}  # keeps document order
        self.sites = {s["id"]: s for s in doc.get("sites", [])}
        self.platforms = {p["id"]: p for p in doc.get("platforms", [])}
        self.scenarios = doc.get("scenarios")
        self.edges = []
        for e in doc.get("edges", []):
            for end in ("from", "to"):
                if e[end] not in self.nodes:
                    raise ValueError(f"edge {e}: unknown node {e[end]!r}")
            if (e["from"], e["to"]) not in self.edges:
                self.edges.append((e["from"], e["to"]))
        # suppliers[j][k] = nodes i with an edge i -> j whose material is k
        self.suppliers = {j: {} for j in self.nodes}
        self.customers = {i: [] for i in self.nodes}
        for i, j in self.edges:
            self.suppliers[j].setdefault(self.material(i), []).append(i)
            self.customers[i].append(j)
        for j, node in self.nodes.items():
            for k in node.get("bom", {}):
                if k not in self.suppliers[j]:
                    print(f"warning: node {j}: bom material {k!r} has no supplier (ignored)",
                          file=sys.stderr)

    def material(self, j):
        return self.nodes[j].get("material", j)

    def ratio(self, j, k):
        return float(self.nodes[j].get("bom", {}).get(k, 1.0))

    def demand_nodes(self):
        return [j for j, n in self.nodes.items() if "demand" in n]

    def site_members(self, s):
        return [j for j, n in self.nodes.items() if n.get("site") == s]

    def default_scenarios(self):
        """Every node, then site, then platform with a `ttr`, alone and fully down."""
        out = []
        for kind, table in (("node", self.nodes), ("site", self.sites),
                            ("platform", self.platforms)):
            for eid, ent in table.items():
                if "ttr" in ent:
                    out.append({"id": eid, "ttr": ent["ttr"],
                                "disrupt": [{kind: eid, "capacity_factor": 0.0}]})
        return out

    def factors(self, scenario):
        """(node factor phi_j, site factor phi_s) for a scenario; 1 when untouched."""
        node_f = {j: 1.0 for j in self.nodes}
        site_f = {s: 1.0 for s in self.sites}

        def lower(j, f):
            node_f[j] = min(node_f[j], f)

        for entry in scenario.get("disrupt", []):
            f = float(entry.get("capacity_factor", 0.0))
            if "node" in entry:
                lower(entry["node"], f)
            elif "site" in entry:
                site_f[entry["site"]] = min(site_f[entry["site"]], f)
                for j in self.site_members(entry["site"]):
                    lower(j, f)
            elif "platform" in entry:
                p = entry["platform"]
                for j, node in self.nodes.items():
                    for dep in node.get("depends_on", []):
                        if dep["platform"] == p:
                            d = float(dep.get("degraded_capacity", 0.0))
                            lower(j, d + (1.0 - d) * f)
            else:
                raise ValueError(f"scenario {scenario.get('id')}: bad disrupt entry {entry}")
        return node_f, site_f


def load_scenarios(path):
    with open(path) as fh:
        doc = json.load(fh)
    return doc["scenarios"] if isinstance(doc, dict) else doc


def scenarios_to_run(net, scenarios_file=None):
    if scenarios_file:
        return load_scenarios(scenarios_file)
    if net.scenarios is not None:
        return net.scenarios
    return net.default_scenarios()


@contextmanager
def stdout_to_stderr():
    """HiGHS prints a banner on fd 1; keep stdout for the JSON report only."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


# --------------------------------------------------------------------------
# The two LPs, with highspy
# --------------------------------------------------------------------------

INF = highspy.kHighsInf


class LP:
    """Tiny row-wise LP builder on top of highspy.Highs (addVars / addRows)."""

    def __init__(self):
        self.lb, self.ub, self.cost = [], [], []
        self.rows = []  # (lower, {col: coef}, upper)

    def var(self, lb=0.0, ub=INF, cost=0.0):
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        return len(self.lb) - 1

    def row(self, lower, coefs, upper):
        self.rows.append((lower, coefs, upper))

    def solve(self, maximize=False):
        h = highspy.Highs()
        for opt, val in (("output_flag", False), ("primal_feasibility_tolerance", 1e-9),
                         ("dual_feasibility_tolerance", 1e-9), ("threads", 1)):
            h.setOptionValue(opt, val)
        n = len(self.lb)
        h.addVars(n, np.array(self.lb), np.array(self.ub))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost))
        starts, index, value = [], [], []
        for _, coefs, _ in self.rows:
            starts.append(len(index))
            index.extend(coefs.keys())
            value.extend(coefs.values())
        h.addRows(len(self.rows), np.array([r[0] for r in self.rows], dtype=float),
                  np.array([r[2] for r in self.rows], dtype=float), len(index),
                  np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                  np.array(value, dtype=float))
        if maximize:
            h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {h.modelStatusToString(status)}")
        return h.getInfo().objective_function_value, list(h.getSolution().col_value)


def build(net, scenario, ttr=None):
    """Build the TTR LP (ttr given: t fixed, loss variables) or the TTS LP (t variable).

    Returns (lp, u, l, t): column indices of outputs u_j, losses l_j and window t.
    """
    node_f, site_f = net.factors(scenario)
    lp = LP()
    u = {j: lp.var() for j in net.nodes}
    y = {e: lp.var() for e in net.edges}
    t = None if ttr is not None else lp.var(0.0, net.horizon, 1.0)

    def at_most_rate_times_t(coefs, rate):
        """sum(coefs) <= rate * t, with t a constant (TTR) or the variable (TTS)."""
        if t is None:
            lp.row(-INF, coefs, rate * ttr)
        else:
            lp.row(-INF, {**coefs, t: -rate}, 0.0)

    for j, node in net.nodes.items():
        # material: r_kj u_j - sum_{i supplies k to j} y_ij <= 0
        for k, sources in net.suppliers[j].items():
            coefs = {u[j]: net.ratio(j, k)}
            for i in sources:
                coefs[y[(i, j)]] = -1.0
            lp.row(-INF, coefs, 0.0)
        # flow: sum_j y_ij - u_i <= s_i
        if net.customers[j]:
            coefs = {y[(j, c)]: 1.0 for c in net.customers[j]}
            coefs[u[j]] = -1.0
            lp.row(-INF, coefs, float(node.get("inventory", 0.0)))
        # capacity: u_j <= phi_j c_j t (absent = unlimited, but phi = 0 stops it)
        if "capacity" in node:
            at_most_rate_times_t({u[j]: 1.0}, node_f[j] * float(node["capacity"]))
        elif node_f[j] == 0.0:
            lp.ub[u[j]] = 0.0
    # site: sum_{j in site} u_j <= phi_site c_site t
    for s, site in net.sites.items():
        members = net.site_members(s)
        if "capacity" in site and members:
            at_most_rate_times_t({u[j]: 1.0 for j in members}, site_f[s] * float(site["capacity"]))
    # demand
    l = {}
    for j in net.demand_nodes():
        node = net.nodes[j]
        d, s = float(node["demand"]), float(node.get("inventory", 0.0))
        if t is None:  # l_j + u_j + s_j >= d_j TTR
            l[j] = lp.var(cost=float(node.get("value", 1.0)))
            lp.row(d * ttr - s, {l[j]: 1.0, u[j]: 1.0}, INF)
        else:  # u_j + s_j >= d_j t
            lp.row(-s, {u[j]: 1.0, t: -d}, INF)
    return lp, u, l, t


def performance_impact(net, scenario, ttr):
    """PI = min sum value_j l_j with the window fixed at TTR; returns (PI, lost units)."""
    lp, _, l, _ = build(net, scenario, ttr=float(ttr))
    obj, x = lp.solve()
    lost = {j: x[c] for j, c in l.items() if x[c] > 1e-9}
    return obj, lost


def time_to_survive(net, scenario):
    """TTS = max t with no loss, t in [0, horizon]."""
    lp, _, _, t = build(net, scenario)
    _, x = lp.solve(maximize=True)
    return x[t]


def clean(v):
    return 0.0 if abs(v) < 1e-9 else v


def stress_report(net, scenarios):
    baseline = time_to_survive(net, {"id": "baseline", "disrupt": []})
    results = []
    for sc in scenarios:
        res = {"id": sc["id"], "ttr": sc.get("ttr"), "tts": clean(time_to_survive(net, sc)),
               "performance_impact": None, "rei": None, "lost_units": {}}
        if sc.get("ttr") is not None:
            pi, lost = performance_impact(net, sc, sc["ttr"])
            res["performance_impact"] = clean(pi)
            res["lost_units"] = lost
        results.append(res)
    max_pi = max((r["performance_impact"] for r in results
                  if r["performance_impact"] is not None), default=0.0)
    for r in results:
        if r["performance_impact"] is not None:
            r["rei"] = r["performance_impact"] / max_pi if max_pi > 0 else 0.0
    return {"network": net.name, "horizon": net.horizon, "baseline_tts": clean(baseline),
            "scenarios": results}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("network", help="lifeline-network/1 JSON document")
    ap.add_argument("--scenarios", help='JSON file: {"scenarios": [...]} or a bare list; '
                    "replaces the document's scenarios / the default sweep")
    args = ap.parse_args()
    with open(args.network) as fh:
        net = Network(json.load(fh))
    with stdout_to_stderr():
        report = stress_report(net, scenarios_to_run(net, args.scenarios))
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()

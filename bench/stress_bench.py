#!/usr/bin/env python3
"""Stress-test benchmark driver: lifeline against Pyomo + HiGHS, and scaling (dev-only).

    python3 bench/stress_bench.py [--lifeline PATH] [--sizes 1000,1700,10000,50000]
                                  [--sample K] [--pairs] [--quick]

In one run, for both generator presets side by side (`lifeline generate --preset easy` and
`--preset realistic`, docs/generate.md), it
  1. generates the 1,700-node benchmark network (`--tiers 200,500,1000 --seed 7`) and
     networks of the other sizes (`--nodes N --seed 7`; default 1k, 10k and 50k) in a
     temporary folder;
  2. times `lifeline stress --format json` (wall clock of the subprocess, so loading the
     network and writing the report are included) with 2 threads and 1 thread, with the
     default settings and with `--solve-all`: best of 3 runs (1 run above 20k nodes).
     Networks above --full-up-to nodes (default 2,000), whose full sweep may take minutes,
     run a random sample of their default sweep through `--scenarios` and are
     extrapolated: T = T0 + N * (Tk - T0) / k, T0 being a run with no scenario (loading,
     baseline TTS, writing);
  3. runs bench/pyomo_stress.py on the 1,700-node network of each preset on a sample of
     scenarios and divides its extrapolated sweep time by lifeline's (whole sweep and per LP);
  4. checks that lifeline's tts and performance_impact equal Pyomo's to 1e-6 relative on
     the sampled scenarios and (untimed) on the K scenarios lifeline ranks worst;
  5. with --pairs, times `lifeline stress --pairs --format json` (2 threads, one run) on
     the 1,700-node realistic network and reports the screening counts;
  6. prints a markdown section on stdout and writes bench/out/stress.json.

Progress goes to stderr. Needs only the standard library; the Pyomo peer needs
`pip install highspy pyomo numpy`.
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REL_TOL = 1e-6

PRESETS = ["easy", "realistic"]
DEFAULT_SIZES = [1000, 1700, 10000, 50000]
BENCH_NODES = 1700  # the published benchmark's 200/500/1000 network
PAIRS_TARGET_S = 60.0
AGREEMENTS = {
    "agreement": "random sample, lifeline default",
    "agreement_solve_all": "random sample, lifeline --solve-all",
    "agreement_top": "lifeline's worst scenarios, default",
    "agreement_top_solve_all": "lifeline's worst scenarios, --solve-all",
}
MODES = [  # (key, threads, solve_all)
    ("t2", 2, False),
    ("t1", 1, False),
    ("t2_all", 2, True),
    ("t1_all", 1, True),
]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def version_of(cmd):
    try:
        return run(cmd).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return None


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": mem_gib,
            "os": platform.platform(), "python": platform.python_version()}


def default_sweep(doc):
    """The spec's default sweep: every node, then site, then platform with a ttr, fully down."""
    if doc.get("scenarios") is not None:
        return doc["scenarios"]
    out = []
    for kind, key in (("node", "nodes"), ("site", "sites"), ("platform", "platforms")):
        for ent in doc.get(key, []):
            if "ttr" in ent:
                out.append({"id": ent["id"], "ttr": ent["ttr"],
                            "disrupt": [{kind: ent["id"], "capacity_factor": 0.0}]})
    return out


def lifeline_once(exe, network, out, threads, solve_all, scenarios=None):
    cmd = [exe, "stress", network, "--format", "json", "-o", out, "--threads", str(threads)]
    if solve_all:
        cmd.append("--solve-all")
    if scenarios:
        cmd += ["--scenarios", scenarios]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"lifeline failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    m = re.search(r"(\d+) scenarios? in ([0-9.]+) s", proc.stderr)
    return wall, (float(m.group(2)) if m else None)


def lifeline_best(exe, network, out, threads, solve_all, reps, scenarios=None):
    walls, engines = [], []
    for _ in range(reps):
        wall, engine = lifeline_once(exe, network, out, threads, solve_all, scenarios)
        walls.append(wall)
        engines.append(engine)
    best = min(range(reps), key=lambda i: walls[i])
    return walls[best], engines[best], walls


def lp_count(report, solve_all, horizon):
    """LPs lifeline solves: the baseline TTS, one TTS per scenario, and one TTR per scenario
    with a ttr unless (default mode) its TTS already covers the TTR (lifeline's skip rule)."""
    n = 1
    for sc in report["scenarios"]:
        n += 1
        ttr = sc.get("ttr")
        if ttr is None:
            continue
        covered = ttr <= horizon and sc["tts"] >= ttr * (1 - 1e-9) and sc["tts"] > 0
        if solve_all or not covered:
            n += 1
    return n


def summarise(report, horizon):
    scen = report["scenarios"]
    return {
        "scenarios": len(scen),
        "with_ttr": sum(1 for s in scen if s.get("ttr") is not None),
        "zero_loss": sum(1 for s in scen if s.get("performance_impact") is not None
                         and abs(s["performance_impact"]) <= 1e-9),
        "tts_below_ttr": sum(1 for s in scen if s.get("ttr") is not None
                             and s["tts"] < s["ttr"]),
        "lps_default": lp_count(report, False, horizon),
        "lps_solve_all": lp_count(report, True, horizon),
        "baseline_tts": report["baseline_tts"],
    }


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b), 1.0)


def size_label(nodes):
    if nodes >= 1000:
        return f"{nodes / 1000:g}k"
    return str(nodes)


def generate_args(nodes, preset):
    size = ["--tiers", "200,500,1000"] if nodes == BENCH_NODES else ["--nodes", str(nodes)]
    return size + ["--preset", preset]


def bench_network(args, work, preset, nodes):
    exe = args.lifeline
    label = f"{preset} {size_label(nodes)}"
    gen_args = generate_args(nodes, preset)
    path = os.path.join(work, f"net-{preset}-{nodes}.json")
    log(f"[{label}] generating {' '.join(gen_args)} --seed 7")
    run([exe, "generate", *gen_args, "--seed", "7", "-o", path])
    with open(path) as fh:
        doc = json.load(fh)
    sweep = default_sweep(doc)
    horizon = float(doc.get("horizon", 365.0))
    total = len(sweep)
    info = {"label": label, "preset": preset, "size": nodes,
            "generate": gen_args + ["--seed", "7"],
            "nodes": len(doc["nodes"]), "edges": len(doc.get("edges", [])),
            "scenarios_total": total}
    sample_k = None
    if nodes > args.full_up_to:
        sample_k = args.sample_10k if nodes <= 20000 else args.sample_50k
    sampled = sample_k is not None and sample_k < total
    reps = 1 if nodes > 20000 else 3
    out = os.path.join(work, f"out-{preset}-{nodes}.json")
    scen_file = empty_file = None
    if sampled:
        chosen = sorted(random.Random(args.seed).sample(range(total), sample_k))
        scen_file = os.path.join(work, f"scen-{label}.json")
        with open(scen_file, "w") as fh:
            json.dump({"scenarios": [sweep[i] for i in chosen]}, fh)
        empty_file = os.path.join(work, "empty.json")  # same for every network
        with open(empty_file, "w") as fh:
            json.dump({"scenarios": []}, fh)
    info.update({"sampled": sample_k if sampled else None, "reps": reps, "modes": {}})

    for key, threads, solve_all in MODES:
        tag = f"{threads} thread{'s' if threads > 1 else ''}{' --solve-all' if solve_all else ''}"
        load = loadavg()
        if sampled:
            log(f"[{label}] {tag}: {sample_k} of {total} scenarios, best of {reps} ...")
            t0, _, t0_all = lifeline_best(exe, path, out, threads, solve_all, reps, empty_file)
            tk, ek, tk_all = lifeline_best(exe, path, out, threads, solve_all, reps, scen_file)
            per = (tk - t0) / sample_k
            seconds = t0 + total * per
            res = {"seconds": seconds, "extrapolated": True, "seconds_fixed": t0,
                   "seconds_sample": tk, "seconds_per_scenario": per,
                   "engine_seconds_sample": ek, "runs_sample": tk_all, "runs_fixed": t0_all}
        else:
            log(f"[{label}] {tag}: full sweep of {total}, best of {reps} ...")
            seconds, engine, walls = lifeline_best(exe, path, out, threads, solve_all, reps)
            res = {"seconds": seconds, "extrapolated": False, "engine_seconds": engine,
                   "seconds_per_scenario": seconds / total if total else 0.0, "runs": walls}
        res["loadavg_before"] = load
        with open(out) as fh:
            report = json.load(fh)
        s = summarise(report, horizon)
        scale = total / s["scenarios"] if s["scenarios"] else 0.0
        lps = s["lps_solve_all" if solve_all else "lps_default"]
        res["lps"] = round(1 + (lps - 1) * scale) if sampled else lps
        res["seconds_per_lp"] = res["seconds"] / res["lps"] if res["lps"] else 0.0
        log(f"[{label}] {tag}: {res['seconds']:.2f} s{' (extrapolated)' if sampled else ''}, "
            f"{res['lps']} LPs, load {load[0] if load else '?'}")
        info["modes"][key] = res
        if key == "t2":
            # counts from the default run (the results do not depend on the mode)
            info["summary"] = {**s, "from_sample": sampled}
        if not sampled and key in ("t2", "t2_all"):
            info.setdefault("reports", {})[key] = report
    return path, info


def run_pyomo(args, path, preset):
    log(f"[pyomo {preset}] {args.sample} scenarios of the 1,700-node sweep with Pyomo + HiGHS ...")
    cmd = [sys.executable, os.path.join(HERE, "pyomo_stress.py"), path,
           "--sample", str(args.sample), "--seed", str(args.seed)]
    load = loadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"pyomo_stress.py failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    res = json.loads(proc.stdout)
    res["wall_seconds_process"] = wall
    res["loadavg_before"] = load
    # LPs the peer solves: a TTS per scenario and a TTR per scenario with a ttr (no skipping)
    lps_sample = sum(1 + (r["performance_impact"] is not None) for r in res["results"])
    res["lps_sampled"] = lps_sample
    res["seconds_per_lp"] = res["seconds_sampled"] / lps_sample if lps_sample else 0.0
    log(f"[pyomo {preset}] {res['seconds_sampled']:.1f} s for {res['sampled']} scenarios "
        f"({res['seconds_per_lp']:.3f} s/LP), extrapolated {res['extrapolated_sweep_seconds']:.0f} s")
    return res


def run_pyomo_top(args, work, path, report, preset):
    """Untimed extra check: the peer on the K scenarios lifeline ranks worst (a random
    sample of this sweep is mostly zero-loss scenarios, so it checks few non-zero values)."""
    with open(path) as fh:
        doc = json.load(fh)
    sweep = {sc["id"]: sc for sc in default_sweep(doc)}
    ranked = sorted(report["scenarios"], key=lambda s: (-(s.get("performance_impact") or 0.0),
                                                         s["tts"]))
    doc["scenarios"] = [sweep[s["id"]] for s in ranked[:args.check_top]]
    top_path = os.path.join(work, f"net-top-{preset}.json")
    with open(top_path, "w") as fh:
        json.dump(doc, fh)
    log(f"[pyomo {preset}] agreement check on lifeline's {len(doc['scenarios'])} worst "
        "scenarios ...")
    proc = subprocess.run([sys.executable, os.path.join(HERE, "pyomo_stress.py"), top_path],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"pyomo_stress.py failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def run_pairs(args, path):
    """`lifeline stress --pairs` on one network, 2 threads, one run (wall clock)."""
    out = path + ".pairs.json"
    cmd = [args.lifeline, "stress", path, "--pairs", "--format", "json", "-o", out,
           "--threads", "2"]
    log("[pairs] lifeline stress --pairs on the 1,700-node realistic network ...")
    load = loadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"lifeline failed ({proc.returncode}): {' '.join(cmd)}\n"
                         f"{proc.stderr[-4000:]}")
    with open(out) as fh:
        doc = json.load(fh)
    res = {"seconds": wall, "loadavg_before": load, "singles": doc.get("singles"),
           "skipped": len(doc.get("skipped") or []), "screened": doc.get("screened"),
           "positive_excess": len(doc.get("pairs") or []),
           "top": [{k: p.get(k) for k in ("a", "b", "window", "excess")}
                   for p in (doc.get("pairs") or [])[:5]]}
    log(f"[pairs] {wall:.1f} s, screened {res['screened']}, "
        f"{res['positive_excess']} pairs with a positive excess")
    return res


def agreement(pyomo, report):
    by_id = {s["id"]: s for s in report["scenarios"]}
    mismatches, checked = [], 0
    for r in pyomo["results"]:
        s = by_id.get(r["id"])
        if s is None:
            mismatches.append({"id": r["id"], "field": "missing in lifeline report"})
            continue
        for field in ("tts", "performance_impact"):
            checked += 1
            a, b = s.get(field), r.get(field)
            if not close(a, b):
                mismatches.append({"id": r["id"], "field": field, "lifeline": a, "pyomo": b})
    return {"scenarios": len(pyomo["results"]), "values_checked": checked,
            "nonzero_impact": sum(1 for r in pyomo["results"] if r.get("performance_impact")),
            "rel_tol": REL_TOL, "mismatches": mismatches}


def fmt_s(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f} s"
    if x >= 10:
        return f"{x:.1f} s"
    if x >= 1:
        return f"{x:.2f} s"
    return f"{x * 1000:.1f} ms" if x >= 0.001 else f"{x * 1e6:.0f} µs"


def markdown(res):
    nets = res["networks"]
    lines = [f"### Stress test: lifeline vs Pyomo + HiGHS, both presets ({res['date']})", ""]
    lines.append("| network | nodes | edges | scenarios | zero loss | baseline TTS | "
                 "lifeline 2 threads | 1 thread | --solve-all (2 thr / 1 thr) | "
                 "Pyomo + HiGHS (extrapolated) | ratio |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for preset in res["presets"]:
        b = next(n for n in nets if n["preset"] == preset and n["size"] == BENCH_NODES)
        m, s = b["modes"], b["summary"]
        py, r = res["pyomo"][preset], res["ratios"][preset]
        lines.append(
            f"| {preset}: 3-tier 200/500/1000, seed 7 | {b['nodes']:,} | {b['edges']:,} | "
            f"{b['scenarios_total']:,} | {s['zero_loss'] / s['scenarios']:.0%} | "
            f"{s['baseline_tts']:.2f} | **{fmt_s(m['t2']['seconds'])}** | "
            f"{fmt_s(m['t1']['seconds'])} | "
            f"{fmt_s(m['t2_all']['seconds'])} / {fmt_s(m['t1_all']['seconds'])} | "
            f"{fmt_s(py['extrapolated_sweep_seconds'])} ({py['sampled']} sampled) | "
            f"**{r['sweep_vs_t2']:,.0f}×** |")
    lines.append("")
    for preset in res["presets"]:
        b = next(n for n in nets if n["preset"] == preset and n["size"] == BENCH_NODES)
        m, s = b["modes"], b["summary"]
        py, r = res["pyomo"][preset], res["ratios"][preset]
        lines += [
            f"* **{preset}**: ratio = Pyomo extrapolated sweep / lifeline sweep: against "
            f"lifeline 2 threads {r['sweep_vs_t2']:,.0f}×, 1 thread {r['sweep_vs_t1']:,.0f}×, "
            f"2 threads --solve-all {r['sweep_vs_t2_all']:,.0f}×, 1 thread --solve-all "
            f"{r['sweep_vs_t1_all']:,.0f}×. Per LP: Pyomo {fmt_s(py['seconds_per_lp'])} "
            f"({py['lps_sampled']} LPs sampled; build {py['seconds_build']:.1f} s, solve "
            f"{py['seconds_solve']:.1f} s); lifeline 1 thread "
            f"{fmt_s(m['t1']['seconds_per_lp'])} ({m['t1']['lps']:,} LPs, "
            f"{r['per_lp_vs_t1']:,.0f}×), 1 thread --solve-all "
            f"{fmt_s(m['t1_all']['seconds_per_lp'])} ({m['t1_all']['lps']:,} LPs, "
            f"{r['per_lp_vs_t1_all']:,.0f}×). Scenarios {s['scenarios']:,}, zero loss "
            f"{s['zero_loss']:,}, TTS < TTR {s['tts_below_ttr']:,}, baseline TTS "
            f"{s['baseline_tts']:.4f}.",
        ]
    real = next((n for n in nets if n["preset"] == "realistic" and n["size"] == BENCH_NODES),
                None)
    if real is not None:
        t2 = real["modes"]["t2"]["seconds"]
        ratio = res["ratios"]["realistic"]["sweep_vs_t2"]
        lines.append(f"* Target (issue 18), realistic 1,700 nodes: whole sweep ≤ 1 s on 2 "
                     f"threads: {'met' if t2 <= 1 else 'NOT met'} ({fmt_s(t2)}); ≥ 400× "
                     f"Pyomo: {'met' if ratio >= 400 else 'NOT met'} ({ratio:,.0f}×).")
    lines.append("")

    lines.append("### Scaling (default settings), both presets")
    lines.append("")
    lines.append("| preset | network | nodes | edges | scenarios | 2 threads | 1 thread | "
                 "per scenario (1 thread) | LPs solved (default / --solve-all) | per LP "
                 "(1 thread, default / --solve-all) | zero loss | baseline TTS |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sorted(nets, key=lambda n: (res["presets"].index(n["preset"]), n["size"])):
        mm, s = n["modes"], n["summary"]
        ext = " *" if n["sampled"] else ""
        zl = (f"{s['zero_loss'] / s['scenarios']:.0%} of {s['scenarios']} sampled"
              if n["sampled"] else f"{s['zero_loss']:,} ({s['zero_loss'] / s['scenarios']:.0%})")
        lines.append(
            f"| {n['preset']} | {size_label(n['size'])} | {n['nodes']:,} | {n['edges']:,} | "
            f"{n['scenarios_total']:,} | "
            f"{fmt_s(mm['t2']['seconds'])}{ext} | {fmt_s(mm['t1']['seconds'])}{ext} | "
            f"{fmt_s(mm['t1']['seconds_per_scenario'])} | "
            f"{mm['t1']['lps']:,} / {mm['t1_all']['lps']:,}{ext} | "
            f"{fmt_s(mm['t1']['seconds_per_lp'])} / {fmt_s(mm['t1_all']['seconds_per_lp'])} | "
            f"{zl} | {s['baseline_tts']:.2f} |")
    sampled = [n for n in nets if n["sampled"]]
    if sampled:
        lines += ["", "\\* extrapolated from a random sample of the sweep ("
                  + ", ".join(f"{n['label']}: {n['sampled']} scenarios" for n in sampled)
                  + "): fixed cost (a run with no scenario) + scenarios × per-scenario cost."]
    lines.append("")

    if "pairs" in res:
        p = res["pairs"]
        sc = p["screened"] or {}
        lines += ["### Pairs of simultaneous outages (realistic 1,700 nodes)", "",
                  "| network | singles | pairs | no window | disjoint | combined plan | "
                  "solved jointly | excess > 0 | 2 threads |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| realistic 3-tier 200/500/1000, seed 7 | {p['singles']:,} | "
                  f"{sc.get('pairs', 0):,} | {sc.get('no_window', 0):,} | "
                  f"{sc.get('disjoint', 0):,} | {sc.get('combined_plan', 0):,} | "
                  f"{sc.get('solved', 0):,} | {p['positive_excess']:,} | "
                  f"**{fmt_s(p['seconds'])}** |", "",
                  f"* Target: all screened pairs ≤ {PAIRS_TARGET_S:.0f} s on 2 threads: "
                  f"{'met' if p['seconds'] <= PAIRS_TARGET_S else 'NOT met'} "
                  f"({fmt_s(p['seconds'])}).", ""]

    lines.append("### Agreement with Pyomo + HiGHS")
    lines.append("")
    for preset in res["presets"]:
        for key, what in AGREEMENTS.items():
            a = res["agreements"][preset].get(key)
            if a is None:
                continue
            if a["mismatches"]:
                lines.append(f"* {preset}, {what}: **{len(a['mismatches'])} mismatches** among "
                             f"{a['values_checked']} values ({a['scenarios']} scenarios, "
                             f"{a['nonzero_impact']} with a loss; tts and performance_impact, "
                             f"relative tolerance {a['rel_tol']:g}):")
                for mm in a["mismatches"]:
                    lines.append(f"  * {mm}")
            else:
                lines.append(f"* {preset}, {what}: all {a['values_checked']} values agree "
                             f"({a['scenarios']} scenarios, {a['nonzero_impact']} with a loss; "
                             f"tts and performance_impact, relative tolerance "
                             f"{a['rel_tol']:g}).")
    lines.append("")
    v = res["versions"]
    py = res["pyomo"][res["presets"][0]]
    lines.append(f"Versions: {v['lifeline']} (binary built {v['lifeline_built']}, tree "
                 f"{v['git']}), {v['rustc']}, pyomo {py['pyomo']}, highspy "
                 f"{py['highspy']} ({py['solver']}), Python {res['machine']['python']}. Machine: "
                 f"{res['machine']['cores']} cores, {res['machine']['memory_gib']} GiB, "
                 f"{res['machine']['cpu']}.")
    return "\n".join(lines)


def sizes_arg(text):
    try:
        sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--sizes: {error}") from None
    if not sizes or sizes[0] < 17:
        raise argparse.ArgumentTypeError("--sizes: node counts of at least 17, e.g. 1700,10000")
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lifeline", default=os.path.join(ROOT, "target", "release", "lifeline"),
                    help="lifeline binary (default ./target/release/lifeline)")
    ap.add_argument("--sample", type=int, default=20,
                    help="scenarios Pyomo solves on the 1,700-node network (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="sampling seed (default 1)")
    ap.add_argument("--sizes", type=sizes_arg, default=DEFAULT_SIZES,
                    help="node counts of the networks, comma-separated; 1700 (the benchmark "
                         "network, always run) is 200/500/1000 (default 1000,1700,10000,50000)")
    ap.add_argument("--full-up-to", type=int, default=2000,
                    help="full sweeps up to this many nodes, a sample above (default 2000)")
    ap.add_argument("--sample-10k", type=int, default=100,
                    help="scenarios lifeline runs on networks of up to 20k nodes above "
                         "--full-up-to, extrapolated (default 100)")
    ap.add_argument("--sample-50k", type=int, default=20,
                    help="scenarios lifeline runs on networks above 20k nodes, "
                         "extrapolated (default 20)")
    ap.add_argument("--pairs", action="store_true",
                    help="also time `lifeline stress --pairs` on the 1,700-node realistic "
                         "network (needs a lifeline with --pairs)")
    ap.add_argument("--check-top", type=int, default=10,
                    help="also check agreement (untimed) on lifeline's K worst scenarios "
                         "(default 10, 0 to skip)")
    ap.add_argument("--quick", action="store_true",
                    help="skip the networks above 20k nodes")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "stress.json"),
                    help="machine-readable results (default bench/out/stress.json)")
    args = ap.parse_args()
    args.lifeline = os.path.abspath(args.lifeline)
    if not os.access(args.lifeline, os.X_OK):
        raise SystemExit(f"no lifeline binary at {args.lifeline}; "
                         "run `cargo build --release -p lifeline-cli`")

    res = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {"lifeline": version_of([args.lifeline, "--version"]),
                     "rustc": version_of(["rustc", "--version"]),
                     "git": version_of(["git", "-C", ROOT, "describe", "--always", "--dirty"]),
                     "lifeline_built": datetime.datetime.fromtimestamp(
                         os.path.getmtime(args.lifeline)).astimezone().isoformat(
                         timespec="seconds")},
        "settings": {"pyomo_sample": args.sample, "seed": args.seed, "sizes": args.sizes,
                     "full_up_to": args.full_up_to, "sample_10k": args.sample_10k,
                     "sample_50k": args.sample_50k, "quick": args.quick, "pairs": args.pairs,
                     "rel_tol": REL_TOL},
        "presets": PRESETS,
        "networks": [],
        "pyomo": {},
        "ratios": {},
        "agreements": {},
    }
    sizes = sorted(set(args.sizes) | {BENCH_NODES})
    if args.quick:
        sizes = [n for n in sizes if n <= 20000]
    log(f"load average at start: {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as work:
        for preset in PRESETS:
            for nodes in sizes:
                path, info = bench_network(args, work, preset, nodes)
                reports = info.pop("reports", None)
                res["networks"].append(info)
                if nodes != BENCH_NODES:
                    continue
                # the peer runs right after lifeline on the same network, in the same run
                py = res["pyomo"][preset] = run_pyomo(args, path, preset)
                top = (run_pyomo_top(args, work, path, reports["t2"], preset)
                       if args.check_top > 0 else None)
                m = info["modes"]
                ratios = {f"sweep_vs_{k}": py["extrapolated_sweep_seconds"] / m[k]["seconds"]
                          for k in m}
                ratios.update({f"per_lp_vs_{k}": py["seconds_per_lp"] / m[k]["seconds_per_lp"]
                               for k in m})
                res["ratios"][preset] = ratios
                # both lifeline modes against the peer: default (TTR skipped where covered)
                # and --solve-all
                agree = {"agreement": agreement(py, reports["t2"]),
                         "agreement_solve_all": agreement(py, reports["t2_all"])}
                if top is not None:
                    agree["agreement_top"] = agreement(top, reports["t2"])
                    agree["agreement_top_solve_all"] = agreement(top, reports["t2_all"])
                res["agreements"][preset] = agree
                for key, a in agree.items():
                    bad = a["mismatches"]
                    log(f"{preset} {key}: "
                        + (f"{len(bad)} MISMATCHES" if bad else "all sampled values match"))
                if args.pairs and preset == "realistic":
                    res["pairs"] = run_pairs(args, path)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(res, fh, indent=2)
        fh.write("\n")
    log(f"wrote {args.out}")
    print(markdown(res))


if __name__ == "__main__":
    main()

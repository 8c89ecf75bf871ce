#!/usr/bin/env python3
"""Stress-test benchmark driver: lifeline against Pyomo + HiGHS, and scaling (dev-only).

    python3 bench/stress_bench.py [--lifeline PATH] [--sample K] [--quick]

In one run it
  1. generates the 1,700-node benchmark network (`--tiers 200,500,1000 --seed 7`) and
     networks of 1k, 10k and 50k nodes (`--nodes N --seed 7`) in a temporary folder;
  2. times `lifeline stress --format json` (wall clock of the subprocess, so loading the
     network and writing the report are included) with 2 threads and 1 thread, with the
     default settings and with `--solve-all`: best of 3 runs (1 run at 50k nodes). Networks
     whose full sweep would take minutes (10k, 50k) run a random sample of their default
     sweep through `--scenarios` and are extrapolated: T = T0 + N * (Tk - T0) / k, T0
     being a run with no scenario (loading, baseline TTS, writing);
  3. runs bench/pyomo_stress.py on the 1,700-node network on a sample of scenarios
     and divides its extrapolated sweep time by lifeline's (whole sweep and per LP);
  4. checks that lifeline's tts and performance_impact equal Pyomo's to 1e-6 relative on
     the sampled scenarios and (untimed) on the K scenarios lifeline ranks worst;
  5. prints a markdown section on stdout and writes bench/out/stress.json.

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

# (label, generate arguments, full sweep?) -- the 1,700-node network is the benchmark one.
NETWORKS = [
    ("1k", ["--nodes", "1000"]),
    ("1.7k", ["--tiers", "200,500,1000"]),
    ("10k", ["--nodes", "10000"]),
    ("50k", ["--nodes", "50000"]),
]
BENCH = "1.7k"
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


def bench_network(args, work, label, gen_args):
    exe = args.lifeline
    path = os.path.join(work, f"net-{label}.json")
    log(f"[{label}] generating {' '.join(gen_args)} --seed 7")
    run([exe, "generate", *gen_args, "--seed", "7", "-o", path])
    with open(path) as fh:
        doc = json.load(fh)
    sweep = default_sweep(doc)
    horizon = float(doc.get("horizon", 365.0))
    total = len(sweep)
    info = {"label": label, "generate": gen_args + ["--seed", "7"],
            "nodes": len(doc["nodes"]), "edges": len(doc.get("edges", [])),
            "scenarios_total": total}
    sample_k = {"10k": args.sample_10k, "50k": args.sample_50k}.get(label)
    sampled = sample_k is not None and sample_k < total
    reps = 1 if label == "50k" else 3
    out = os.path.join(work, f"out-{label}.json")
    scen_file = empty_file = None
    if sampled:
        chosen = sorted(random.Random(args.seed).sample(range(total), sample_k))
        scen_file = os.path.join(work, f"scen-{label}.json")
        with open(scen_file, "w") as fh:
            json.dump({"scenarios": [sweep[i] for i in chosen]}, fh)
        empty_file = os.path.join(work, "empty.json")
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


def run_pyomo(args, path):
    log(f"[pyomo] {args.sample} scenarios of the 1,700-node sweep with Pyomo + HiGHS ...")
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
    log(f"[pyomo] {res['seconds_sampled']:.1f} s for {res['sampled']} scenarios "
        f"({res['seconds_per_lp']:.3f} s/LP), extrapolated {res['extrapolated_sweep_seconds']:.0f} s")
    return res


def run_pyomo_top(args, work, path, report):
    """Untimed extra check: the peer on the K scenarios lifeline ranks worst (a random
    sample of this sweep is mostly zero-loss scenarios, so it checks few non-zero values)."""
    with open(path) as fh:
        doc = json.load(fh)
    sweep = {sc["id"]: sc for sc in default_sweep(doc)}
    ranked = sorted(report["scenarios"], key=lambda s: (-(s.get("performance_impact") or 0.0),
                                                         s["tts"]))
    doc["scenarios"] = [sweep[s["id"]] for s in ranked[:args.check_top]]
    top_path = os.path.join(work, "net-top.json")
    with open(top_path, "w") as fh:
        json.dump(doc, fh)
    log(f"[pyomo] agreement check on lifeline's {len(doc['scenarios'])} worst scenarios ...")
    proc = subprocess.run([sys.executable, os.path.join(HERE, "pyomo_stress.py"), top_path],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"pyomo_stress.py failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


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
    nets = {n["label"]: n for n in res["networks"]}
    b = nets[BENCH]
    m = b["modes"]
    py = res["pyomo"]
    r = res["ratios"]
    lines = [f"### Stress test: lifeline vs Pyomo + HiGHS ({res['date']})", ""]
    lines.append("| network | nodes | edges | scenarios | lifeline 2 threads | 1 thread | "
                 "--solve-all (2 thr / 1 thr) | Pyomo + HiGHS (extrapolated) | ratio |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines.append(
        f"| 3-tier 200/500/1000, seed 7 | {b['nodes']:,} | {b['edges']:,} | "
        f"{b['scenarios_total']:,} | **{fmt_s(m['t2']['seconds'])}** | {fmt_s(m['t1']['seconds'])} | "
        f"{fmt_s(m['t2_all']['seconds'])} / {fmt_s(m['t1_all']['seconds'])} | "
        f"{fmt_s(py['extrapolated_sweep_seconds'])} ({py['sampled']} sampled) | "
        f"**{r['sweep_vs_t2']:,.0f}×** |")
    lines += ["",
              f"* Ratio = Pyomo extrapolated sweep / lifeline sweep. Against lifeline 2 threads "
              f"{r['sweep_vs_t2']:,.0f}×, 1 thread {r['sweep_vs_t1']:,.0f}×, 2 threads "
              f"--solve-all {r['sweep_vs_t2_all']:,.0f}×, 1 thread --solve-all "
              f"{r['sweep_vs_t1_all']:,.0f}×.",
              f"* Per LP: Pyomo {fmt_s(py['seconds_per_lp'])} ({py['lps_sampled']} LPs sampled; "
              f"build {py['seconds_build']:.1f} s, solve {py['seconds_solve']:.1f} s); lifeline "
              f"1 thread {fmt_s(m['t1']['seconds_per_lp'])} ({m['t1']['lps']:,} LPs, "
              f"{r['per_lp_vs_t1']:,.0f}×), 1 thread --solve-all "
              f"{fmt_s(m['t1_all']['seconds_per_lp'])} ({m['t1_all']['lps']:,} LPs, "
              f"{r['per_lp_vs_t1_all']:,.0f}×).",
              f"* Scenarios {b['summary']['scenarios']:,}, zero loss {b['summary']['zero_loss']:,}, "
              f"TTS < TTR {b['summary']['tts_below_ttr']:,}, baseline TTS "
              f"{b['summary']['baseline_tts']:.4f}.",
              f"* Target: whole sweep ≤ 10 s on 2 threads: "
              f"{'met' if m['t2']['seconds'] <= 10 else 'NOT met'} ({fmt_s(m['t2']['seconds'])}); "
              f"≥ 200× Pyomo: {'met' if r['sweep_vs_t2'] >= 200 else 'NOT met'} "
              f"({r['sweep_vs_t2']:,.0f}×).", ""]

    lines.append("### Scaling (default settings)")
    lines.append("")
    lines.append("| network | nodes | edges | scenarios | 2 threads | 1 thread | per scenario "
                 "(1 thread) | LPs solved (default / --solve-all) | per LP (1 thread, default / "
                 "--solve-all) | zero loss |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in res["networks"]:
        mm, s = n["modes"], n["summary"]
        ext = " *" if n["sampled"] else ""
        zl = (f"{s['zero_loss'] / s['scenarios']:.0%} of {s['scenarios']} sampled"
              if n["sampled"] else f"{s['zero_loss']:,}")
        lines.append(
            f"| {n['label']} | {n['nodes']:,} | {n['edges']:,} | {n['scenarios_total']:,} | "
            f"{fmt_s(mm['t2']['seconds'])}{ext} | {fmt_s(mm['t1']['seconds'])}{ext} | "
            f"{fmt_s(mm['t1']['seconds_per_scenario'])} | "
            f"{mm['t1']['lps']:,} / {mm['t1_all']['lps']:,}{ext} | "
            f"{fmt_s(mm['t1']['seconds_per_lp'])} / {fmt_s(mm['t1_all']['seconds_per_lp'])} | {zl} |")
    sampled = [n for n in res["networks"] if n["sampled"]]
    if sampled:
        lines += ["", "\\* extrapolated from a random sample of the sweep ("
                  + ", ".join(f"{n['label']}: {n['sampled']} scenarios" for n in sampled)
                  + "): fixed cost (a run with no scenario) + scenarios × per-scenario cost."]
    lines.append("")

    lines.append("### Agreement with Pyomo + HiGHS")
    lines.append("")
    for key, what in AGREEMENTS.items():
        if key not in res:
            continue
        a = res[key]
        if a["mismatches"]:
            lines.append(f"* {what}: **{len(a['mismatches'])} mismatches** among "
                         f"{a['values_checked']} values ({a['scenarios']} scenarios, "
                         f"{a['nonzero_impact']} with a loss; tts and performance_impact, "
                         f"relative tolerance {a['rel_tol']:g}):")
            for mm in a["mismatches"]:
                lines.append(f"  * {mm}")
        else:
            lines.append(f"* {what}: all {a['values_checked']} values agree ({a['scenarios']} "
                         f"scenarios, {a['nonzero_impact']} with a loss; tts and "
                         f"performance_impact, relative tolerance {a['rel_tol']:g}).")
    lines.append("")
    v = res["versions"]
    lines.append(f"Versions: {v['lifeline']} (binary built {v['lifeline_built']}, tree "
                 f"{v['git']}), {v['rustc']}, pyomo {py['pyomo']}, highspy "
                 f"{py['highspy']} ({py['solver']}), Python {res['machine']['python']}. Machine: "
                 f"{res['machine']['cores']} cores, {res['machine']['memory_gib']} GiB, "
                 f"{res['machine']['cpu']}.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lifeline", default=os.path.join(ROOT, "target", "release", "lifeline"),
                    help="lifeline binary (default ./target/release/lifeline)")
    ap.add_argument("--sample", type=int, default=20,
                    help="scenarios Pyomo solves on the 1,700-node network (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="sampling seed (default 1)")
    ap.add_argument("--sample-10k", type=int, default=100,
                    help="scenarios lifeline runs at 10k nodes, extrapolated (default 100)")
    ap.add_argument("--sample-50k", type=int, default=20,
                    help="scenarios lifeline runs at 50k nodes, extrapolated (default 20)")
    ap.add_argument("--check-top", type=int, default=10,
                    help="also check agreement (untimed) on lifeline's K worst scenarios "
                         "(default 10, 0 to skip)")
    ap.add_argument("--quick", action="store_true", help="skip the 50k-node network")
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
        "settings": {"pyomo_sample": args.sample, "seed": args.seed,
                     "sample_10k": args.sample_10k, "sample_50k": args.sample_50k,
                     "quick": args.quick, "rel_tol": REL_TOL},
        "networks": [],
    }
    log(f"load average at start: {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as work:
        bench_path = bench_reports = top = None
        for label, gen_args in NETWORKS:
            if args.quick and label == "50k":
                continue
            path, info = bench_network(args, work, label, gen_args)
            reports = info.pop("reports", None)
            if label == BENCH:
                bench_path, bench_reports = path, reports
            res["networks"].append(info)
            if label == BENCH:
                # the peer runs right after lifeline on the same network, in the same run
                res["pyomo"] = run_pyomo(args, bench_path)
                top = (run_pyomo_top(args, work, bench_path, bench_reports["t2"])
                       if args.check_top > 0 else None)

    py = res["pyomo"]
    m = next(n for n in res["networks"] if n["label"] == BENCH)["modes"]
    res["ratios"] = {f"sweep_vs_{k}": py["extrapolated_sweep_seconds"] / m[k]["seconds"]
                     for k in m}
    res["ratios"].update({f"per_lp_vs_{k}": py["seconds_per_lp"] / m[k]["seconds_per_lp"]
                          for k in m})
    # both lifeline modes against the peer: default (TTR skipped where covered) and --solve-all
    res["agreement"] = agreement(py, bench_reports["t2"])
    res["agreement_solve_all"] = agreement(py, bench_reports["t2_all"])
    if top is not None:
        res["agreement_top"] = agreement(top, bench_reports["t2"])
        res["agreement_top_solve_all"] = agreement(top, bench_reports["t2_all"])
    for key in AGREEMENTS:
        if key not in res:
            continue
        bad = res[key]["mismatches"]
        log(f"{key}: " + (f"{len(bad)} MISMATCHES" if bad else "all sampled values match"))

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(res, fh, indent=2)
        fh.write("\n")
    log(f"wrote {args.out}")
    print(markdown(res))


if __name__ == "__main__":
    main()

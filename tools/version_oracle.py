#!/usr/bin/env python3
"""Dev-only oracle for lifeline-version: compares its version orders with reference
implementations on a generated corpus and prints the disagreements.

References: `packaging` (PyPI, PEP 440), node `semver` 7 (npm, crates.io),
`dpkg --compare-versions` (Debian), the installed Maven's `ComparableVersion`
(through `tools/version_oracle_maven.java`; `univers` when there is no Maven), and
`univers` (RubyGems, NuGet, Go, Alpine). Not needed by `cargo test`.

Setup (once):
    python3 -m venv /tmp/lifeline-oracle-venv
    /tmp/lifeline-oracle-venv/bin/pip install packaging univers
    npm install --prefix /tmp/lifeline-oracle semver@7
Run:
    cargo build --release -p lifeline-version --example version_compare
    NODE_PATH=/tmp/lifeline-oracle/node_modules \
      /tmp/lifeline-oracle-venv/bin/python tools/version_oracle.py [--pairs N] [--seed S]
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BINARY = TARGET / "release" / "examples" / "version_compare"


# --- corpus generators -------------------------------------------------------

def num(r):
    return str(r.choice([0, 0, 1, 2, 3, 9, 10, 11, 12, 99, 100, 2019]))


def gen_semver(r, prefix=""):
    text = f"{prefix}{num(r)}.{num(r)}.{num(r)}"
    if r.random() < 0.5:
        ids = [r.choice(["alpha", "beta", "rc", "0", "1", "11", "a1", "x-y", "RC", "dev"]) for _ in range(r.randint(1, 3))]
        text += "-" + ".".join(ids)
    if r.random() < 0.15:
        text += "+build." + num(r)
    return text


def gen_go(r):
    kind = r.random()
    if kind < 0.5:
        return gen_semver(r, "v")
    if kind < 0.8:
        base = f"v{num(r)}.{num(r)}.{num(r)}"
        return f"{base}-0.{r.randint(2018, 2024)}{r.randint(10, 12)}{r.randint(10, 28)}{r.randint(100000, 235959)}-abcdef{r.randint(100000, 999999)}"
    return f"v{r.randint(2, 5)}.{num(r)}.{num(r)}+incompatible"


def gen_pypi(r):
    text = ""
    if r.random() < 0.1:
        text += f"{r.randint(0, 2)}!"
    text += ".".join(num(r) for _ in range(r.randint(1, 4)))
    if r.random() < 0.4:
        text += r.choice(["a", "b", "rc", "alpha", "beta", "c", "pre", "-a", ".b", "_rc"]) + str(r.randint(0, 3))
    if r.random() < 0.2:
        text += r.choice([".post", "-post", ".r", "-"]) + str(r.randint(0, 3))
    if r.random() < 0.2:
        text += r.choice([".dev", "-dev", "dev"]) + str(r.randint(0, 3))
    if r.random() < 0.1:
        text += "+" + r.choice(["abc", "1", "abc.5", "ubuntu-1", "ABC"])
    if r.random() < 0.05:
        text = "v" + text
    return text


MAVEN_TOKENS = ["alpha", "a", "beta", "b", "m", "milestone", "rc", "cr", "SNAPSHOT", "ga",
                "final", "release", "sp", "foo", "x", "RELEASE", "Final", "jre", "android"]


def gen_maven(r):
    text = num(r)
    for _ in range(r.randint(0, 4)):
        sep = r.choice([".", ".", "-", ""])
        token = num(r) if r.random() < 0.5 else r.choice(MAVEN_TOKENS)
        if sep == "" and token[0].isdigit() == text[-1].isdigit():
            sep = "."
        text += sep + token
    return text


def gen_maven_conventional(r):
    """Versions as Maven Central artefacts mostly spell them."""
    text = ".".join(num(r) for _ in range(r.randint(2, 3)))
    kind = r.random()
    if kind < 0.15:
        text += "-SNAPSHOT"
    elif kind < 0.3:
        text += "-" + r.choice(["alpha", "beta", "rc", "RC", "M", "cr"]) + r.choice(["", "1", "2", "-1", "-2", "10"])
    elif kind < 0.4:
        text += "." + r.choice(["Final", "RELEASE", "GA", "SP1", "jre", "android"])
    elif kind < 0.45:
        text += "-" + num(r)
    return text


def gen_rubygems(r):
    text = num(r)
    for _ in range(r.randint(0, 4)):
        text += "." + (num(r) if r.random() < 0.6 else r.choice(["a", "b", "pre", "rc", "beta", "rc1", "a2", "x"]))
    if r.random() < 0.1:
        text += "-" + r.choice(["rc1", "beta", "pre.1"])
    return text


def gen_nuget(r):
    text = ".".join(num(r) for _ in range(r.randint(1, 4)))
    if r.random() < 0.4:
        text += "-" + ".".join(r.choice(["alpha", "Alpha", "BETA", "beta", "rc", "1", "2", "10", "preview"]) for _ in range(r.randint(1, 3)))
    if r.random() < 0.1:
        text += "+meta"
    return text


def gen_debian(r):
    text = ""
    if r.random() < 0.15:
        text += f"{r.randint(0, 2)}:"
    text += num(r) + "".join(r.choice([".", ".", "~", "+", ""]) + r.choice([num(r), "rc", "a", "b", "dfsg", "git", "~", "p"]) for _ in range(r.randint(0, 3)))
    if r.random() < 0.6:
        text += "-" + r.choice(["1", "2", "0.1", "1ubuntu1", "1+deb12u1", "1~bpo1", "10"])
    return text


def gen_alpine(r):
    text = ".".join(r.choice([num(r), "01", "001", "0"]) for _ in range(r.randint(1, 4)))
    if r.random() < 0.15:
        text += r.choice("abz")
    for _ in range(r.randint(0, 2)):
        if r.random() < 0.4:
            text += "_" + r.choice(["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"])
            if r.random() < 0.7:
                text += str(r.randint(0, 12))
    if r.random() < 0.6:
        text += f"-r{r.randint(0, 10)}"
    return text


def mutate(r, text):
    """One random edit: insert, delete or replace a character."""
    alphabet = "0123456789.-_+~:!vVabrcpx "
    i = r.randrange(len(text) + 1)
    kind = r.random()
    if kind < 0.4 or not text:
        return text[:i] + r.choice(alphabet) + text[i:]
    i = min(i, len(text) - 1)
    if kind < 0.7:
        return text[:i] + text[i + 1:]
    return text[:i] + r.choice(alphabet) + text[i + 1:]


# --- reference implementations ----------------------------------------------

def sign(x):
    return "<" if x < 0 else ("=" if x == 0 else ">")


def with_classes(parse):
    def compare(a, b):
        try:
            x = parse(a)
        except Exception:
            return "!A"
        try:
            y = parse(b)
        except Exception:
            return "!B"
        try:
            return "<" if x < y else ("=" if x == y else ">")
        except Exception:
            return "!ERR"
    return compare


def python_refs():
    refs = {}
    from packaging.version import Version
    refs["PyPI"] = ("packaging", with_classes(Version))
    try:
        from univers import versions as uv
        refs["Maven"] = ("univers MavenVersion", with_classes(uv.MavenVersion))
        refs["RubyGems"] = ("univers RubygemsVersion", with_classes(uv.RubygemsVersion))
        refs["NuGet"] = ("univers NugetVersion", with_classes(uv.NugetVersion))
        refs["Go"] = ("univers GolangVersion", with_classes(uv.GolangVersion))
        refs["Alpine"] = ("univers AlpineLinuxVersion", with_classes(uv.AlpineLinuxVersion))
    except ImportError:
        print("univers not installed: Maven, RubyGems, NuGet, Go, Alpine skipped", file=sys.stderr)
    return refs


def node_compare(pairs):
    script = ROOT / "tools" / "version_oracle_npm.mjs"
    text = "".join(json.dumps(p) + "\n" for p in pairs)
    done = subprocess.run(["node", str(script)], input=text, capture_output=True, text=True, check=True)
    return done.stdout.split()


MAVEN_JAR = Path("/usr/share/maven/lib/maven-artifact-3.x.jar")


def maven_compare(pairs):
    """Maven's own ComparableVersion, from the installed Maven's jar."""
    script = ROOT / "tools" / "version_oracle_maven.java"
    text = "".join(f"{a}\t{b}\n" for a, b in pairs)
    done = subprocess.run(["java", "-cp", str(MAVEN_JAR), str(script)], input=text,
                          capture_output=True, text=True, check=True)
    return done.stdout.split()


def maven_version():
    done = subprocess.run(["mvn", "-v"], capture_output=True, text=True)
    first = done.stdout.splitlines()[0] if done.stdout else "Maven"
    return "".join(ch for ch in first if ch.isprintable()).replace("[1m", "").replace("[m", "")


def dpkg_compare(a, b):
    # dpkg warns about "bad syntax" (and still compares) or fails; both count as rejected.
    for op, answer in (("lt", "<"), ("eq", "=")):
        done = subprocess.run(["dpkg", "--compare-versions", a, op, b], capture_output=True)
        if done.stderr:
            return "!A" if f"'{a}'".encode() in done.stderr else "!B"
        if done.returncode == 0:
            return answer
    return ">"


def ours(ecosystem, pairs):
    text = "".join(f"{ecosystem}\t{a}\t{b}\n" for a, b in pairs)
    done = subprocess.run([str(BINARY)], input=text, capture_output=True, text=True, check=True)
    return done.stdout.split()


# --- main ---------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=20000, help="pairs per ecosystem (dpkg: a tenth)")
    parser.add_argument("--seed", type=int, default=440)
    parser.add_argument("--show", type=int, default=8, help="disagreements to print per ecosystem")
    parser.add_argument("--only", action="append", help="an ecosystem to check (repeatable; default all)")
    args = parser.parse_args()
    if not BINARY.exists():
        sys.exit(f"build first: cargo build --release -p lifeline-version --example version_compare ({BINARY})")

    generators = {
        "npm": lambda r: gen_semver(r, r.choice(["", "", "", "v"])),
        "crates.io": gen_semver,
        "Go": gen_go,
        "PyPI": gen_pypi,
        "Maven": gen_maven,
        "Maven (conventional)": gen_maven_conventional,
        "RubyGems": gen_rubygems,
        "NuGet": gen_nuget,
        "Debian": gen_debian,
        "Alpine": gen_alpine,
    }
    refs = python_refs()
    have_node = shutil.which("node") is not None
    have_dpkg = shutil.which("dpkg") is not None
    total = Counter()
    have_maven = shutil.which("java") is not None and MAVEN_JAR.exists()
    for label, generate in generators.items():
        ecosystem = label.split(" ")[0]
        if args.only and ecosystem not in args.only:
            continue
        r = random.Random(f"{args.seed}-{label}")
        count = args.pairs // 10 if ecosystem == "Debian" else args.pairs
        corpus = [generate(r) for _ in range(max(50, count // 4))]
        # A tenth of the corpus gets one random edit, to compare what each side rejects.
        corpus = [mutate(r, v) if r.random() < 0.1 else v for v in corpus]
        pairs = [(r.choice(corpus), r.choice(corpus)) for _ in range(count)]
        if ecosystem in ("npm", "crates.io"):
            if not have_node:
                print(f"{ecosystem}: node not found, skipped")
                continue
            reference = "node semver " + ("(valid)" if ecosystem == "npm" else "(strict pairs only)")
            theirs = node_compare(pairs)
        elif ecosystem == "Maven" and have_maven:
            reference = maven_version() + " ComparableVersion"
            theirs = maven_compare(pairs)
        elif ecosystem == "Debian":
            if not have_dpkg:
                print("Debian: dpkg not found, skipped")
                continue
            reference = "dpkg --compare-versions"
            theirs = [dpkg_compare(a, b) for a, b in pairs]
        elif ecosystem in refs:
            reference, compare = refs[ecosystem]
            theirs = [compare(a, b) for a, b in pairs]
        else:
            continue
        mine = ours(ecosystem, pairs)
        order = Counter()
        validity = Counter()
        examples = defaultdict(list)
        for (a, b), m, t in zip(pairs, mine, theirs):
            if ecosystem == "crates.io" and (a.startswith("v") or b.startswith("v")):
                continue
            m_ok, t_ok = not m.startswith("!"), not t.startswith("!")
            if m_ok and t_ok:
                order["both"] += 1
                if m != t:
                    order["differ"] += 1
                    examples["order"].append(f"{a} {m} {b} (reference: {t})")
            elif m_ok != t_ok:
                validity["differ"] += 1
                examples["validity"].append(f"{a} | {b}: ours {m}, reference {t}")
            else:
                validity["both invalid"] += 1
        total["pairs"] += len(pairs)
        total["order differ"] += order["differ"]
        print(f"{label} vs {reference}: {len(pairs)} pairs, {order['both']} valid for both, "
              f"{order['differ']} order disagreements, {validity['differ']} validity disagreements")
        for kind in ("order", "validity"):
            for line in sorted(set(examples[kind]))[: args.show]:
                print(f"    {kind}: {line}")
    print(f"total: {total['pairs']} pairs, {total['order differ']} order disagreements")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Differential test and timing of lifeline-gs1's canonical_digital_link against the CBV 2.0
reference implementation's Digital Link normaliser (PyPI `epcis-event-hash-generator`,
module `dl_normaliser`), on generated identifiers.

Dev-only: neither users nor `cargo test` need it.

    python3 -m venv /tmp/gs1venv && /tmp/gs1venv/bin/pip install epcis-event-hash-generator
    /tmp/gs1venv/bin/python tools/gs1_dl_oracle.py --count 20000 --seed 7

It generates EPC URNs of all 15 GS1 schemes (TDS escaping), class and pattern URIs, and
Digital Links (any domain, path prefix, short names, qualifiers, query strings), runs both
implementations, and counts agreement: equal URIs, or "no canonical form" on both sides
(the reference's None against our <none> or <error>). Cases where the two are known to
differ on purpose are counted apart, by the category the generator gave the input (see
docs/gs1-identifiers.md):
  dl-percent   a Digital Link value holding a percent-escape: the reference rejects it
               (None, the value stays unchanged), lifeline-gs1 decodes and re-encodes it;
  dl-raw       a Digital Link value holding `"`, `<` or `>` unescaped (not valid in a URI):
               the reference copies it, lifeline-gs1 percent-encodes it;
  ref-cpv-tail a CPV (22) followed by qualifiers more than 20 characters long in all: the
               reference fails to drop the CPV and rejects the URI;
  ref-gcp12    a GRAI URN, or a GRAI/GDTI/SGCN pattern, with a 12-digit company prefix and so
               an empty reference field (`gcp..serial`, TDS): the reference expects three dots
               and rejects it.
Any other difference is a failure (exit 1). It then times both on the same inputs (CPU time,
so that other load on the machine does not count).
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import time

from epcis_event_hash_generator.dl_normaliser import normaliser

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CSET39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MUST_ESCAPE = set('"%&/<>?#')
# Characters valid unescaped in a URI path segment and in GS1 set 82.
DL_SAFE = "'-.0123456789;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
# Invalid in a URI, yet copied by the reference normaliser.
DL_RAW = '"<>'



def digits(r, n):
    return "".join(r.choice("0123456789") for _ in range(n))


def check(body):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def text(r, alphabet, lo, hi):
    return "".join(r.choice(alphabet) for _ in range(r.randint(lo, hi)))


def escape(value):
    return "".join("%%%02X" % ord(c) if c in MUST_ESCAPE else c for c in value)


def epc(r):
    uri = epc_uri(r)
    scheme = uri.split(":")[3]
    prefix = uri.split(":")[4].split(".")[0]
    gcp12 = len(prefix) == 12 and (scheme == "grai" or (uri.startswith("urn:epc:idpat:") and scheme in ("gdti", "sgcn")))
    return uri, "ref-gcp12" if gcp12 else "plain"


def epc_uri(r):
    g = r.randint(6, 12)
    p = digits(r, g)
    scheme = r.choice("sgtin sscc sgln grai giai gsrn gsrnp gdti cpi sgcn ginc gsin itip upui pgln lgtin idpat".split())
    if scheme == "sgtin":
        return f"urn:epc:id:sgtin:{p}.{digits(r, 13 - g)}.{escape(text(r, CSET82, 1, 20))}"
    if scheme == "sscc":
        return f"urn:epc:id:sscc:{p}.{digits(r, 17 - g)}"
    if scheme == "sgln":
        ext = r.choice(["0", digits(r, r.randint(1, 5))])
        return f"urn:epc:id:sgln:{p}.{digits(r, 12 - g)}.{ext}"
    if scheme == "grai":
        return f"urn:epc:id:grai:{p}.{digits(r, 12 - g)}.{escape(text(r, CSET82, 1, 16))}"
    if scheme in ("giai", "ginc"):
        return f"urn:epc:id:{scheme}:{p}.{escape(text(r, CSET82, 1, 30 - g))}"
    if scheme in ("gsrn", "gsrnp"):
        return f"urn:epc:id:{scheme}:{p}.{digits(r, 17 - g)}"
    if scheme == "gdti":
        return f"urn:epc:id:gdti:{p}.{digits(r, 12 - g)}.{escape(text(r, CSET82, 1, 17))}"
    if scheme == "cpi":
        serial = r.choice(["0", str(r.randint(1, 10**12 - 1))])
        return f"urn:epc:id:cpi:{p}.{escape(text(r, CSET39, 1, 30 - g))}.{serial}"
    if scheme == "sgcn":
        return f"urn:epc:id:sgcn:{p}.{digits(r, 12 - g)}.{digits(r, r.randint(1, 12))}"
    if scheme == "gsin":
        return f"urn:epc:id:gsin:{p}.{digits(r, 16 - g)}"
    if scheme == "itip":
        total = r.randint(1, 99)
        piece = r.randint(1, total)
        return f"urn:epc:id:itip:{p}.{digits(r, 13 - g)}.{piece:02}.{total:02}.{escape(text(r, CSET82, 1, 20))}"
    if scheme == "upui":
        return f"urn:epc:id:upui:{p}.{digits(r, 13 - g)}.{escape(text(r, CSET82, 1, 28))}"
    if scheme == "pgln":
        return f"urn:epc:id:pgln:{p}.{digits(r, 12 - g)}"
    if scheme == "lgtin":
        return f"urn:epc:class:lgtin:{p}.{digits(r, 13 - g)}.{escape(text(r, CSET82, 1, 20))}"
    kind = r.choice(["sgtin", "grai", "gdti", "sgcn", "itip"])
    if kind == "sgtin":
        return f"urn:epc:idpat:sgtin:{p}.{digits(r, 13 - g)}.*"
    if kind == "itip":
        return f"urn:epc:idpat:itip:{p}.{digits(r, 13 - g)}.01.02.*"
    return f"urn:epc:idpat:{kind}:{p}.{digits(r, 12 - g)}.*"


def digital_link(r):
    domain = r.choice(["https://id.gs1.org", "https://example.com", "http://example.de/shop", "https://brand.example/p/q"])
    kind = r.choice(["01", "00", "414", "417", "8006", "8004", "253", "8003", "8018", "8017", "402", "401"])
    short = {"01": "gtin", "00": "sscc", "414": "gln", "417": "party", "8006": "itip", "8004": "giai", "253": "gdti",
             "8003": "grai", "8018": "gsrn", "8017": "gsrnp", "402": "gsin", "401": "ginc"}
    key = short[kind] if r.random() < 0.3 else kind
    tag = "plain"
    mode = r.random()
    path = ""
    if kind == "01":
        body = digits(r, r.choice([7, 11, 12, 13]))
        path = f"/{key}/{body}{check(body)}"
        qualifiers = ""
        for ai, name in (("22", "cpv"), ("10", "lot"), ("21", "ser")):
            if r.random() < 0.5:
                if mode < 0.8:
                    value = text(r, DL_SAFE, 1, 20)
                elif mode < 0.9:
                    value = "".join("%%%02X" % ord(c) if c not in DL_SAFE else c for c in text(r, CSET82, 1, 20))
                    tag = "dl-percent" if "%" in value else tag
                else:
                    value = text(r, DL_SAFE + DL_RAW, 1, 20)
                    tag = "dl-raw" if any(c in DL_RAW for c in value) else tag
                qualifiers += f"/{name if r.random() < 0.3 else ai}/{value}"
        tail = qualifiers.split("/", 2)[2] if qualifiers.startswith(("/22/", "/cpv/")) else ""
        if tail and len(tail) > 20 and "/" in tail and tag == "plain":
            tag = "ref-cpv-tail"
        path += qualifiers
    elif kind == "8006":
        body = digits(r, 13)
        path = f"/{key}/{body}{check(body)}0102"
        if r.random() < 0.6:
            path += f"/21/{text(r, DL_SAFE, 1, 20)}"
    elif kind in ("00", "8018", "8017"):
        body = digits(r, 17)
        path = f"/{key}/{body}{check(body)}"
    elif kind in ("414", "417"):
        body = digits(r, 12)
        path = f"/{key}/{body}{check(body)}"
        if kind == "414" and r.random() < 0.5:
            path += f"/254/{text(r, DL_SAFE, 1, 20)}"
    elif kind == "402":
        body = digits(r, 16)
        path = f"/{key}/{body}{check(body)}"
    elif kind in ("8004", "401"):
        path = f"/{key}/{digits(r, 7)}{text(r, DL_SAFE, 1, 20)}"
    elif kind == "253":
        body = digits(r, 12)
        path = f"/{key}/{body}{check(body)}{text(r, DL_SAFE, 0, 17)}"
    elif kind == "8003":
        body = "0" + digits(r, 12)
        path = f"/{key}/{body}{check(body)}{text(r, DL_SAFE, 0, 16)}"
    query = r.choice(["", "?17=261231", "?linkType=gs1:pip", "?3103=000525&10=X"])
    return domain + path + query, tag


def junk(r):
    return r.choice(["urn:epcglobal:cbv:bizstep:shipping", "https://example.com/about", "geo:47.5,8.1",
                     "urn:epc:id:sgtin:123.4.5", "http://example.de/01/97803", text(r, CSET82, 1, 30)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20, help="timing passes over the inputs (Rust)")
    parser.add_argument("--show", type=int, default=20, help="failures to print")
    args = parser.parse_args()
    r = random.Random(args.seed)
    inputs, tags = [], []
    for _ in range(args.count):
        x = r.random()
        uri, tag = epc(r) if x < 0.55 else digital_link(r) if x < 0.95 else (junk(r), "plain")
        inputs.append(uri)
        tags.append(tag)

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "lifeline-gs1", "--example", "canonical"], cwd=root, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    binary = os.path.join(target, "release", "examples", "canonical")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([binary, "--repeat", str(args.repeat)], input="\n".join(inputs) + "\n",
                         capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rust_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    ours = run.stdout.split("\n")[: len(inputs)]

    start = time.perf_counter()
    cpu_start = time.process_time()
    theirs = []
    for uri in inputs:
        try:
            theirs.append(normaliser(uri))
        except Exception:  # the reference raises on some malformed input (e.g. no '.')
            theirs.append(None)
    python_seconds = time.perf_counter() - start
    python_cpu = time.process_time() - cpu_start

    agree, divergent, failures = 0, {}, []
    for uri, tag, mine, ref in zip(inputs, tags, ours, theirs):
        mine_value = None if mine.startswith("<") else mine
        if mine_value == ref:
            agree += 1
        elif tag != "plain":
            divergent[tag] = divergent.get(tag, 0) + 1
        else:
            failures.append((uri, mine, ref))
    print(f"inputs {len(inputs)}: agree {agree}, documented divergences {divergent}, failures {len(failures)}")
    for uri, mine, ref in failures[: args.show]:
        print(f"  {uri}\n    lifeline-gs1: {mine}\n    reference:    {ref}")
    n = len(inputs)
    python_ns, python_cpu_ns = python_seconds * 1e9 / n, python_cpu * 1e9 / n
    # The Rust run converts the input once for the output, then `repeat` times for timing.
    rust_cpu_ns = rust_cpu * 1e9 / (n * (args.repeat + 1))
    rust_wall_ns = float(run.stderr.split(" ns per identifier")[0].split(": ")[-1])
    print(f"python reference:      {python_ns:8.0f} ns wall, {python_cpu_ns:8.0f} ns CPU per identifier (one pass)")
    print(f"lifeline-gs1 (release): {rust_wall_ns:8.0f} ns wall, {rust_cpu_ns:8.0f} ns CPU per identifier ({args.repeat + 1} passes)")
    print(f"ratio (CPU time): {python_cpu_ns / rust_cpu_ns:.0f}x; (wall): {python_ns / rust_wall_ns:.0f}x; load average {os.getloadavg()[0]:.1f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Differential test of lifeline-gs1's element-string parser against biip (PyPI `biip`, an
independent GS1 library) on generated valid element strings, in both the bracketed form and
the unbracketed barcode form (FNC1 written as ASCII GS after each AI biip marks as needing a
separator). Both parsers must accept every input and find the same AIs and values.

Dev-only: neither users nor `cargo test` need it.

    /tmp/gs1venv/bin/pip install biip
    /tmp/gs1venv/bin/python tools/gs1_element_oracle.py --count 5000 --seed 3
"""

import argparse
import json
import os
import random
import subprocess
import sys

from biip.gs1_messages import GS1Message

CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
GS = "\x1d"


def digits(r, n):
    return "".join(r.choice("0123456789") for _ in range(n))


def check(body):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def text(r, lo, hi):
    # No "(" so that the bracketed form needs no escape in either parser.
    return "".join(r.choice(CSET82.replace("(", "")) for _ in range(r.randint(lo, hi)))


def date(r, day00=False):
    return f"{r.randint(0, 99):02}{r.randint(1, 12):02}{(0 if day00 and r.random() < 0.2 else r.randint(1, 28)):02}"


# AI -> value generator; every AI needs a GTIN (01) with it, which is always present.
ATTRIBUTES = {
    "10": lambda r: text(r, 1, 20), "11": lambda r: date(r, True), "13": lambda r: date(r, True),
    "15": lambda r: date(r, True), "16": lambda r: date(r, True), "17": lambda r: date(r, True),
    "20": lambda r: digits(r, 2), "21": lambda r: text(r, 1, 20), "22": lambda r: text(r, 1, 20),
    "240": lambda r: text(r, 1, 30), "241": lambda r: text(r, 1, 30), "242": lambda r: digits(r, r.randint(1, 6)),
    "243": lambda r: text(r, 1, 20), "251": lambda r: text(r, 1, 30), "30": lambda r: digits(r, r.randint(1, 8)),
    "3103": lambda r: digits(r, 6), "3202": lambda r: digits(r, 6), "3922": lambda r: digits(r, r.randint(1, 15)),
    "400": lambda r: text(r, 1, 30), "410": lambda r: (lambda b: b + check(b))(digits(r, 12)),
    "422": lambda r: "276", "7003": lambda r: date(r) + f"{r.randint(0, 23):02}{r.randint(0, 59):02}",
    "7006": lambda r: date(r), "710": lambda r: text(r, 1, 20), "712": lambda r: text(r, 1, 20),
    "7240": lambda r: text(r, 1, 20), "8005": lambda r: digits(r, 6), "8008": lambda r: date(r) + f"{r.randint(0, 23):02}",
    "8012": lambda r: text(r, 1, 20), "8200": lambda r: text(r, 1, 70), "90": lambda r: text(r, 1, 30),
    "91": lambda r: text(r, 1, 90), "99": lambda r: text(r, 1, 90),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    r = random.Random(args.seed)
    table = {e["ai"]: e for e in json.load(open(os.path.join(
        os.path.dirname(__file__), "..", "crates/lifeline-gs1/tests/data/gs1-identifiers/biip-application-identifiers.json")))}

    cases = []
    for _ in range(args.count):
        gtin = digits(r, 13)
        elements = [("01", gtin + check(gtin))]
        for ai in r.sample(sorted(ATTRIBUTES), r.randint(0, 6)):
            elements.append((ai, ATTRIBUTES[ai](r)))
        r.shuffle(elements)
        bracketed = "".join(f"({ai}){value}" for ai, value in elements)
        unbracketed = ""
        for index, (ai, value) in enumerate(elements):
            unbracketed += ai + value
            if table[ai]["separator_required"] and index + 1 < len(elements):
                unbracketed += GS
        cases.append((elements, bracketed))
        cases.append((elements, unbracketed))

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "lifeline-gs1", "--example", "element"], cwd=root, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    run = subprocess.run([os.path.join(target, "release", "examples", "element")],
                         input="\n".join(c[1] for c in cases) + "\n", capture_output=True, text=True, check=True)
    ours = run.stdout.split("\n")[: len(cases)]

    failures = []
    for (elements, text_form), mine in zip(cases, ours):
        expected = "".join(f"({ai}){value}" for ai, value in elements)
        try:
            message = GS1Message.parse_hri(text_form) if text_form.startswith("(") else GS1Message.parse(text_form)
            theirs = "".join(f"({e.ai.ai}){e.value}" for e in message.element_strings)
        except Exception as error:  # noqa: BLE001 - any rejection is a disagreement here
            theirs = f"<error> {error}"
        if not (mine == theirs == expected):
            failures.append((text_form, expected, mine, theirs))
    print(f"element strings {len(cases)} ({args.count} bracketed, {args.count} unbracketed): "
          f"agree {len(cases) - len(failures)}, failures {len(failures)}")
    for text_form, expected, mine, theirs in failures[:20]:
        print(f"  {text_form!r}\n    expected:     {expected}\n    lifeline-gs1: {mine}\n    biip:         {theirs}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

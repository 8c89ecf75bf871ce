#!/usr/bin/env python3
"""Benchmark driver for bench/taxii.sh (dev-only): the same STIX objects POSTed to two
TAXII 2.1 servers, then paged through with `limit` and `next`, timed with one client.

    python3 bench/taxii_bench.py --server NAME URL USER PASSWORD [--preloaded NAME URL USER
        PASSWORD] [--objects 10000] [--page 1000] [--runs 3]
    python3 bench/taxii_bench.py --medallion-data FILE --port PORT [--objects 10000]

URL is a collection's objects URL (`.../collections/ID/objects/`). For each server: one
POST of an envelope of --objects TLP:GREEN indicators (wall clock from sending the request
to reading the 202 status; the status must count every object a success) -- a
--preloaded server already holds them (medallion's memory backend adds objects in time
that grows with the square of the collection: 10,000 did not finish in 5 CPU-minutes) --
then --runs full pagings (each page's `next` until `more` is false; every object must come back
once; the best run counts). Prints a Markdown table; exits 1 when a server answers
wrongly. Needs: pip install requests.
"""
import argparse
import datetime
import json
import sys
import time
import uuid

import requests

TAXII = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
NAMESPACE = uuid.UUID("3f0c1d8e-5b7a-4c1e-9d3b-2a6f4e8c7b10")


def objects(n):
    out = []
    for i in range(n):
        out.append({
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid5(NAMESPACE, str(i))}",
            "created": "2026-12-01T00:00:00.000Z",
            "modified": "2026-12-01T00:00:00.000Z",
            "name": f"Phishing sender {i}",
            "description": "Invoice lure impersonating a medical-supplies distributor",
            "pattern": f"[email-addr:value = 'invoice{i}@vendor-payments.example']",
            "pattern_type": "stix",
            "valid_from": "2026-12-01T00:00:00Z",
            "labels": ["phishing"],
            "object_marking_refs": [GREEN],
        })
    return out


def fail(message):
    print(f"taxii_bench: {message}", file=sys.stderr)
    sys.exit(1)


def medallion_data(path, port, count):
    """medallion's memory-backend file: one API root, one collection holding the objects."""
    stix = objects(count)
    start = datetime.datetime(2026, 12, 6, tzinfo=datetime.timezone.utc)
    manifest = [{"id": o["id"],
                 "date_added": (start + datetime.timedelta(microseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                 "version": o["modified"], "media_type": "application/stix+json;version=2.1"}
                for i, o in enumerate(stix)]
    data = {
        "/discovery": {"title": "medallion", "api_roots": [f"http://127.0.0.1:{port}/bench/"],
                       "default": f"http://127.0.0.1:{port}/bench/"},
        "bench": {
            "information": {"title": "bench", "versions": [TAXII], "max_content_length": 104857600},
            "status": [],
            "collections": [{"id": "6f8e2a40-9c1b-4d3e-8a5f-0b7c6d5e4f31", "title": "Benchmark",
                             "can_read": True, "can_write": True,
                             "media_types": ["application/stix+json;version=2.1"],
                             "objects": stix, "manifest": manifest}],
        },
    }
    with open(path, "w") as f:
        json.dump(data, f)


def run(name, url, user, password, envelope, count, page, runs, post=True):
    session = requests.Session()
    session.auth = (user, password)
    session.headers["Accept"] = TAXII
    body = json.dumps(envelope).encode()
    post_s = None
    if post:
        start = time.perf_counter()
        response = session.post(url, data=body, headers={"Content-Type": TAXII})
        post_s = time.perf_counter() - start
        if response.status_code != 202:
            fail(f"{name}: POST answered {response.status_code}: {response.text[:300]}")
        status = response.json()
        if status.get("success_count") != count:
            fail(f"{name}: {status.get('success_count')} of {count} objects stored")
    best = None
    pages = 0
    for _ in range(runs):
        seen = set()
        pages = 0
        start = time.perf_counter()
        params = {"limit": page}
        while True:
            r = session.get(url, params=params)
            if r.status_code != 200:
                fail(f"{name}: GET answered {r.status_code}: {r.text[:300]}")
            envelope_out = r.json()
            pages += 1
            for o in envelope_out.get("objects", []):
                seen.add(o["id"])
            if not envelope_out.get("more"):
                break
            params = {"limit": page, "next": envelope_out["next"]}
        elapsed = time.perf_counter() - start
        if len(seen) != count:
            fail(f"{name}: paging returned {len(seen)} distinct objects, not {count}")
        best = elapsed if best is None else min(best, elapsed)
    return {"server": name, "post_s": post_s, "page_s": best, "pages": pages,
            "body_mb": len(body) / 1e6}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", nargs=4, action="append", default=[],
                        metavar=("NAME", "URL", "USER", "PASSWORD"))
    parser.add_argument("--preloaded", nargs=4, action="append", default=[],
                        metavar=("NAME", "URL", "USER", "PASSWORD"))
    parser.add_argument("--medallion-data")
    parser.add_argument("--port", type=int)
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.medallion_data:
        medallion_data(args.medallion_data, args.port, args.objects)
        return
    envelope = {"objects": objects(args.objects)}
    results = [run(n, u, us, p, envelope, args.objects, args.page, args.runs)
               for n, u, us, p in args.server]
    results += [run(n, u, us, p, envelope, args.objects, args.page, args.runs, post=False)
                for n, u, us, p in args.preloaded]
    print(f"{args.objects:,} STIX 2.1 indicators ({results[0]['body_mb']:.1f} MB envelope), "
          f"pages of {args.page}, best of {args.runs} pagings:\n")
    print("| server | POST all (s) | page through (s) | pages | objects/s paged |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        post = "preloaded" if r["post_s"] is None else f"{r['post_s']:.3f}"
        print(f"| {r['server']} | {post} | {r['page_s']:.3f} | {r['pages']} | "
              f"{args.objects / r['page_s']:,.0f} |")
    if len(results) > 1:
        print(f"\npaging: {results[0]['server']} is {results[1]['page_s'] / results[0]['page_s']:.1f}x "
              f"as fast as {results[1]['server']}")
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Drives the real TAXII 2.1 client from PyPI (taxii2-client) against a running lifeline
server, as an ISAC's tooling would (dev-only; users never need it).

    python3 tools/taxii-client-check.py --url http://127.0.0.1:PORT/taxii2/ \
        --user NAME --token TOKEN --collection ID [--objects 23] [--page 7]

Authenticates with HTTP Basic (user name, API token as password). Discovers the server,
lists the default API root's collections, adds a bundle of --objects TLP:GREEN indicators
(one of them in two versions) to collection ID, then polls it as the specification says:
pages of --page objects through `next`, `added_after` with the last page's
X-TAXII-Date-Added-Last (only what was added later comes back), an object's versions,
the manifest in pages, and one object by id (last and first version). Every answer is
checked; the first one that is not as TAXII 2.1 says ends the run.

Prints one `ok: ...` line per check and exits 0 when all hold; prints `FAILED: ...` and
exits 1 when one does not; exits 2 when taxii2-client is not installed.

Needs: pip install taxii2-client (2.3 or later).
"""
import argparse
import sys
import uuid

try:
    import requests
    from taxii2client.v21 import Server, as_pages
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"taxii-client-check: needs the taxii2-client package ({error})", file=sys.stderr)
    sys.exit(2)

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
NAMESPACE = uuid.UUID("6b1a3c2e-7d1f-4e7e-9a51-0c6f2f1d9e11")


def indicator(n, modified, run):
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(NAMESPACE, f'{run}-{n}')}",
        "created": "2026-12-01T00:00:00.000Z",
        "modified": modified,
        "name": f"Phishing sender {n}",
        "pattern": f"[email-addr:value = 'invoice{n}@vendor-payments.example']",
        "pattern_type": "stix",
        "valid_from": "2026-12-01T00:00:00Z",
        "object_marking_refs": [GREEN],
    }


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)
    print(f"ok: {message}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--collection", required=True)
    parser.add_argument("--objects", type=int, default=23)
    parser.add_argument("--page", type=int, default=7)
    args = parser.parse_args()
    run = str(uuid.uuid4())

    server = Server(args.url, user=args.user, password=args.token)
    check(server.title == "lifeline TAXII 2.1 server", f"discovery: {server.title}")
    roots = server.api_roots
    check(len(roots) >= 1 and server.default is not None, f"{len(roots)} API root(s) and a default")
    check(all("application/taxii+json;version=2.1" in r.versions for r in roots),
          "every API root speaks TAXII 2.1")
    # The collection is in the default root (the caller's organisation's) or in the root of
    # the organisation that shared it.
    holding = [r for r in roots if any(c.id == args.collection for c in r.collections)]
    check(len(holding) == 1, f"collection {args.collection} is listed in one API root")
    root = holding[0]
    collections = {c.id: c for c in root.collections}
    collection = collections[args.collection]
    check(collection.can_read and collection.can_write, "the collection can be read and written")

    first = [indicator(n, "2026-12-01T00:00:00.000Z", run) for n in range(args.objects)]
    newer = dict(first[0], modified="2026-12-02T00:00:00.000Z", name="Phishing sender 0 (revised)")
    status = collection.add_objects({"objects": first + [newer]})
    check(status.status == "complete", f"add: status {status.status}")
    check(status.success_count == args.objects + 1 and status.failure_count == 0,
          f"add: {status.success_count} successes, {status.failure_count} failures")
    status.refresh()
    check(status.total_count == args.objects + 1, "the status resource reads back")

    # Poll in pages through `next`: each object once, its last version, by date_added.
    seen = []
    pages = 0
    for envelope in as_pages(collection.get_objects, per_request=args.page):
        pages += 1
        seen.extend(envelope.get("objects", []))
    ids = [o["id"] for o in seen]
    check(len(ids) >= args.objects and set(o["id"] for o in first) <= set(ids),
          f"paged {len(ids)} objects in {pages} pages of {args.page}")
    check(len(ids) == len(set(ids)), "no object twice across pages")
    mine = [o for o in seen if o["id"] == first[0]["id"]]
    check(mine[0]["modified"] == "2026-12-02T00:00:00.000Z", "objects returns the last version")

    # added_after: only what was added after the last page.
    response = requests.get(
        collection.objects_url,
        headers={"Accept": "application/taxii+json;version=2.1"},
        auth=(args.user, args.token),
        params={"limit": 1, "match[id]": ids[-1]},
    )
    last_added = response.headers.get("X-TAXII-Date-Added-Last")
    check(last_added is not None and last_added.endswith("Z"), f"X-TAXII-Date-Added-Last {last_added}")
    later = [indicator(n, "2026-12-03T00:00:00.000Z", run + "-later") for n in range(3)]
    collection.add_objects({"objects": later})
    polled = collection.get_objects(added_after=last_added)
    check(sorted(o["id"] for o in polled.get("objects", [])) == sorted(o["id"] for o in later),
          "added_after returns only what was added since")
    check(collection.get_objects(added_after="2999-01-01T00:00:00Z").get("objects", []) == [],
          "added_after in the future returns nothing")

    versions = collection.object_versions(first[0]["id"])
    check(versions.get("versions") == ["2026-12-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z"],
          f"versions: {versions.get('versions')}")
    one = collection.get_object(first[0]["id"], version="first")
    check([o["modified"] for o in one["objects"]] == ["2026-12-01T00:00:00.000Z"], "one object, first version")
    every = collection.get_objects(id=first[0]["id"], version="all")
    check(len(every["objects"]) == 2, "match[version]=all returns both versions")

    manifest = []
    for envelope in as_pages(collection.get_manifest, per_request=5):
        manifest.extend(envelope.get("objects", []))
    entries = {m["id"]: m for m in manifest}
    check(set(o["id"] for o in first + later) <= set(entries), f"manifest pages list {len(manifest)} objects")
    entry = entries[first[0]["id"]]
    check(entry["version"] == "2026-12-02T00:00:00.000Z"
          and entry["media_type"] == "application/stix+json;version=2.1", "manifest entry")
    typed = collection.get_objects(type="malware")
    check(typed.get("objects", []) == [] or all(o["type"] == "malware" for o in typed["objects"]),
          "match[type] filters")
    print("all checks passed")


if __name__ == "__main__":
    main()

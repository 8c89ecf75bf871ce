#!/usr/bin/env python3
"""Dev-only peer and oracle for `lifeline sbom scan`: the same OSV matching written
independently in Python on `univers` (the version library of AboutCode's VulnerableCode,
`pip install univers`), with the OSV schema's published evaluation algorithm
(https://ossf.github.io/osv-schema/#evaluation).

It loads an OSV `all.zip` (or a folder of records), indexes affected packages by
(ecosystem, normalised name), scans a CycloneDX JSON SBOM and prints, as JSON, the
matches `{bom-ref: [sorted OSV ids]}` and its load and scan times. `bench/vuln_bench.py`
compares these matches with lifeline's findings, component by component.

    python3 bench/vuln_peer.py --osv bench/out/vuln/all.zip --bom bench/out/vuln/bom.cdx.json
"""

import argparse
import json
import os
import re
import sys
import time
import zipfile
from urllib.parse import unquote

from univers import versions as uv

ORDER = {
    "npm": uv.SemverVersion,
    "PyPI": uv.PypiVersion,
    "Maven": uv.MavenVersion,
    "Go": uv.GolangVersion,
    "crates.io": uv.SemverVersion,
    "RubyGems": uv.RubygemsVersion,
    "NuGet": uv.NugetVersion,
}
PURL_TYPES = {"npm": "npm", "pypi": "PyPI", "maven": "Maven", "golang": "Go", "cargo": "crates.io",
              "gem": "RubyGems", "nuget": "NuGet"}


def normalise(ecosystem, name):
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    if ecosystem in ("Maven", "Go", "RubyGems"):
        return name
    return name.lower()


def parse(cls, text):
    if cls is uv.SemverVersion:
        text = text[1:] if text.startswith("v") else text
    try:
        return cls(text)
    except Exception:  # noqa: BLE001 - any parse failure means "cannot compare"
        return None


def affected_by_range(cls, version, events):
    """The OSV schema's evaluation of one range (events sorted by version)."""
    limits = [parse(cls, e["limit"]) for e in events if "limit" in e]
    if limits and all(limit is not None and version >= limit for limit in limits):
        return False
    keyed = []
    for event in events:
        (kind, text), = [(k, v) for k, v in event.items() if k != "limit"] or [(None, None)]
        if kind is None:
            continue
        if kind == "introduced" and text == "0":
            keyed.append((0, None, kind))
            continue
        parsed = parse(cls, text)
        if parsed is None:
            return None
        keyed.append((1, parsed, kind))
    vulnerable = False
    # "0" sorts before every version; the others in the ecosystem's order.
    zero = [k for k in keyed if k[1] is None]
    rest = sorted((k for k in keyed if k[1] is not None), key=lambda k: k[1])
    for _, bound, kind in zero + rest:
        if kind == "introduced" and (bound is None or version >= bound):
            vulnerable = True
        elif kind == "fixed" and version >= bound:
            vulnerable = False
        elif kind == "last_affected" and version > bound:
            vulnerable = False
    return vulnerable


def records(path):
    if os.path.isdir(path):
        for root, _, files in os.walk(path):
            for name in sorted(files):
                if name.endswith(".json"):
                    with open(os.path.join(root, name), "rb") as handle:
                        yield json.load(handle)
    else:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".json"):
                    yield json.loads(archive.read(name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osv", required=True)
    parser.add_argument("--bom", required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    index = {}
    for record in records(args.osv):
        if record.get("withdrawn"):
            continue
        for affected in record.get("affected", []):
            package = affected.get("package")
            if not package:
                continue
            ecosystem = package["ecosystem"].split(":")[0]
            key = (ecosystem, normalise(ecosystem, package["name"]))
            index.setdefault(key, []).append((record["id"], affected))
    load_seconds = time.perf_counter() - started

    with open(args.bom) as handle:
        bom = json.load(handle)
    started = time.perf_counter()
    matches = {}
    for component in bom.get("components", []):
        purl = component.get("purl")
        if not purl:
            continue
        match = re.match(r"pkg:([^/]+)/(.+?)@([^?#]+)", purl)
        if not match:
            continue
        kind, path, version_text = match.group(1), unquote(match.group(2)), unquote(match.group(3))
        ecosystem = PURL_TYPES.get(kind)
        if ecosystem is None:
            continue
        if ecosystem == "Maven":
            group, _, artifact = path.rpartition("/")
            name = f"{group}:{artifact}"
        else:
            name = path
        hits = set()
        for advisory, affected in index.get((ecosystem, normalise(ecosystem, name)), []):
            if version_text in affected.get("versions", []):
                hits.add(advisory)
                continue
            for range_ in affected.get("ranges", []):
                if range_["type"] == "GIT":
                    continue
                cls = uv.SemverVersion if range_["type"] == "SEMVER" else ORDER[ecosystem]
                version = parse(cls, version_text)
                if version is not None and affected_by_range(cls, version, range_["events"]):
                    hits.add(advisory)
                    break
        if hits:
            matches[component.get("bom-ref", purl)] = sorted(hits)
    scan_seconds = time.perf_counter() - started
    json.dump({"load_seconds": load_seconds, "scan_seconds": scan_seconds,
               "advisory_keys": len(index), "matches": matches}, sys.stdout)


if __name__ == "__main__":
    main()

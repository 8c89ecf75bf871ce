#!/usr/bin/env python3
"""Dev-only generator of a realistic vulnerability benchmark for `lifeline sbom scan`.

Writes, into an output folder (default `bench/out/vuln/`):

* `all.zip`: N OSV records (default 100,000) in the shape of the real OSV exports: ids and
  aliases (GHSA, CVE, PYSEC/GO/RUSTSEC), summaries, CVSS v3.1 vectors on ~70 % and v4.0
  on ~10 %, 1-3 affected packages over npm, PyPI, Maven, Go, crates.io, RubyGems and
  NuGet (shares close to OSV.dev's), ECOSYSTEM/SEMVER ranges with introduced/fixed,
  last_affected or limit events, some with several ranges, ~15 % with a `versions` list,
  ~5 % with an extra GIT range, ~2 % withdrawn;
* `bom.cdx.json`: a CycloneDX 1.6 SBOM of M components (default 10,000) whose purls are
  drawn from the same package population (popular packages more often), with versions of
  each ecosystem's own syntax;
* `kev.json`: a CISA KEV catalogue (schema-valid) listing ~1,400 of the CVE ids.

Deterministic for a given --seed. Standard library only.

    python3 bench/vuln_generate.py [--advisories 100000] [--components 10000] [--seed 1] [--out DIR]
"""

import argparse
import io
import json
import os
import random
import zipfile

ECOSYSTEMS = [
    # (OSV ecosystem, purl type, share of advisories, package count)
    ("npm", "npm", 0.30, 12000),
    ("PyPI", "pypi", 0.20, 6000),
    ("Maven", "maven", 0.20, 6000),
    ("Go", "golang", 0.12, 4000),
    ("crates.io", "cargo", 0.06, 2000),
    ("RubyGems", "gem", 0.06, 2000),
    ("NuGet", "nuget", 0.06, 2000),
]

SYLLABLES = ["ac", "me", "lo", "ga", "ri", "to", "na", "vel", "dex", "pro", "sec", "med", "flux",
             "core", "net", "data", "log", "http", "json", "xml", "auth", "cli", "util", "io"]


def package_name(rng, ecosystem, index):
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) + str(index)
    if ecosystem == "npm":
        return f"@{rng.choice(SYLLABLES)}{index % 97}/{word}" if rng.random() < 0.25 else word
    if ecosystem == "PyPI":
        sep = rng.choice(["-", "_", "."])
        return f"{word}{sep}{rng.choice(SYLLABLES)}"
    if ecosystem == "Maven":
        return f"org.{rng.choice(SYLLABLES)}{index % 211}.{rng.choice(SYLLABLES)}:{word}"
    if ecosystem == "Go":
        return f"github.com/{rng.choice(SYLLABLES)}{index % 307}/{word}"
    if ecosystem == "NuGet":
        return word.capitalize() + "." + rng.choice(SYLLABLES).capitalize()
    return word


def version(rng, ecosystem, major=None):
    major = rng.randint(0, 9) if major is None else major
    minor, patch = rng.randint(0, 20), rng.randint(0, 30)
    text = f"{major}.{minor}.{patch}"
    if ecosystem == "Go":
        return "v" + text
    if ecosystem == "PyPI" and rng.random() < 0.05:
        return text + rng.choice(["rc1", ".post1", "b2"])
    if ecosystem == "npm" and rng.random() < 0.03:
        return text + "-beta." + str(rng.randint(1, 5))
    return text


def purl(ecosystem, kind, name, ver):
    if ecosystem == "Maven":
        group, artifact = name.split(":")
        return f"pkg:maven/{group}/{artifact}@{ver}"
    if ecosystem == "npm" and name.startswith("@"):
        scope, rest = name.split("/")
        return f"pkg:npm/%40{scope[1:]}/{rest}@{ver}"
    return f"pkg:{kind}/{name}@{ver}"


def cvss3(rng):
    metrics = [("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"), ("S", "UC"),
               ("C", "HLN"), ("I", "HLN"), ("A", "HLN")]
    return "CVSS:3.1/" + "/".join(f"{m}:{rng.choice(v)}" for m, v in metrics)


def cvss4(rng):
    metrics = [("AV", "NALP"), ("AC", "LH"), ("AT", "NP"), ("PR", "NLH"), ("UI", "NPA"),
               ("VC", "HLN"), ("VI", "HLN"), ("VA", "HLN"), ("SC", "HLN"), ("SI", "HLN"),
               ("SA", "HLN")]
    return "CVSS:4.0/" + "/".join(f"{m}:{rng.choice(v)}" for m, v in metrics)


def events(rng, ecosystem):
    start = rng.randint(0, 6)
    introduced = "0" if rng.random() < 0.35 else version(rng, ecosystem, start)
    roll = rng.random()
    out = [{"introduced": introduced}]
    if roll < 0.80:
        out.append({"fixed": version(rng, ecosystem, start + rng.randint(0, 3))})
    elif roll < 0.95:
        out.append({"last_affected": version(rng, ecosystem, start + rng.randint(0, 2))})
    elif roll < 0.97:
        out.append({"limit": version(rng, ecosystem, start + 2)})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--advisories", type=int, default=100_000)
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out", "vuln"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)

    packages = {}
    for ecosystem, kind, _, count in ECOSYSTEMS:
        packages[ecosystem] = [package_name(rng, ecosystem, i) for i in range(count)]
    weights = [share for _, _, share, _ in ECOSYSTEMS]
    kinds = {ecosystem: kind for ecosystem, kind, _, _ in ECOSYSTEMS}

    # Zipf-like popularity (weight 1/(rank + 30)): a few packages carry many advisories, as
    # in OSV, where the most-advised package of an ecosystem has a few hundred records
    # (e.g. tensorflow in PyPI), not a quarter of the ecosystem. With 100,000 advisories the
    # top npm package gets ~0.5 % of npm's affected entries (~250).
    cumulative = {}
    for ecosystem, _, _, count in ECOSYSTEMS:
        total, running = 0.0, []
        for rank in range(count):
            total += 1.0 / (rank + 30)
            running.append(total)
        cumulative[ecosystem] = running

    def popular(ecosystem):
        pool = packages[ecosystem]
        return rng.choices(pool, cum_weights=cumulative[ecosystem])[0]

    cves = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(args.advisories):
            ecosystem = rng.choices([e for e, _, _, _ in ECOSYSTEMS], weights)[0]
            ghsa = "GHSA-" + "-".join("".join(rng.choice("23456789cfghjmpqrvwx") for _ in range(4)) for _ in range(3))
            cve = f"CVE-{rng.randint(2015, 2026)}-{10000 + number}"
            cves.append(cve)
            record = {
                "schema_version": "1.6.0",
                "id": ghsa,
                "modified": "2026-01-01T00:00:00Z",
                "published": "2025-01-01T00:00:00Z",
                "aliases": [cve],
                "summary": f"Generated vulnerability {number} in {ecosystem}",
                "affected": [],
            }
            roll = rng.random()
            if roll < 0.70:
                record["severity"] = [{"type": "CVSS_V3", "score": cvss3(rng)}]
            elif roll < 0.80:
                record["severity"] = [{"type": "CVSS_V4", "score": cvss4(rng)}]
            else:
                record["database_specific"] = {"severity": rng.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])}
            if rng.random() < 0.02:
                record["withdrawn"] = "2026-02-01T00:00:00Z"
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                name = popular(ecosystem)
                kind = "SEMVER" if ecosystem in ("npm", "Go", "crates.io") else "ECOSYSTEM"
                affected = {"package": {"ecosystem": ecosystem, "name": name},
                            "ranges": [{"type": kind, "events": events(rng, ecosystem)}
                                       for _ in range(rng.choice([1, 1, 1, 2]))]}
                if rng.random() < 0.05:
                    affected["ranges"].append({"type": "GIT", "repo": f"https://example.com/{name}",
                                               "events": [{"introduced": "0"}, {"fixed": "%040x" % rng.getrandbits(160)}]})
                if rng.random() < 0.15:
                    affected["versions"] = sorted({version(rng, ecosystem) for _ in range(rng.randint(5, 50))})
                record["affected"].append(affected)
            archive.writestr(f"{ghsa}.json", json.dumps(record))
    with open(os.path.join(args.out, "all.zip"), "wb") as handle:
        handle.write(buffer.getvalue())

    components = []
    for index in range(args.components):
        ecosystem = rng.choices([e for e, _, _, _ in ECOSYSTEMS], weights)[0]
        name = popular(ecosystem)
        ver = version(rng, ecosystem)
        components.append({"type": "library", "bom-ref": f"c{index}", "name": name.split("/")[-1].split(":")[-1],
                           "version": ver, "purl": purl(ecosystem, kinds[ecosystem], name, ver)})
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6",
           "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000001", "version": 1,
           "metadata": {"component": {"type": "device", "bom-ref": "product", "name": "BenchDevice", "version": "1.0"}},
           "components": components}
    with open(os.path.join(args.out, "bom.cdx.json"), "w") as handle:
        json.dump(bom, handle)

    listed = rng.sample(cves, min(1400, len(cves)))
    kev = {"title": "Generated KEV catalogue", "catalogVersion": "2026.01.01",
           "dateReleased": "2026-01-01T00:00:00.000Z", "count": len(listed), "vulnerabilities": []}
    for cve in listed:
        month = rng.randint(1, 12)
        kev["vulnerabilities"].append({
            "cveID": cve, "vendorProject": "Generated", "product": "Generated",
            "vulnerabilityName": f"{cve} generated", "dateAdded": f"2025-{month:02d}-01",
            "shortDescription": "Generated entry", "requiredAction": "Apply updates.",
            "dueDate": f"2025-{month:02d}-22",
            "knownRansomwareCampaignUse": rng.choice(["Known", "Unknown", "Unknown"]),
            "notes": "", "cwes": []})
    with open(os.path.join(args.out, "kev.json"), "w") as handle:
        json.dump(kev, handle)
    print(f"wrote {args.advisories} advisories, {args.components} components, {len(listed)} KEV entries to {args.out}")


if __name__ == "__main__":
    main()

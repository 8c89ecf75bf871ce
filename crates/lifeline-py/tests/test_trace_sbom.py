"""Traceability and SBOM scans: the same results as the command line."""

import json
from pathlib import Path

import pytest

import lifeline
from conftest import EXAMPLES, REPO

EVENTS = "examples/trace/iv-fluids-shipments.jsonld"


def test_hash_events_equals_the_cli(cli) -> None:
    expected = cli.lines("trace", "hash", EVENTS)
    assert expected and all(line.startswith("ni:///sha-256;") for line in expected)
    assert lifeline.trace.hash_events(EVENTS) == expected
    assert lifeline.trace.hash_events(Path(EVENTS).read_bytes()) == expected
    assert lifeline.trace.hash_events(EVENTS, prehash=True) == cli.lines(
        "trace", "hash", EVENTS, "--prehash"
    )


def test_check_equals_the_cli(cli) -> None:
    # Exit code 1: the example's events have findings of severity error.
    expected = cli.json("trace", "check", EVENTS, ok=(0, 1))
    assert expected
    assert lifeline.trace.check(EVENTS) == expected
    net = lifeline.Network.load("examples/iv-fluids.json")
    linked = cli.json(
        "trace", "check", EVENTS, "--network", "examples/iv-fluids.json", ok=(0, 1)
    )
    assert any("entities" in f for f in linked)
    assert lifeline.trace.check(EVENTS, network=net) == linked


def test_check_finds_a_broken_chain(tmp_path: Path) -> None:
    document = json.loads((REPO / EVENTS).read_text())
    events = document["epcisBody"]["eventList"]
    # Drop the commissioning event(s): the products then appear from nowhere.
    document["epcisBody"]["eventList"] = [
        e for e in events if e.get("bizStep") not in ("commissioning", "urn:epcglobal:cbv:bizstep:commissioning")
    ]
    assert len(document["epcisBody"]["eventList"]) < len(events)
    findings = lifeline.trace.check(json.dumps(document).encode())
    assert findings and all({"epc", "rule", "severity", "events", "message"} <= set(f) for f in findings)


def test_an_invalid_epcis_document_raises(tmp_path: Path) -> None:
    with pytest.raises(lifeline.ValidationError) as raised:
        lifeline.trace.hash_events(b'{"type": "EPCISDocument", "epcisBody": 5}')
    assert raised.value.problems
    with pytest.raises(FileNotFoundError):
        lifeline.trace.hash_events(tmp_path / "none.jsonld")
    with pytest.raises(TypeError):
        lifeline.trace.check()


SCAN_ARGS = dict(
    osv=[
        "crates/lifeline-vuln/tests/data/osv/ghsa-converted",
        "crates/lifeline-vuln/tests/data/osv-extra",
    ],
    kev="crates/lifeline-vuln/tests/data/kev/known_exploited_vulnerabilities.excerpt.json",
)
SBOM = "examples/sbom/orderline-commerce-7.2.cdx.json"


def test_sbom_scan_equals_the_stored_cli_output() -> None:
    expected = json.loads((EXAMPLES / "sbom" / "orderline-commerce-7.2.scan.json").read_text())
    assert lifeline.sbom.scan(SBOM, **SCAN_ARGS) == expected
    assert lifeline.sbom.scan([SBOM], **SCAN_ARGS) == expected


def test_sbom_scan_equals_the_cli(cli) -> None:
    args = ["sbom", "scan", SBOM]
    for osv in SCAN_ARGS["osv"]:
        args += ["--osv", osv]
    args += ["--kev", SCAN_ARGS["kev"]]
    assert lifeline.sbom.scan(SBOM, **SCAN_ARGS) == cli.json(*args)


def test_an_invalid_sbom_lists_every_problem(tmp_path: Path) -> None:
    bom = json.loads((REPO / SBOM).read_text())
    bom["components"][0]["type"] = "spaceship"
    bom["components"][1]["bom-ref"] = 42
    bad = tmp_path / "bad.cdx.json"
    bad.write_text(json.dumps(bom))
    with pytest.raises(lifeline.ValidationError) as raised:
        lifeline.sbom.scan(bad, **SCAN_ARGS)
    problems = [p for p in raised.value.problems if p["severity"] == "error"]
    assert len(problems) >= 2, raised.value.problems
    assert all(p["file"] == str(bad) for p in problems)

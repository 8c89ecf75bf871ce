#!/usr/bin/env python3
"""Writes a synthetic EPCIS 2.0 JSON-LD document for the lifeline-trace benchmark.

A DSCSA-like flow, streamed to stdout: per case of 10 items, 10 commissioning events
(with lot and expiry), one packing AggregationEvent, one shipping and one receiving
ObjectEvent (13 events). Every 5,000th case carries one anomaly (a clone, a diversion or a
shipment after expiry) so the rule check has findings to report.

    python3 bench/trace_generate.py --events 1000000 > /tmp/trace-1m.jsonld
"""
import argparse
import json
import sys

MANUFACTURER = "urn:epc:id:sgln:030001.111111.0"
WHOLESALER = "urn:epc:id:sgln:039999.345678.0"
ELSEWHERE = "urn:epc:id:sgln:031111.000001.0"


def iso(seconds):
    days, rest = divmod(seconds, 86400)
    # 2023-01-01 plus days; a plain calendar is enough for a benchmark.
    import datetime
    t = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(days=days, seconds=rest)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def event(kind, t, **fields):
    out = {"type": kind, "eventTime": iso(t), "eventTimeZoneOffset": "+00:00"}
    out.update(fields)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    w = sys.stdout.write
    w('{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],\n')
    w(' "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",\n')
    w(' "epcisBody": {"eventList": [\n')
    written = 0
    case = 0
    t = 0
    first = True
    while written < args.events:
        case += 1
        anomaly = case % 5000 == 0
        items = [f"urn:epc:id:sgtin:030001.0012345.{case * 10 + i}" for i in range(10)]
        case_epc = f"urn:epc:id:sgtin:030001.1012345.{case}"
        expiry = "2025-03-27" if not (anomaly and case % 15000 == 0) else "2023-01-01"
        batch = []
        for i, item in enumerate(items + [case_epc]):
            epcs = [item]
            if anomaly and case % 15000 == 5000 and i == 0:
                epcs = [f"urn:epc:id:sgtin:030001.0012345.{case * 10 - 1}"]  # a clone
            batch.append(event("ObjectEvent", t, epcList=epcs, action="ADD", bizStep="commissioning",
                               disposition="active", readPoint={"id": MANUFACTURER}, bizLocation={"id": MANUFACTURER},
                               ilmd={"cbvmda:lotNumber": f"L{case // 100}", "cbvmda:itemExpirationDate": expiry}))
            t += 1
        batch.append(event("AggregationEvent", t, parentID=case_epc, childEPCs=items, action="ADD", bizStep="packing",
                           disposition="in_progress", readPoint={"id": MANUFACTURER}, bizLocation={"id": MANUFACTURER}))
        t += 60
        batch.append(event("ObjectEvent", t, epcList=[case_epc], action="OBSERVE", bizStep="shipping",
                           disposition="in_transit", readPoint={"id": MANUFACTURER},
                           bizTransactionList=[{"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:0399999999991:PO{case}"}],
                           sourceList=[{"type": "owning_party", "source": MANUFACTURER}],
                           destinationList=[{"type": "owning_party", "destination": WHOLESALER}]))
        t += 3600
        receiver = ELSEWHERE if anomaly and case % 15000 == 10000 else WHOLESALER
        batch.append(event("ObjectEvent", t, epcList=[case_epc], action="OBSERVE", bizStep="receiving",
                           disposition="in_progress", readPoint={"id": receiver}, bizLocation={"id": receiver}))
        t += 10
        for e in batch:
            if written >= args.events:
                break
            w(("" if first else ",\n") + json.dumps(e, separators=(",", ":")))
            first = False
            written += 1
    w("\n]}}\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes a large EPCIS 2.0 XML document (ObjectEvents and AggregationEvents with EPC lists,
bizTransactions, ILMD and sensor elements) to stdout, streaming, for the lifeline-xsd
benchmark. Deterministic for a given --events. The document is valid against the EPCIS 2.0
XSD; --broken K breaks every K-th event (an `action` outside the enumeration).

    python3 bench/xsd_generate.py --events 1000000 > /tmp/epcis.xml
"""
import argparse
import sys

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:example="http://ns.example.com/epcis"
  schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">
<EPCISBody><EventList>
"""
TAIL = "</EventList></EPCISBody></epcis:EPCISDocument>\n"

OBJECT = """<ObjectEvent><eventTime>2024-03-{day:02d}T{hour:02d}:{minute:02d}:00.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sgtin:0614141.107346.{a}</epc><epc>urn:epc:id:sgtin:0614141.107346.{b}</epc><epc>urn:epc:id:sgtin:0614141.107346.{c}</epc></epcList>
<action>{action}</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
<readPoint><id>urn:epc:id:sgln:0614141.07346.{site}</id></readPoint><bizLocation><id>urn:epc:id:sgln:0614141.07346.0</id></bizLocation>
<bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epc:id:gdti:0614141.06012.{n}</bizTransaction></bizTransactionList>
<sourceList><source type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:0614141.00000</source></sourceList>
<destinationList><destination type="urn:epcglobal:cbv:sdt:owning_party">urn:epc:id:pgln:4012345.00000</destination></destinationList>
<sensorElementList><sensorElement><sensorMetadata time="2024-03-{day:02d}T{hour:02d}:{minute:02d}:00Z"/><sensorReport type="gs1:Temperature" value="{temp}" uom="CEL"/></sensorElement></sensorElementList>
<example:myField>{n}</example:myField></ObjectEvent>
"""
AGGREGATION = """<AggregationEvent><eventTime>2024-03-{day:02d}T{hour:02d}:{minute:02d}:30.000Z</eventTime><eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
<parentID>urn:epc:id:sscc:0614141.{sscc:010d}</parentID><childEPCs><epc>urn:epc:id:sgtin:0614141.107346.{a}</epc><epc>urn:epc:id:sgtin:0614141.107346.{b}</epc></childEPCs>
<action>{action}</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep><disposition>urn:epcglobal:cbv:disp:in_progress</disposition>
<readPoint><id>urn:epc:id:sgln:0614141.07346.{site}</id></readPoint></AggregationEvent>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--broken", type=int, default=0, help="break every K-th event")
    args = parser.parse_args()
    out = sys.stdout
    out.write(HEAD)
    chunk = []
    for n in range(args.events):
        action = "ADD" if n % 2 else "OBSERVE"
        if args.broken and n % args.broken == args.broken - 1:
            action = "MOVE"
        template = AGGREGATION if n % 4 == 3 else OBJECT
        chunk.append(template.format(
            n=n, a=3 * n, b=3 * n + 1, c=3 * n + 2, day=1 + n % 28, hour=n % 24,
            minute=n % 60, site=n % 97, temp=20 + n % 7, sscc=n, action=action))
        if len(chunk) == 1000:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))
    out.write(TAIL)


if __name__ == "__main__":
    main()

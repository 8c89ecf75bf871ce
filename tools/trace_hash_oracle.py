#!/usr/bin/env python3
"""Dev-only oracle for `lifeline trace hash`: prints the CBV 2.0 event hashes (or, with
--prehash, the pre-hash strings) of an EPCIS document with the reference Python
implementation, one line per event, in the same format as `lifeline trace hash`.

    python3 -m venv /tmp/ehg && /tmp/ehg/bin/pip install epcis-event-hash-generator
    /tmp/ehg/bin/python tools/trace_hash_oracle.py [--prehash] FILE...

Never needed by users or by `cargo test`.
"""
import logging
import sys

from epcis_event_hash_generator import events_from_file_reader, hash_generator


def main(argv):
    prehash = "--prehash" in argv
    files = [a for a in argv if a != "--prehash"]
    logging.disable(logging.CRITICAL)
    for path in files:
        events = events_from_file_reader.event_list_from_file(path)
        pre = hash_generator.derive_prehashes_from_events(events)
        if prehash:
            for line in pre:
                print(line)
        else:
            for line in hash_generator.calculate_hashes_from_pre_hashes(pre):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""STIX 2.1 oracle for lifeline (dev-only; users never need it).

An independent check of the bundles `lifeline share export` writes: runs the OASIS CTI
TC's `stix2-validator` (PyPI) on each file, against the STIX 2.1 specification's
requirements (errors) and its recommendations (warnings).

    python3 tools/stix-validate.py [--no-warnings] [--uuid5] FILE.json [FILE.json ...]
    lifeline share export INC --format stix | python3 tools/stix-validate.py -

For each file prints `valid: FILE` or `invalid: FILE`, then one line per problem
(`error: FILE: object-id: message` or `warning: FILE: object-id: message`); exits 0 when
every file is valid, 1 when one is not (or, with --no-warnings, has a warning), 2 on a
usage or setup problem. With --uuid5, the validator's warning that an object's id is not
a UUIDv4 ({103}, the specification's SHOULD) is left out: lifeline gives the objects it
exports deterministic UUIDv5 ids on purpose, so that a re-export updates the same objects
(the cyber-observables' UUIDv5 check, also {103}, is kept). stix2-validator does not check that a TLP marking definition
is the official one: lifeline does that itself (crates/lifeline-stix/src/markings.rs).

Needs: pip install stix2-validator (3.x).
"""
import io
import sys

try:
    from stix2validator import ValidationOptions, validate_string
except ImportError as error:  # pragma: no cover - depends on the machine
    print(
        f"stix-validate: needs the stix2-validator package "
        f"(pip install stix2-validator): {error}",
        file=sys.stderr,
    )
    sys.exit(2)


def problems(result):
    """(level, object id, message) for every error and warning in a file's result."""
    out = []
    results = getattr(result, "object_results", None)
    if results is None:
        results = [result]
    elif not isinstance(results, list):
        results = [results]
    for object_result in results:
        object_id = getattr(object_result, "object_id", "") or ""
        for error in getattr(object_result, "errors", None) or []:
            out.append(("error", object_id, str(error)))
        for warning in getattr(object_result, "warnings", None) or []:
            out.append(("warning", object_id, str(warning)))
    fatal = getattr(result, "fatal", None)
    if fatal:
        out.append(("error", "", str(fatal)))
    return out


def main(argv):
    args = argv[1:]
    no_warnings = "--no-warnings" in args
    uuid5 = "--uuid5" in args
    args = [a for a in args if a not in ("--no-warnings", "--uuid5")]
    if not args:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: stix-validate.py [--no-warnings] [--uuid5] FILE.json|- ...", file=sys.stderr)
        return 2
    options = ValidationOptions(version="2.1", strict=False)
    status = 0
    for name in args:
        try:
            if name == "-":
                text = sys.stdin.read()
            else:
                with io.open(name, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as error:
            print(f"stix-validate: {name}: {error}", file=sys.stderr)
            return 2
        try:
            result = validate_string(text, options)
        except ValueError as error:  # not JSON (simplejson's error is a ValueError)
            print(f"invalid: {name}")
            print(f"error: {name}: : not JSON: {error}")
            status = 1
            continue
        found = problems(result)
        if uuid5:
            found = [
                (level, object_id, message)
                for level, object_id, message in found
                if not (level == "warning" and "is not a valid UUIDv4 ID" in message)
            ]
        warned = any(level == "warning" for level, _, _ in found)
        valid = bool(result.is_valid) and not (no_warnings and warned)
        print(f"{'valid' if valid else 'invalid'}: {name}")
        for level, object_id, message in found:
            print(f"{level}: {name}: {object_id}: {message}")
        if not valid:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))

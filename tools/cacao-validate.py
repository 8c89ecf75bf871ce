#!/usr/bin/env python3
"""CACAO v2.0 schema oracle for lifeline (dev-only; users never need it).

An independent check of what lifeline's Rust reader (crates/lifeline-response/src/cacao)
does with the `jsonschema` crate: validates CACAO playbooks against the official
draft-07 JSON schemas embedded in lifeline (crates/lifeline-response/data/cacao), with
Python's `jsonschema` Draft7Validator and a `referencing.Registry` holding every schema
file by its `$id`. Nothing is fetched: a `$ref` outside the registry is an error.

    python3 tools/cacao-validate.py FILE.json [FILE.json ...]
    lifeline playbook export ID --format cacao | python3 tools/cacao-validate.py -

For each file prints `valid: FILE` or one line per schema error
(`invalid: FILE: path.to.member: message`); exits 0 when every file is valid, 1 when
one is not, 2 on a usage or setup problem. Only the schema is checked: the workflow
checks lifeline adds (step references, loops, reachability) are not repeated here.

Needs: pip install jsonschema (4.18 or later, which brings `referencing`).
"""
import json
import os
import sys

try:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT7
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"cacao-validate: needs the jsonschema package ({error})", file=sys.stderr)
    sys.exit(2)

SCHEMAS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..",
    "crates",
    "lifeline-response",
    "data",
    "cacao",
)


def load_registry():
    resources = []
    root = None
    for folder, _, files in os.walk(SCHEMAS):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            resource = Resource.from_contents(schema, default_specification=DRAFT7)
            resources.append((schema["$id"], resource))
            if os.path.relpath(path, SCHEMAS) == "playbook.json":
                root = schema

    def refuse(uri):
        raise NoSuchResource(ref=uri)

    registry = Registry(retrieve=refuse).with_resources(resources)
    if root is None:
        print(f"cacao-validate: no playbook.json under {SCHEMAS}", file=sys.stderr)
        sys.exit(2)
    return root, registry


def path_of(error):
    out = ""
    for part in error.absolute_path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: cacao-validate.py FILE.json [FILE.json ...] (or - for stdin)", file=sys.stderr)
        return 2
    root, registry = load_registry()
    validator = jsonschema.Draft7Validator(root, registry=registry)
    failed = False
    for name in argv[1:]:
        try:
            if name == "-":
                document = json.load(sys.stdin)
            else:
                with open(name, encoding="utf-8") as handle:
                    document = json.load(handle)
        except (OSError, ValueError) as error:
            print(f"invalid: {name}: cannot read: {error}")
            failed = True
            continue
        errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            failed = True
            for error in errors:
                print(f"invalid: {name}: {path_of(error)}: {error.message}")
        else:
            print(f"valid: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

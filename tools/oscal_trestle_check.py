"""Loads OSCAL assessment results and POA&M documents with compliance-trestle.

Run by tools/oscal-trestle.sh (which sets up the venv). For each file: load it with
trestle's model (pydantic; unknown fields and bad values are errors), serialise it back and
compare with the input (nothing dropped or changed), import it into a scratch trestle
workspace and run `trestle validate` on it; then check that trestle refuses a broken copy.
Exit 0 when every document passes, 1 otherwise.
"""

import datetime
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time

from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.poam import PlanOfActionAndMilestones

MODELS = {
    "assessment-results": AssessmentResults,
    "plan-of-action-and-milestones": PlanOfActionAndMilestones,
}


DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def normalised(value):
    """The document with its timestamps as instants (trestle writes `Z` as `+00:00`)."""
    if isinstance(value, dict):
        return {key: normalised(v) for key, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, str) and DATE_TIME.match(value):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def trestle_cli(*args, cwd):
    exe = pathlib.Path(sys.executable).with_name("trestle")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True)


def check(path: pathlib.Path, workspace: pathlib.Path, index: int) -> list:
    problems = []
    document = json.loads(path.read_text(encoding="utf-8"))
    roots = [key for key in document if key in MODELS]
    if len(roots) != 1:
        return [f"top level is not one of {sorted(MODELS)}"]
    root = roots[0]
    model = MODELS[root]

    try:
        loaded = model.oscal_read(path)
    except Exception as error:  # trestle raises pydantic and its own errors
        return [f"trestle cannot load it: {error}"]
    if loaded is None:
        return ["trestle read nothing"]

    back = json.loads(loaded.oscal_serialize_json())
    if normalised(back) != normalised(document):
        problems.append("trestle's round trip changed the document")

    # A broken copy must be refused, or the load above proved nothing.
    broken = json.loads(json.dumps(document))
    broken[root]["metadata"]["lifeline-unknown-field"] = True
    broken_path = workspace / f"broken-{index}.json"
    broken_path.write_text(json.dumps(broken), encoding="utf-8")
    try:
        model.oscal_read(broken_path)
        problems.append("trestle accepted a copy with an unknown field")
    except Exception:
        pass

    name = f"doc{index}"
    imported = trestle_cli("import", "-f", str(path.resolve()), "-o", name, cwd=workspace)
    if imported.returncode != 0:
        problems.append(f"trestle import failed: {imported.stderr.strip() or imported.stdout.strip()}")
        return problems
    validated = trestle_cli("validate", "-t", root, "-n", name, cwd=workspace)
    if validated.returncode != 0 or "VALID" not in validated.stdout:
        problems.append(f"trestle validate failed: {validated.stdout.strip()} {validated.stderr.strip()}")
    return problems


def main(argv: list) -> int:
    if not argv:
        print("usage: oscal_trestle_check.py FILE.json ...", file=sys.stderr)
        return 2
    start = time.monotonic()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="oscal-trestle-") as scratch:
        workspace = pathlib.Path(scratch)
        init = trestle_cli("init", cwd=workspace)
        if init.returncode != 0:
            print(f"trestle init failed: {init.stderr}", file=sys.stderr)
            return 2
        for index, name in enumerate(argv):
            path = pathlib.Path(name)
            problems = check(path, workspace, index)
            if problems:
                failed += 1
                for problem in problems:
                    print(f"FAIL {path}: {problem}")
            else:
                print(f"ok   {path}")
    print(f"{len(argv) - failed} of {len(argv)} documents load in compliance-trestle "
          f"({time.monotonic() - start:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Shared fixtures of the Python package's tests.

Run from the repository root (``tests/pytest.rs`` does): the example networks are read by
relative paths, as the command line reads them. The ``lifeline`` command the results are
compared with is ``$LIFELINE_BIN`` (the Rust runner sets it to the workspace's build);
without it, the comparisons skip, unless ``LIFELINE_REQUIRE_PYTHON=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, List

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
NETWORKS = ["toy", "iv-fluids", "distributor-ransomware", "blood-supplier"]
REQUIRED = os.environ.get("LIFELINE_REQUIRE_PYTHON") == "1"


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


class Cli:
    """The ``lifeline`` command line, for comparisons."""

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, LIFELINE_QUIET="1")
        done = subprocess.run(
            [self.binary, *args], cwd=REPO, env=env, capture_output=True, text=True
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"lifeline {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
            )
        return done

    def json(self, *args: str, ok: tuple = (0,)) -> Any:
        """The JSON a command writes; `ok`: the exit codes that are not a failure."""
        done = self.run(*args, "--format", "json", check=False)
        if done.returncode not in ok:
            raise AssertionError(
                f"lifeline {' '.join(args)} exited {done.returncode}:\n{done.stderr}"
            )
        return json.loads(done.stdout)

    def lines(self, *args: str) -> List[str]:
        return self.run(*args).stdout.splitlines()


@pytest.fixture(scope="session")
def cli() -> Cli:
    binary = os.environ.get("LIFELINE_BIN")
    if not binary or not Path(binary).is_file():
        message = "no `lifeline` command to compare with: set LIFELINE_BIN"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return Cli(binary)

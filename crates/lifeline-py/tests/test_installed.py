"""The package under test is this source tree's."""

from pathlib import Path

import pytest

import lifeline
from conftest import REPO

SOURCE = REPO / "crates" / "lifeline-py" / "python" / "lifeline"


@pytest.mark.parametrize("module", sorted(p.name for p in SOURCE.glob("*.py*")))
def test_installed_python_files_are_the_sources(module: str) -> None:
    installed = Path(lifeline.__file__).parent / module
    assert installed.is_file(), f"{module} is not installed: reinstall the package"
    assert installed.read_bytes() == (SOURCE / module).read_bytes(), (
        f"the installed {module} differs from {SOURCE / module}: reinstall the package "
        "(pip install ./crates/lifeline-py)"
    )


def test_py_typed_is_installed() -> None:
    assert (Path(lifeline.__file__).parent / "py.typed").is_file()


def test_public_names() -> None:
    assert lifeline.Network.__module__ == "lifeline"
    assert issubclass(lifeline.ValidationError, ValueError)
    assert lifeline.ValidationError.__module__ == "lifeline"
    for name in ["load", "from_dict", "stress", "stress_report", "simulate",
                 "simulate_report", "montecarlo", "montecarlo_report"]:
        assert getattr(lifeline.Network, name).__doc__, f"Network.{name} has no docstring"
    for function in [lifeline.trace.hash_events, lifeline.trace.check, lifeline.sbom.scan]:
        assert function.__doc__

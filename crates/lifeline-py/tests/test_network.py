"""Loading networks: files, dicts, the same validation and diagnostics, pickling."""

import json
import math
import pickle
from pathlib import Path

import pytest

import lifeline
from conftest import EXAMPLES, NETWORKS


@pytest.mark.parametrize("name", NETWORKS)
def test_load_and_from_dict_give_the_same_network(name: str) -> None:
    path = EXAMPLES / f"{name}.json"
    loaded = lifeline.Network.load(path)
    from_dict = lifeline.Network.from_dict(json.loads(path.read_text()))
    assert loaded.summary() == from_dict.summary()
    assert loaded.stress_report() == from_dict.stress_report()


def test_a_str_path_loads_too() -> None:
    net = lifeline.Network.load("examples/toy.json")
    assert net.origin == "examples/toy.json"
    assert net.summary()["nodes"] == 5
    assert net.scenario_ids() == ["S1", "S2", "S3"]
    assert "5 nodes" in repr(net)


def broken_toy(nan: bool = True) -> dict:
    doc = json.loads((EXAMPLES / "toy.json").read_text())
    doc["nodes"][0]["capacity"] = -5            # out of range
    doc["edges"][1]["to"] = "NOWHERE"           # unknown reference
    if nan:  # JSON has no NaN: only a dict can hold one
        doc["nodes"][3]["inventory"] = float("nan")  # not finite
    return doc


def test_every_problem_is_listed() -> None:
    with pytest.raises(lifeline.ValidationError) as raised:
        lifeline.Network.from_dict(broken_toy(), name="broken-toy")
    problems = raised.value.problems
    errors = [p for p in problems if p["severity"] == "error"]
    paths = {p["path"] for p in errors}
    assert {"nodes[0].capacity", "edges[1].to", "nodes[3].inventory"} <= paths, problems
    text = str(raised.value)
    for problem in errors:
        assert problem["message"] in text
        assert problem["path"] in text
        assert problem["file"] == "broken-toy"
        assert set(problem) == {"file", "path", "message", "hint", "severity"}
    assert "3 error(s)" in text.splitlines()[0] or f"{len(errors)} error(s)" in text


def test_a_file_gives_the_same_problems_as_lifeline_validate(tmp_path: Path, cli) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken_toy(nan=False)))
    with pytest.raises(lifeline.ValidationError) as raised:
        lifeline.Network.load(path)
    done = cli.run("validate", str(path), "--format", "json", check=False)
    assert done.returncode == 2
    expected = json.loads(done.stdout)["diagnostics"]
    got = [
        {k: v for k, v in p.items() if k != "file" and not (k == "hint" and v is None)}
        for p in raised.value.problems
    ]
    assert got == expected


def test_syntax_errors_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [')
    with pytest.raises(lifeline.ValidationError) as raised:
        lifeline.Network.load(bad)
    assert "bad.json" in str(raised.value)
    assert raised.value.problems[0]["file"] == str(bad)
    with pytest.raises(FileNotFoundError, match="no-such.json"):
        lifeline.Network.load(tmp_path / "no-such.json")


def test_python_values_json_cannot_hold_are_named() -> None:
    doc = json.loads((EXAMPLES / "toy.json").read_text())
    doc["nodes"][1]["capacity"] = {1, 2}
    doc["nodes"][2][7] = "seven"
    with pytest.raises(lifeline.ValidationError) as raised:
        lifeline.Network.from_dict(doc)
    paths = [p["path"] for p in raised.value.problems]
    assert paths == ["nodes[1].capacity", "nodes[2]"], raised.value.problems
    assert "found set" in raised.value.problems[0]["message"]
    assert "key must be a string" in raised.value.problems[1]["message"]


def test_nesting_is_limited_like_a_file() -> None:
    deep: list = []
    inner = deep
    for _ in range(100):
        inner.append([])
        inner = inner[0]
    doc = json.loads((EXAMPLES / "toy.json").read_text())
    doc["notes"] = deep
    with pytest.raises(lifeline.ValidationError, match="levels deep"):
        lifeline.Network.from_dict(doc)


def test_numpy_and_int_numbers_are_numbers() -> None:
    np = pytest.importorskip("numpy")
    doc = json.loads((EXAMPLES / "toy.json").read_text())
    doc["nodes"][0]["capacity"] = np.float64(doc["nodes"][0]["capacity"])
    doc["nodes"][1]["capacity"] = np.int64(doc["nodes"][1]["capacity"])
    net = lifeline.Network.from_dict(doc)
    assert net.stress_report() == lifeline.Network.load(EXAMPLES / "toy.json").stress_report()


@pytest.mark.parametrize("how", ["file", "dict"])
def test_a_network_pickles(how: str) -> None:
    path = EXAMPLES / "iv-fluids.json"
    net = (
        lifeline.Network.load(path)
        if how == "file"
        else lifeline.Network.from_dict(json.loads(path.read_text()), name="iv")
    )
    copy = pickle.loads(pickle.dumps(net))
    assert copy.origin == net.origin
    assert copy.stress_report() == net.stress_report()


def test_warnings_are_kept_and_issued() -> None:
    doc = json.loads((EXAMPLES / "toy.json").read_text())
    doc["nodes"][0]["colour"] = "blue"  # an unknown field: a warning
    with pytest.warns(UserWarning, match="colour"):
        net = lifeline.Network.from_dict(doc)
    assert any("colour" in w["path"] + w["message"] for w in net.warnings)
    assert all(w["severity"] == "warning" for w in net.warnings)


def test_scenario_arguments_are_checked() -> None:
    net = lifeline.Network.load(EXAMPLES / "toy.json")
    with pytest.raises(lifeline.ValidationError) as raised:
        net.stress_report(["S1", "S9", "nope"])
    assert [p["path"] for p in raised.value.problems] == ["scenarios[1]", "scenarios[2]"]
    with pytest.raises(TypeError):
        net.stress_report(42)
    with pytest.raises(lifeline.ValidationError) as raised:
        net.montecarlo_report("S7", duration="weibull:1", capacity_factor=2.0)
    assert [p["path"] for p in raised.value.problems] == [
        "outage", "duration", "capacity_factor"
    ]
    assert math.isnan(net.stress().set_index("id").loc["S1", "spend"])

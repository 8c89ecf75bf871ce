"""Every report from Python equals the command line's JSON on the example networks, and
the DataFrames carry the same numbers."""

import math
from pathlib import Path

import pandas as pd
import pytest

import lifeline
from conftest import EXAMPLES, NETWORKS


def example(name: str) -> str:
    return f"examples/{name}.json"


@pytest.mark.parametrize("name", NETWORKS)
def test_stress_report_equals_the_cli(name: str, cli) -> None:
    net = lifeline.Network.load(example(name))
    expected = cli.json("stress", example(name))
    assert net.stress_report() == expected
    assert net.stress_report(threads=1) == expected
    assert net.stress_report(top=2) == cli.json("stress", example(name), "--top", "2")


@pytest.mark.parametrize("name", [n for n in NETWORKS if (EXAMPLES / f"{n}.scenarios.json").exists()])
def test_stress_with_a_scenarios_file_equals_the_cli(name: str, cli) -> None:
    net = lifeline.Network.load(example(name))
    scenarios = f"examples/{name}.scenarios.json"
    expected = cli.json("stress", example(name), "--scenarios", scenarios)
    assert net.stress_report(scenarios) == expected
    assert net.stress_report(Path(scenarios)) == expected
    # The same scenarios given as Python objects.
    import json

    as_dicts = json.loads((EXAMPLES / f"{name}.scenarios.json").read_text())
    assert net.stress_report(as_dicts) == expected
    assert net.stress_report(as_dicts["scenarios"]) == expected


def test_scenarios_by_id_are_the_default_ones(cli) -> None:
    # Relies on the engine invariant of issue 18 (each scenario's result is a function of
    # the network, that scenario and the configuration alone), not of the other scenarios.
    net = lifeline.Network.load(example("iv-fluids"))
    ids = net.scenario_ids()[:3]
    report = net.stress_report(ids)
    full = {s["id"]: s for s in cli.json("stress", example("iv-fluids"))["scenarios"]}
    assert sorted(s["id"] for s in report["scenarios"]) == sorted(ids)
    for s in report["scenarios"]:
        # REI is relative to the run's worst scenario; everything else is the scenario's own.
        mine = {k: v for k, v in s.items() if k != "rei"}
        theirs = {k: v for k, v in full[s["id"]].items() if k != "rei"}
        assert mine == theirs


@pytest.mark.parametrize("name", NETWORKS)
def test_later_sweeps_of_a_network_equal_a_fresh_networks(name: str) -> None:
    # A Network keeps the stress test's undisrupted optima from its first sweep; the
    # sweeps after it (other scenarios, solve_all) must give what a fresh network gives.
    kept = lifeline.Network.load(example(name))
    ids = kept.scenario_ids()
    kept.stress_report(solve_all=True)
    for subset in (ids[::-1][:3], ids[1::2], None):
        fresh = lifeline.Network.load(example(name))
        assert kept.stress_report(subset) == fresh.stress_report(subset)
        assert kept.stress_report(subset, solve_all=True) == fresh.stress_report(
            subset, solve_all=True
        )


@pytest.mark.parametrize("name", NETWORKS)
def test_the_stress_frame_is_the_report(name: str) -> None:
    net = lifeline.Network.load(example(name))
    report = net.stress_report()
    frame = net.stress()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["id"]) == [s["id"] for s in report["scenarios"]]
    assert list(frame.columns) == [
        "id", "kind", "ttr", "tts", "tts_capped", "gap", "performance_impact", "rei",
        "lost_units", "spend", "quadrant",
    ]
    for row, s in zip(frame.itertuples(index=False), report["scenarios"]):
        assert row.tts == s["tts"] and row.tts_capped == s["tts_capped"]
        for column in ["ttr", "gap", "performance_impact", "rei"]:
            value = getattr(row, column)
            assert (math.isnan(value) and s[column] is None) or value == s[column]
        assert row.lost_units == pytest.approx(sum(s["lost_units"].values()), rel=1e-12)


@pytest.mark.parametrize("name", [n for n in NETWORKS if (EXAMPLES / f"{n}.simulate.json").exists()])
def test_simulate_report_equals_the_cli(name: str, cli) -> None:
    import json

    net = lifeline.Network.load(example(name))
    pool = f"examples/{name}.simulate.json"
    ids = [s["id"] for s in json.loads((EXAMPLES / f"{name}.simulate.json").read_text())["scenarios"]]
    for id in ids:
        expected = cli.json("simulate", example(name), "--scenarios", pool, "--scenario", id)
        assert net.simulate_report(id, scenarios=pool) == expected
        frame = net.simulate(id, scenarios=Path(pool))
        assert list(frame["id"]) == [n["id"] for n in expected["demand_nodes"]]
        assert list(frame["loss"]) == [n["loss"] for n in expected["demand_nodes"]]
    if len(ids) == 1:
        # A file holding one scenario is the scenario.
        expected = cli.json("simulate", example(name), "--scenario", pool)
        assert net.simulate_report(Path(pool)) == expected
    else:
        with pytest.raises(ValueError, match=f"holds {len(ids)} scenarios"):
            net.simulate_report(Path(pool))
    # By id, with a shorter run.
    first = net.scenario_ids()[0]
    expected = cli.json("simulate", example(name), "--scenario", first, "--days", "60")
    assert net.simulate_report(first, 60) == expected


def test_simulate_picks_from_a_scenarios_pool(cli) -> None:
    net = lifeline.Network.load(example("iv-fluids"))
    pool = "examples/iv-fluids.scenarios.json"
    import json

    first = json.loads((EXAMPLES / "iv-fluids.scenarios.json").read_text())["scenarios"][0]
    expected = cli.json(
        "simulate", example("iv-fluids"), "--scenarios", pool, "--scenario", first["id"]
    )
    assert net.simulate_report(first["id"], scenarios=pool) == expected
    assert net.simulate_report(first) == expected
    with pytest.raises(lifeline.ValidationError, match="no scenario"):
        net.simulate_report("no-such-scenario")


@pytest.mark.parametrize("name", NETWORKS)
def test_montecarlo_report_equals_the_cli(name: str, cli) -> None:
    net = lifeline.Network.load(example(name))
    outage = net.scenario_ids()[0]
    expected = cli.json(
        "montecarlo", example(name), "--outage", outage, "--replications", "300",
        "--seed", "7", "--duration", "lognormal:2,0.6", "--downtime-cost", "1000",
    )
    got = net.montecarlo_report(
        outage, replications=300, seed=7, duration="lognormal:2,0.6", downtime_cost=1000.0
    )
    assert got == expected
    assert net.montecarlo_report(
        [outage], replications=300, seed=7, duration="lognormal:2,0.6",
        downtime_cost=1000.0, threads=1,
    ) == expected
    frame = net.montecarlo(
        outage, replications=300, seed=7, duration="lognormal:2,0.6", downtime_cost=1000.0
    )
    assert list(frame["id"]) == [n["id"] for n in expected["demand_nodes"]]
    assert list(frame["p_stockout"]) == [n["p_stockout"] for n in expected["demand_nodes"]]
    assert list(frame["loss_p90"]) == [n["loss"]["p90"] for n in expected["demand_nodes"]]

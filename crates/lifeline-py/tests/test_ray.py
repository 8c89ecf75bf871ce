"""lifeline.ray on a real Ray cluster of this machine: a head and a worker node started
with ``ray start`` on 127.0.0.1 (one CPU each), the results equal to the single-process
reports bit for bit, and a task killed mid-run retried to the same result.

Skipped when Ray is not installed, unless ``LIFELINE_REQUIRE_RAY=1``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

import lifeline

REQUIRED = os.environ.get("LIFELINE_REQUIRE_RAY") == "1"

try:
    import ray
except ImportError:
    if REQUIRED:
        raise
    pytest.skip(
        "ray is not installed (pip install ray==2.60.0); LIFELINE_REQUIRE_RAY=1 fails instead",
        allow_module_level=True,
    )

import lifeline.ray as lray
from ray_loopback import loopback

LAUNCHER = str(Path(__file__).with_name("ray_loopback.py"))


def bits(report: Any) -> str:
    """The report as text: equal texts are equal bits (floats print exactly)."""
    return json.dumps(report, allow_nan=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, ready, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Ray: {what} not ready after {timeout:.0f} s")
        time.sleep(0.5)


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A head and a worker node, one CPU each, on loopback; stopped at the end by
    signalling the two ``ray start --block`` processes this fixture started."""
    port = free_port()
    # A short path: Ray's socket names must fit in 107 bytes.
    temp = tempfile.mkdtemp(prefix="llray-", dir="/tmp")
    # Ray 2.60 turns token authentication on for `ray start --head` by itself when
    # ~/.ray/auth_token exists, while a driver connecting with an address does not send
    # the token: pin both to one mode. The cluster listens on loopback only (above).
    auth = {"RAY_AUTH_MODE": "disabled"}
    saved = {name: os.environ.get(name) for name in auth}
    os.environ.update(auth)
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    # `ray start`, kept on loopback (see ray_loopback.py), blocking: this fixture stops the
    # nodes by signalling the two processes it started, and nothing else.
    ray_cli = [sys.executable, LAUNCHER, "start", "--block"]
    common = ["--node-ip-address=127.0.0.1", "--num-cpus=1", "--num-gpus=0"]
    started: List[subprocess.Popen] = []
    logs = open(Path(temp) / "ray-start.log", "wb")
    address = f"127.0.0.1:{port}"
    try:
        started.append(
            subprocess.Popen(
                ray_cli
                + ["--head", f"--port={port}", "--include-dashboard=false"]
                + ["--disable-usage-stats", f"--temp-dir={temp}"]
                + common,
                env=env,
                stdout=logs,
                stderr=subprocess.STDOUT,
            )
        )
        wait_for("the head node", lambda: listening(port), 120)
        started.append(
            subprocess.Popen(
                ray_cli + [f"--address={address}"] + common,
                env=env,
                stdout=logs,
                stderr=subprocess.STDOUT,
            )
        )
        loopback()
        ray.init(address=address, log_to_driver=False)
        wait_for(
            "the worker node",
            lambda: sum(1 for n in ray.nodes() if n["Alive"]) == 2,
            120,
        )
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for process in reversed(started):
            process.send_signal(signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        logs.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def test_the_cluster_has_two_nodes_of_one_cpu(cluster: str) -> None:
    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert len(nodes) == 2
    assert all(n["NodeManagerAddress"] == "127.0.0.1" for n in nodes)
    assert ray.cluster_resources()["CPU"] == 2


@pytest.mark.parametrize("name", ["iv-fluids", "distributor-ransomware"])
def test_stress_on_ray_is_the_single_process_report(cluster: str, name: str) -> None:
    net = lifeline.Network.load(f"examples/{name}.json")
    expected = net.stress_report()
    for chunks in (None, 1, 3, 1000):
        got = lray.stress(net, chunks=chunks, progress=False)
        assert got == expected, f"{chunks} chunks"
        assert bits(got) == bits(expected), f"{chunks} chunks"
    scenarios = f"examples/{name}.scenarios.json"
    assert bits(lray.stress(net, scenarios, chunks=2, top=3, progress=False)) == bits(
        net.stress_report(scenarios, top=3)
    )


MC = dict(duration="ransomware-recovery", start="uniform:0,5", days=90, downtime_cost=1.5e5)


def test_montecarlo_on_ray_is_the_single_process_report(cluster: str) -> None:
    net = lifeline.Network.load("examples/iv-fluids.json")
    # Three blocks, the last one short.
    replications = 2 * lray.BLOCK + 300
    expected = net.montecarlo_report("edi-hub", replications=replications, seed=7, **MC)
    for chunks in (None, 1, 2, 3):
        got = lray.montecarlo(
            net, "edi-hub", replications, 7, chunks=chunks, progress=False, **MC
        )
        assert got == expected, f"{chunks} chunks"
        assert bits(got) == bits(expected), f"{chunks} chunks"
    assert got["replications"] == replications
    assert "binned_quantile_error" not in got


def test_a_killed_task_is_retried_to_the_same_result(cluster: str, tmp_path: Path) -> None:
    net = lifeline.Network.load("examples/iv-fluids.json")
    marker = tmp_path / "killed-once"
    replications = 2 * lray.BLOCK
    expected = net.montecarlo_report("edi-hub", replications=replications, seed=3, **MC)
    got = lray.montecarlo(
        net,
        "edi-hub",
        replications,
        3,
        chunks=2,
        progress=False,
        _fail_once=str(marker),
        **MC,
    )
    # One task's worker died (the marker says so), and the retry gave the same bits.
    assert marker.exists()
    assert bits(got) == bits(expected)

    stress_marker = tmp_path / "stress-killed-once"
    got = lray.stress(net, chunks=3, progress=False, _fail_once=str(stress_marker))
    assert stress_marker.exists()
    assert bits(got) == bits(net.stress_report())


def test_a_task_without_retries_fails_loudly(cluster: str, tmp_path: Path) -> None:
    net = lifeline.Network.load("examples/toy.json")
    with pytest.raises(ray.exceptions.RayError):
        lray.stress(
            net,
            chunks=1,
            progress=False,
            max_retries=0,
            _fail_once=str(tmp_path / "dies"),
        )


def test_progress_goes_to_stderr_without_tqdm(cluster: str, capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    net = lifeline.Network.load("examples/toy.json")
    lray.stress(net, chunks=2)
    err = capsys.readouterr().err
    total = len(net.scenario_ids())
    assert f"lifeline.ray: {total}/{total} scenarios" in err


def test_chunks_are_even_consecutive_ranges() -> None:
    assert lray._chunks(10, 3, 99) == [(0, 3), (3, 6), (6, 10)]
    assert lray._chunks(2, 5, 99) == [(0, 1), (1, 2)]
    assert lray._chunks(0, 5, 99) == []
    assert lray._chunks(7, None, 2) == [(0, 3), (3, 7)]
    with pytest.raises(ValueError):
        lray._chunks(7, 0, 2)

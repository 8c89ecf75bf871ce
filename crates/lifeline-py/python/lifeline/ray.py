"""Sweeps and Monte Carlo runs on a Ray cluster, with the single-process results.

    >>> import ray, lifeline, lifeline.ray
    >>> ray.init(address="auto")
    >>> net = lifeline.Network.load("examples/iv-fluids.json")
    >>> report = lifeline.ray.stress(net)            # == net.stress_report()
    >>> mc = lifeline.ray.montecarlo(net, "edi-hub", replications=100_000, seed=7)

The network goes into Ray's object store once (``ray.put``); each task takes a chunk
(scenarios for the stress test, whole blocks of ``BLOCK`` replications for Monte Carlo),
runs it in Rust with one thread per task CPU, and returns its result as bytes; the driver
merges them in Rust. A worker process reads the network from the object store once per run
and keeps it, with the stress test's undisrupted optima its first chunk solves, for the
other chunks it runs. A scenario's result depends only on the network, the scenario and the
config, and a Monte Carlo summary merges exactly, so the report is **bit for bit** the one
``net.stress_report()`` / ``net.montecarlo_report()`` returns, whatever the chunking and
the cluster. A task that fails (a worker that dies) is retried by Ray (``max_retries``).
Progress is shown with tqdm when installed, else as a line on stderr.

Ray is not a dependency of the package: install it (``pip install ray``) to use this
module; ``ray.init()`` is called for you (a local cluster) when not already connected.
"""

from __future__ import annotations

import os
import pathlib
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import _native
from ._native import Network

BLOCK: int = _native.MONTECARLO_BLOCK
"""Replications per Monte Carlo block: the smallest unit a run is cut into."""

__all__ = ["BLOCK", "stress", "montecarlo"]

# Validated networks per object reference, in each worker process: a worker that runs
# several chunks of a run reads the network from the object store once, and solves the
# stress test's undisrupted optima once (the Network keeps them).
_NETWORKS: Dict[str, Network] = {}


def _ray():
    try:
        import ray
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "lifeline.ray needs Ray: pip install ray (lifeline's tests use ray 2.60)"
        ) from error
    return ray


def _network(boxed: List[Any]) -> Network:
    """The network behind ``boxed[0]`` (an object reference, boxed so that Ray does not
    fetch it before the task runs), fetched once per worker process."""
    ray = _ray()
    ref = boxed[0]
    key = ref.hex()
    net = _NETWORKS.get(key)
    if net is None:
        net = ray.get(ref)
        if len(_NETWORKS) >= 4:
            _NETWORKS.pop(next(iter(_NETWORKS)))
        _NETWORKS[key] = net
    return net


def _fail_once(marker: Optional[str]) -> None:
    """For the tests: the first task to get here (the one that creates ``marker``) dies
    as a crashed worker would, without a word."""
    if marker is None:
        return
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.close(fd)
    os._exit(17)


def _stress_task(boxed, scenarios, start, end, step, solve_all, threads, fail_once):
    _fail_once(fail_once)
    net = _network(boxed)
    return _native.stress_chunk(
        net, scenarios, start, end, step=step, solve_all=solve_all, threads=threads
    )


def _montecarlo_task(boxed, outage, first, end, options, threads, fail_once):
    _fail_once(fail_once)
    net = _network(boxed)
    return _native.montecarlo_chunk(net, outage, first, end, threads=threads, **options)


class _Progress:
    """tqdm when installed, else one line on stderr rewritten in place."""

    def __init__(self, total: int, unit: str, show: bool):
        self.total, self.unit, self.done = total, unit, 0
        self.bar = None
        self.show = show
        self.started = time.monotonic()
        if not show:
            return
        try:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit=unit)
        except ImportError:
            self.bar = None

    def update(self, n: int) -> None:
        self.done += n
        if not self.show:
            return
        if self.bar is not None:
            self.bar.update(n)
        else:
            elapsed = time.monotonic() - self.started
            sys.stderr.write(
                f"\rlifeline.ray: {self.done}/{self.total} {self.unit} ({elapsed:.1f} s)"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if not self.show:
            return
        if self.bar is not None:
            self.bar.close()
        else:
            sys.stderr.write("\n")


def _connect(address: Optional[str]):
    ray = _ray()
    if not ray.is_initialized():
        ray.init(address=address, log_to_driver=False)
    return ray


def _chunks(total: int, chunks: Optional[int], default: int) -> List[Tuple[int, int]]:
    """``total`` items in ``chunks`` consecutive ranges as even as possible."""
    count = default if chunks is None else int(chunks)
    if count < 1:
        raise ValueError(f"chunks must be at least 1, not {chunks}")
    count = min(count, total) if total else 0
    bounds = [total * i // count for i in range(count + 1)] if count else [0]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _run(ray, tasks: Sequence[Any], total: int, unit: str, sizes: Sequence[int], show: bool):
    """Waits for every task, showing progress; the results in task order."""
    index = {ref: i for i, ref in enumerate(tasks)}
    results: List[Any] = [None] * len(tasks)
    pending = list(tasks)
    progress = _Progress(total, unit, show)
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                i = index[ref]
                results[i] = ray.get(ref)
                progress.update(sizes[i])
    finally:
        progress.close()
    return results


def _scenarios_argument(scenarios: Any) -> Any:
    """Scenarios as every worker can read them: a path is read here (JSON) when it is a
    JSON file; other forms go as they are."""
    if isinstance(scenarios, (str, os.PathLike)):
        path = pathlib.Path(scenarios)
        if path.suffix.lower() == ".json":
            import json

            with open(path, encoding="utf-8") as f:
                return json.load(f)
        return path
    return scenarios


def _cluster_cpus(ray) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def stress(
    net: Network,
    scenarios: Any = None,
    chunks: Optional[int] = None,
    *,
    top: Optional[int] = None,
    solve_all: bool = False,
    address: Optional[str] = None,
    max_retries: int = 3,
    progress: bool = True,
    _fail_once: Optional[str] = None,
) -> Dict[str, Any]:
    """The stress test of ``net`` on Ray: the dict ``net.stress_report(scenarios, top=top,
    solve_all=solve_all)`` returns, bit for bit.

    ``scenarios`` as ``Network.stress_report`` takes them. ``chunks``: how many tasks
    (default: four per CPU of the cluster, at most one per scenario); task j runs scenarios
    j, j + chunks, j + 2·chunks, … on one thread, so that costly scenarios that sit
    together in the sweep (a network's few platform outages can take more time than all
    its other scenarios) go to different tasks. ``address``: the cluster for ``ray.init``
    when not already connected. ``max_retries``: how often Ray reruns a task whose worker
    died.
    """
    ray = _connect(address)
    scenarios = _scenarios_argument(scenarios)
    total = _native.stress_scenario_count(net, scenarios)
    count = len(_chunks(total, chunks, 4 * _cluster_cpus(ray)))
    if not count:
        return net.stress_report(scenarios, top=top, solve_all=solve_all)
    boxed = [ray.put(net)]
    shared = ray.put(scenarios)
    task = ray.remote(num_cpus=1, max_retries=max_retries)(_stress_task)
    refs = [
        task.remote(boxed, shared, j, total, count, solve_all, 1, _fail_once)
        for j in range(count)
    ]
    sizes = [len(range(j, total, count)) for j in range(count)]
    parts = _run(ray, refs, total, "scenarios", sizes, progress)
    return _native.stress_merge(parts, top=top, interleaved=True)


def montecarlo(
    net: Network,
    outage: Any,
    replications: int = 1000,
    seed: int = 1,
    *,
    duration: str = "ransomware-downtime",
    start: str = "fixed:0",
    capacity_factor: float = 0.0,
    independent: bool = False,
    days: Optional[int] = None,
    downtime_cost: Optional[float] = None,
    chunks: Optional[int] = None,
    address: Optional[str] = None,
    max_retries: int = 3,
    progress: bool = True,
    _fail_once: Optional[str] = None,
) -> Dict[str, Any]:
    """Monte Carlo of ``outage`` on Ray: the dict ``net.montecarlo_report(outage,
    replications=..., seed=..., ...)`` returns, bit for bit.

    The run's replications are cut into blocks of ``BLOCK``; ``chunks`` tasks (default:
    two per CPU of the cluster, at most one per block) each summarise consecutive whole
    blocks on one thread, and the driver merges the summaries exactly.
    """
    ray = _connect(address)
    options = dict(
        duration=duration,
        start=start,
        capacity_factor=capacity_factor,
        independent=independent,
        replications=replications,
        seed=seed,
        days=days,
        downtime_cost=downtime_cost,
    )
    blocks = _native.montecarlo_block_count(replications)
    ranges = _chunks(blocks, chunks, 2 * _cluster_cpus(ray))
    if not ranges:
        return net.montecarlo_report(outage, **options)
    boxed = [ray.put(net)]
    task = ray.remote(num_cpus=1, max_retries=max_retries)(_montecarlo_task)
    refs = [
        task.remote(boxed, outage, a, b, options, 1, _fail_once) for a, b in ranges
    ]
    sizes = [min(b * BLOCK, replications) - a * BLOCK for a, b in ranges]
    parts = _run(ray, refs, replications, "replications", sizes, progress)
    return _native.montecarlo_merge(net, outage, parts, **options)

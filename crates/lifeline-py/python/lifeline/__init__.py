"""lifeline from Python: load a supply network, stress-test it, simulate it.

    >>> import lifeline
    >>> net = lifeline.Network.load("examples/iv-fluids.json")
    >>> table = net.stress()                  # pandas DataFrame, one row per scenario
    >>> report = net.stress_report()          # == `lifeline stress --format json`

The computations run in Rust (`lifeline._native`, the same libraries as the `lifeline`
command) with the GIL released; every ``*_report`` method returns the command line's JSON
report as a dict, field for field, and the methods without ``_report`` a pandas DataFrame
with an ``id`` column. Invalid documents raise :class:`ValidationError` listing every
problem. :mod:`lifeline.trace` hashes and checks EPCIS events; :mod:`lifeline.sbom`
scans SBOMs against OSV, CISA KEV and VEX.
"""

from ._native import Network, ValidationError, __version__
from . import sbom, trace

__all__ = ["Network", "ValidationError", "__version__", "sbom", "trace"]

"""SBOM vulnerability scan: components matched against OSV advisories, CISA KEV and VEX.

The same document as ``lifeline sbom scan BOMS --osv ... --format json``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Union

from . import _native

PathArg = Union[str, "os.PathLike[str]"]

__all__ = ["scan"]


def scan(
    boms: Union[PathArg, Sequence[PathArg]],
    *,
    osv: Union[PathArg, Sequence[PathArg]],
    kev: Optional[PathArg] = None,
    vex: Union[PathArg, Sequence[PathArg], None] = None,
) -> Dict[str, Any]:
    """Scans SBOMs (CycloneDX 1.2–1.7 JSON/XML, SPDX 2.3 JSON) against OSV advisories.

    ``osv``: OSV JSON records, folders of them (searched recursively, ``.zip`` exports
    inside included) or an ecosystem's ``all.zip``. ``kev``: the CISA KEV catalogue JSON
    (``known_exploited_vulnerabilities.json``). ``vex``: CycloneDX VEX documents to apply.
    Each of ``boms``, ``osv`` and ``vex`` is one path or a list of them.

    Returns the dict ``lifeline sbom scan --format json`` writes: ``advisories`` (what was
    loaded), ``kevCatalogVersion`` and one report per SBOM with its findings ranked (KEV
    with known ransomware use first). Invalid SBOMs raise :class:`lifeline.ValidationError`
    listing every problem of each.
    """
    return _native.sbom_scan(_paths(boms), osv=_paths(osv), kev=kev, vex=_paths(vex))


def _paths(value: Union[PathArg, Sequence[PathArg], None]) -> list:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [value]
    return list(value)

"""Traceability: CBV 2.0 Event Hash IDs of EPCIS events and chain-of-custody findings.

The same results as ``lifeline trace hash FILE`` and ``lifeline trace check FILES
--format json``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Union

from . import _native

Document = Union[bytes, bytearray, str, "os.PathLike[str]"]
"""An EPCIS document: its content as bytes, or a path."""

__all__ = ["Document", "check", "hash_events"]


def hash_events(document: Document, *, prehash: bool = False) -> List[str]:
    """The CBV 2.0 Event Hash ID (``ni:///sha-256;...?ver=CBV2.0``) of every event of an
    EPCIS 2.0 JSON-LD or XML, or EPCIS 1.2 XML document, in document order.

    ``document`` is the document's bytes or a path to it. With ``prehash=True``, the
    canonical pre-hash strings are returned instead of the hashes. A document that is not
    valid EPCIS raises :class:`lifeline.ValidationError` listing its problems.
    """
    return _native.trace_hash_events(document, prehash=prehash)


def check(
    *documents: Document,
    db: Optional[Union[str, "os.PathLike[str]"]] = None,
    network: Optional[_native.Network] = None,
) -> List[Dict[str, Any]]:
    """Chain-of-custody findings (commissioning, shipping and receiving, aggregation,
    recalls, hash mismatches) over the given EPCIS documents, or over the repository file
    ``db`` (written by ``lifeline trace ingest``) when no document is given.

    Returns the list ``lifeline trace check --format json`` writes: one dict per finding
    with ``epc``, ``rule``, ``severity``, ``events`` and ``message``, plus ``item`` and
    ``entities`` when ``network`` is given (the network item whose GTIN the product
    carries, and the entities whose GLN appears in its events). ``pandas.DataFrame(...)``
    of the result gives a table.
    """
    return _native.trace_check(list(documents), db=db, network=network)

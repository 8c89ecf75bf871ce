"""lifeline from Python: load a supply network, stress-test it, simulate it.

The heavy lifting happens in Rust (`lifeline._native`); this package adds pandas
DataFrames and type information on top.
"""

from . import _native

__all__ = ["_native"]

"""Type stubs of the extension module ``lifeline._native`` (written by hand; keep them in
step with ``crates/lifeline-py/src``)."""

import os
from typing import Any, Dict, List, Optional, Sequence, Union

import pandas

__version__: str

PathArg = Union[str, os.PathLike[str]]
ScenariosArg = Union[
    None,
    PathArg,
    Sequence[str],
    Sequence[Dict[str, Any]],
    Dict[str, Any],
]

class ValidationError(ValueError):
    """A document or an argument is invalid; ``problems`` lists every problem, and
    ``str()`` shows every one."""

    problems: List[Dict[str, Any]]

class Network:
    """A supply network that validated."""

    @staticmethod
    def load(path: PathArg) -> Network: ...
    @staticmethod
    def from_dict(document: Dict[str, Any], *, name: str = "<dict>") -> Network: ...
    @staticmethod
    def _restore(kind: str, payload: Any, origin: str) -> Network: ...
    def __reduce__(self) -> Any: ...
    @property
    def name(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def warnings(self) -> List[Dict[str, Any]]: ...
    def scenario_ids(self) -> List[str]: ...
    def summary(self) -> Dict[str, Any]: ...
    def stress_report(
        self,
        scenarios: ScenariosArg = None,
        threads: Optional[int] = None,
        *,
        top: Optional[int] = None,
        solve_all: bool = False,
    ) -> Dict[str, Any]: ...
    def stress(
        self,
        scenarios: ScenariosArg = None,
        threads: Optional[int] = None,
        *,
        solve_all: bool = False,
    ) -> pandas.DataFrame: ...
    def simulate_report(
        self,
        scenario: Union[str, os.PathLike[str], Dict[str, Any]],
        days: Optional[int] = None,
        *,
        scenarios: ScenariosArg = None,
    ) -> Dict[str, Any]: ...
    def simulate(
        self,
        scenario: Union[str, os.PathLike[str], Dict[str, Any]],
        days: Optional[int] = None,
        *,
        scenarios: ScenariosArg = None,
    ) -> pandas.DataFrame: ...
    def montecarlo_report(
        self,
        outage: Union[str, Sequence[str]],
        *,
        duration: str = "ransomware-downtime",
        start: str = "fixed:0",
        capacity_factor: float = 0.0,
        independent: bool = False,
        replications: int = 1000,
        seed: int = 1,
        days: Optional[int] = None,
        downtime_cost: Optional[float] = None,
        threads: Optional[int] = None,
    ) -> Dict[str, Any]: ...
    def montecarlo(
        self,
        outage: Union[str, Sequence[str]],
        *,
        duration: str = "ransomware-downtime",
        start: str = "fixed:0",
        capacity_factor: float = 0.0,
        independent: bool = False,
        replications: int = 1000,
        seed: int = 1,
        days: Optional[int] = None,
        downtime_cost: Optional[float] = None,
        threads: Optional[int] = None,
    ) -> pandas.DataFrame: ...

def trace_hash_events(
    document: Union[bytes, bytearray, PathArg], *, prehash: bool = False
) -> List[str]: ...
def trace_check(
    documents: List[Union[bytes, bytearray, PathArg]],
    *,
    db: Optional[PathArg] = None,
    network: Optional[Network] = None,
) -> List[Dict[str, Any]]: ...
def sbom_scan(
    boms: List[PathArg],
    *,
    osv: List[PathArg],
    kev: Optional[PathArg] = None,
    vex: List[PathArg] = ...,
) -> Dict[str, Any]: ...

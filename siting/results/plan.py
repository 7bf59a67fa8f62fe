"""The build plan: tidy tables, a summary, and an all-or-nothing writer of the plan directory.

The directory layout is a public contract, documented in ``docs/plan-format.md`` (the shared
plan-format spec): ``plan.json``, ``sites.geojson``, ``capacity.csv``, ``interconnections.csv``,
``contracts.csv``, ``timeline.csv``, plus ``costs_by_year.csv`` and ``candidates.csv``.

Writing is fault-tolerant: the files go into a temporary sibling directory that is renamed into place
only when complete (Ctrl-C and SIGTERM are held back during the rename), so an interrupted or failed save
leaves either the previous directory or nothing, and no temporary directory. ``plan.json`` is written
last and records the sha256 of every data file and of its own content, which ``siting check`` verifies.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .. import plotting
from ..data.layers import map_context
from ..data.load import default_data_dir
from ..errors import SitingError
from .check import DATA_FILES, file_sha256, plan_json_sha256

FORMAT_VERSION = "1.1"
TABLE_FILES = {
    "capacity": "capacity.csv",
    "interconnections": "interconnections.csv",
    "contracts": "contracts.csv",
    "timeline": "timeline.csv",
    "costs_by_year": "costs_by_year.csv",
    "candidates": "candidates.csv",
    "capacity_steps": "capacity_steps.csv",
    "serving": "serving.csv",
    "demand_regions": "demand_regions.csv",
    "dispatch": "dispatch.csv",
}
#: Tables written only when they have columns (features a scenario turns on): ``serving`` and
#: ``demand_regions`` (latency); ``dispatch`` (absent from plans assembled by hand or loaded from before it
#: existed).
OPTIONAL_TABLES = ("serving", "demand_regions", "dispatch")
#: signals held back while a finished plan is renamed into place (delivered right after)
_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class PlanExistsError(SitingError, FileExistsError):
    """The output directory is not empty and may not be replaced (see :func:`check_output_dir`)."""


def check_output_dir(directory: str | Path, overwrite: bool = False) -> None:
    """Raise :class:`PlanExistsError` unless a plan may be written to ``directory``.

    A missing or empty directory is fine; a non-empty one needs ``overwrite`` (``--force`` on the
    command line) and must be a plan directory (hold a ``plan.json``), so that a mistyped ``--out``
    never deletes other files.
    """
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise PlanExistsError(f"{d} is a file, not a directory. Fix: choose another output directory")
    if not d.is_dir() or not any(d.iterdir()):
        return
    if not overwrite:
        raise PlanExistsError(
            f"{d} is not empty. Fix: pass --force (command line) or overwrite=True (BuildPlan.save) to "
            "replace the plan there, or choose another output directory"
        )
    if not (d / "plan.json").exists():
        raise PlanExistsError(
            f"{d} is not empty and holds no plan.json, so it is not a plan directory and is not replaced "
            "even with --force / overwrite=True. Fix: choose another output directory or empty it"
        )


@dataclass
class BuildPlan:
    """A solved scenario.

    Attributes
    ----------
    meta : dict
        The content of ``plan.json`` (status, objective, gap, costs by category, targets, IT online,
        shortfall, emissions, model size, versions, input hashes, timings).
    sites : GeoDataFrame
        Chosen sites (points, EPSG:4326).
    capacity, interconnections, contracts, timeline, costs_by_year, candidates : DataFrame
        Tidy tables (units in column names); see ``docs/plan-format.md``.
    serving : DataFrame
        Which sites serve which demand regions (``serving.csv``); empty without a ``latency`` section.
    demand_regions : DataFrame
        Every demand region with its coordinates, population and latency-bound demand, served and unserved
        IT MW in the serving step (``demand_regions.csv``); empty without a ``latency`` section (and in
        plans written before it existed). The maps draw the regions from it.
    dispatch : DataFrame
        Average MW by source per site, step and climate period (``dispatch.csv``); empty for plans
        written before it existed.
    context : dict
        Map layers that are not part of the plan files (``substations``, ``transmission_lines``,
        ``states``, ``zones``); filled by :func:`siting.solve`, may be empty for a loaded plan.
    """

    meta: dict[str, Any]
    sites: gpd.GeoDataFrame
    capacity: pd.DataFrame
    interconnections: pd.DataFrame
    contracts: pd.DataFrame
    timeline: pd.DataFrame
    costs_by_year: pd.DataFrame
    candidates: pd.DataFrame
    capacity_steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    serving: pd.DataFrame = field(default_factory=pd.DataFrame)
    demand_regions: pd.DataFrame = field(default_factory=pd.DataFrame)
    dispatch: pd.DataFrame = field(default_factory=pd.DataFrame)
    context: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ views
    @property
    def status(self) -> str:
        return self.meta["status"]

    @property
    def objective_usd(self) -> float:
        return float(self.meta["objective_usd"])

    @property
    def costs(self) -> pd.Series:
        """Present value by cost category (USD)."""
        return pd.Series(self.meta["costs_usd"], name="pv_usd")

    def summary(self) -> pd.DataFrame:
        """One row per year: target, IT online, shortfall, sites online, grid/on-site MW, emissions."""
        years = sorted(int(y) for y in self.meta["targets_it_mw"])
        cap = self.capacity.groupby("year")[["it_mw", "facility_mw", "grid_mw", "onsite_mw"]].sum()
        sites_online = self.capacity[self.capacity["it_mw"] > 0].groupby("year")["site_id"].nunique()
        df = pd.DataFrame(index=pd.Index(years, name="year"))
        df["target_it_mw"] = [self.meta["targets_it_mw"][str(y)] for y in years]
        df["it_mw_online"] = [self.meta["it_mw_online"][str(y)] for y in years]
        df["shortfall_it_mw"] = [self.meta["shortfall_it_mw"][str(y)] for y in years]
        df["sites_online"] = sites_online.reindex(years).fillna(0).astype(int)
        for c in ("grid_mw", "onsite_mw"):
            df[c] = cap[c].reindex(years).fillna(0.0)
        df["emissions_tco2"] = [self.meta["emissions_tco2"][str(y)] for y in years]
        return df

    # ------------------------------------------------------------------ pictures (siting.plotting)
    def explore(self, **kwargs):
        """Interactive offline map (folium); see :func:`siting.plotting.explore`."""
        return plotting.explore(self, **{"context": map_context(self.context, default_data_dir()), **kwargs})

    def plot_map(self, **kwargs):
        """Static map of the chosen sites (matplotlib Figure)."""
        return plotting.plot_map(self, **{"context": map_context(self.context, default_data_dir()), **kwargs})

    def plot_timeline(self, **kwargs):
        """Gantt chart of every site phase with the IT MW target."""
        return plotting.plot_timeline(self, **kwargs)

    def plot_costs(self, **kwargs):
        """Cost breakdown by category and present value by year."""
        return plotting.plot_costs(self, **kwargs)

    def plot_capacity(self, **kwargs):
        """IT MW online by site and year against the target, shortfall shown."""
        return plotting.plot_capacity(self, **kwargs)

    def plot_hourly_supply(self, **kwargs):
        """Supply by source over the representative days (or months) of one site and year."""
        return plotting.plot_hourly_supply(self, **kwargs)

    # ------------------------------------------------------------------ I/O
    def save(
        self,
        directory: str | Path,
        extra_files: dict[str, Callable[[Path], Any]] | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Write the plan directory completely or not at all.

        Files are written into a temporary sibling directory which is then renamed to ``directory``;
        an error, Ctrl-C or SIGTERM (as ``KeyboardInterrupt``) before the rename leaves any previous plan
        there untouched and removes the temporary directory.

        Parameters
        ----------
        directory : path
            Target directory (created with its parents).
        extra_files : dict, optional
            ``{file name: callable(path)}`` for additional outputs (maps, charts) written into the same
            temporary directory before the rename.
        overwrite : bool
            Replace ``directory`` if it is a non-empty plan directory (one with a ``plan.json``).

        Raises
        ------
        PlanExistsError
            ``directory`` is not empty and ``overwrite`` is false, or it is not a plan directory.
        """
        directory = Path(directory).resolve()
        check_output_dir(directory, overwrite)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_sibling(directory)
        try:
            self._write_files(tmp, extra_files or {})
            _move_into_place(tmp, directory, overwrite)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return directory

    def _write_files(self, tmp: Path, extra_files: dict[str, Callable[[Path], Any]]) -> None:
        """Every file of the plan into ``tmp``; ``plan.json`` last, with the data files' sha256."""
        sites = self.sites.copy()
        for c in sites.columns:
            if c != "geometry" and sites[c].dtype == object:
                sites[c] = sites[c].where(sites[c].notna(), None)
        sites.to_file(tmp / "sites.geojson", driver="GeoJSON")
        for attr, name in TABLE_FILES.items():
            table = getattr(self, attr)
            if attr in OPTIONAL_TABLES and len(table.columns) == 0:
                continue
            table.to_csv(tmp / name, index=False, float_format="%.6f")
        for name, writer in extra_files.items():
            writer(tmp / name)
        meta = {k: v for k, v in _jsonable(self.meta).items() if k not in ("files_sha256", "plan_sha256")}
        meta["files_sha256"] = {n: file_sha256(tmp / n) for n in DATA_FILES if (tmp / n).exists()}
        meta["plan_sha256"] = plan_json_sha256(meta)
        (tmp / "plan.json").write_text(json.dumps(meta, indent=2, allow_nan=False) + "\n")

    @classmethod
    def load(cls, directory: str | Path) -> BuildPlan:
        """Read a plan directory written by :meth:`save`."""
        directory = Path(directory)
        meta = json.loads((directory / "plan.json").read_text())
        sites = gpd.read_file(directory / "sites.geojson")
        tables = {}
        for attr, name in TABLE_FILES.items():
            path = directory / name
            tables[attr] = pd.read_csv(path) if path.exists() else pd.DataFrame()
        return cls(meta=meta, sites=sites, **tables)


def _jsonable(obj: Any) -> Any:
    """Plain-JSON copy: NaN/inf → null, numpy scalars → Python, dict keys → str."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _temp_sibling(directory: Path) -> Path:
    """A new empty ``.NAME.tmp-XXXX`` directory beside ``directory``, with the usual permissions."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; a plan directory gets the usual permissions
    return tmp


def _move_into_place(tmp: Path, directory: Path, overwrite: bool) -> None:
    """Rename the complete ``tmp`` to ``directory``, replacing a previous plan there if ``overwrite``.

    A missing or empty ``directory`` is replaced in one atomic ``os.replace``. A previous plan is first
    renamed aside (``.NAME.old-PID``), then removed; if the second rename fails it is put back. Ctrl-C and
    SIGTERM are held until the swap is done.
    """
    with _signals_held():
        if overwrite and directory.is_dir() and any(directory.iterdir()):
            check_output_dir(directory, overwrite)  # refuses a directory that is not a plan
            backup = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            os.replace(directory, backup)
            try:
                os.replace(tmp, directory)
            except BaseException:
                os.replace(backup, directory)
                raise
            shutil.rmtree(backup, ignore_errors=True)
            return
        try:
            os.replace(tmp, directory)
        except OSError:
            check_output_dir(directory, overwrite)  # a file or a plan appeared there meanwhile: say so
            raise


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM inside the block and deliver them, to the previous handlers, after it.

    Signal handlers run in the main thread only; elsewhere the block runs unprotected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: held.append(signum)) for s in _HELD_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for s in dict.fromkeys(held):
            signal.raise_signal(s)

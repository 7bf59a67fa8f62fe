"""The build plan: tidy tables, a summary, and an all-or-nothing writer of the plan directory.

The directory layout is a public contract, documented in ``docs/plan-format.md`` (the shared
plan-format spec): ``plan.json``, ``sites.geojson``, ``capacity.csv``, ``interconnections.csv``,
``contracts.csv``, ``timeline.csv``, plus ``costs_by_year.csv`` and ``candidates.csv``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

FORMAT_VERSION = "1.1"
TABLE_FILES = {
    "capacity": "capacity.csv",
    "interconnections": "interconnections.csv",
    "contracts": "contracts.csv",
    "timeline": "timeline.csv",
    "costs_by_year": "costs_by_year.csv",
    "candidates": "candidates.csv",
    "capacity_steps": "capacity_steps.csv",
}


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
        from ..plotting import explore

        return explore(self, **kwargs)

    def plot_map(self, **kwargs):
        """Static map of the chosen sites (matplotlib Figure)."""
        from ..plotting import plot_map

        return plot_map(self, **kwargs)

    def plot_timeline(self, **kwargs):
        """Gantt chart of every site phase with the IT MW target."""
        from ..plotting import plot_timeline

        return plot_timeline(self, **kwargs)

    def plot_costs(self, **kwargs):
        """Cost breakdown by category and present value by year."""
        from ..plotting import plot_costs

        return plot_costs(self, **kwargs)

    def plot_capacity(self, **kwargs):
        """IT MW online by site and year against the target, shortfall shown."""
        from ..plotting import plot_capacity

        return plot_capacity(self, **kwargs)

    # ------------------------------------------------------------------ I/O
    def save(self, directory: str | Path, extra_files: dict[str, Any] | None = None) -> Path:
        """Write the plan directory completely or not at all.

        Files are written into a temporary sibling directory which then replaces ``directory`` in one
        rename; an error leaves any previous plan there untouched.

        Parameters
        ----------
        directory : path
            Target directory (created; replaced if it exists).
        extra_files : dict, optional
            ``{file name: callable(path)}`` for additional outputs (maps, charts) written into the same
            temporary directory before the swap.
        """
        directory = Path(directory).resolve()
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; a plan directory gets the usual permissions
        try:
            (tmp / "plan.json").write_text(json.dumps(_jsonable(self.meta), indent=2, sort_keys=False) + "\n")
            sites = self.sites.copy()
            for c in sites.columns:
                if c != "geometry" and sites[c].dtype == object:
                    sites[c] = sites[c].where(sites[c].notna(), None)
            sites.to_file(tmp / "sites.geojson", driver="GeoJSON")
            for attr, name in TABLE_FILES.items():
                getattr(self, attr).to_csv(tmp / name, index=False, float_format="%.6f")
            for name, writer in (extra_files or {}).items():
                writer(tmp / name)
            backup = None
            if directory.exists():
                backup = directory.with_name(f".{directory.name}.old-{os.getpid()}")
                directory.rename(backup)
            tmp.rename(directory)
            if backup is not None:
                shutil.rmtree(backup, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return directory

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

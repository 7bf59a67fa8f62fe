"""Cooling and water results: each site's chosen cooling design and its water use against the caps.

Reads the model's ``cool`` binaries (present only when the scenario offers several cooling designs) and the
:class:`~siting.model.inputs.ModelInputs` tables ``site_cooling``, ``site_cooling_periods`` and
``site_water``. Water use is that of ``capacity_steps.csv`` (``water_m3``: hours × IT utilization × WUE of
the site's design × IT MW; 1 L/kWh = 1 m3/MWh), the same expression the model's ``water_m3`` caps.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from ..features.water import STRESS_PROXY_NOTE
from ..model.inputs import ModelInputs

ON = 0.5  # binaries above this are taken as 1
#: Per-site PUE figures of ``sites`` replaced by those of the chosen design.
SITE_COOLING_COLUMNS = ("pue_peak", "pue_annual", "pue_swing", "peak_window_hours")
#: Keys of every ``plan.json`` ``water.by_site_year`` entry.
WATER_ROW_KEYS = (
    "site_id",
    "year",
    "cooling",
    "water_m3",
    "cap_m3",
    "water_basin",
    "basin_water_m3",
    "basin_available_m3",
)


def chosen_cooling(m: pyo.ConcreteModel, d: ModelInputs) -> pd.Series:
    """Cooling design of every candidate site (index ``site_id``): the one whose ``cool`` binary is on, or
    the scenario's single design (also for sites left closed)."""
    first = d.cooling_designs[0]
    out = pd.Series(first, index=d.sites.index, name="cooling", dtype=object)
    if hasattr(m, "cool"):
        for s in m.S:
            on = [c for c in m.DES if (pyo.value(m.cool[s, c], exception=False) or 0.0) > ON]
            if on:
                out[s] = on[0]
    return out


def with_chosen_cooling(m: pyo.ConcreteModel, d: ModelInputs) -> ModelInputs:
    """``d`` with each site's PUE figures (``sites``) and per-period PUE and WUE (``site_periods``) those of
    its chosen design, so that the plan tables report what was built. ``d`` itself when there is no choice."""
    if not hasattr(m, "cool"):
        return d
    design = chosen_cooling(m, d)
    keys = pd.MultiIndex.from_arrays([design.index, design.to_numpy()], names=["site_id", "design"])
    sites = d.sites.copy()
    chosen = d.site_cooling.reindex(keys)
    for col in SITE_COOLING_COLUMNS:
        sites[col] = chosen[col].to_numpy()
    per = d.site_cooling_periods.reset_index()
    per = per[per["design"].to_numpy() == per["site_id"].map(design).to_numpy()]
    site_periods = per.set_index(["site_id", "period"])[["pue", "wue_l_per_kwh"]].reindex(
        d.site_periods.index
    )
    return dataclasses.replace(d, sites=sites, site_periods=site_periods)


def water_by_site_year(d: ModelInputs, steps_tab: pd.DataFrame, design: pd.Series) -> pd.DataFrame:
    """One row per opened site and calendar year (:data:`WATER_ROW_KEYS`): water used (m3), the per-site
    cap over the year's modelled steps (m3; NaN: none), the site's water basin, the basin's use and its
    availability over those steps (m3; NaN: no limit)."""
    if steps_tab.empty:
        return pd.DataFrame(columns=list(WATER_ROW_KEYS))
    years = d.steps.groupby("year")["years"].sum()  # modelled years of each calendar year
    tab = steps_tab.groupby(["site_id", "year"], as_index=False)["water_m3"].sum()
    frac = tab["year"].map(years).to_numpy(dtype=float)
    cap = d.water_cap_m3_per_year_per_site
    w = d.site_water.reindex(tab["site_id"])
    basin = w["water_basin"].fillna("").astype(str).to_numpy()
    avail = w["water_available_m3_per_year"].to_numpy(dtype=float)
    tab["cooling"] = tab["site_id"].map(design)
    tab["cap_m3"] = np.nan if cap is None else cap * frac
    tab["water_basin"] = basin
    use = tab.assign(b=basin).groupby(["b", "year"])["water_m3"].transform("sum").to_numpy()
    tab["basin_water_m3"] = np.where(basin != "", use, np.nan)
    tab["basin_available_m3"] = np.where(np.isfinite(avail) & (basin != ""), avail * frac, np.nan)
    return tab[list(WATER_ROW_KEYS)]


def _json(x):
    """A JSON value: None for NaN, float for numbers."""
    if isinstance(x, (float, np.floating)):
        return None if np.isnan(x) else float(x)
    if isinstance(x, np.integer):
        return int(x)
    return x


def water_summary(m: pyo.ConcreteModel, d: ModelInputs, steps_tab: pd.DataFrame) -> dict:
    """``plan.json`` ``water``: the caps and price, the designs offered, the stress-proxy caveat, water use
    by site and year against the caps (``by_site_year``) and the total by year (m3)."""
    design = chosen_cooling(m, d)
    rows = water_by_site_year(d, steps_tab, design)
    total = rows.groupby("year")["water_m3"].sum() if len(rows) else pd.Series(dtype=float)
    return {
        "cap_m3_per_year_per_site": d.water_cap_m3_per_year_per_site,
        "price_usd_per_m3": d.water_price_usd_per_m3,
        "cooling_designs": list(d.cooling_designs),
        "stress_proxy_note": STRESS_PROXY_NOTE,
        "total_m3": {str(y): float(total.get(y, 0.0)) for y in d.years},
        "by_site_year": [{k: _json(v) for k, v in r.items()} for r in rows.to_dict("records")],
    }


def add_site_water_columns(sites: pd.DataFrame, m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """``sites`` (the plan's chosen sites) with ``cooling`` (chosen design), ``wue_annual_l_per_kwh``,
    ``water_stress_proxy`` (0–1 dryness proxy, not WRI Aqueduct) and ``water_stress_class``."""
    if sites.empty or "site_id" not in sites:
        return sites
    design = chosen_cooling(m, d)
    ids = sites["site_id"]
    keys = pd.MultiIndex.from_arrays(
        [ids.to_numpy(), ids.map(design).to_numpy()], names=["site_id", "design"]
    )
    out = sites.copy()
    out["cooling"] = ids.map(design).to_numpy()
    out["wue_annual_l_per_kwh"] = d.site_cooling["wue_annual_l_per_kwh"].reindex(keys).to_numpy(dtype=float)
    out["water_stress_proxy"] = ids.map(d.site_water["water_stress_proxy"]).to_numpy(dtype=float)
    out["water_stress_class"] = ids.map(d.site_water["water_stress_class"]).to_numpy()
    return out

"""Carbon-free energy (CFE) of a solved plan: how much of what the campus consumes contracted clean energy
covers, matched hour by hour (24/7) and by volume over each step (annual), by year and by site.

The figures are recomputed from the plan's dispatch and contracts, whatever the model claimed (claims carry
no value in the objective unless a carbon price, cap or clean target makes them count):

* **produced** — MWh of each zone's PPAs in each period: hours × capacity factor × contracted MW;
* **bought** — grid MWh the zone's sites buy in each period;
* **matched** — the largest clean MWh that can be claimed along the deliverable links (a zone's own
  contracts, plus those of listed neighbours) without exceeding what is produced or bought: per period for
  ``hourly`` (representative hours; ``None`` under monthly resolution, which has no hours), per step for
  ``annual``. Without cross-zone links this is Σ min(produced, bought); with them a small transport LP;
* **consumed** — grid MWh plus on-site plant output (battery losses included);
* ``cfe_hourly_fraction`` = hourly matched / consumed, ``cfe_annual_fraction`` = annual matched / consumed.

A zone's matched MWh are shared among its sites pro rata to their grid purchases in the period (or step).
Contracted clean output only: the grid mix's own clean share is not credited.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from scipy.optimize import linprog

from ..model.inputs import ModelInputs

#: The definition written to plan.json (``clean_energy.definition``).
CFE_DEFINITION = (
    "cfe_hourly_fraction = Σ over representative hours of min(contracted clean MWh deliverable, grid MWh "
    "bought) / (grid + on-site MWh); cfe_annual_fraction = the same with volumes over each time step; "
    "contracted PPAs only (the grid mix's clean share is not credited)"
)


#: Tie-break weight (per MWh) that makes the matching prefer a zone's own contracts among maximal flows.
SELF_FIRST = 1e-6


def _values(var: pyo.Var, names: list[str]) -> pd.Series:
    """Solved values of an indexed variable on a MultiIndex named ``names`` (0 where the solver left none)."""
    vals = var.extract_values()
    index = (
        pd.MultiIndex.from_tuples(list(vals), names=names)
        if vals
        else pd.MultiIndex.from_arrays([[]] * len(names), names=names)
    )
    return pd.Series(list(vals.values()), index=index, dtype=float).fillna(0.0).clip(lower=0.0)


def matched_mwh(produced: np.ndarray, bought: np.ndarray, links: list[tuple[int, int]]) -> np.ndarray:
    """Largest clean MWh claimable into each load zone (rows of ``bought``) from the contract zones (rows of
    ``produced``) along ``links`` (``(contract row, load row)``), column by column (periods or steps).

    Parameters
    ----------
    produced : array (n_zones, n_cols)
        Contracted clean MWh produced per zone and column (MWh).
    bought : array (n_zones, n_cols)
        Grid MWh bought per zone and column (MWh).
    links : list of (int, int)
        Deliverable (contract zone row, load zone row) pairs; every zone with itself at least.

    Returns
    -------
    array (n_zones, n_cols)
        MWh matched into each load zone. Without cross-zone links it is ``min(produced, bought)``; with them
        a maximum-flow LP per column (HiGHS through scipy) that, among the flows matching the most MWh,
        prefers each zone's own contracts, so that a zone is credited with a neighbour's output only
        where its own falls short.
    """
    if all(a == b for a, b in links):
        return np.minimum(produced, bought)
    out = np.zeros_like(bought, dtype=float)
    src = np.array([a for a, _ in links])
    dst = np.array([b for _, b in links])
    zones = np.arange(produced.shape[0])
    a_ub = np.vstack([(src[None, :] == zones[:, None]), (dst[None, :] == zones[:, None])]).astype(float)
    # the most MWh in all; among such flows, a zone's own contracts first (a tie-break worth 1e-6 per MWh)
    cost = -(1.0 + SELF_FIRST * (src == dst))
    for col in range(bought.shape[1]):
        b_ub = np.concatenate([produced[:, col], bought[:, col]])
        if b_ub.max(initial=0.0) <= 0:
            continue
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        np.add.at(out[:, col], dst, res.x)
    return out


def _match(produced: pd.Series, bought: pd.Series, zones: list, links: list[tuple]) -> pd.Series:
    """:func:`matched_mwh` on Series indexed (``zone_id``, *cols*): MWh matched into each load zone."""
    cols = produced.index.droplevel("zone_id").union(bought.index.droplevel("zone_id")).unique().sort_values()
    row = {z: i for i, z in enumerate(zones)}

    def wide(s: pd.Series) -> np.ndarray:
        return s.unstack("zone_id").reindex(index=cols, columns=zones).fillna(0.0).to_numpy().T

    out = matched_mwh(wide(produced), wide(bought), [(row[a], row[b]) for a, b in links])
    frame = pd.DataFrame(out.T, index=cols, columns=pd.Index(zones, name="zone_id"))
    return frame.stack().reorder_levels(["zone_id", *cols.names])


def _pro_rata(
    site_mwh: pd.Series, zone_of: pd.Series, zone_total: pd.Series, zone_part: pd.Series
) -> pd.Series:
    """Each site's part of its zone's ``zone_part``, in proportion to its share of ``zone_total`` (all Series
    on the same columns, the zone ones indexed ``zone_id`` first); index as ``site_mwh``."""
    idx = site_mwh.index
    zones = zone_of.reindex(idx.get_level_values("site_id")).to_numpy()
    key = pd.MultiIndex.from_arrays(
        [zones, *(idx.get_level_values(n) for n in idx.names[1:])], names=["zone_id", *idx.names[1:]]
    )
    total = zone_total.reindex(key).to_numpy()
    part = zone_part.reindex(key).fillna(0.0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(total > 0, site_mwh.to_numpy() / total * part, 0.0), index=site_mwh.index)


def _energy(m: pyo.ConcreteModel, d: ModelInputs) -> dict[str, pd.Series]:
    """MWh of the solved plan by period: ``grid`` (site, step, period), ``onsite`` (site, step), ``produced``
    (contracted clean output, zone, step, period) and ``bought`` (grid purchases, zone, step, period)."""
    hours = d.step_periods["hours"]

    def energy(var: pyo.Var, names: list[str]) -> pd.Series:  # MWh of an average-MW variable on (…, t, p)
        mw = _values(var, names)
        return mw * hours.reindex(mw.index.droplevel(names[:-2])).to_numpy()

    grid = energy(m.grid_out, ["site_id", "step", "period"])
    onsite = energy(m.gen_out, ["site_id", "option_id", "step", "period"])
    ppa = _values(m.ppa_mw, ["option_id", "zone_id", "step"]).rename("mw").to_frame()
    cf = ppa.join(d.contract_cf["cf"], how="inner")
    produced = (cf["mw"] * cf["cf"]).groupby(level=["zone_id", "step", "period"]).sum()
    produced = produced * hours.reindex(produced.index.droplevel("zone_id")).to_numpy()
    site_zone = d.sites["zone_id"].reindex(grid.index.get_level_values("site_id")).to_numpy()
    levels = [site_zone, grid.index.get_level_values("step"), grid.index.get_level_values("period")]
    bought = grid.groupby(levels).sum().rename_axis(["zone_id", "step", "period"])
    return {
        "grid": grid,
        "onsite": onsite.groupby(level=["site_id", "step"]).sum(),
        "produced": produced,
        "bought": bought,
    }


def _links(d: ModelInputs) -> tuple[list, list[tuple]]:
    zones = list(d.zones.index)
    return zones, (d.clean_links or [(z, z) for z in zones])


def matched_by_site_period(m: pyo.ConcreteModel, d: ModelInputs, e: dict | None = None) -> pd.Series:
    """Clean MWh matched in each period at each site (index site_id, step, period): the zone's grid purchases
    of the period covered by deliverable contracted clean output of the same period (:func:`matched_mwh`),
    shared among its sites pro rata to their purchases. With representative days this is the hourly CFE's
    numerator; with monthly periods it is matching within the month (an upper bound of hourly matching)."""
    e = e if e is not None else _energy(m, d)
    zones, links = _links(d)
    per_period = _match(e["produced"], e["bought"], zones, links)
    return _pro_rata(e["grid"], d.sites["zone_id"], e["bought"], per_period)


def clean_energy_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """CFE by site and step: ``site_id``, ``step``, ``year``, ``consumed_mwh``, ``grid_mwh``,
    ``matched_hourly_mwh`` (NaN under monthly resolution), ``matched_annual_mwh`` (MWh). Sites with no
    consumption are left out."""
    e = _energy(m, d)
    zones, links = _links(d)
    zone_of = d.sites["zone_id"]
    # annual matching: volumes over each step
    grid_step = e["grid"].groupby(level=["site_id", "step"]).sum()
    bought_step = e["bought"].groupby(level=["zone_id", "step"]).sum()
    annual = _match(e["produced"].groupby(level=["zone_id", "step"]).sum(), bought_step, zones, links)
    table = pd.DataFrame(
        {"grid_mwh": grid_step, "matched_annual_mwh": _pro_rata(grid_step, zone_of, bought_step, annual)}
    )
    table["consumed_mwh"] = table["grid_mwh"] + e["onsite"].reindex(table.index).fillna(0.0)
    table["matched_hourly_mwh"] = np.nan
    if d.chronological:  # hourly matching needs hours
        by_hour = matched_by_site_period(m, d, e)
        table["matched_hourly_mwh"] = by_hour.groupby(level=["site_id", "step"]).sum().reindex(table.index)
    table = table[table["consumed_mwh"] > 1e-6].reset_index()
    table["year"] = d.steps["year"].reindex(table["step"]).to_numpy()
    return table[
        ["site_id", "step", "year", "consumed_mwh", "grid_mwh", "matched_hourly_mwh", "matched_annual_mwh"]
    ]


def _fractions(g: pd.DataFrame) -> dict:
    consumed = float(g["consumed_mwh"].sum())
    hourly = g["matched_hourly_mwh"]
    out = {
        "consumed_mwh": consumed,
        "matched_hourly_mwh": None if hourly.isna().any() else float(hourly.sum()),
        "matched_annual_mwh": float(g["matched_annual_mwh"].sum()),
    }
    out["cfe_hourly_fraction"] = (
        None if out["matched_hourly_mwh"] is None else out["matched_hourly_mwh"] / consumed
    )
    out["cfe_annual_fraction"] = out["matched_annual_mwh"] / consumed
    return out


def clean_energy_summary(m: pyo.ConcreteModel, d: ModelInputs) -> dict:
    """plan.json ``clean_energy``: the matching rule and target, the definition, and CFE by year
    (``by_year``: {year: {consumed_mwh, matched_hourly_mwh, matched_annual_mwh, cfe_hourly_fraction,
    cfe_annual_fraction}}) and by site and year (``by_site_year``: a list of the same with site_id, year)."""
    table = clean_energy_table(m, d)
    by_year = {str(int(y)): _fractions(g) for y, g in table.groupby("year")}
    by_site = [
        {"site_id": str(s), "year": int(y), **_fractions(g)}
        for (s, y), g in table.groupby(["site_id", "year"])
    ]
    return {
        "matching": d.clean_matching,
        "target_fraction": d.clean_target_fraction,
        "start_year": d.clean_target_start_year,
        "scope": d.clean_target_scope,
        "deliverable_links": [[str(a), str(b)] for a, b in d.clean_links if a != b],
        "definition": CFE_DEFINITION,
        "by_year": by_year,
        "by_site_year": by_site,
    }

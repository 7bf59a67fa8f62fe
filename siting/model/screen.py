"""Screening of candidate sites for the warm-start pass of a solve.

A solve over hundreds of candidate sites spends most of its time before HiGHS finds its first good plan.
The warm start (``solver.warm_start_sites`` in the scenario) first solves the same model with every site
outside a short list held closed, then hands that plan to HiGHS as the start of the full solve. The full
solve still ranges over every site and proves its gap against the full model, so the short list can only
change how fast the plan is found, never which plans are allowed. This module picks the short list from
a per-site cost proxy; it reads no files and builds no model.

The proxy is a screening figure, not a cost the model uses: annualised site capital, energy at the zone
tariff, demand charges and the cheapest grid connection, per MW of IT. Sites whose grid arrives early
are kept as well even when their proxy is high, because the cheapest site is no use if it cannot be
powered by the first target date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..features.timing import HOURS_PER_YEAR, MONTHS_PER_YEAR
from .inputs import ModelInputs

#: kW per MW, for the demand charges quoted per kW-month
KW_PER_MW = 1000.0
#: share of the short list filled by the sites whose grid connection is ready first (–)
EARLY_GRID_SHARE = 0.25


def site_cost_proxy_usd_per_mw_year(d: ModelInputs) -> pd.Series:
    """Screening cost of one MW of IT at each candidate site (USD per MW-year, real), by ``site_id``.

    ``land × crf_land + construction × crf_datacenter + fixed O&M`` (annualised site capital, USD/MW-yr)
    ``+ pue_annual × 8760 h × it_utilization × tariff`` (energy at the zone's tariff, USD/MWh)
    ``+ pue_peak × demand charge × 12 months × 1000 kW/MW`` (USD/kW-month)
    ``+ min over the site's connection options of (fixed + per-MW cost × site size) × crf_interconnection
    / site size`` (USD), with the site size ``max_phases × phase_mw`` (MW). A site with no connection
    option gets ``inf`` for that term.

    Parameters
    ----------
    d : ModelInputs
        The prepared model inputs (sites, zones, connections and annuity factors).

    Returns
    -------
    pandas.Series
        USD per MW-year of IT, indexed like ``d.sites``.
    """
    s, z = d.sites, d.zones
    zone = z.reindex(s["zone_id"].to_numpy())
    capital = (
        s["land_usd_per_mw"] * d.crf_land
        + s["construction_usd_per_mw"] * d.crf_datacenter
        + s["dc_fixed_om_usd_per_mw_year"]
    )
    energy = s["pue_annual"] * HOURS_PER_YEAR * d.it_utilization * zone["tariff_usd_per_mwh"].to_numpy()
    demand = s["pue_peak"] * zone["demand_charge_usd_per_kw_month"].to_numpy() * MONTHS_PER_YEAR * KW_PER_MW
    size_mw = (s["max_phases"] * d.phase_mw).clip(lower=d.phase_mw)
    c = d.connections
    per_site_size = size_mw.reindex(c.index.get_level_values("site_id")).to_numpy()
    option_usd = c["fixed_cost_usd"].to_numpy() + c["cost_usd_per_mw"].to_numpy() * per_site_size
    cheapest = pd.Series(option_usd, index=c.index.get_level_values("site_id")).groupby(level=0).min()
    grid = cheapest.reindex(s.index).to_numpy() * d.crf_interconnection / size_mw.to_numpy()
    return (capital + energy + demand + np.where(np.isnan(grid), np.inf, grid)).rename("usd_per_mw_year")


def warm_start_sites(d: ModelInputs, n_sites: int) -> list[str]:
    """The short list of ``n_sites`` candidate sites for the warm-start pass (sorted site ids).

    Three quarters (rounded up) are the lowest :func:`site_cost_proxy_usd_per_mw_year`; the rest are the
    sites whose first grid connection option is ready first (lowest ``first_step``, then lowest proxy),
    not already on the list. Ties are broken by site id, so the list is deterministic.

    Parameters
    ----------
    d : ModelInputs
        The prepared model inputs.
    n_sites : int
        Length of the short list (sites); all sites when there are no more than that.

    Returns
    -------
    list of str
        Site ids, sorted.
    """
    if n_sites >= len(d.sites):
        return sorted(d.sites.index)
    proxy = site_cost_proxy_usd_per_mw_year(d)
    sites = proxy.index.to_numpy()
    by_cost = pd.DataFrame({"proxy": proxy.to_numpy(), "site_id": sites}).sort_values(["proxy", "site_id"])
    n_cheap = n_sites - int(np.floor(n_sites * EARLY_GRID_SHARE))
    chosen = list(by_cost["site_id"].iloc[:n_cheap])
    first = d.connections["first_step"].groupby(level="site_id").min().reindex(proxy.index)
    early = pd.DataFrame(
        {"first": first.fillna(np.inf).to_numpy(), "proxy": proxy.to_numpy(), "site_id": sites}
    )
    early = early[~early["site_id"].isin(chosen)].sort_values(["first", "proxy", "site_id"])
    chosen += list(early["site_id"].iloc[: n_sites - len(chosen)])
    return sorted(chosen)

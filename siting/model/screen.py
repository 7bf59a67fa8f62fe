"""Screening of candidate sites: the warm-start pass of a solve, and the optional screen of large candidate sets.

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

The screen (``solver.screen_sites``) uses the same short list, plus for each latency-bound demand region
the cheapest site that can serve it, but drops every other site *before* the model is built
(:func:`restrict_to_sites`): what lets thousands of candidates be solved in the memory of hundreds. Unlike
the warm start it changes which plans are allowed: a plan found over a screened list is optimal over
those sites only, and the sites screened out are not proven worse (``benchmarks/bench_scale.py
--screen`` measures what it costs where the full model can still be solved).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

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


def screened_sites(d: ModelInputs, n_sites: int) -> list[str]:
    """The sites a screen to ``n_sites`` keeps (sorted site ids).

    :func:`warm_start_sites` of ``n_sites``, plus, for each latency-bound demand region (``serve_links``),
    its cheapest serving site by :func:`site_cost_proxy_usd_per_mw_year` (ties by site id), so that a
    screen never leaves a region without a site in reach. The list can therefore be longer than
    ``n_sites`` by at most the number of regions.

    Parameters
    ----------
    d : ModelInputs
        The prepared model inputs.
    n_sites : int
        Sites the screen keeps by cost and grid date (sites).

    Returns
    -------
    list of str
        Site ids, sorted.
    """
    keep = set(warm_start_sites(d, n_sites))
    links = d.serve_links
    if len(links):
        proxy = site_cost_proxy_usd_per_mw_year(d)
        site = links.index.get_level_values("site_id")
        table = pd.DataFrame(
            {
                "region_id": links.index.get_level_values("region_id"),
                "site_id": site,
                "proxy": proxy.reindex(site).to_numpy(),
            }
        ).sort_values(["region_id", "proxy", "site_id"])
        keep |= set(table.drop_duplicates("region_id")["site_id"])
    return sorted(keep)


#: ModelInputs tables indexed by site (first index level ``site_id``), cut down by :func:`restrict_to_sites`
SITE_TABLES = (
    "sites",
    "site_periods",
    "site_cooling",
    "site_cooling_periods",
    "site_water",
    "connections",
    "serve_links",
)


def restrict_to_sites(d: ModelInputs, keep: Collection[str], note: str | None = None) -> ModelInputs:
    """A copy of ``d`` with only the candidate sites in ``keep`` (and the substations they reach).

    Every table indexed by site (:data:`SITE_TABLES`) keeps the rows of those sites; ``substations`` keeps
    the substations of their connection options. Zones, contracts, regions and every scalar are unchanged.
    ``note`` (if given) is added to the copy's notes, and ``screened_from_sites`` records the candidates
    before the cut (of the first cut, when cut twice); ``d`` is not changed.

    Parameters
    ----------
    d : ModelInputs
        The prepared model inputs.
    keep : collection of str
        Site ids to keep (each must be in ``d.sites``).
    note : str, optional
        Added to the plan's notes.

    Returns
    -------
    ModelInputs
    """
    keep = set(keep)
    unknown = keep - set(d.sites.index)
    if unknown:
        raise KeyError(f"sites not among the candidates: {sorted(unknown)}")
    tables = {}
    for name in SITE_TABLES:
        t = getattr(d, name)
        if len(t.index) and "site_id" in (t.index.names or []):
            t = t[t.index.get_level_values("site_id").isin(keep)]
        tables[name] = t
    reached = set(tables["connections"].index.get_level_values("substation_id"))
    substations = d.substations[d.substations.index.isin(reached)]
    notes = [*d.notes, note] if note else list(d.notes)
    before = d.screened_from_sites or len(d.sites)
    return dataclasses.replace(d, **tables, substations=substations, notes=notes, screened_from_sites=before)

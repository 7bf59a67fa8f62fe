"""Utility tariffs as utilities write them: energy charge, demand charge, minimum take, standby, price path.

One row per zone (``data/tariffs.csv``; columns and units in ``docs/data-layers.md``). Where no large-load
tariff is sourced, the zone's EIA average industrial price ``P`` (USD/MWh) is split into a demand charge
``D`` (USD/kW-month, on contracted capacity) and an energy charge ``E`` (USD/MWh) such that a customer at
load factor ``LF`` pays exactly ``P`` on average::

    E = P − D · 12 · 1000 / (8760 · LF)

(12 months of ``D`` per kW spread over the ``8760 · LF`` MWh per MW-year that the customer draws).
``D`` = 14.57 USD/kW-month, the sum of Dominion Energy Virginia's GS-3 demand charges effective
1 Jan 2026 (distribution 3.316 + on-peak generation 8.976 + transmission 2.277; verified in a secondary
source) applied as a national default; ``LF`` = 0.8 (the model's ``it_utilization``; Dominion's GS-5
large-load class requires LF ≥ 0.75). If ``P`` is too low for ``D`` at that load factor, ``D`` is reduced so
that ``E`` = 0 (never a negative energy charge).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .timing import HOURS_PER_YEAR, MONTHS_PER_YEAR

KW_PER_MW = 1000.0

#: Load factor at which the fallback split reproduces the EIA average (–).
FALLBACK_LOAD_FACTOR = 0.8
#: Fallback demand charge (USD/kW-month): Dominion GS-3 demand charges, 1 Jan 2026 (verified secondary).
FALLBACK_DEMAND_CHARGE_USD_PER_KW_MONTH = 14.57
#: Fallback standby (backup service reservation) charge, USD/kW-month: *unverified placeholder*.
FALLBACK_STANDBY_CHARGE_USD_PER_KW_MONTH = 4.0
#: Energy drawn under standby (backup) service, as a share of the standby MW × hours (–): standby is
#: reserved for outages and maintenance of on-site plant, billed as-used on top of the reservation charge
#: in real tariffs; here a cap. *Unverified placeholder* (about one month of full draw a year).
STANDBY_MAX_LOAD_FACTOR = 0.1
#: Year of the EIA average industrial prices in zones.csv (EIA Electric Power Annual 2023).
FALLBACK_PRICE_BASE_YEAR = 2023
#: ``utility`` label of a fallback row.
FALLBACK_UTILITY = "EIA state average (fallback)"

#: Numeric columns of a tariff table, with their units.
TARIFF_NUMERIC_COLUMNS = {
    "energy_charge_usd_per_mwh": "USD/MWh",
    "demand_charge_usd_per_kw_month": "USD/kW-month on contracted capacity",
    "min_take_fraction": "share of contracted MW x hours paid as energy even if unused, 0-1",
    "min_take_years": "years from energization during which the minimum take applies",
    "standby_charge_usd_per_kw_month": "USD/kW-month on standby (backup service) capacity",
    "price_escalation_per_year": "real escalation of the charges, fraction per year",
    "price_base_year": "calendar year of the charges",
}
#: Columns returned by :func:`tariff_table`.
TARIFF_TABLE_COLUMNS = [*TARIFF_NUMERIC_COLUMNS, "utility", "fallback"]


def demand_charge_usd_per_mwh(demand_charge_usd_per_kw_month, load_factor=FALLBACK_LOAD_FACTOR):
    """Demand charge spread over energy (USD/MWh) at a load factor: ``D · 12 · 1000 / (8760 · LF)``."""
    d = np.asarray(demand_charge_usd_per_kw_month, dtype=float)
    return d * MONTHS_PER_YEAR * KW_PER_MW / (HOURS_PER_YEAR * np.asarray(load_factor, dtype=float))


def split_average_price(
    average_price_usd_per_mwh,
    demand_charge_usd_per_kw_month=FALLBACK_DEMAND_CHARGE_USD_PER_KW_MONTH,
    load_factor: float = FALLBACK_LOAD_FACTOR,
):
    """Split an average price into (energy charge USD/MWh, demand charge USD/kW-month); vectorised.

    ``E = P − D·12·1000/(8760·LF)``; where that would be negative, ``D`` is lowered to ``P·8760·LF/12000``
    and ``E`` = 0. A customer at load factor ``LF`` then pays exactly ``P`` per MWh on average.

    Parameters
    ----------
    average_price_usd_per_mwh : array-like
        Average all-in price ``P`` (USD/MWh), e.g. EIA average revenue to industrial customers.
    demand_charge_usd_per_kw_month : float or array-like
        Demand charge ``D`` (USD/kW-month) on contracted capacity.
    load_factor : float
        Average load / contracted capacity (–), in (0, 1].
    """
    if not 0.0 < float(load_factor) <= 1.0:
        raise ValueError(f"load_factor must be in (0, 1], got {load_factor}")
    p = np.asarray(average_price_usd_per_mwh, dtype=float)
    d = np.broadcast_to(np.asarray(demand_charge_usd_per_kw_month, dtype=float), p.shape)
    d_max = np.clip(p, 0.0, None) * HOURS_PER_YEAR * load_factor / (MONTHS_PER_YEAR * KW_PER_MW)
    d = np.minimum(d, d_max)
    e = p - demand_charge_usd_per_mwh(d, load_factor)
    return np.clip(e, 0.0, None), d


def fallback_tariffs(
    zones: pd.DataFrame,
    *,
    load_factor: float = FALLBACK_LOAD_FACTOR,
    demand_charge_usd_per_kw_month: float = FALLBACK_DEMAND_CHARGE_USD_PER_KW_MONTH,
    standby_charge_usd_per_kw_month: float = FALLBACK_STANDBY_CHARGE_USD_PER_KW_MONTH,
    min_take_fraction: float = 0.0,
    min_take_years: float = 0.0,
    price_escalation_per_year: float = 0.0,
    price_base_year: int = FALLBACK_PRICE_BASE_YEAR,
) -> pd.DataFrame:
    """Tariff of every zone derived from its EIA average industrial price (the fallback rule).

    Parameters
    ----------
    zones : DataFrame
        ``zone_id`` (column or index) and ``industrial_price_usd_per_mwh``.
    load_factor, demand_charge_usd_per_kw_month
        See :func:`split_average_price`.
    standby_charge_usd_per_kw_month : float
        Standby reservation charge (USD/kW-month); default 4.0, *unverified placeholder*.
    min_take_fraction, min_take_years : float
        Take-or-pay share (–) and its duration (years); default 0 (no minimum take in an average price).
    price_escalation_per_year : float
        Real escalation (fraction/yr); default 0 (*unverified placeholder*: constant real price).
    price_base_year : int
        Year of the prices (EIA 2023).

    Returns
    -------
    DataFrame
        Indexed by ``zone_id``: the columns of :data:`TARIFF_NUMERIC_COLUMNS`, ``utility``, ``source``,
        ``flag``.
    """
    z = zones if "zone_id" in zones.columns else zones.reset_index()
    ids = pd.Index(z["zone_id"].astype(int), name="zone_id")
    e, d = split_average_price(
        z["industrial_price_usd_per_mwh"].to_numpy(dtype=float), demand_charge_usd_per_kw_month, load_factor
    )
    return pd.DataFrame(
        {
            "utility": FALLBACK_UTILITY,
            "energy_charge_usd_per_mwh": np.round(e, 2),
            "demand_charge_usd_per_kw_month": np.round(d, 2),
            "min_take_fraction": float(min_take_fraction),
            "min_take_years": float(min_take_years),
            "standby_charge_usd_per_kw_month": float(standby_charge_usd_per_kw_month),
            "price_escalation_per_year": float(price_escalation_per_year),
            "price_base_year": int(price_base_year),
            "source": f"EIA 2023 average industrial price split at load factor {load_factor:g}: "
            f"E = P - D*12*1000/(8760*LF), D = {demand_charge_usd_per_kw_month:g} USD/kW-month",
            "flag": "derived",
        },
        index=ids,
    )


def is_fallback(utility) -> np.ndarray:
    """True where a tariff row is the EIA fallback (its ``utility`` starts with "EIA state average")."""
    return (
        pd.Series(utility, dtype="string").fillna("").str.startswith("EIA state average").to_numpy(dtype=bool)
    )


def tariff_table(
    zones: pd.DataFrame,
    tariffs: pd.DataFrame | None = None,
    electricity_price_multiplier: float = 1.0,
) -> pd.DataFrame:
    """Tariff of every zone of ``zones``: the given rows, the EIA fallback for zones they lack.

    Parameters
    ----------
    zones : DataFrame
        Zones table (``zone_id`` column or index, ``industrial_price_usd_per_mwh``).
    tariffs : DataFrame or None
        Tariff rows (``zone_id`` column or index and the columns of :data:`TARIFF_NUMERIC_COLUMNS`,
        ``utility``); ``None`` → every zone uses the fallback rule (:func:`fallback_tariffs`).
    electricity_price_multiplier : float
        Scales every money charge (energy, demand, standby); fractions and years are unchanged.

    Returns
    -------
    DataFrame
        Indexed by ``zone_id`` in the order of ``zones``; columns :data:`TARIFF_TABLE_COLUMNS`
        (``fallback`` is True where the EIA fallback rule was used).
    """
    fb = fallback_tariffs(zones)
    if tariffs is None:
        tab = fb
    else:
        t = tariffs.copy()
        if "zone_id" in t.columns:
            t = t.set_index(t["zone_id"].astype(int).rename("zone_id")).drop(columns="zone_id")
        t.index = t.index.astype(int).rename("zone_id")
        t = t[~t.index.duplicated(keep="first")]
        given = t.reindex(fb.index)
        have = (
            given["energy_charge_usd_per_mwh"].notna()
            if "energy_charge_usd_per_mwh" in given
            else pd.Series(False, index=fb.index)
        )
        tab = fb.copy()
        for col in [*TARIFF_NUMERIC_COLUMNS, "utility"]:
            if col in given:
                tab[col] = given[col].where(have & given[col].notna(), fb[col])
    out = tab[[*TARIFF_NUMERIC_COLUMNS, "utility"]].copy()
    for col in TARIFF_NUMERIC_COLUMNS:
        out[col] = out[col].astype(float)
    out["price_base_year"] = out["price_base_year"].astype(int)
    m = float(electricity_price_multiplier)
    for col in (
        "energy_charge_usd_per_mwh",
        "demand_charge_usd_per_kw_month",
        "standby_charge_usd_per_kw_month",
    ):
        out[col] = out[col] * m
    out["fallback"] = is_fallback(out["utility"])
    return out


def energy_price_usd_per_mwh(tab: pd.DataFrame, year):
    """Energy charge (USD/MWh) in ``year`` along each zone's price path; vectorised.

    ``E · (1 + g) ** (year − price_base_year)`` with ``g`` = ``price_escalation_per_year``.

    Parameters
    ----------
    tab : DataFrame
        A :func:`tariff_table` (indexed by zone).
    year : int or array-like of int
        Calendar year(s).

    Returns
    -------
    Series (scalar ``year``, indexed like ``tab``) or DataFrame (zones × years).
    """
    e = tab["energy_charge_usd_per_mwh"].to_numpy(dtype=float)[:, None]
    g = tab["price_escalation_per_year"].to_numpy(dtype=float)[:, None]
    y0 = tab["price_base_year"].to_numpy(dtype=float)[:, None]
    years = np.atleast_1d(np.asarray(year, dtype=float))[None, :]
    price = e * (1.0 + g) ** (years - y0)
    if np.ndim(year) == 0:
        return pd.Series(price[:, 0], index=tab.index, name="energy_price_usd_per_mwh")
    return pd.DataFrame(price, index=tab.index, columns=np.atleast_1d(np.asarray(year)).astype(int))

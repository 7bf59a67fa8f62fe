"""Permitting lead time of a data-center site: a state (or county) base time scaled smoothly by density.

The rule (every parameter below carries its source or an *unverified* flag; see ``data/SOURCES.md``):

``months = base_months × (1 + dense_extra_fraction × d / (d + half_density_per_km2))``

* ``base_months`` comes from the permitting table ``data/permitting.csv`` (county row, else state row,
  else the national ``US`` row): 9 months nationally, the midpoint of the 6–12 months of total greenfield
  permitting (michaelbommarito.com development-timelines wiki, S11, verified in a secondary source);
  6 months (the low end) in Texas, where counties have no general zoning power in unincorporated areas, so
  a data center needs no discretionary land-use approval there; 12 months (the high end) in Loudoun County
  VA, where every data center has needed a special exception with public hearings since 18 March 2025.
* The density term is a saturating (Hill / Michaelis–Menten) weight ``d / (d + d50)`` of the county
  population density ``d`` (people/km²): 0 in empty land, ½ at ``d50``, → 1 in dense cores. It is smooth,
  strictly increasing and has no threshold, so nearby sites whose densities differ slightly get nearly the
  same lead time (no cliff).
* ``half_density_per_km2`` = 386.1 people/km² = 1,000 people per square mile, the density of the
  densely settled core of a US Census urban area (Census 2000/2010 urban-area criteria, 76 FR 53030):
  the point where a site is half-way to "dense / brownfield".
* ``dense_extra_fraction`` = 1.0, so a site in a dense core takes up to twice the base time: 9 → 18 months,
  the midpoint of the 12–24 months quoted for brownfield / dense markets (S11). Derived; the exact
  doubling is *unverified*.

With these values the emptiest county (1 /km²) beats a typical greenfield county (50 /km²) by about one
month (9.02 vs 10.03 months), not half a year: the rule cannot make the emptiest counties win on speed alone.

:func:`air_permit_months` gives the separate air-permit time of on-site gas plant (minor source 180 days,
major/PSD source 365 days statutory; Oklahoma Administrative Code 252:4-7-31, S80, verified).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: National base permitting time (months): midpoint of greenfield 6–12 months (S11, verified secondary).
NATIONAL_BASE_PERMITTING_MONTHS = 9.0
#: Extra share of the base time for a fully dense site: dense limit = 2 × base (18 months, midpoint of
#: the 12–24 months for brownfield / dense sites, S11). Derived; doubling *unverified*.
DENSE_EXTRA_FRACTION = 1.0
#: People/km² at which half the extra applies: 1,000 people per square mile (Census urban-area core).
HALF_DENSITY_PER_KM2 = 1000.0 / 2.589988110336
#: Major-source NOx threshold: 100 short tons/year (Title V; PSD for listed source categories) in tonnes.
MAJOR_SOURCE_NOX_T_PER_YEAR = 100.0 * 0.90718474
#: Air permit durations (months): minor source 180 days, PSD construction permit 365 days (S80, verified).
AIR_PERMIT_MINOR_SOURCE_MONTHS = 6.0
AIR_PERMIT_MAJOR_SOURCE_MONTHS = 12.0

#: Label of the national default row of the permitting table.
NATIONAL_ROW = "US"


def density_weight(population_density_per_km2, half_density_per_km2: float = HALF_DENSITY_PER_KM2):
    """Smooth weight in [0, 1) of how "dense" a site is: ``d / (d + d50)``; vectorised.

    Parameters
    ----------
    population_density_per_km2 : array-like
        County population density (people/km²); NaN or negative is treated as 0 (empty land).
    half_density_per_km2 : float
        Density (people/km²) at which the weight is ½; default 386.1 (1,000 people/mi², Census urban core).
    """
    d = np.clip(np.nan_to_num(np.asarray(population_density_per_km2, dtype=float), nan=0.0), 0.0, None)
    return d / (d + float(half_density_per_km2))


def permitting_lead_time_months(
    base_months,
    population_density_per_km2,
    *,
    dense_extra_fraction: float = DENSE_EXTRA_FRACTION,
    half_density_per_km2: float = HALF_DENSITY_PER_KM2,
):
    """Permitting lead time (months) = ``base × (1 + extra × d / (d + d50))``; vectorised, broadcasting.

    Continuous and strictly increasing in density; equals ``base_months`` at zero density and tends to
    ``base_months × (1 + dense_extra_fraction)`` in dense cores (9 → 18 months with the defaults, the
    midpoints of greenfield 6–12 and dense 12–24 months, S11).

    Parameters
    ----------
    base_months : float or array-like
        Base permitting time of the site's state or county (months), e.g. from :func:`base_months_for`.
    population_density_per_km2 : array-like
        County population density (people/km²); NaN → 0.
    dense_extra_fraction : float
        Extra share of the base time for a fully dense site (–); default 1.0 (*unverified* doubling).
    half_density_per_km2 : float
        Density at which half the extra applies (people/km²); default 386.1 (Census urban core).
    """
    base = np.asarray(base_months, dtype=float)
    return base * (
        1.0 + float(dense_extra_fraction) * density_weight(population_density_per_km2, half_density_per_km2)
    )


def national_default_permitting() -> pd.DataFrame:
    """The permitting table reduced to its national row (used when no ``permitting.csv`` is given)."""
    return pd.DataFrame(
        {
            "state": [NATIONAL_ROW],
            "county_fips": [pd.NA],
            "base_permitting_months": [NATIONAL_BASE_PERMITTING_MONTHS],
            "by_right_industrial": [False],
            "state_siting_board": [False],
            "source": [
                "greenfield permitting 6-12 months (michaelbommarito.com development-timelines), midpoint"
            ],
            "flag": ["verified (secondary) range; midpoint derived"],
        }
    )


def _fips(values: pd.Series) -> pd.Series:
    """Five-digit county FIPS strings; blanks (and numbers read from CSV, e.g. 51107.0) handled; NA kept."""
    s = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return s.where(s.notna() & (s != ""), pd.NA).str.zfill(5)


def base_months_for(states, county_fips=None, permitting: pd.DataFrame | None = None) -> np.ndarray:
    """Base permitting months of each site: its county row, else its state row, else the national row.

    Parameters
    ----------
    states : array-like of str
        Two-letter state of each site.
    county_fips : array-like of str, optional
        Five-digit county FIPS of each site (county rows of the table override the state row).
    permitting : DataFrame, optional
        Table with ``state``, ``base_permitting_months`` and optionally ``county_fips``; a row with
        ``state == "US"`` is the national default (else :data:`NATIONAL_BASE_PERMITTING_MONTHS`).
        ``None`` → every site gets the national default.
    """
    states = pd.Series(np.asarray(states, dtype=object)).astype("string").str.upper()
    if permitting is None or len(permitting) == 0:
        return np.full(len(states), NATIONAL_BASE_PERMITTING_MONTHS)
    tab = pd.DataFrame(permitting).reset_index(drop=True)
    months = pd.to_numeric(tab["base_permitting_months"], errors="coerce").astype(float)
    st = tab["state"].astype("string").str.upper()
    county = (
        _fips(tab["county_fips"])
        if "county_fips" in tab
        else pd.Series(pd.NA, index=tab.index, dtype="string")
    )
    is_county = county.notna()
    national = months[(st == NATIONAL_ROW) & ~is_county]
    default = float(national.iloc[0]) if len(national) else NATIONAL_BASE_PERMITTING_MONTHS
    by_state = pd.Series(months[~is_county].to_numpy(), index=st[~is_county].to_numpy())
    by_state = by_state[~by_state.index.duplicated(keep="first")]
    out = states.map(by_state).astype(float)
    if county_fips is not None and is_county.any():
        by_county = pd.Series(months[is_county].to_numpy(), index=county[is_county].to_numpy())
        fips = _fips(pd.Series(np.asarray(county_fips, dtype=object)))
        out = fips.map(by_county).astype(float).fillna(out)
    return out.fillna(default).to_numpy(dtype=float)


def site_permitting_months(
    states,
    population_density_per_km2,
    county_fips=None,
    permitting: pd.DataFrame | None = None,
    **kwargs,
) -> np.ndarray:
    """Permitting lead time (months) of sites from the permitting table and county density.

    :func:`base_months_for` then :func:`permitting_lead_time_months` (keyword arguments pass through).
    """
    base = base_months_for(states, county_fips, permitting)
    return permitting_lead_time_months(base, population_density_per_km2, **kwargs)


def air_permit_months(
    nox_t_per_year,
    *,
    major_source_threshold_t_per_year: float = MAJOR_SOURCE_NOX_T_PER_YEAR,
    minor_months: float = AIR_PERMIT_MINOR_SOURCE_MONTHS,
    major_months: float = AIR_PERMIT_MAJOR_SOURCE_MONTHS,
):
    """Air-permit time (months) of on-site gas plant from its potential NOx emissions (t/yr); vectorised.

    A legal threshold, so a step: ``minor_months`` (180 days) below the major-source threshold (100 short
    tons = 90.7 t NOx/yr, Title V / PSD), ``major_months`` (365-day PSD construction permit) at or above it
    (Oklahoma Administrative Code 252:4-7-31, S80, verified; consultants report 3–9 months in practice, S81).
    """
    nox = np.asarray(nox_t_per_year, dtype=float)
    return np.where(nox >= major_source_threshold_t_per_year, major_months, minor_months)

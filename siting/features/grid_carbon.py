"""Grid CO₂ emission factors by model period: annual rates and hourly (month × hour-of-day) profiles.

Every factor is in t CO₂ per MWh of grid energy drawn (t/MWh). Two bases (``scenario.grid_carbon.basis``):

* ``average``: the average emission rate of the generation serving a region. The default is each zone's
  annual rate, ``zones.csv`` ``grid_co2_kg_per_mwh`` (EPA eGRID2022 subregion CO₂ total output emission rate,
  released January 2024; see ``data/SOURCES.md``), flat over the year.
* ``marginal``: the rate of the generation that responds to an added load. The embedded data has no marginal
  rates; they come from the hourly file, or from an optional zones column ``grid_marginal_co2_kg_per_mwh``
  (annual; a common proxy is eGRID's subregion *non-baseload* CO₂ output emission rate, which the user
  brings: it is not embedded).

An hourly file holds the factors of one basis (whatever the scenario's ``basis`` says: pass marginal factors
with ``basis: marginal``). It comes as either

* a **month × hour-of-day** table: ``zone_id``, ``month`` (1–12), ``hour`` (0–23), ``co2_t_per_mwh``
  (288 rows per zone), or
* an **hourly year**: ``zone_id``, ``hour_of_year`` (0–8,759; hour 0 = 1 January 00:00–01:00 of a 365-day
  year) or ``timestamp`` (the start of the hour; ISO text, with a UTC offset or taken as UTC), and
  ``co2_t_per_mwh`` (8,760 rows per zone, 8,784 for a leap year of timestamps), reduced to month × hour
  means (:func:`hourly_profile_from_table`).

Hours are **UTC** (hour-beginning): the model's representative hours lie on the typical year's UTC axis
(:func:`siting.features.typical_year.year_axis`; period hour 0 = 00:00–01:00 UTC). Shift local-time data
to UTC first (Central Standard Time is UTC−6: local hour 14 is UTC hour 20), or give timestamps with
their offset.

:func:`grid_co2_by_period` maps a profile onto the model's periods with their month weights:
``factor[z, p] = Σ_m month_hours[p, m] × profile[z, m, hour(p)] / Σ_m month_hours[p, m]``; a monthly
period (``hour = -1``) takes the equally weighted mean of the 24 hours of its month. Zones without a
profile keep their annual rate in every period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .timing import HOURS_PER_YEAR, TYPICAL_DAYS_IN_MONTH

#: Hours of a day (the month × hour-of-day profile's second axis).
HOURS_PER_DAY = 24
#: The factor column of an hourly file and of a profile (t CO₂/MWh).
FACTOR_COLUMN = "co2_t_per_mwh"
#: zones.csv column of the annual average rate (kg CO₂/MWh; eGRID2022 subregion output rate).
AVERAGE_ZONE_COLUMN = "grid_co2_kg_per_mwh"
#: Optional zones.csv column of an annual marginal rate (kg CO₂/MWh; e.g. eGRID non-baseload output rate).
MARGINAL_ZONE_COLUMN = "grid_marginal_co2_kg_per_mwh"
#: zones column of each basis's annual rate.
ZONE_COLUMN_OF_BASIS = {"average": AVERAGE_ZONE_COLUMN, "marginal": MARGINAL_ZONE_COLUMN}
KG_PER_T = 1000.0


def typical_year_month_hour() -> tuple[np.ndarray, np.ndarray]:
    """Calendar month (1–12) and hour of day (0–23) of each hour of a 365-day year (8,760 values each);
    index 0 is 1 January 00:00–01:00 (the typical year of :mod:`siting.features.typical_year`)."""
    day_month = np.repeat(np.arange(1, 13), TYPICAL_DAYS_IN_MONTH)  # 365 days
    hour_of_year = np.arange(HOURS_PER_YEAR)
    return day_month[hour_of_year // HOURS_PER_DAY], hour_of_year % HOURS_PER_DAY


def month_and_hour(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Month (1–12) and hour of day (0–23, UTC) of every row of an hourly-factor table.

    ``hour_of_year`` (0–8,759) wins over ``timestamp`` (start of the hour; converted to UTC, naive
    timestamps taken as UTC), which wins over ``month`` and ``hour`` columns.
    """
    if "hour_of_year" in table:
        month, hour = typical_year_month_hour()
        idx = table["hour_of_year"].to_numpy(dtype=int)
        return month[idx], hour[idx]
    if "timestamp" in table:
        ts = pd.to_datetime(table["timestamp"], utc=True)
        return ts.dt.month.to_numpy(), ts.dt.hour.to_numpy()
    return table["month"].to_numpy(dtype=int), table["hour"].to_numpy(dtype=int)


def hourly_profile_from_table(table: pd.DataFrame) -> pd.DataFrame:
    """Month × hour-of-day profile of an hourly-factor table (either form of the module docstring).

    An hourly year is reduced to the mean of each (month, hour of day) over the days of the month, each day
    weighted equally; a month × hour table passes through. The table is expected validated (complete,
    no duplicates; see :func:`siting.data.load.load_grid_co2_hourly`).

    Parameters
    ----------
    table : DataFrame
        ``zone_id``, ``co2_t_per_mwh`` (t CO₂/MWh) and ``month`` + ``hour``, ``hour_of_year`` or ``timestamp``.

    Returns
    -------
    DataFrame
        Index (``zone_id``, ``month`` 1–12, ``hour`` 0–23, UTC), sorted; column ``co2_t_per_mwh`` (t/MWh).
    """
    month, hour = month_and_hour(table)
    keys = pd.DataFrame(
        {
            "zone_id": table["zone_id"].to_numpy(),
            "month": month,
            "hour": hour,
            FACTOR_COLUMN: table[FACTOR_COLUMN].to_numpy(dtype=float),
        }
    )
    return keys.groupby(["zone_id", "month", "hour"]).mean().sort_index()


def annual_grid_co2_t_per_mwh(zones: pd.DataFrame, basis: str = "average") -> pd.Series:
    """Annual grid rate of each zone on ``basis`` (t CO₂/MWh): the zones column of
    :data:`ZONE_COLUMN_OF_BASIS` (kg/MWh) ÷ 1000; NaN where the column is absent or blank."""
    column = ZONE_COLUMN_OF_BASIS[basis]
    if column not in zones:
        return pd.Series(np.nan, index=zones.index, name="grid_co2_t_per_mwh")
    return (zones[column].astype(float) / KG_PER_T).rename("grid_co2_t_per_mwh")


def _profile_array(profile: pd.DataFrame, zones: pd.Index) -> np.ndarray:
    """``profile`` of ``zones`` as an array (zone, month 0–11, hour 0–23) in t/MWh."""
    full = pd.MultiIndex.from_product(
        [zones, np.arange(1, 13), np.arange(HOURS_PER_DAY)], names=["zone_id", "month", "hour"]
    )
    values = profile[FACTOR_COLUMN].reindex(full).to_numpy(dtype=float)
    if np.isnan(values).any():
        raise ValueError("the grid CO2 profile lacks (zone, month, hour) rows: 288 per zone are needed")
    return values.reshape(len(zones), 12, HOURS_PER_DAY)


def profile_by_period(profile: np.ndarray, hours: np.ndarray, month_hours: np.ndarray) -> np.ndarray:
    """Factor of each zone and period (zone × period, t/MWh) from a (zone, 12, 24) profile.

    ``hours`` is each period's hour of day (-1: a monthly period, which takes the mean of its month's 24
    hours); ``month_hours`` (period × 12) the hours of each calendar month the period stands for, the
    weights of the months. A period with no month weight takes the equally weighted mean of the 12 months.
    """
    hours = np.asarray(hours, dtype=int)
    daily = profile.mean(axis=2)  # (zone, month)
    at_hour = profile[:, :, np.clip(hours, 0, HOURS_PER_DAY - 1)]  # (zone, month, period)
    by_month = np.where(hours[None, None, :] >= 0, at_hour, daily[:, :, None])
    weights = np.asarray(month_hours, dtype=float)
    total = weights.sum(axis=1, keepdims=True)
    weights = np.where(total > 0, weights / np.where(total > 0, total, 1.0), 1.0 / 12.0)  # (period, month)
    return np.einsum("zmp,pm->zp", by_month, weights)


def grid_co2_by_period(
    profile: pd.DataFrame | None,
    periods: pd.DataFrame,
    month_hours: np.ndarray,
    annual_rates: pd.Series,
) -> pd.DataFrame:
    """Grid CO₂ factor of every zone in every model period (t CO₂/MWh).

    Parameters
    ----------
    profile : DataFrame or None
        Month × hour-of-day profile (:func:`hourly_profile_from_table`); None: no hourly data.
    periods : DataFrame
        The model's periods (index ``period``; ``hour`` of day, -1 for the 12 monthly periods).
    month_hours : ndarray
        Period × 12: hours of each calendar month the period stands for (its month weights).
    annual_rates : Series
        Annual rate of each zone (t/MWh), indexed by ``zone_id``: the zones of the result, and the flat
        factor of the zones the profile lacks.

    Returns
    -------
    DataFrame
        Index (``zone_id``, ``period``), column ``grid_co2_t_per_mwh`` (t/MWh).
    """
    zones = pd.Index(annual_rates.index, name="zone_id")
    factor = np.repeat(annual_rates.to_numpy(dtype=float)[:, None], len(periods), axis=1)
    if profile is not None and len(profile):
        given = zones.isin(profile.index.get_level_values("zone_id"))
        hours = periods["hour"].to_numpy() if "hour" in periods else np.full(len(periods), -1)
        factor[given] = profile_by_period(_profile_array(profile, zones[given]), hours, month_hours)
    return pd.DataFrame(
        {"grid_co2_t_per_mwh": factor.ravel()},
        index=pd.MultiIndex.from_product([zones, periods.index], names=["zone_id", "period"]),
    )

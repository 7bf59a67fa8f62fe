"""Grid CO2 factors by period (siting.features.grid_carbon), pinned to values derived by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.features.grid_carbon import (
    annual_grid_co2_t_per_mwh,
    grid_co2_by_period,
    hourly_profile_from_table,
    typical_year_month_hour,
)


def month_hour_table(zone_id: int, value) -> pd.DataFrame:
    """288 rows of one zone: ``value(month, hour)`` t/MWh."""
    m, h = np.meshgrid(np.arange(1, 13), np.arange(24), indexing="ij")
    return pd.DataFrame(
        {
            "zone_id": zone_id,
            "month": m.ravel(),
            "hour": h.ravel(),
            "co2_t_per_mwh": value(m.ravel(), h.ravel()),
        }
    )


#: zone 1: 0.1 × month + 0.001 × hour (t/MWh)
PROFILE = hourly_profile_from_table(month_hour_table(1, lambda m, h: 0.1 * m + 0.001 * h))
#: zone 1 from the profile; zone 2 absent (annual 0.5 t/MWh)
ANNUAL = pd.Series({1: 0.4, 2: 0.5})


def test_representative_hours_weight_months_by_their_hours():
    """Two periods at hours 3 and 15, standing for 30 h of January + 10 h of February, and 20 h each of
    February and March.

    zone 1, period 1: (30 × (0.1 + 0.003) + 10 × (0.2 + 0.003)) / 40 = (3.09 + 2.03) / 40 = 0.128
    zone 1, period 2: (20 × (0.2 + 0.015) + 20 × (0.3 + 0.015)) / 40 = (4.3 + 6.3) / 40 = 0.265
    zone 2 (not in the profile): its annual 0.5 in both periods.
    """
    periods = pd.DataFrame(
        {"hours": [40.0, 40.0], "day": [0, 1], "hour": [3, 15]}, index=pd.Index([1, 2], name="period")
    )
    month_hours = np.zeros((2, 12))
    month_hours[0, [0, 1]] = [30.0, 10.0]
    month_hours[1, [1, 2]] = [20.0, 20.0]
    out = grid_co2_by_period(PROFILE, periods, month_hours, ANNUAL)
    assert list(out.index.names) == ["zone_id", "period"]
    assert out["grid_co2_t_per_mwh"].to_dict() == pytest.approx(
        {(1, 1): 0.128, (1, 2): 0.265, (2, 1): 0.5, (2, 2): 0.5}
    )


def test_monthly_periods_take_the_mean_of_the_24_hours():
    """Monthly periods (hour -1): mean over h of 0.1 m + 0.001 h = 0.1 m + 0.001 × 11.5, e.g. January 0.1115
    and December 1.2115; without a profile every zone has its annual rate."""
    periods = pd.DataFrame(
        {"hours": 24.0 * np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]), "day": -1, "hour": -1},
        index=pd.Index(np.arange(1, 13), name="period"),
    )
    month_hours = np.diag(periods["hours"].to_numpy())
    out = grid_co2_by_period(PROFILE, periods, month_hours, ANNUAL)["grid_co2_t_per_mwh"]
    assert out.loc[(1, 1)] == pytest.approx(0.1115)
    assert out.loc[(1, 12)] == pytest.approx(1.2115)
    assert (out.loc[2] == 0.5).all()
    flat = grid_co2_by_period(None, periods, month_hours, ANNUAL)["grid_co2_t_per_mwh"]
    assert (flat.loc[1] == 0.4).all() and (flat.loc[2] == 0.5).all() and len(flat) == 24


def test_hour_of_year_is_reduced_to_month_hour_means():
    """8,760 hours with 0.001 × day of year + 0.0001 × hour: January (days 0–30) at hour 5 averages
    0.001 × 15 + 0.0005 = 0.0155; February (days 31–58) at hour 0 averages 0.001 × (31 + 58) / 2 = 0.0445."""
    hoy = np.arange(8760)
    table = pd.DataFrame(
        {"zone_id": 7, "hour_of_year": hoy, "co2_t_per_mwh": 0.001 * (hoy // 24) + 0.0001 * (hoy % 24)}
    )
    prof = hourly_profile_from_table(table)["co2_t_per_mwh"]
    assert len(prof) == 288
    assert prof.loc[(7, 1, 5)] == pytest.approx(0.0155)
    assert prof.loc[(7, 2, 0)] == pytest.approx(0.0445)


def test_timestamps_with_an_offset_are_moved_to_utc():
    """A year of local hours at UTC−6 with factor 0.01 × local hour: UTC hour 20 is local hour 14 on every
    day, so every month's UTC hour 20 is 0.14 and UTC hour 0 (local 18) is 0.18."""
    local = pd.date_range("2022-01-01 00:00", periods=8760, freq="h", tz="Etc/GMT+6")
    table = pd.DataFrame(
        {"zone_id": 3, "timestamp": local.strftime("%Y-%m-%dT%H:%M:%S%z"), "co2_t_per_mwh": 0.01 * local.hour}
    )
    prof = hourly_profile_from_table(table)["co2_t_per_mwh"]
    assert prof.xs(20, level="hour").to_numpy() == pytest.approx(np.full(12, 0.14))
    assert prof.xs(0, level="hour").to_numpy() == pytest.approx(np.full(12, 0.18))


def test_typical_year_axis():
    """Hour 0 is 1 January 00:00; hour 744 (31 × 24) is 1 February 00:00; the last is 31 December 23:00."""
    month, hour = typical_year_month_hour()
    assert (month[0], hour[0]) == (1, 0)
    assert (month[743], month[744], hour[744]) == (1, 2, 0)
    assert (month[-1], hour[-1]) == (12, 23)


def test_annual_rates_by_basis():
    """Average: kg/MWh ÷ 1000; marginal: the optional column, NaN where blank or absent."""
    zones = pd.DataFrame(
        {"grid_co2_kg_per_mwh": [423.2, 500.0], "grid_marginal_co2_kg_per_mwh": [700.0, np.nan]},
        index=pd.Index([1, 2], name="zone_id"),
    )
    assert annual_grid_co2_t_per_mwh(zones).to_list() == pytest.approx([0.4232, 0.5])
    marginal = annual_grid_co2_t_per_mwh(zones, "marginal")
    assert marginal[1] == pytest.approx(0.7) and np.isnan(marginal[2])
    assert (
        annual_grid_co2_t_per_mwh(zones.drop(columns="grid_marginal_co2_kg_per_mwh"), "marginal").isna().all()
    )


def test_an_incomplete_profile_is_refused():
    """The mapping needs all 288 month-hours of a zone (the loader checks this with a user message)."""
    periods = pd.DataFrame({"hours": [8760.0], "day": [0], "hour": [0]}, index=pd.Index([1], name="period"))
    with pytest.raises(ValueError, match="288"):
        grid_co2_by_period(PROFILE.iloc[1:], periods, np.ones((1, 12)), ANNUAL)

"""A year of real hourly weather (scenario ``data.hourly_weather``) feeds the representative days, derived by
hand on a tiny synthetic 3 × 3 grid (0.25°, centred on 35 °N, 90 °W) of 8,760 hours.

The weather: a constant 5 °C dry-bulb and 3 °C wet-bulb (PUE 1.07 in every hour, as tests/tinydata.py); GHI
600 W/m² from 14:00 to 22:00 UTC (08:00–16:00 local solar time at 90 °W), else 0; 100 m wind calm (0 m/s)
from 12:00 to 24:00 UTC (daytime at 90 °W) and windy at night (00:00–12:00 UTC): 15 m/s (capacity factor 0.9:
rated power less 10 % losses, features.wind.wind_cf_power_curve) in January–June, 8 m/s in July–December
unless stated otherwise. Time labels mark the end of each hour: 2023-01-01 01:00 … 2024-01-01 00:00 UTC.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.data.load import load_hourly_weather
from siting.errors import InputError
from siting.features.site_climate import (
    representative_hours,
    representative_hours_from_weather,
    site_hourly_weather,
)
from siting.features.wind import V126_POWER_CURVE

LAT = np.array([34.75, 35.0, 35.25])
LON = np.array([-90.25, -90.0, -89.75])
NIGHT = slice(0, 12)  # UTC start hours 0–11: night at 90 °W
DAY = slice(12, 24)
#: capacity factor at 8 m/s: the V126 curve's power at 8 m/s over its rated power, less 10 % losses
CF_8 = 0.9 * float(
    V126_POWER_CURVE["power_kw"][V126_POWER_CURVE["speed_m_per_s"] == 8.0][0]
    / V126_POWER_CURVE["power_kw"].max()
)


def weather_grid(
    night_wind_jan_jun: float = 15.0,
    night_wind_jul_dec: float = 8.0,
    first_label: str = "2023-01-01 01:00",
    n_hours: int = 8760,
) -> xr.Dataset:
    """The synthetic grid of the module docstring, float32, units as :func:`siting.io.read_era5` writes."""
    time = pd.date_range(first_label, periods=n_hours, freq="h", name="time")
    start = time - pd.Timedelta(hours=1)
    hour, month = start.hour.to_numpy(), start.month.to_numpy()
    night = np.where(month <= 6, night_wind_jan_jun, night_wind_jul_dec)
    wind = np.where(hour < 12, night, 0.0)
    ghi = np.where((hour >= 14) & (hour < 22), 600.0, 0.0)

    def field(series):
        return (
            ("time", "lat", "lon"),
            np.broadcast_to(np.asarray(series, float)[:, None, None], (n_hours, 3, 3)),
        )

    ds = xr.Dataset(
        {
            "dry_bulb_c": field(np.full(n_hours, 5.0)),
            "wet_bulb_c": field(np.full(n_hours, 3.0)),
            "ghi_w_per_m2": field(ghi),
            "wind_speed_100m_m_per_s": field(wind),
        },
        coords={"time": time, "lat": LAT, "lon": LON},
    ).astype("float32")
    units = {
        "dry_bulb_c": "degC",
        "wet_bulb_c": "degC",
        "ghi_w_per_m2": "W m-2",
        "wind_speed_100m_m_per_s": "m s-1",
    }
    for name, unit in units.items():
        ds[name].attrs["units"] = unit
    return ds


def write(ds: xr.Dataset, path: Path) -> Path:
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def site_weather(tmp_path: Path, **kw) -> xr.Dataset:
    grid = load_hourly_weather(write(weather_grid(**kw), tmp_path / "weather.nc"))
    return site_hourly_weather(grid, [35.0], [-90.0], site_ids=["a"])


def by_hour(rep: dict, name: str) -> np.ndarray:
    """Representative day × hour of site 0."""
    return rep[name][0].reshape(-1, 24)


def test_representative_wind_keeps_windy_nights_and_calm_days(tmp_path):
    """Hourly weather: each representative day has night CF 0.9 (Jan–Jun day) or CF_8 (Jul–Dec day) and
    day CF 0 (calm). The monthly path synthesises the same site from monthly means: flat wind in each day."""
    rep = representative_hours_from_weather(site_weather(tmp_path), "evaporative", 2)
    wind = by_hour(rep, "wind_cf")
    np.testing.assert_allclose(np.sort(wind[:, NIGHT].mean(axis=1)), [CF_8, 0.9], rtol=1e-5)
    np.testing.assert_allclose(wind[:, DAY], 0.0, atol=1e-9)
    assert (wind[:, NIGHT].min(axis=1) > wind[:, DAY].max(axis=1)).all()
    np.testing.assert_allclose(rep["pue"], 1.07, rtol=1e-6)
    assert rep["pue_peak"][0] == pytest.approx(1.07, rel=1e-6)
    pts = xr.Dataset(
        {
            k: (("site", "month"), np.full((1, 12), v))
            for k, v in {
                "t2m_c": 5.0,
                "t2m_max_c": 5.0,
                "t2m_min_c": 5.0,
                "wet_bulb_c": 3.0,
                "ghi_kwh_per_m2_day": 4.8,
                "wind_speed_100m_m_per_s": 7.0,
            }.items()
        },
        coords={"month": np.arange(1, 13), "lat": ("site", [35.0]), "lon": ("site", [-90.0])},
    )
    flat = by_hour(representative_hours(pts, "evaporative", 2), "wind_cf")
    np.testing.assert_allclose(flat.std(axis=1), 0.0, atol=1e-12)


def test_one_representative_day_keeps_the_annual_capacity_factors_and_month_hours(tmp_path):
    """One day stands for the year (8,760 h). Wind: 181 days (Jan–Jun) × 12 windy hours at 0.9 + 184 days
    (Jul–Dec) × 12 h at CF_8, / 8,760 h = the representative day's mean. Solar: the day's mean equals the
    hourly PVWatts CF averaged over the year. month_hours: every month's hours (January 744, February 672)."""
    weather = site_weather(tmp_path)
    rep = representative_hours_from_weather(weather, "evaporative", 1)
    annual_wind = (181 * 12 * 0.9 + 184 * 12 * CF_8) / 8760.0
    assert rep["wind_cf"].mean() == pytest.approx(annual_wind, rel=1e-5)
    from siting.features.hourly import site_climate_features

    annual_solar = float(site_climate_features(weather)["solar_cf"].mean())
    assert annual_solar > 0.05 and rep["solar_cf"].mean() == pytest.approx(annual_solar, rel=1e-5)
    assert rep["solar_cf"][0, :14].max() == 0.0  # no sun before 14:00 UTC
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    np.testing.assert_allclose(rep["month_hours"].sum(axis=0), days * 24.0)
    assert rep["periods"]["hours"].sum() == pytest.approx(8760.0)


def test_two_days_split_the_year_at_the_season_change_and_by_calendar_month(tmp_path):
    """Two days: the 15 m/s day stands for January–June (181 days: 4,344 h, months 744, 672, 744, 720, 744,
    720), the 8 m/s day for July–December; a file labelled from 00:00 (ERA5's usual 00:00–23:00) is rotated
    by one hour to start at 00:00 UTC and gives the same month hours up to that hour."""
    rep = representative_hours_from_weather(site_weather(tmp_path), "evaporative", 2)
    windy = int(np.argmax(by_hour(rep, "wind_cf")[:, NIGHT].mean(axis=1)))
    mh = rep["month_hours"].reshape(2, 24, 12).sum(axis=1)
    np.testing.assert_allclose(mh[windy], [744, 672, 744, 720, 744, 720, 0, 0, 0, 0, 0, 0])
    assert rep["periods"]["hours"].to_numpy().reshape(2, 24).sum(axis=1)[windy] == pytest.approx(4344.0)
    shifted = representative_hours_from_weather(
        site_weather(tmp_path, first_label="2023-01-01 00:00"), "evaporative", 2
    )
    assert shifted["month_hours"].sum() == pytest.approx(8760.0)
    np.testing.assert_allclose(
        np.sort(by_hour(shifted, "wind_cf")[:, NIGHT].mean(axis=1)), [CF_8, 0.9], rtol=1e-5
    )


def test_other_designs_get_hourly_pue_and_the_peak_over_all_hours(tmp_path):
    """Air cooling at 5 °C is also on economiser: every design's PUE is ≥ 1 and its peak is the maximum of
    its hourly PUE over all 8,760 h (constant weather: peak = mean)."""
    rep = representative_hours_from_weather(site_weather(tmp_path), "evaporative", 2, ["air"])
    for c in ("evaporative", "air"):
        assert rep["pue_peak_by_design"][c][0] == pytest.approx(rep["pue_by_design"][c].max(), rel=1e-6)
        assert rep["pue_swing_by_design"][c][0] == pytest.approx(0.0, abs=1e-6)
    assert rep["wue_by_design"]["air"].shape == rep["wue"].shape


# ------------------------------------------------------------------------------------------------ bad files
def test_missing_variable_is_explained(tmp_path):
    path = write(weather_grid().drop_vars("wind_speed_100m_m_per_s"), tmp_path / "w.nc")
    with pytest.raises(InputError, match="lacks wind_speed_100m_m_per_s") as err:
        load_hourly_weather(path)
    assert err.value.column == "wind_speed_100m_m_per_s" and "read_era5" in str(err.value)


def test_8000_hours_is_not_a_year(tmp_path):
    path = write(weather_grid(n_hours=8000), tmp_path / "w.nc")
    with pytest.raises(InputError, match="8,760 h.*got 8,000 h"):
        load_hourly_weather(path)


def test_kelvin_is_refused(tmp_path):
    ds = weather_grid()
    ds["dry_bulb_c"].attrs["units"] = "K"
    with pytest.raises(InputError, match="dry_bulb_c is in 'K'"):
        load_hourly_weather(write(ds, tmp_path / "w.nc"))


def test_leap_year_loses_29_february_with_a_note(tmp_path):
    """2024 holds 8,784 h; the 24 hours starting on 29 February go, leaving 8,760 and a note."""
    grid = load_hourly_weather(
        write(weather_grid(first_label="2024-01-01 01:00", n_hours=8784), tmp_path / "w.nc")
    )
    assert grid.sizes["time"] == 8760 and "29 February dropped" in grid.attrs["note"]
    start = pd.DatetimeIndex(grid["time"].to_numpy()) - pd.Timedelta(hours=1)
    assert not ((start.month == 2) & (start.day == 29)).any()


def test_site_outside_the_grid_is_named(tmp_path):
    """The grid spans 34.75–35.25 °N; a site at 36 °N is 3 grid steps beyond it (more than 1 allowed)."""
    grid = load_hourly_weather(write(weather_grid(), tmp_path / "w.nc"))
    with pytest.raises(InputError, match="outside the weather grid") as err:
        site_hourly_weather(grid, [35.0, 36.0], [-90.0, -90.0], site_ids=["a", "far"])
    assert err.value.rows == ["far"]


# ------------------------------------------------------------------------------------------------ solve
WIND = {
    "option_id": "wind",
    "kind": "wind_ppa",
    "name": "wind PPA",
    "price_usd_per_mwh": 50.0,
    "lead_time_years": 1.0,
    "max_mw": 1000.0,
    "contract_years": 20,
}
L_MW = 100.0 * 1.07  # 100 MW IT × PUE 1.07


def solve_cfe(tiny, tmp_path, matching: str, hourly: bool):
    """tests/model/test_clean_energy.py's one-site case with wind and firm clean PPAs (net of the 30 USD/MWh
    wholesale price: wind 20 USD/MWh, firm 80) and 15 m/s windy nights all year; returns (PPA MW in 2027,
    the year's clean-energy summary, the wind PPA's CF by representative hour)."""
    from tinydata import LATENCY_SUBS, LATENCY_ZONES, POWER

    import siting
    from siting.data.load import load_dataset
    from siting.model.build import build_model
    from siting.model.prepare import prepare_inputs
    from siting.model.solve import solve_model
    from siting.results.clean_energy import clean_energy_summary

    firm = {**WIND, "option_id": "firm", "kind": "firm_clean_ppa", "price_usd_per_mwh": 110.0}
    firm["capacity_factor"] = 0.9
    site = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100}]
    data = tiny(site, LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1], power=[*POWER, WIND, firm])
    weather = write(weather_grid(night_wind_jul_dec=15.0), tmp_path / "era5_2023.nc")
    sc = siting.Scenario(
        name="cfe_wind",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2028},
        phase_mw=50,
        targets_it_mw={2027: 100},
        power_options=["utility_tariff", "wind_ppa", "firm_clean_ppa"],
        time_resolution={"kind": "representative_days", "n_days": 2},
        time_steps={"quarterly_months": 0},
        clean_energy={"matching": matching, "target_fraction": 0.75},
        solver={"time_limit_seconds": 60, "mip_gap": 1e-7, "warm_start_sites": 0},
        data={"hourly_weather": str(weather)} if hourly else {},
    )
    d = prepare_inputs(load_dataset(sc, data), sc)
    m = build_model(d)
    assert solve_model(m, time_limit_seconds=60, mip_gap=1e-7, seed=1).status == "optimal"
    t = d.first_step_of_year(2027)
    mw = {k: m.ppa_mw[k, 1, t].value for k in ("wind", "firm")}
    cf = d.contract_cf.xs("wind", level="option_id")["cf"].to_numpy()
    return mw, clean_energy_summary(m, d)["by_year"]["2027"], cf


def test_windy_nights_need_firm_power_for_hourly_matching(tiny, tmp_path):
    """Hourly file: wind CF 0.9 at night, 0 by day. Hourly target 0.75 with a = 0.9 × firm MW, b = 0.9 ×
    wind MW (a + b ≤ L): matched = (a + b) by night + a by day ≥ 1.5 L; cost per day ∝ 20 × 12 b + 80 × 24 a
    = 240 (1.5 L − 2a) + 1,920 a rises with a, so a is the least with b = 1.5 L − 2a ≤ L − a: a = b = 0.5 L,
    firm = wind = 0.5 × 107 / 0.9 = 59.44 MW."""
    mw, cfe, cf = solve_cfe(tiny, tmp_path, "hourly", hourly=True)
    assert cf.reshape(-1, 24)[:, NIGHT] == pytest.approx(0.9, rel=1e-5)
    assert cf.reshape(-1, 24)[:, DAY] == pytest.approx(0.0, abs=1e-9)
    assert mw["firm"] == pytest.approx(0.5 * L_MW / 0.9, rel=1e-6)
    assert mw["wind"] == pytest.approx(0.5 * L_MW / 0.9, rel=1e-6)
    assert cfe["cfe_hourly_fraction"] == pytest.approx(0.75, rel=1e-6)


def test_annual_wind_matching_is_half_hourly_with_windy_nights_but_not_with_flat_monthly_wind(tiny, tmp_path):
    """Annual target 0.75 bought with wind alone (20 < 80 USD/MWh). Hourly file: annual CF 0.45, so wind =
    0.75 L / 0.45 = 178.3 MW, 1.5 L at night (L matched), nothing by day: hourly CFE 0.5. Monthly synthesis
    (tinydata's 7 m/s in every hour): flat CF c, wind = 0.75 L / c ≤ L in every hour: hourly CFE 0.75."""
    mw, cfe, _ = solve_cfe(tiny, tmp_path, "annual", hourly=True)
    assert mw["wind"] == pytest.approx(0.75 * L_MW / 0.45, rel=1e-5) and mw["firm"] == pytest.approx(
        0, abs=1e-6
    )
    assert cfe["cfe_annual_fraction"] == pytest.approx(0.75, rel=1e-5)
    assert cfe["cfe_hourly_fraction"] == pytest.approx(0.5, rel=1e-5)
    mw, cfe, cf = solve_cfe(tiny, tmp_path, "annual", hourly=False)
    assert np.ptp(cf) == pytest.approx(0.0, abs=1e-9)
    assert mw["wind"] == pytest.approx(0.75 * L_MW / cf[0], rel=1e-5)
    assert cfe["cfe_hourly_fraction"] == pytest.approx(0.75, rel=1e-5)


def test_scenario_path_is_relative_to_the_scenario_file_and_monthly_runs_ignore_it(tiny, tmp_path):
    """``data: {hourly_weather: w.nc}`` next to the scenario YAML is read; with the monthly resolution the
    plan notes that the file is not used and the 12 monthly periods stay."""
    from tinydata import LATENCY_SUBS, LATENCY_ZONES

    from siting.data.load import load_dataset
    from siting.model.prepare import prepare_inputs
    from siting.scenario import load_scenario

    site = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100}]
    data = tiny(site, LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1])
    write(weather_grid(), tmp_path / "w.nc")
    (tmp_path / "s.yaml").write_text(
        "name: hw\ndecision_year: 2026\nhorizon: {first_year: 2027, last_year: 2028}\n"
        "targets_it_mw: {2027: 50}\ndata: {hourly_weather: w.nc}\n"
    )
    sc = load_scenario(tmp_path / "s.yaml")
    ds = load_dataset(sc, data)
    assert (
        ds.files["hourly_weather"] == (tmp_path / "w.nc").resolve()
        and ds.hourly_weather.sizes["time"] == 8760
    )
    d = prepare_inputs(ds, sc)
    assert len(d.periods) == 12 and any("hourly_weather is used only" in n for n in d.notes)


def test_cooling_choice_takes_each_designs_peak_swing_and_window_from_the_hourly_year(tiny, tmp_path):
    """Hot afternoons: 30 °C dry-bulb / 20 °C wet-bulb from 18:00 to 24:00 UTC (6 h), else 5 / 3 °C. For each
    design the peak PUE is its PUE at 30/20 °C, the design day swings from its 5/3 °C PUE to that, and the
    6 hot hours are above the day's mean: peak window 6 h. Annual PUE = (18 × PUE(5, 3) + 6 × PUE(30, 20)) / 24."""
    from tinydata import LATENCY_SUBS, LATENCY_ZONES

    import siting
    from siting.data.load import load_dataset
    from siting.features.cooling import pue
    from siting.model.prepare import prepare_inputs

    ds = weather_grid()
    hot = ((pd.DatetimeIndex(ds["time"].to_numpy()) - pd.Timedelta(hours=1)).hour >= 18)[:, None, None]
    ds["dry_bulb_c"] = ds["dry_bulb_c"].where(~hot, 30.0)
    ds["wet_bulb_c"] = ds["wet_bulb_c"].where(~hot, 20.0)
    path = write(ds, tmp_path / "hot.nc")
    site = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100}]
    data = tiny(site, LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1])
    sc = siting.Scenario(
        name="hw_cooling",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2028},
        targets_it_mw={2027: 50},
        cooling=["evaporative", "air"],
        time_resolution={"kind": "representative_days", "n_days": 2},
        data={"hourly_weather": str(path)},
    )
    table = prepare_inputs(load_dataset(sc, data), sc).site_cooling.loc["a"]
    for c in ("evaporative", "air"):
        cool, warm = float(pue(5.0, 3.0, c)), float(pue(30.0, 20.0, c))
        assert warm > cool
        assert table.loc[c, "pue_peak"] == pytest.approx(warm, rel=1e-5)
        assert table.loc[c, "pue_swing"] == pytest.approx(warm - cool, rel=1e-4)
        assert table.loc[c, "peak_window_hours"] == 6.0
        assert table.loc[c, "pue_annual"] == pytest.approx((18 * cool + 6 * warm) / 24, rel=1e-5)

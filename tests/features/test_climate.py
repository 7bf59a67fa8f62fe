"""Climate features: psychrometrics, synthesis vs TMY3, PUE/WUE, solar and wind CF, tsam periods, laziness."""

from __future__ import annotations

from pathlib import Path

import dask.array as dsa
import numpy as np
import pandas as pd
import pvlib
import pytest
import xarray as xr

from siting.errors import InputError
from siting.features import cooling
from siting.features.hourly import annual_summary, hourly_pue_wue, site_climate_features, weather_at_sites
from siting.features.periods import representative_periods
from siting.features.psychrometrics import dew_point_from_wet_bulb, wet_bulb_c, wet_bulb_stull
from siting.features.solar import solar_cf_pvwatts
from siting.features.typical_year import (
    monthly_statistics,
    synthesize_hourly_ghi,
    synthesize_hourly_temperature,
)
from siting.features.wind import wind_cf_power_curve
from siting.io import point_weather_dataset, read_point_weather

PVLIB_DATA = Path(pvlib.__path__[0]) / "data"


@pytest.fixture(scope="module")
def tmy():
    frames = {
        "greensboro": read_point_weather(PVLIB_DATA / "723170TYA.CSV"),
        "sand_point": read_point_weather(PVLIB_DATA / "703165TY.csv"),
    }
    ds = point_weather_dataset(frames)
    ds["wet_bulb_c"] = wet_bulb_c(ds["dry_bulb_c"], ds["dew_point_c"])
    return ds


def test_stull_reference_values():
    # Stull (2011): T = 20 °C, RH = 50 % -> Tw = 13.7 °C
    assert float(wet_bulb_stull(20.0, 50.0)) == pytest.approx(13.7, abs=0.1)
    assert float(wet_bulb_c(30.0, 30.0)) == pytest.approx(30.0, abs=0.3)  # saturated
    td = dew_point_from_wet_bulb(np.array([25.0, 10.0]), np.array([18.0, 5.0]))
    np.testing.assert_allclose(wet_bulb_c(np.array([25.0, 10.0]), td), [18.0, 5.0], atol=1e-4)


def test_synthesis_matches_tmy3(tmy):
    monthly = monthly_statistics(tmy)
    syn = synthesize_hourly_temperature(monthly)
    assert syn["dry_bulb_c"].dims == ("site", "time") and syn.sizes["time"] == 8760
    err = syn["dry_bulb_c"] - tmy["dry_bulb_c"]
    assert float(abs(err.mean("time")).max()) < 0.1  # annual mean preserved
    monthly_err = (
        syn["dry_bulb_c"].groupby("time.month").mean() - tmy["dry_bulb_c"].groupby("time.month").mean()
    )
    assert float(abs(monthly_err).max()) < 1.5
    rmse = float(np.sqrt((err**2).mean()))
    assert rmse < 5.0  # weather is not reproduced, the climate is
    # diurnal phase: the hottest UTC hour on average within 1 h of the TMY's
    d_obs = tmy["dry_bulb_c"].sel(site="greensboro").groupby("time.hour").mean()
    d_syn = syn["dry_bulb_c"].sel(site="greensboro").groupby("time.hour").mean()
    assert abs(int(d_obs.argmax("hour")) - int(d_syn.argmax("hour"))) <= 1
    # annual PUE from the synthetic year within 0.015 of the TMY's
    for design in ("evaporative", "air"):
        p_obs = cooling.pue(tmy["dry_bulb_c"], tmy["wet_bulb_c"], design).mean("time")
        p_syn = cooling.pue(syn["dry_bulb_c"], syn["wet_bulb_c"], design).mean("time")
        assert float(abs(p_obs - p_syn).max()) < 0.015


def test_pue_wue_ranges_and_designs(tmy):
    out = {d: hourly_pue_wue(tmy, d) for d in ("evaporative", "air", "liquid")}
    for d, ds in out.items():
        annual = ds["pue"].mean("time")
        assert (annual > 1.05).all() and (annual < 1.2).all(), d
        assert float(ds["pue"].min()) >= 1.0
    assert float(out["air"]["wue_l_per_kwh"].max()) == 0.0
    wue = out["evaporative"]["wue_l_per_kwh"].mean("time")
    assert 0.2 <= float(wue.sel(site="sand_point")) < float(wue.sel(site="greensboro")) < 1.0
    with pytest.raises(InputError, match="unknown cooling design"):
        hourly_pue_wue(tmy, "immersion")
    with pytest.raises(InputError, match="neither wet-bulb nor dew point"):
        hourly_pue_wue(tmy[["dry_bulb_c"]])


def test_solar_cf_from_tmy(tmy):
    cf = solar_cf_pvwatts(tmy["ghi_w_per_m2"], tmy["dry_bulb_c"], tmy["wind_speed_10m_m_per_s"])
    annual = cf.mean("time")
    assert 0.20 < float(annual.sel(site="greensboro")) < 0.30  # ATB classes 6–9 are 0.22–0.25
    assert 0.08 < float(annual.sel(site="sand_point")) < float(annual.sel(site="greensboro"))
    assert float(cf.max()) <= 1.0 and float(cf.min()) >= 0.0
    fixed = solar_cf_pvwatts(tmy["ghi_w_per_m2"], tmy["dry_bulb_c"], tracking="fixed").mean("time")
    assert float(fixed.sel(site="greensboro")) < float(annual.sel(site="greensboro"))
    # night hours are zero: the hour ending 06:00 UTC is 01:00 local in Greensboro
    assert float(cf.sel(site="greensboro").isel(time=5)) == 0.0


def test_wind_cf_power_curve():
    v = xr.DataArray(np.array([0.0, 2.0, 8.0, 12.0, 20.0, 23.0]), dims="time")
    cf = wind_cf_power_curve(v, losses=0.0)
    np.testing.assert_allclose(cf, [0, 0, 1760 / 3450, 1, 1, 0], atol=1e-6)
    # Rayleigh winds with a 7.5 m/s mean at 100 m: a good site, CF ≈ 0.35–0.45 after 10 % losses
    rng = np.random.default_rng(0)
    w = xr.DataArray(rng.rayleigh(7.5 / np.sqrt(np.pi / 2), 8760), dims="time")
    assert 0.33 < float(wind_cf_power_curve(w).mean()) < 0.47
    # shear: a taller hub sees more wind
    assert float(wind_cf_power_curve(w, hub_height_m=140).mean()) > float(wind_cf_power_curve(w).mean())


def test_representative_periods_weights(tmy):
    feats = site_climate_features(tmy)
    rep = representative_periods(feats, n_periods=12)
    assert float(rep["weight_hours"].sum()) == 8760.0
    assert rep["pue"].dims == ("period", "hour", "site") or set(rep["pue"].dims) == {"period", "hour", "site"}
    assert rep.sizes["period"] == 12 and rep.sizes["hour"] == 24
    # weighted means stay close to the annual ones
    w = rep["weight_hours"] / 8760.0
    for v in ("pue", "solar_cf"):
        approx = (rep[v].mean("hour") * w).sum("period")
        np.testing.assert_allclose(approx, feats[v].mean("time"), rtol=0.06)
    again = representative_periods(feats, n_periods=12)
    np.testing.assert_array_equal(rep["period_start"], again["period_start"])  # deterministic
    with pytest.raises(InputError, match="8,760"):
        representative_periods(feats.isel(time=slice(0, 100)))


def test_dask_stays_lazy_and_matches_eager(tmy):
    grid = xr.Dataset(
        {
            v: (
                ("time", "lat", "lon"),
                np.broadcast_to(tmy[v].sel(site="greensboro").to_numpy()[:, None, None], (8760, 3, 4)).astype(
                    "float32"
                ),
            )
            for v in ("dry_bulb_c", "dew_point_c", "ghi_w_per_m2")
        },
        coords={"time": tmy["time"], "lat": [35.5, 36.0, 36.5], "lon": [-81.0, -80.5, -80.0, -79.5]},
    )
    grid["wind_speed_100m_m_per_s"] = grid["ghi_w_per_m2"] * 0 + 7.0
    lazy = grid.chunk({"time": -1, "lat": 1, "lon": 2})
    sites = pd.DataFrame({"site_id": ["a", "b"], "lat": [36.1, 35.6], "lon": [-79.95, -80.9]})
    w = weather_at_sites(lazy, sites)
    feats = site_climate_features(w)
    for v in feats.data_vars:
        assert isinstance(feats[v].data, dsa.Array), v  # nothing computed yet
    eager = site_climate_features(weather_at_sites(grid, sites))
    # lazy sites come in grid-chunk order; compare by label
    xr.testing.assert_allclose(feats.compute().sel(site=["a", "b"]), eager.sel(site=["a", "b"]), rtol=1e-5)
    summary = annual_summary(feats)
    assert sorted(summary.index) == ["a", "b"] and (summary["pue_annual"] > 1).all()
    # gridded features work on (time, lat, lon) too
    g = solar_cf_pvwatts(lazy["ghi_w_per_m2"], lazy["dry_bulb_c"])
    assert isinstance(g.data, dsa.Array) and g.dims == ("time", "lat", "lon")
    with pytest.raises(InputError, match="outside the weather grid") as e:
        weather_at_sites(grid, pd.DataFrame({"site_id": ["far"], "lat": [45.0], "lon": [-80.0]}))
    assert e.value.rows == ["far"]


def test_nan_in_features_is_named(tmy):
    w = tmy.copy(deep=True)
    w["dry_bulb_c"][0, 100] = np.nan
    with pytest.raises(InputError, match="NaN climate features") as e:
        annual_summary(site_climate_features(w))
    assert e.value.rows == ["greensboro"]


def test_synthesized_ghi_matches_monthly_totals(tmy):
    monthly_kwh = (tmy["ghi_w_per_m2"].groupby("time.month").mean() * 24 / 1000).transpose("site", "month")
    ghi = synthesize_hourly_ghi(monthly_kwh)
    back = ghi.groupby("time.month").mean() * 24 / 1000
    np.testing.assert_allclose(back.transpose("site", "month"), monthly_kwh, rtol=1e-3)
    cf_syn = solar_cf_pvwatts(ghi, tmy["dry_bulb_c"]).mean("time")
    cf_obs = solar_cf_pvwatts(tmy["ghi_w_per_m2"], tmy["dry_bulb_c"]).mean("time")
    assert float(abs(cf_syn - cf_obs).max()) < 0.05

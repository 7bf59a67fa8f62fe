"""The model's input tables, one small builder at a time, each pinned to values derived by hand.

Every builder of :mod:`siting.model.prepare` is called on the smallest input that shows its rule: a tiny
dataset written once for the module (tests/tinydata.py layout) or a hand-made frame. Names are looked up
through the module (``fi.<name>``) so that moving :class:`ModelInputs` does not break these tests.

The module dataset (see ``SITES``, ``SUBS``, ``LINES``, ``POWER_ROWS``): decision 2026-01-01, route factor
1.25, construction 10,000 $/kW × zone multiplier (1.2 in zone 1), 1 acre per MW, gas 3 $/MMBtu, a
12-month construction lead time and a 12-month interconnection lead time in zone 1.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from tinydata import POWER, write_tiny_data, zone

import siting
from siting.data.load import Dataset, load_dataset
from siting.errors import InfeasibleScenarioError, InputError
from siting.model import prepare as fi

DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

ZONES = [
    zone(1, "Alpha", 1.0, construction_cost_multiplier=1.2),
    zone(2, "Beta", 4.0, state="KY"),
]
SITES = [
    # 230 acres at 1 acre/MW → 230 MW; 20,000 $/acre; 6 months of permitting
    {
        "site_id": "a",
        "name": "A",
        "lat": 35.0,
        "lon": -90.0,
        "buildable_acres": 230.0,
        "land_cost_usd_per_acre": 20000.0,
        "permitting_lead_time_years": 0.5,
    },
    # 1,000 acres but max_it_mw 500 → 500 MW
    {"site_id": "b", "name": "B", "lat": 35.2, "lon": -90.0},
    # 40 acres → 40 MW, less than one 50 MW phase
    {
        "site_id": "c",
        "name": "C",
        "lat": 36.5,
        "lon": -89.0,
        "state": "KY",
        "zone_id": 2,
        "buildable_acres": 40.0,
    },
]
SUBS = [
    {"substation_id": 1, "lat": 35.0, "lon": -90.0, "max_voltage_kv": 300.0, "headroom_mw": 500.0},
    {
        "substation_id": 2,
        "lat": 36.5,
        "lon": -89.0,
        "max_voltage_kv": 500.0,
        "headroom_mw": 800.0,
        "zone_id": 2,
    },
    {"substation_id": 3, "lat": 35.2, "lon": -90.0, "max_voltage_kv": 138.0, "headroom_mw": 1000.0},
]
#: (voltage kV, $/mile, substation upgrade $, MW per circuit)
LINES = [(138.0, 0.8e6, 2.0e6, 300.0), (230.0, 2.0e6, 5.0e6, 400.0), (345.0, 3.0e6, 8.0e6, 900.0)]
LINE_COSTS = [
    {
        "voltage_kv": kv,
        "line_cost_region": "Southeast",
        "line_cost_usd_per_mile": usd_mile,
        "substation_upgrade_usd": sub_usd,
        "new_substation_usd": 0.0,
        "line_capacity_mw": mw,
    }
    for kv, usd_mile, sub_usd, mw in LINES
]
COSTS = {
    "route_factor": (1.25, "-"),
    "gas_lateral_usd_per_km": (1.0e6, "USD/km"),
    "gas_lateral_max_km": (10.0, "km"),
}
POWER_ROWS = [
    POWER[0],
    {
        "option_id": "recip",
        "kind": "onsite_gas",
        "name": "engines",
        "capex_usd_per_kw": 2000.0,
        "fixed_om_usd_per_kw_year": 10.0,
        "variable_om_usd_per_mwh": 4.0,
        "heat_rate_mmbtu_per_mwh": 10.0,
        "co2_kg_per_mwh": None,  # from the heat rate: 10 × 53.06 kg/MMBtu
        "nox_kg_per_mwh": 0.1,
        "lead_time_years": 0.5,
        "max_mw": 1000.0,
        "capacity_factor": 0.95,
        "life_years": 20.0,
    },
    {
        "option_id": "rent",
        "kind": "onsite_gas",
        "name": "rented turbines",
        "capex_usd_per_kw": 0.0,
        "fixed_om_usd_per_kw_year": 150.0,
        "variable_om_usd_per_mwh": 5.0,
        "heat_rate_mmbtu_per_mwh": 11.0,
        "co2_kg_per_mwh": 583.0,
        "lead_time_years": 0.5,
        "max_mw": 100.0,
        "capacity_factor": 0.95,
        "life_years": 20.0,
        "max_operating_years": 2.0,
    },
    POWER[2],
    POWER[3],
    {
        "option_id": "wind",
        "kind": "wind_ppa",
        "name": "wind PPA",
        "price_usd_per_mwh": 45.0,
        "lead_time_years": 1.0,
        "max_mw": 800.0,
        "contract_years": 20,
    },
    {
        "option_id": "firm",
        "kind": "firm_clean_ppa",
        "name": "firm PPA",
        "price_usd_per_mwh": 80.0,
        "lead_time_years": 1.0,
        "max_mw": 300.0,
        "contract_years": 20,
    },
]
#: Zone 1: 40 $/MWh in 2024, escalating 2 %/yr; zone 2 keeps the flat 60 $/MWh test tariff.
TARIFFS = [{"zone_id": 1, "energy_charge_usd_per_mwh": 40.0, "price_escalation_per_year": 0.02}]


@pytest.fixture(scope="module")
def ds(tmp_path_factory) -> Dataset:
    """The module's tiny dataset, written and loaded once (tests copy it with ``dataclasses.replace``)."""
    path = write_tiny_data(
        tmp_path_factory.mktemp("input_tables") / "data",
        SITES,
        SUBS,
        zones=ZONES,
        costs=COSTS,
        power=POWER_ROWS,
        tariffs=TARIFFS,
        line_costs=LINE_COSTS,
    )
    return load_dataset(data_dir=path)


def scenario(**kw) -> siting.Scenario:
    """Decision 2026-01-01, horizon 2026–2027, 100 MW due 2026-05-01, 50 MW phases."""
    base = dict(
        name="t",
        decision_date="2026-01-01",
        horizon={"first_year": 2026, "last_year": 2027},
        targets_it_mw={"2026-05-01": 100},
        min_sites=0,
    )
    return siting.Scenario(**{**base, **kw})


def costs_of(ds: Dataset) -> dict:
    return {**fi.DEFAULT_LIVES, **ds.costs}


def points(t_mean, t_max, t_min, wet_bulb, ghi=5.0, wind=7.0) -> xr.Dataset:
    """Monthly climate of one site, the same in every month (dims ``site``, ``month``)."""
    values = {
        "t2m_c": t_mean,
        "t2m_max_c": t_max,
        "t2m_min_c": t_min,
        "wet_bulb_c": wet_bulb,
        "ghi_kwh_per_m2_day": ghi,
        "wind_speed_100m_m_per_s": wind,
    }
    return xr.Dataset(
        {k: (("site", "month"), np.full((1, 12), float(v))) for k, v in values.items()},
        coords={"month": np.arange(1, 13)},
    )


def monthly_periods() -> pd.DataFrame:
    return pd.DataFrame(
        {"hours": DAYS * 24.0, "day": -1, "hour": -1}, index=pd.Index(np.arange(1, 13), name="period")
    )


# ------------------------------------------------------------------------------------------------ crf
def test_crf_matches_the_annuity_formula():
    """crf(0.08, 20) = 0.08·1.08^20/(1.08^20 − 1) = 0.08·4.660957/3.660957 = 0.101852;
    crf(0.07, 15) = 0.07·2.759032/1.759032 = 0.109795; at r = 0 it is 1/n: crf(0, 20) = 0.05."""
    assert fi.crf(0.08, 20) == pytest.approx(0.101852, abs=1e-6)
    assert fi.crf(0.07, 15) == pytest.approx(0.109795, abs=1e-6)
    assert fi.crf(0.0, 20) == 0.05
    with pytest.raises(ValueError, match="life_years"):
        fi.crf(0.07, 0)


# ------------------------------------------------------------------------------------------------ time
def test_time_grid_cuts_quarters_at_the_target_date_and_discounts_by_day_of_year():
    """Decision 2026-01-01, 100 MW due 2026-05-01, quarters (the default 24 months) through 2027.

    Steps 2026: Jan–Mar 31+28+31 = 90 d, Apr 30 d (the target date cuts Q2), May–Jun 31+30 = 61 d, Q3 92 d,
    Q4 92 d; 2027: four quarters. The April step lasts 30/365 = 0.082192 of a year and is discounted by
    1.07^(−90/365) = 0.983455; the target is 0 before 1 May and 100 MW from it. 2026's steps sum to 1 year.
    """
    steps = fi.time_grid(scenario())
    assert len(steps) == 9
    assert steps["days"].tolist()[:5] == [90, 30, 61, 92, 92]
    assert steps["resolution"].unique().tolist() == ["quarter"]
    assert steps.loc[1, "years"] == pytest.approx(30 / 365)
    assert steps.loc[1, "discount_factor"] == pytest.approx(0.983455, abs=1e-6)
    assert steps["target_it_mw"].tolist() == [0.0, 0.0] + [100.0] * 7
    assert steps.loc[steps["year"] == 2026, "years"].sum() == pytest.approx(1.0)
    assert steps.loc[5, "discount_factor"] == pytest.approx(1 / 1.07)  # 1 Jan 2027: one whole year


def test_time_grid_monthly_steps_then_quarters():
    """monthly_months = 12: twelve calendar months in 2026 (step 2026-05-01..06-01 has 31 days), then the
    quarters of 2027 (Jan–Mar 2027 = 90 days): 12 + 4 = 16 steps."""
    steps = fi.time_grid(scenario(time_steps={"monthly_months": 12}))
    assert len(steps) == 16
    may = steps[steps["start"] == pd.Timestamp("2026-05-01")].iloc[0]
    assert (may["end"], may["days"], may["resolution"]) == (pd.Timestamp("2026-06-01"), 31, "month")
    assert steps.loc[12, ["days", "resolution"]].tolist() == [90, "quarter"]


def test_time_grid_runs_quarters_until_the_last_target():
    """The last target, 2028-05-01, is 2·12 + 4 = 28 months after the decision (> 24), so quarters run to
    it: [2028-04-01, 2028-05-01) is still a 'quarter' step and [2028-05-01, 2029-01-01) a 'year' step."""
    steps = fi.time_grid(
        scenario(horizon={"first_year": 2026, "last_year": 2028}, targets_it_mw={"2028-05-01": 100})
    )
    last_two = steps.iloc[-2:]
    assert last_two["start"].tolist() == [pd.Timestamp("2028-04-01"), pd.Timestamp("2028-05-01")]
    assert last_two["resolution"].tolist() == ["quarter", "year"]
    assert last_two["target_it_mw"].tolist() == [0.0, 100.0]


def test_step_period_hours_splits_a_partial_month():
    """Monthly periods (period m stands for 24 × days(m) hours of month m). Steps [Jan 1, Apr 1),
    [Apr 1, Apr 16), [Apr 16, Jul 1) of 2026: Q1 gets 744 + 672 + 744 h; 15 of April's 30 days give
    15/30 × 720 = 360 h to each April part; May 744 h and June 720 h; nothing else (zero rows dropped)."""
    steps = pd.DataFrame(
        {
            "start": pd.to_datetime(["2026-01-01", "2026-04-01", "2026-04-16"]),
            "end": pd.to_datetime(["2026-04-01", "2026-04-16", "2026-07-01"]),
        },
        index=pd.Index([0, 1, 2], name="step"),
    )
    out = fi.step_period_hours(steps, np.diag(DAYS * 24.0), pd.Index(np.arange(1, 13), name="period"))
    expected = {(0, 1): 744.0, (0, 2): 672.0, (0, 3): 744.0, (1, 4): 360.0, (2, 4): 360.0}
    expected |= {(2, 5): 744.0, (2, 6): 720.0}
    assert out["hours"].to_dict() == pytest.approx(expected)


def test_step_period_hours_keeps_representative_period_labels():
    """Two representative periods labelled 7 and 8: 7 stands for 500 h of January, 8 for 244 h of January
    and all 672 h of February. A step [2026-01-01, 2026-01-16) covers 15/31 of January:
    period 7 → 500·15/31 = 241.935 h, period 8 → 244·15/31 = 118.065 h, and no February hours."""
    month_hours = np.zeros((2, 12))
    month_hours[0, 0], month_hours[1, 0], month_hours[1, 1] = 500.0, 244.0, 672.0
    steps = pd.DataFrame(
        {"start": [pd.Timestamp("2026-01-01")], "end": [pd.Timestamp("2026-01-16")]},
        index=pd.Index([0], name="step"),
    )
    out = fi.step_period_hours(steps, month_hours, pd.Index([7, 8], name="period"))
    assert out["hours"].to_dict() == pytest.approx({(0, 7): 241.935484, (0, 8): 118.064516})


# ------------------------------------------------------------------------------------------------ climate
def test_monthly_pue_wue_air_cooling_in_its_linear_range():
    """Air cooling, dry-bulb 25 ± 6 °C (cosine day, min 19 at 03:00, max 31 at 15:00), all inside the
    18–32 °C ramp, so PUE = 1 + 0.045 + 0.025 + 0.275·(T − 18)/14 is linear in T:
    mean = PUE(25) = 1.07 + 0.1375 = 1.2075; peak = PUE(31) = 1.07 + 0.275·13/14 = 1.325357;
    swing = 0.275·12/14 = 0.235714; hours above the daily mean: cos(2π(h − 15)/24) > 0 for h = 10…20 → 11 h;
    air cooling uses no water (WUE 0)."""
    out = fi.monthly_pue_wue(points(25.0, 31.0, 19.0, 15.0), "air")
    np.testing.assert_allclose(out["pue"], np.full((1, 12), 1.2075))
    assert out["pue_peak"][0] == pytest.approx(1.325357, abs=1e-6)
    assert out["pue_swing"][0] == pytest.approx(0.235714, abs=1e-6)
    assert out["peak_window_hours"][0] == 11.0
    np.testing.assert_allclose(out["wue"], 0.0)


def test_monthly_pue_wue_evaporative_uses_a_damped_wet_bulb_swing():
    """Evaporative cooling, dry-bulb 25 ± 6 °C, wet-bulb 20.5 °C ± 0.35·6 = ± 2.1 °C (18.4–22.6, inside the
    15–26 °C ramp): mean PUE = 1.07 + 0.275·5.5/11 = 1.2075; peak = 1.07 + 0.275·7.6/11 = 1.26.
    WUE is linear in dry-bulb on 10–35 °C: mean = 0.2 + 1.3·15/25 = 0.98 L/kWh."""
    out = fi.monthly_pue_wue(points(25.0, 31.0, 19.0, 20.5), "evaporative")
    np.testing.assert_allclose(out["pue"], np.full((1, 12), 1.2075))
    assert out["pue_peak"][0] == pytest.approx(1.26)
    np.testing.assert_allclose(out["wue"], np.full((1, 12), 0.98))


def test_climate_features_monthly_periods():
    """Monthly resolution: 12 periods of 24 × days hours (February 672 h; 8,760 h in all), each standing
    only for its month; a cool 5 °C / 3 °C wet-bulb month has PUE 1 + 0.045 + 0.025 = 1.07 and WUE 0.2;
    GHI 5 kWh/m²/day gives a solar capacity factor 0.0525 × 5 = 0.2625."""
    clim = fi.climate_features(points(5.0, 5.0, 5.0, 3.0), scenario())
    assert clim["periods"].loc[2, "hours"] == 672.0
    assert clim["periods"]["hours"].sum() == 8760.0
    np.testing.assert_array_equal(clim["month_hours"], np.diag(DAYS * 24.0))
    np.testing.assert_allclose(clim["pue"], 1.07)
    np.testing.assert_allclose(clim["wue"], 0.2)
    np.testing.assert_allclose(clim["solar_cf"], 0.2625)
    assert clim["chrono"] is False


def test_climate_features_representative_days_cover_every_calendar_hour(ds):
    """Two representative days of 24 hours: 48 periods whose weights sum to 8,760 h, and the hours each
    period stands for in a calendar month add up to that month's hours (January 744, February 672)."""
    pts = fi.site_monthly_climate(ds.climate, [35.0], [-90.0])
    clim = fi.climate_features(pts, scenario(time_resolution={"kind": "representative_days", "n_days": 2}))
    assert len(clim["periods"]) == 48
    assert clim["periods"]["hours"].sum() == pytest.approx(8760.0)
    np.testing.assert_allclose(clim["month_hours"].sum(axis=0), DAYS * 24.0)
    assert clim["chrono"] is True


# ------------------------------------------------------------------------------------------------ sites
def test_select_sites_by_states_and_by_circle(ds):
    """Sites a (35.0, −90.0), b (35.2, −90.0; 0.2° north ≈ 22 km) in TN and c in KY. states [ky] → c; a
    10 km circle around a → a; a 50 km one → a and b; TN ∩ a circle around c → none: an error."""
    circle = {"center_lat": 35.0, "center_lon": -90.0}
    assert fi.select_sites(ds, scenario(region={"states": ["ky"]})).index.tolist() == ["c"]
    assert fi.select_sites(ds, scenario(region={**circle, "radius_km": 10})).index.tolist() == ["a"]
    assert fi.select_sites(ds, scenario(region={**circle, "radius_km": 50})).index.tolist() == ["a", "b"]
    far = {"states": ["TN"], "center_lat": 36.5, "center_lon": -89.0, "radius_km": 10}
    with pytest.raises(InfeasibleScenarioError, match="no candidate site"):
        fi.select_sites(ds, scenario(region=far))


def test_sites_that_fit_drops_sites_smaller_than_a_phase_or_the_minimum(ds):
    """At 1 acre/MW: a holds 230 MW (4 phases of 50), b 500 MW (10), c 40 MW (0) → c is dropped.
    site_min_it_mw 250 → at least ⌈250/50⌉ = 5 phases → a is dropped too. phase_mw 600 > every site → error."""
    notes: list[str] = []
    kept = fi._sites_that_fit(ds.candidate_sites, scenario(), costs_of(ds), notes)
    assert kept.index.tolist() == ["a", "b"]
    assert notes and notes[0].startswith("1 candidate site(s) dropped")
    notes = []
    kept = fi._sites_that_fit(ds.candidate_sites, scenario(site_min_it_mw=250), costs_of(ds), notes)
    assert kept.index.tolist() == ["b"]
    assert notes[0].startswith("2 candidate site(s) dropped")
    with pytest.raises(InfeasibleScenarioError):
        fi._sites_that_fit(ds.candidate_sites, scenario(phase_mw=600), costs_of(ds), [])


def _site_clim() -> dict:
    """Sites a and b: a at PUE 1.3 in July and August and 1.1 otherwise, b at 1.07 all year."""
    pue = np.full((2, 12), 1.1)
    pue[0, 6:8] = 1.3
    pue[1] = 1.07
    return {
        "periods": monthly_periods(),
        "pue": pue,
        "pue_peak": np.array([1.35, 1.07]),
        "pue_swing": np.array([0.1, 0.0]),
        "peak_window_hours": np.array([6.0, 0.0]),
    }


def test_site_table_sizes_dates_costs_and_gas(ds):
    """Site a: 230 MW of land → ⌊230/50⌋ = 4 phases; site_min_it_mw 120 → ⌈2.4⌉ = 3 phases minimum.
    Permitting 6 + construction 12 = 18 months from 2026-01-01 → ready 2027-07-01 = start of step 7
    (steps: Jan, Apr, May, Jul, Oct 2026, then 2027 quarters); first online year ⌈2026 + 1.5⌉ = 2028.
    Annual PUE = (1.1·303 + 1.3·62)/365 = 413.9/365 = 1.133973 (July and August have 62 days).
    Land 20,000 $/acre × 1 acre/MW = 20,000 $/MW; construction 10,000 $/kW × 1,000 × 1.2 = 12 M$/MW;
    O&M 100 $/kW-yr = 100,000 $/MW-yr. Gas lateral 8 km × 1 M$/km × route 1.25 = 10 M$ (≤ 10 km: allowed);
    site b at 12 km: 15 M$ and not allowed; b's peak window of 0 h is floored at 1 h."""
    cand = ds.candidate_sites.loc[["a", "b"]].assign(dist_gas_km=[8.0, 12.0])
    sc = scenario(site_min_it_mw=120)
    sites = fi.site_table(cand, ds, sc, _site_clim(), fi.time_grid(sc), costs_of(ds))
    a = sites.loc["a"]
    assert (a["max_phases"], a["min_phases"]) == (4, 3)
    assert a["permitting_lead_time_months"] + a["construction_lead_time_months"] == 18.0
    assert (a["ready_date"], a["first_step"], a["first_online_year"]) == (pd.Timestamp("2027-07-01"), 7, 2028)
    assert a["pue_annual"] == pytest.approx(1.133973, abs=1e-6)
    assert (a["pue_peak"], a["pue_swing"], a["peak_window_hours"]) == (1.35, 0.1, 6.0)
    assert a["land_usd_per_mw"] == pytest.approx(20000.0)
    assert a["construction_usd_per_mw"] == pytest.approx(12.0e6)
    assert a["dc_fixed_om_usd_per_mw_year"] == pytest.approx(1.0e5)
    assert sites["gas_lateral_usd"].tolist() == pytest.approx([10.0e6, 15.0e6])
    assert sites["gas_allowed"].tolist() == [True, False]
    assert sites.loc["b", ["max_phases", "pue_annual", "peak_window_hours"]].tolist() == pytest.approx(
        [10, 1.07, 1.0]
    )


def test_site_table_lead_time_overrides_and_gas_at_the_fence(ds):
    """Overrides permitting 3 + construction 6 = 9 months → every site ready 2026-10-01 (step 4); without a
    required gas lateral the gas is at the fence: 0 km, 0 $, allowed."""
    cand = ds.candidate_sites.loc[["a", "b"]].assign(dist_gas_km=[8.0, 12.0])
    sc = scenario(
        require_gas_lateral=False,
        overrides={"permitting_lead_time_months": 3, "construction_lead_time_months": 6},
    )
    sites = fi.site_table(cand, ds, sc, _site_clim(), fi.time_grid(sc), costs_of(ds))
    assert sites["ready_date"].tolist() == [pd.Timestamp("2026-10-01")] * 2
    assert sites["first_step"].tolist() == [4, 4]
    assert sites["gas_lateral_usd"].tolist() == [0.0, 0.0]
    assert sites["gas_allowed"].all()


# ------------------------------------------------------------------------------------------------ zones
def test_zone_tables_escalate_the_energy_charge_and_scale_prices(ds):
    """Zone 1: 40 $/MWh in 2024 escalating 2 %/yr, electricity price multiplier 1.5: energy charge
    60 $/MWh; its price path 60·1.02² = 62.424 $/MWh in 2026 steps, 60·1.02³ = 63.67248 in 2027;
    wholesale 30 × 1.5 = 45 $/MWh; grid 500 kg/MWh = 0.5 t/MWh; standby cap 0.1 by default."""
    sc = scenario(overrides={"electricity_price_multiplier": 1.5})
    steps = fi.time_grid(sc)
    zones, zone_steps = fi.zone_tables(ds, sc, pd.DataFrame({"zone_id": [1]}, index=["a"]), steps)
    z = zones.loc[1]
    assert zones.index.tolist() == [1]
    assert (z["energy_charge_usd_per_mwh"], z["tariff_usd_per_mwh"]) == pytest.approx((60.0, 60.0))
    assert (z["wholesale_usd_per_mwh"], z["grid_co2_t_per_mwh"]) == pytest.approx((45.0, 0.5))
    assert z["standby_max_load_factor"] == 0.1
    price = zone_steps.loc[1, "energy_usd_per_mwh"]
    expected = np.where(steps["year"] == 2026, 62.424, 63.67248)
    np.testing.assert_allclose(price.to_numpy(), expected)


def test_zone_tables_fallback_splits_the_average_price(ds):
    """No tariffs file: zone 2's 60 $/MWh average is split at load factor 0.8 with the 14.57 $/kW-month
    demand charge: 14.57 × 12 = 174.84 $/kW-yr = 174,840 $/MW-yr over 8,760 × 0.8 = 7,008 h = 24.9486 $/MWh,
    so the energy charge is 60 − 24.9486 = 35.05 $/MWh (rounded to cents); the row is flagged fallback."""
    no_tariffs = dataclasses.replace(ds, tariffs=None)
    sc = scenario()
    zones, _ = fi.zone_tables(no_tariffs, sc, pd.DataFrame({"zone_id": [2]}, index=["c"]), fi.time_grid(sc))
    z = zones.loc[2]
    assert z["demand_charge_usd_per_kw_month"] == pytest.approx(14.57)
    assert z["energy_charge_usd_per_mwh"] == pytest.approx(35.05)
    assert bool(z["fallback"]) is True


# ------------------------------------------------------------------------------------------------ grid
def test_connection_tables_line_class_cost_cap_and_lead_time(ds):
    """Site a, 40 km search: substation 1 (same point, 300 kV max) and 3 (0.2° north ≈ 22.2 km, 138 kV).
    Sub 1 → highest costed class ≤ 300 kV = 230 kV; 0 km is billed as the 1 km tie-in:
    1 km / 1.609344 × route 1.25 × 2 M$/mile = 1,553,427.98 $, + 5 M$ substation = 6,553,427.98 $;
    max MW = min(headroom 500, 2 circuits × 400) = 500. Sub 3 → 138 kV: 0.8 M$/mile, max MW
    min(1000, 2 × 300) = 600. Lead: zone 12 months + 3 extra = 15 → ready 2027-04-01 = start of step 6."""
    sc = scenario(interconnection={"extra_delay_months": 3})
    sites = pd.DataFrame(index=pd.Index(["a"], name="site_id"))
    conn, subs = fi.connection_tables(ds, sc, sites, fi.time_grid(sc), costs_of(ds))
    assert conn.index.tolist() == [("a", 1), ("a", 3)]
    c1, c3 = conn.loc[("a", 1)], conn.loc[("a", 3)]
    assert (c1["voltage_kv"], c1["max_mw"], c1["max_circuits"]) == (230.0, 500.0, 2)
    assert c1["circuit_cost_usd"] == pytest.approx(1_553_427.98, abs=0.01)
    assert c1["fixed_cost_usd"] == pytest.approx(6_553_427.98, abs=0.01)
    assert (c1["lead_time_months"], c1["ready_date"], c1["first_step"]) == (
        15.0,
        pd.Timestamp("2027-04-01"),
        6,
    )
    assert (c3["voltage_kv"], c3["max_mw"]) == (138.0, 600.0)
    assert c3["distance_km"] == pytest.approx(22.2, abs=0.3)
    assert c3["circuit_cost_usd"] == pytest.approx(c3["distance_km"] / 1.609344 * 1.25 * 0.8e6)
    assert c3["fixed_cost_usd"] == pytest.approx(c3["circuit_cost_usd"] + 2.0e6)
    assert subs.index.tolist() == [1, 3]
    assert subs["headroom_mw"].tolist() == [500.0, 1000.0]


def test_connection_tables_voltage_floor_and_no_grid_option(ds):
    """min_voltage_kv 200 drops the 138 kV substation 3, leaving (a, 1); without utility_tariff there is
    no connection at all."""
    sites = pd.DataFrame(index=pd.Index(["a"], name="site_id"))
    sc = scenario(interconnection={"min_voltage_kv": 200})
    conn, _ = fi.connection_tables(ds, sc, sites, fi.time_grid(sc), costs_of(ds))
    assert conn.index.tolist() == [("a", 1)]
    sc = scenario(power_options=["onsite_gas"])
    conn, subs = fi.connection_tables(ds, sc, sites, fi.time_grid(sc), costs_of(ds))
    assert len(conn) == 0 and len(subs) == 0


def test_energize_when_usable_takes_the_later_of_grid_and_site():
    """(a, 1): grid ready 2026-07-01 (step 3), site a ready 2027-01-01 (step 5) → 2027-01-01, step 5.
    (b, 3): grid ready 2027-04-01 (step 6), site b ready 2026-04-01 (step 1) → 2027-04-01, step 6."""
    conn = pd.DataFrame(
        {"ready_date": pd.to_datetime(["2026-07-01", "2027-04-01"]), "first_step": [3, 6]},
        index=pd.MultiIndex.from_tuples([("a", 1), ("b", 3)], names=["site_id", "substation_id"]),
    )
    sites = pd.DataFrame(
        {"ready_date": pd.to_datetime(["2027-01-01", "2026-04-01"]), "first_step": [5, 1]},
        index=pd.Index(["a", "b"], name="site_id"),
    )
    out = fi._energize_when_usable(conn, sites)
    assert out["ready_date"].tolist() == [pd.Timestamp("2027-01-01"), pd.Timestamp("2027-04-01")]
    assert out["first_step"].tolist() == [5, 6]
    assert out["available_year"].tolist() == [2027, 2027]
    assert conn["first_step"].tolist() == [3, 6]  # the input is not modified


# ------------------------------------------------------------------------------------------------ plant
def test_generator_table_gas_engine_costs_firmness_and_caps(ds):
    """Engines: 10 MMBtu/MWh × 3 $/MMBtu = 30 $/MWh fuel, + 4 VOM = 34 $/MWh; CO2 from the heat rate
    10 × 53.06 kg = 0.5306 t/MWh; NOx 0.1 kg = 1e-4 t/MWh; firm share 0.95 / (1 + reserve 0.25) = 0.76;
    per site min(max_mw 1000, facility 535, scenario limit 300) = 300 MW; total 2,000 MW;
    crf(0.07, 20) = 0.094393; lead 6 months → ready 2026-07-01 = step 3; owned, no permit end."""
    sc = scenario(
        overrides={"onsite_reserve_margin": 0.25},
        onsite_limits={"recip": {"max_mw_per_site": 300, "max_mw_total": 2000}},
    )
    steps = fi.time_grid(sc)
    gens = fi.generator_table(ds, sc, steps, costs_of(ds), 535.0)
    assert gens.index.tolist() == ["recip", "rent", "battery4h"]
    g = gens.loc["recip"]
    assert (g["capex_usd_per_mw"], g["fixed_om_usd_per_mw_year"]) == pytest.approx((2.0e6, 1.0e4))
    assert (g["fuel_usd_per_mwh"], g["marginal_cost_usd_per_mwh"]) == pytest.approx((30.0, 34.0))
    assert (g["co2_t_per_mwh"], g["nox_t_per_mwh"]) == pytest.approx((0.5306, 1e-4))
    assert g["firm_fraction"] == pytest.approx(0.76)
    assert (g["max_mw_per_site"], g["max_mw_total"]) == (300.0, 2000.0)
    assert g["crf"] == pytest.approx(0.094393, abs=1e-6)
    assert (g["ready_date"], g["first_step"], g["end_step"]) == (pd.Timestamp("2026-07-01"), 3, len(steps))
    assert not g["rental"] and g["uses_fuel"]


def test_generator_table_rental_permit_window_and_battery(ds):
    """Horizon 2026–2028 (2026–27 quarters, then 2028 as one year: 10 steps). The rental (no capex,
    2-year permit) arrives 2026-07-01 and may run until 2028-07-01: the 2028 step [2028-01-01, 2029-01-01)
    ends after that, so end_step = 9 (its index); fuel 11 × 3 = 33 + 5 VOM = 38 $/MWh; CO2 583 kg = 0.583 t.
    The battery: firm share 1 of its power, no fuel, owned, crf(0.07, 15) = 0.109795, 500 MW per site."""
    sc = scenario(horizon={"first_year": 2026, "last_year": 2028})
    steps = fi.time_grid(sc)
    assert len(steps) == 10 and steps.loc[9, "start"] == pd.Timestamp("2028-01-01")
    gens = fi.generator_table(ds, sc, steps, costs_of(ds), 535.0)
    rent, bat = gens.loc["rent"], gens.loc["battery4h"]
    assert bool(rent["rental"]) and (rent["first_step"], rent["end_step"]) == (3, 9)
    assert (rent["marginal_cost_usd_per_mwh"], rent["co2_t_per_mwh"]) == pytest.approx((38.0, 0.583))
    assert (bat["firm_fraction"], bat["max_mw_per_site"]) == (1.0, 500.0)
    assert not bat["rental"] and not bat["uses_fuel"]
    assert bat["crf"] == pytest.approx(0.109795, abs=1e-6)


def test_generator_table_keeps_only_the_scenarios_onsite_kinds(ds):
    """power_options without battery → only the two gas options remain."""
    sc = scenario(power_options=["utility_tariff", "onsite_gas"])
    gens = fi.generator_table(ds, sc, fi.time_grid(sc), costs_of(ds), 535.0)
    assert gens.index.tolist() == ["recip", "rent"]


# ------------------------------------------------------------------------------------------------ contracts
def _contract_inputs() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Sites a, b in zone 1 and c in zone 2. Solar CF: a 0.2 (0.4 in June), b 0.3, c 0.1; wind CF:
    a 0.4, b 0.2, c 0.35."""
    sites = pd.DataFrame({"zone_id": [1, 1, 2]}, index=pd.Index(["a", "b", "c"], name="site_id"))
    zones = pd.DataFrame(index=pd.Index([1, 2], name="zone_id"))
    solar = np.array([[0.2] * 12, [0.3] * 12, [0.1] * 12])
    solar[0, 5] = 0.4
    wind = np.repeat([[0.4], [0.2], [0.35]], 12, axis=1)
    return sites, zones, {"periods": monthly_periods(), "solar_cf": solar, "wind_cf": wind}


def test_contract_tables_zone_mean_capacity_factors_and_dates(ds):
    """One PPA per option and zone (3 × 2 rows). Zone 1 solar CF = mean(a, b) = (0.2 + 0.3)/2 = 0.25,
    June (0.4 + 0.3)/2 = 0.35; zone 2 solar 0.1; zone 1 wind (0.4 + 0.2)/2 = 0.3; the firm PPA has no
    capacity factor → flat 0.9. Lead 12 months → ready 2027-01-01 = step 5; strikes 50, 45, 80 $/MWh."""
    sites, zones, clim = _contract_inputs()
    sc = scenario()
    contracts, cf = fi.contract_tables(ds, sc, fi.time_grid(sc), zones, sites, clim)
    assert len(contracts) == 6
    assert contracts.xs(1, level="zone_id")["strike_usd_per_mwh"].to_dict() == {
        "solar": 50.0,
        "wind": 45.0,
        "firm": 80.0,
    }
    s1 = contracts.loc[("solar", 1)]
    assert (s1["ready_date"], s1["first_step"], s1["contract_years"]) == (pd.Timestamp("2027-01-01"), 5, 15.0)
    c = cf["cf"]
    assert (c[("solar", 1, 1)], c[("solar", 1, 6)], c[("solar", 2, 6)]) == pytest.approx((0.25, 0.35, 0.1))
    assert (c[("wind", 1, 3)], c[("wind", 2, 3)]) == pytest.approx((0.3, 0.35))
    assert c.xs("firm", level="option_id").to_numpy() == pytest.approx(np.full(24, 0.9))


def test_contract_tables_need_a_strike_price(ds):
    """A PPA row without price_usd_per_mwh is an input error naming the column."""
    opts = ds.power_options.copy()
    opts.loc["wind", "price_usd_per_mwh"] = np.nan
    sites, zones, clim = _contract_inputs()
    sc = scenario()
    with pytest.raises(InputError, match="price_usd_per_mwh"):
        fi.contract_tables(
            dataclasses.replace(ds, power_options=opts), sc, fi.time_grid(sc), zones, sites, clim
        )


# ------------------------------------------------------------------------------------------------ supply caps
GENERATORS = pd.DataFrame(index=pd.Index(["recip", "rent", "battery4h"], name="option_id"))


def test_supply_cap_table_from_the_scenario_drops_unknown_options(ds):
    """Scenario caps recip 500 MW (2027) and 750 MW (2028) and solar 100 MW; solar is not on-site plant,
    so only (recip, 2027) = 500 and (recip, 2028) = 750 remain."""
    sc = scenario(supply_chain={"recip": {2027: 500, 2028: 750}, "solar": {2027: 100}})
    caps = fi.supply_cap_table(ds, sc, GENERATORS)
    assert caps["max_new_mw"].to_dict() == {("recip", 2027): 500.0, ("recip", 2028): 750.0}


def test_supply_cap_table_from_the_dataset_unless_the_scenario_disables_it(ds):
    """Dataset rows rent 40 MW/yr (2027) and solar 10 MW/yr → (rent, 2027) = 40; `supply_chain: {}` in the
    scenario replaces the rows with none."""
    table = pd.DataFrame(
        {"option_id": ["rent", "solar"], "year": [2027, 2027], "max_new_mw_per_year": [40.0, 10.0]}
    )
    capped = dataclasses.replace(ds, supply_chain=table)
    caps = fi.supply_cap_table(capped, scenario(), GENERATORS)
    assert caps["max_new_mw"].to_dict() == {("rent", 2027): 40.0}
    assert len(fi.supply_cap_table(capped, scenario(supply_chain={}), GENERATORS)) == 0


def test_site_table_measures_gas_distance_from_the_gas_points_layer(ds):
    """Sites without ``dist_gas_km`` take the distance to the nearest gas point of the dataset: a point
    0.1° north of site a (35.0 N, 90.0 W) is 0.1 × 111.0 km ≈ 11.1 km away (meridian degree at 35° N:
    110.95 km; EPSG:5070 distorts distances by well under 1 % here). Over the 10 km lateral limit: not
    allowed, 11.1 × 1 M$/km × route 1.25 ≈ 13.9 M$. A site's own ``dist_gas_km`` wins (b: 2 km)."""
    gas = gpd.GeoDataFrame(
        {"lat": [35.1], "lon": [-90.0]}, geometry=gpd.points_from_xy([-90.0], [35.1]), crs="EPSG:4326"
    )
    with_gas = dataclasses.replace(ds, gas_points=gas)
    cand = ds.candidate_sites.loc[["a", "b"]].drop(columns="dist_gas_km", errors="ignore")
    cand["dist_gas_km"] = [np.nan, 2.0]
    sc = scenario()
    sites = fi.site_table(cand, with_gas, sc, _site_clim(), fi.time_grid(sc), costs_of(ds))
    assert sites.loc["a", "dist_gas_km"] == pytest.approx(11.095, rel=0.01)
    assert sites.loc["b", "dist_gas_km"] == 2.0
    assert sites["gas_allowed"].tolist() == [False, True]
    assert sites.loc["a", "gas_lateral_usd"] == pytest.approx(11.095 * 1.25e6, rel=0.01)

"""Cooling design as a per-site decision, water caps, availability and price, derived by hand.

One site, 100 MW IT (two 50 MW phases) online 2027–2030 on a flat 60 $/MWh tariff, IT utilization 1,
yearly steps. The climate is constant (flat day): dry-bulb 25 °C, wet-bulb 15 °C, so by
siting.features.cooling:

* evaporative: wet-bulb 15 °C is at the economiser threshold → PUE = 1 + 0.045 + 0.025 = 1.07;
  WUE = 0.2 + (1.5 − 0.2) × (25 − 10) / (35 − 10) = 0.98 L/kWh;
* air: dry-bulb 25 °C is half-way between 18 and 32 °C → PUE = 1.07 + (0.30 − 0.025) × 0.5 = 1.2075; WUE 0.

Energy: air costs 100 MW × (1.2075 − 1.07) × 8,760 h × 60 $/MWh = 7,227,000 $ a year more.
Water: evaporative uses 100 MW × 8,760 h × 0.98 m3/MWh (1 L/kWh = 1 m3/MWh) = 858,480 m3 a year.
Break-even water price: 7,227,000 / 858,480 = 8.4184 $/m3.
No demand charges, no network upgrade cost and 2,000 MW circuits: the higher peak of air costs nothing.
"""

import numpy as np
import pandas as pd
import pytest
from tinydata import latency_scenario, zone

import siting
from siting.errors import InputError
from siting.model.build import build_model
from siting.model.prepare import prepare_inputs
from siting.results.check import check_plan

R = 0.07
HOURS = 8760.0
PUE_EVAP, PUE_AIR = 1.07, 1.2075
WUE_EVAP = 0.98
EXTRA_ENERGY_USD = 100 * (PUE_AIR - PUE_EVAP) * HOURS * 60.0  # 7,227,000 $/yr
WATER_EVAP_M3 = 100 * HOURS * WUE_EVAP  # 858,480 m3/yr
BREAK_EVEN_USD_PER_M3 = EXTRA_ENERGY_USD / WATER_EVAP_M3  # 8.4184 $/m3

SITES = [{"site_id": "m", "name": "M", "lat": 35.0, "lon": -90.0, "max_it_mw": 100}]
SUBS = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
ZONES = [zone(1, "Only", 1.0)]


def df(year):
    return (1 + R) ** -(year - 2026)


PV_YEARS = sum(df(y) for y in range(2027, 2031))


def scenario(**kw):
    """The 100 MW case of tinydata.latency_scenario (yearly steps 2027–2030, tariff only), offering
    evaporative and air cooling, solved to a 1e-7 gap."""
    base = {
        "name": "cool",
        "solver": {"time_limit_seconds": 60, "mip_gap": 1e-7, "warm_start_sites": 0},
        "cooling": ["evaporative", "air"],
    }
    return latency_scenario(**{**base, **kw})


@pytest.fixture
def data(tiny):
    return tiny(SITES, SUBS, zones=ZONES, t2m_c=25.0, wet_bulb_c=15.0)


def test_climate_gives_the_hand_figures(data):
    d = prepare_inputs(siting.load_dataset(scenario(), data_dir=data), scenario())
    table = d.site_cooling.loc["m"]
    assert table.loc["evaporative", "pue_peak"] == pytest.approx(PUE_EVAP)
    assert table.loc["air", "pue_peak"] == pytest.approx(PUE_AIR)
    assert table.loc["evaporative", "wue_annual_l_per_kwh"] == pytest.approx(WUE_EVAP)
    assert table.loc["air", "wue_annual_l_per_kwh"] == 0.0
    # the site-level figures are bounds over the designs (lowest PUE)
    assert d.sites.at["m", "pue_peak"] == pytest.approx(PUE_EVAP)


def test_without_a_cap_evaporative_wins_by_the_energy_cost(data, tmp_path):
    plan = siting.solve(scenario(), data_dir=data)
    assert list(plan.sites["cooling"]) == ["evaporative"]
    air = siting.solve(scenario(cooling="air"), data_dir=data)
    evap = siting.solve(scenario(cooling="evaporative"), data_dir=data)
    # the choice is the cheaper design, and air costs 7,227,000 $/yr more in energy (present value)
    assert plan.objective_usd == pytest.approx(evap.objective_usd, rel=1e-9)
    assert air.objective_usd - plan.objective_usd == pytest.approx(EXTRA_ENERGY_USD * PV_YEARS, rel=1e-6)
    rows = plan.meta["water"]["by_site_year"]
    assert [r["water_m3"] for r in rows] == pytest.approx([WATER_EVAP_M3] * 4)
    assert all(r["cap_m3"] is None for r in rows)
    assert plan.capacity["pue_peak"].tolist() == pytest.approx([PUE_EVAP] * 4)
    assert check_plan(plan.save(tmp_path / "plan")) == []


def test_a_water_cap_below_evaporative_use_picks_air(data, tmp_path):
    plan = siting.solve(scenario(water={"cap_m3_per_year_per_site": 500_000.0}), data_dir=data)
    assert list(plan.sites["cooling"]) == ["air"]
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(0.0)
    rows = plan.meta["water"]["by_site_year"]
    assert [r["water_m3"] for r in rows] == pytest.approx([0.0] * 4)
    assert [r["cap_m3"] for r in rows] == pytest.approx([500_000.0] * 4)
    # the plan reports what was built: air's peak PUE, so facility MW = 100 × 1.2075
    assert plan.capacity["facility_mw"].tolist() == pytest.approx([100 * PUE_AIR] * 4)
    air = siting.solve(scenario(cooling="air"), data_dir=data)
    assert plan.objective_usd == pytest.approx(air.objective_usd, rel=1e-9)
    assert check_plan(plan.save(tmp_path / "plan")) == []
    # a cap above evaporative's use (858,480 m3/yr) changes nothing
    loose = siting.solve(scenario(water={"cap_m3_per_year_per_site": 900_000.0}), data_dir=data)
    assert list(loose.sites["cooling"]) == ["evaporative"]


def test_a_single_design_with_a_cap_limits_the_site_size(data):
    # evaporative only, cap 500,000 m3/yr: at most floor(500,000 / (50 MW × 8,760 h × 0.98)) = 1 phase of 50 MW
    # (one phase uses 429,240 m3/yr); the other 50 MW are short
    plan = siting.solve(
        scenario(cooling="evaporative", water={"cap_m3_per_year_per_site": 500_000.0}), data_dir=data
    )
    assert plan.meta["it_mw_online"]["2030"] == pytest.approx(50.0)
    assert plan.meta["water"]["by_site_year"][0]["water_m3"] == pytest.approx(50 * HOURS * WUE_EVAP)


@pytest.mark.parametrize(
    ("price", "design"),
    [(BREAK_EVEN_USD_PER_M3 * 1.02, "air"), (BREAK_EVEN_USD_PER_M3 * 0.98, "evaporative")],
)
def test_a_water_price_above_break_even_switches_to_air(data, price, design):
    plan = siting.solve(scenario(water={"price_usd_per_m3": price}), data_dir=data)
    assert list(plan.sites["cooling"]) == [design]
    water_pv = plan.meta["costs_usd"]["water"]
    expected = price * WATER_EVAP_M3 * PV_YEARS if design == "evaporative" else 0.0
    assert water_pv == pytest.approx(expected, rel=1e-6, abs=1e-3)


def test_cooling_capex_increment_is_charged_for_the_chosen_design(tiny):
    # air capex +80 $/kW IT: 100 MW × 80,000 $/MW = 8 M$ overnight, crf(7 %, 20 y) × 8 M$ = 755,145 $/yr;
    # in a cool climate (5 °C: both PUE 1.07) evaporative then wins (its water is free), with capex 0
    data = tiny(SITES, SUBS, zones=ZONES, costs={"cooling_capex_usd_per_kw_it_air": (80.0, "USD/kW")})
    plan = siting.solve(scenario(), data_dir=data)
    assert list(plan.sites["cooling"]) == ["evaporative"]
    forced = siting.solve(scenario(cooling=["air"]), data_dir=data)  # one design: no increment charged
    capped = siting.solve(scenario(water={"cap_m3_per_year_per_site": 1.0}), data_dir=data)
    assert list(capped.sites["cooling"]) == ["air"]
    crf20 = R / (1 - (1 + R) ** -20)
    assert capped.objective_usd - forced.objective_usd == pytest.approx(crf20 * 8.0e6 * PV_YEARS, rel=1e-6)
    assert capped.meta["overnight_capex_usd"] - forced.meta["overnight_capex_usd"] == pytest.approx(8.0e6)


def test_single_design_scenarios_build_no_cooling_choice(data):
    for cooling in ("evaporative", ["evaporative"]):
        sc = scenario(cooling=cooling)
        m = build_model(prepare_inputs(siting.load_dataset(sc, data_dir=data), sc))
        assert not hasattr(m, "cool") and not hasattr(m, "it_cool_mw") and not hasattr(m, "water_m3")
        assert "water" not in list(m.CAT)
    sc = scenario()
    m = build_model(prepare_inputs(siting.load_dataset(sc, data_dir=data), sc))
    assert hasattr(m, "one_cooling_design_per_open_site") and hasattr(m, "it_cooled_by_chosen_design")


# ------------------------------------------------------------------------------- availability file
def test_site_availability_below_evaporative_use_picks_air(data, tmp_path):
    path = tmp_path / "water.csv"
    path.write_text("site_id,water_available_m3_per_year\nm,600000\n")
    plan = siting.solve(scenario(water={"availability_file": str(path)}), data_dir=data)
    assert list(plan.sites["cooling"]) == ["air"]
    row = plan.meta["water"]["by_site_year"][0]
    assert row["water_basin"] == "m" and row["basin_available_m3"] == pytest.approx(600_000.0)


def test_state_availability_is_shared_by_the_states_sites(tiny, tmp_path):
    # two sites in TN, 100 MW each needed (target 200); TN has 900,000 m3/yr: one evaporative site (858,480)
    # fits, two (1,716,960) do not, so one site is evaporative and the other air
    sites = [dict(SITES[0]), {"site_id": "n", "name": "N", "lat": 35.05, "lon": -90.0, "max_it_mw": 100}]
    data = tiny(sites, SUBS, zones=ZONES, t2m_c=25.0, wet_bulb_c=15.0)
    path = tmp_path / "water.csv"
    path.write_text("state,water_available_m3_per_year\ntn,900000\n")
    plan = siting.solve(
        scenario(targets_it_mw={2027: 200}, water={"availability_file": str(path)}), data_dir=data
    )
    assert sorted(plan.sites["cooling"]) == ["air", "evaporative"]
    rows = [r for r in plan.meta["water"]["by_site_year"] if r["year"] == 2030]
    assert {r["water_basin"] for r in rows} == {"TN"}
    assert rows[0]["basin_water_m3"] == pytest.approx(WATER_EVAP_M3)
    assert rows[0]["basin_water_m3"] <= rows[0]["basin_available_m3"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("site_id,state,water_available_m3_per_year\nm,TN,1\n", "exactly one of the columns"),
        ("name,water_available_m3_per_year\nm,1\n", "exactly one of the columns"),
        ("site_id,water_available_m3_per_year\nzz,1\n", "without candidate sites"),
        ("site_id,water_available_m3_per_year\nm,-5\n", "water_available_m3_per_year"),
        ("site_id,water_available_m3_per_year\nm,lots\n", "water_available_m3_per_year"),
        ("site_id,water_available_m3_per_year\nm,1\nm,2\n", "more than one row"),
        ("site_id\nm\n", "lacks required columns"),
    ],
)
def test_bad_availability_file(data, tmp_path, text, match):
    path = tmp_path / "water.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=match) as err:
        siting.load_dataset(scenario(water={"availability_file": str(path)}), data_dir=data)
    assert err.value.file is not None


def test_missing_availability_file(data, tmp_path):
    with pytest.raises(InputError, match="not found"):
        siting.load_dataset(scenario(water={"availability_file": str(tmp_path / "nope.csv")}), data_dir=data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cooling", []),
        ("cooling", ["air", "air"]),
        ("cooling", ["air", "steam"]),
        ("cooling", "steam"),
        ("water", {"cap_m3_per_year_per_site": -1}),
        ("water", {"price_usd_per_m3": -1}),
        ("water", {"cap_m3": 5}),
    ],
)
def test_bad_cooling_and_water_fields(field, value):
    with pytest.raises(Exception, match=field):
        scenario(**{field: value})


def test_check_flags_water_above_its_cap():
    from siting.results.check import _water

    row = {"site_id": "m", "year": 2030, "water_m3": 100.0, "cap_m3": 50.0, "basin_water_m3": None}
    meta = {"water": {"by_site_year": [row]}}
    cap = pd.DataFrame({"site_id": ["m"], "year": [2030], "water_m3": [90.0]})
    problems = _water(meta, cap)
    assert any("exceeds cap_m3" in p for p in problems)
    assert any("!= capacity.csv" in p for p in problems)
    assert _water({"water": {"by_site_year": [dict(row, cap_m3=None, water_m3=90.0)]}}, cap) == []


def test_representative_days_carry_every_design(data):
    # the hourly typical year is clustered on both designs' PUE and WUE; in this climate (wet-bulb at or below
    # the evaporative economiser threshold, dry-bulb above the air one) evaporative PUE ≤ air PUE every hour
    sc = scenario(time_resolution={"kind": "representative_days", "n_days": 2})
    d = prepare_inputs(siting.load_dataset(sc, data_dir=data), sc)
    per = d.site_cooling_periods["pue"].unstack("design")
    assert len(per) == len(d.periods) == 48
    assert (per["evaporative"] <= per["air"] + 1e-9).all()
    assert (d.site_cooling_periods.xs("air", level="design")["wue_l_per_kwh"] == 0).all()
    plan = siting.solve(sc, data_dir=data)
    assert list(plan.sites["cooling"]) == ["evaporative"]


def test_water_stress_proxy_by_hand():
    from siting.features.water import water_stress_class, water_stress_proxy

    # annual mean wet-bulb depression 10 °C → 1 (arid); 3 °C → 0; 6 °C → (6 − 3) / (9 − 3) = 0.5
    t = np.array([[25.0] * 12, [20.0] * 12, [16.0] * 12])
    wb = np.array([[15.0] * 12, [17.0] * 12, [10.0] * 12])
    assert water_stress_proxy(t, wb).tolist() == pytest.approx([1.0, 0.0, 0.5])
    assert water_stress_class([1.0, 0.0, 0.5]).tolist() == ["high", "low", "medium"]


def test_plan_reports_the_stress_proxy_and_says_it_is_not_aqueduct(data):
    plan = siting.solve(scenario(), data_dir=data)
    # tiny climate: depression 25 − 15 = 10 °C → proxy 1, "high"
    assert plan.sites["water_stress_proxy"].tolist() == [1.0]
    assert plan.sites["water_stress_class"].tolist() == ["high"]
    assert "NOT WRI Aqueduct" in plan.meta["water"]["stress_proxy_note"]
    assert plan.meta["water"]["cooling_designs"] == ["evaporative", "air"]


def test_bad_cooling_in_a_yaml_scenario_names_the_field(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\ndecision_year: 2026\nhorizon: {first_year: 2027, last_year: 2030}\n"
        "targets_it_mw: {2027: 100}\ncooling: [air, steam]\nwater: {cap_m3: 5}\n"
    )
    with pytest.raises(InputError) as err:
        siting.load_scenario(path)
    text = str(err.value)
    assert "cooling: unknown cooling design(s) ['steam']" in text
    assert "did you mean 'cap_m3_per_year_per_site'" in text

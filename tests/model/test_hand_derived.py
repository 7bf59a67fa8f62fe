"""Tiny scenarios whose optimum is derived by hand (constant 5 °C climate → PUE 1.07 everywhere)."""

import pytest
from tinydata import zone

import siting
from siting.results.check import check_plan

PUE = 1.0 + 0.045 + 0.025  # economiser-mode PUE of the evaporative design
R = 0.07
HOURS = 8760.0


def crf(r, n):
    return r / (1 - (1 + r) ** -n)


def df(t, base=2026):
    return (1 + R) ** -(t - base)


def scenario(**kw):
    base = dict(
        name="t",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2030},
        phase_mw=50,
        targets_it_mw={2027: 100},
        min_sites=0,
        power_options=["utility_tariff"],
        solver={"time_limit_seconds": 60, "mip_gap": 1e-6},
        time_steps={"quarterly_months": 0},  # yearly steps: the derivations below are per year
    )
    base.update(kw)
    return siting.Scenario(**base)


ZONES = [zone(1, "Early", 1.0, construction_cost_multiplier=1.2), zone(2, "Late", 4.0)]
EARLY_LATE_SITES = [
    {"site_id": "early", "name": "Early", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100},
    {"site_id": "late", "name": "Late", "lat": 35.0, "lon": -89.0, "zone_id": 2, "max_it_mw": 100},
]
EARLY_LATE_SUBS = [
    {"substation_id": 1, "lat": 35.0, "lon": -90.0, "zone_id": 1, "headroom_mw": 500},
    {"substation_id": 2, "lat": 35.0, "lon": -89.0, "zone_id": 2, "headroom_mw": 500},
]
TIE_IN_USD = 1.0 / 1.609344 * 1.0e6  # 1 km minimum tie-in at 1 M$/mile, route factor 1


def test_cheap_but_late_loses_to_expensive_but_early(tiny, tmp_path):
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    plan = siting.solve(scenario(), data_dir=data)
    assert plan.status == "optimal"
    assert list(plan.sites["site_id"]) == ["early"]
    assert plan.meta["shortfall_it_mw"] == {"2027": 0.0, "2028": 0.0, "2029": 0.0, "2030": 0.0}
    # by hand: 100 MW at 12,000 $/kW (zone multiplier 1.2) from 2027, O&M 100 $/kW-yr, grid energy at
    # 60 $/MWh for 100 MW × PUE × 8760 h, and the 1 km tie-in annuitised over 20 years
    annual = crf(R, 20) * 12_000e3 * 100 + 100e3 * 100 + 100 * PUE * HOURS * 60.0 + crf(R, 20) * TIE_IN_USD
    expected = sum(df(t) * annual for t in range(2027, 2031))
    assert plan.objective_usd == pytest.approx(expected, rel=1e-6)
    assert check_plan(plan.save(tmp_path / "plan")) == []


def test_cheap_but_late_wins_when_lost_compute_is_cheap(tiny):
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    # lost compute at 1.7 M$/MW-yr: above the late site's 1.61 M$/MW-yr all-in cost, below the early one's 1.80
    plan = siting.solve(scenario(value_of_lost_compute_usd_per_mw_year=1.7e6), data_dir=data)
    assert list(plan.sites["site_id"]) == ["late"]
    # the late zone's grid arrives in 2030 (decision 2026 + 4 years): short 100 MW in 2027–2029
    assert plan.meta["shortfall_it_mw"] == pytest.approx(
        {"2027": 100.0, "2028": 100.0, "2029": 100.0, "2030": 0.0}
    )
    annual_2030 = (
        crf(R, 20) * 10_000e3 * 100 + 100e3 * 100 + 100 * PUE * HOURS * 60.0 + crf(R, 20) * TIE_IN_USD
    )
    expected = df(2030) * annual_2030 + sum(df(t) * 1.7e6 * 100 for t in (2027, 2028, 2029))
    assert plan.objective_usd == pytest.approx(expected, rel=1e-6)


def test_budget_cap_forces_the_cheaper_late_site(tiny):
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    # early site overnight capex: 1.2 B$ + tie-in; late: 1.0 B$ + tie-in
    plan = siting.solve(scenario(budget_usd=1.1e9, phase_mw=100), data_dir=data)
    assert list(plan.sites["site_id"]) == ["late"]
    assert plan.meta["overnight_capex_usd"] <= 1.1e9
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(100.0)


def test_two_sites_split_one_substation_headroom(tiny, tmp_path):
    sites = [
        {"site_id": "a", "name": "A", "lat": 35.00, "lon": -90.0, "max_it_mw": 100},
        {"site_id": "b", "name": "B", "lat": 35.05, "lon": -90.0, "max_it_mw": 100},
    ]
    subs = [{"substation_id": 7, "lat": 35.02, "lon": -90.0, "headroom_mw": 150}]
    data = tiny(sites, subs)
    plan = siting.solve(scenario(phase_mw=10, targets_it_mw={2027: 200}), data_dir=data)
    # 150 MW of headroom carries floor(150 / 1.07 / 10) = 14 phases = 140 MW of IT across both sites
    assert sorted(plan.sites["site_id"]) == ["a", "b"]
    assert plan.meta["it_mw_online"]["2030"] == pytest.approx(140.0)
    assert plan.meta["shortfall_it_mw"]["2030"] == pytest.approx(60.0)
    assert plan.interconnections["capacity_mw"].sum() <= 150.0 + 1e-6
    assert set(plan.interconnections["substation_id"]) == {7}
    assert check_plan(plan.save(tmp_path / "plan")) == []


ONSITE_ONLY_ZONE = [dict(ZONES[1], zone_id=1, construction_cost_multiplier=1.0)]


def test_deadline_only_onsite_power_can_meet(tiny, tmp_path):
    sites = [{"site_id": "m", "name": "M", "lat": 35.0, "lon": -90.0}]
    subs = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
    data = tiny(sites, subs, zones=ONSITE_ONLY_ZONE)
    grid_only = siting.solve(scenario(), data_dir=data)
    assert grid_only.meta["shortfall_it_mw"] == pytest.approx(
        {"2027": 100.0, "2028": 100.0, "2029": 100.0, "2030": 0.0}
    )

    plan = siting.solve(scenario(power_options=["utility_tariff", "onsite_gas", "battery"]), data_dir=data)
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(0.0)
    cap = plan.capacity.set_index("year")
    assert cap.loc[2027, "grid_mw"] == pytest.approx(0.0)
    assert cap.loc[2027, "onsite_gas_mw"] >= 100 * PUE - 1e-6
    on = plan.timeline[plan.timeline["milestone"] == "commissioning"]  # on-site power ready
    assert len(on) == 2 and (on["end"] <= "2027-01-01").all()
    assert check_plan(plan.save(tmp_path / "plan")) == []


def test_carbon_cap_turns_gas_into_grid_plus_solar_ppa(tiny, tmp_path):
    sites = [{"site_id": "c", "name": "C", "lat": 35.0, "lon": -90.0}]
    subs = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
    data = tiny(sites, subs, zones=[ZONES[0]])
    kinds = ["utility_tariff", "onsite_gas", "solar_ppa"]
    free = siting.solve(scenario(power_options=kinds, targets_it_mw={2028: 100}), data_dir=data)
    # gas at 10 MMBtu/MWh × 3 $/MMBtu plus 2,000 $/kW beats a 60 $/MWh tariff: all on-site
    assert free.capacity["grid_mwh"].sum() == pytest.approx(0.0, abs=1e-3)
    assert not (free.contracts["kind"] == "solar_ppa").any()

    cap = 100_000.0
    plan = siting.solve(
        scenario(power_options=kinds, targets_it_mw={2028: 100}, carbon_cap_tco2_per_year=cap), data_dir=data
    )
    assert max(plan.meta["emissions_tco2"].values()) <= cap + 1e-3
    assert (plan.contracts["kind"] == "solar_ppa").any()
    assert plan.capacity.set_index("year").loc[2030, "grid_mwh"] > 0
    assert check_plan(plan.save(tmp_path / "plan")) == []


def test_representative_days_give_the_monthly_plan_in_a_constant_climate(tiny):
    """Hour weights of the tsam representative days sum to 8,760 h: same energy, same objective."""
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    monthly = siting.solve(scenario(), data_dir=data)
    rep = siting.solve(scenario(time_resolution={"kind": "representative_days", "n_days": 4}), data_dir=data)
    assert len(rep.context["inputs"].periods) == 4 * 24
    assert rep.context["inputs"].periods["hours"].sum() == pytest.approx(8760.0)
    assert list(rep.sites["site_id"]) == list(monthly.sites["site_id"])
    assert rep.objective_usd == pytest.approx(monthly.objective_usd, rel=1e-6)

"""Speed to power as it really happens: hand-derived plans for dates, tariffs, bridge power, caps,
batteries, circuits, the task graph and one definition of emissions (issue 7).

The tiny dataset (tests/tinydata.py) has a constant 5 °C climate (PUE 1.07 in every hour), IT utilisation
1, no land cost, 10,000 $/kW construction, 100 $/kW-yr O&M, 60 $/MWh flat tariffs, engines at
2,000 $/kW with 10 MMBtu/MWh at 3 $/MMBtu (30 $/MWh fuel, availability 1, no reserve margin).
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from tinydata import LINE_COSTS, POWER, zone

import siting
from siting.data.load import load_dataset
from siting.model.build import build_model
from siting.model.prepare import prepare_inputs
from siting.model.solve import solve_model
from siting.results.check import check_plan

PUE = 1.07
R = 0.07
SITE = [{"site_id": "m", "name": "M", "lat": 35.0, "lon": -90.0}]
SUB = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
TIE_IN_USD = 1.0 / 1.609344 * 1.0e6  # 1 km minimum tie-in at 1 M$/mile, route factor 1


def crf(r, n):
    return r / (1 - (1 + r) ** -n)


def scenario(**kw):
    base = dict(
        name="t",
        decision_date="2026-01-01",
        horizon={"first_year": 2026, "last_year": 2026},
        phase_mw=50,
        targets_it_mw={"2026-05-01": 100},
        min_sites=0,
        power_options=["utility_tariff"],
        solver={"time_limit_seconds": 60, "mip_gap": 1e-7},
    )
    base.update(kw)
    return siting.Scenario(**base)


def one_year_2027(**kw):
    """100 MW due on 1 January 2027, horizon 2027 only, yearly steps (derivations per year)."""
    base = dict(
        horizon={"first_year": 2027, "last_year": 2027},
        targets_it_mw={2027: 100},
        time_steps={"quarterly_months": 0},
    )
    return scenario(**{**base, **kw})


def _steps_by_start(plan):
    return pd.DataFrame(plan.meta["steps"]).set_index("start")


# ------------------------------------------------------------------------------------------------ 1 dates
def test_a_dated_target_is_met_on_its_date_and_costed_by_month(tiny, tmp_path):
    """Permit 0 + fit-out 4 months from 2026-01-01 = ready 2026-05-01, the target date; grid lead 0.

    By hand, with monthly steps (length = days/365 of a year, discounted from 1 Jan 2026 by day of year):
    May–Dec: IT annuity crf(20) × 10 M$/MW × 100 MW + O&M 100 k$/MW-yr × 100 MW, per year × step length,
    plus energy 100 MW × 1.07 × 24 h × days × 60 $/MWh, plus the 1 km tie-in's annuity: its lead time is 0
    but it is energized when the site can use it, on 1 May."""
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 0.0)])
    sc = scenario(
        time_steps={"monthly_months": 12},
        overrides={"permitting_lead_time_months": 0, "construction_lead_time_months": 4},
    )
    plan = siting.solve(sc, data_dir=data)
    steps = _steps_by_start(plan)
    assert list(steps.index[:5]) == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]
    assert steps.loc["2026-05-01", "it_mw_online"] == pytest.approx(100.0)
    assert steps["shortfall_it_mw"].max() == pytest.approx(0.0, abs=1e-6)
    assert plan.sites["first_online_date"].iloc[0] == "2026-05-01"
    energ = plan.timeline[plan.timeline["milestone"] == "energization"]
    assert set(energ["start"]) == {"2026-05-01"}

    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    start_doy = np.cumsum([0, *days[:-1]])
    expected = 0.0
    for m, (n, d0) in enumerate(zip(days, start_doy, strict=True), 1):
        df = (1 + R) ** -(d0 / 365)
        yrs = n / 365
        if m >= 5:
            expected += df * yrs * crf(R, 20) * TIE_IN_USD
            expected += df * (yrs * (crf(R, 20) * 10e6 * 100 + 100e3 * 100) + 100 * PUE * 24 * n * 60.0)
    assert plan.objective_usd == pytest.approx(expected, rel=1e-6)
    assert check_plan(plan.save(tmp_path / "plan")) == []


def test_yearly_steps_would_miss_the_dated_target(tiny):
    """The same case on yearly steps: nothing counts before 1 January 2027, so 2026 is short."""
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 0.0)])
    sc = scenario(
        horizon={"first_year": 2026, "last_year": 2027},
        targets_it_mw={2026: 0, 2027: 100},
        time_steps={"quarterly_months": 0},
        overrides={"permitting_lead_time_months": 0, "construction_lead_time_months": 4},
    )
    plan = siting.solve(sc, data_dir=data)
    assert plan.meta["it_mw_online"] == {"2026": 0.0, "2027": pytest.approx(100.0)}
    assert [s["start"] for s in plan.meta["steps"]] == ["2026-01-01", "2027-01-01"]


def test_target_keys_years_and_dates_and_decision_year_still_work():
    sc = siting.Scenario(
        name="k",
        decision_year=2026,
        horizon={"first_year": 2026, "last_year": 2030},
        targets_it_mw={2028: 100, "2026-05-01": 50},
    )
    assert sc.decision_date == dt.date(2026, 1, 1)
    assert list(sc.targets_it_mw) == [dt.date(2026, 5, 1), dt.date(2028, 1, 1)]
    assert sc.target_at(dt.date(2027, 6, 1)) == 50.0
    with pytest.raises(ValueError, match="neither a year"):
        siting.Scenario(
            name="k",
            decision_year=2026,
            horizon={"first_year": 2026, "last_year": 2030},
            targets_it_mw={"May 2026": 50},
        )


# ------------------------------------------------------------------------------------------------ 2, 3 tariffs, hand-over
HANDOVER_POWER = [
    {**POWER[0]},
    {**POWER[1], "fixed_om_usd_per_kw_year": 20.0, "salvage_fraction": 0.9},
    POWER[3],
]


def test_engines_hand_over_to_a_cheaper_take_or_pay_grid_when_it_arrives(tiny, tmp_path):
    """Grid lead 24 months, engines 6 months; target 100 MW from 2027. Tariff: 20 $/MWh energy (below the
    engines' 30 $/MWh fuel), 5 $/kW-month demand charge, 85 % minimum take for 12 years, standby 10.

    By hand: 2027 runs on engines (107 MW); from 1 Jan 2028 the grid (firm service, 107 MW = the peak)
    carries all 107 × 8760 MWh a year, above the 85 % minimum take, so nothing is paid for unused take.
    Selling the engines on 1 Jan 2028 returns 0.9 of their capex minus the 1 − crf(20)·a(4 y) ≈ 0.68 still
    owed after the horizon: +0.22 × capex, and saves their O&M, so they are sold then."""
    zones = [zone(1, "Z", 2.0)]
    tariff = [
        {
            "zone_id": 1,
            "energy_charge_usd_per_mwh": 20.0,
            "demand_charge_usd_per_kw_month": 5.0,
            "min_take_fraction": 0.85,
            "min_take_years": 12,
            "standby_charge_usd_per_kw_month": 10.0,
        }
    ]
    data = tiny(SITE, SUB, zones=zones, power=HANDOVER_POWER, tariffs=tariff)
    sc = scenario(
        decision_date="2026-01-01",
        horizon={"first_year": 2027, "last_year": 2031},
        targets_it_mw={2027: 100},
        time_steps={"quarterly_months": 0},
        power_options=["utility_tariff", "onsite_gas"],
    )
    plan = siting.solve(sc, data_dir=data)
    cap = plan.capacity.set_index("year")
    full = 100 * PUE * 8760
    assert cap.loc[2027, "onsite_mwh"] == pytest.approx(full, rel=1e-6)
    for y in range(2028, 2032):
        assert cap.loc[y, "grid_mwh"] == pytest.approx(full, rel=1e-6)
        assert cap.loc[y, "onsite_mwh"] == pytest.approx(0.0, abs=1e-3)
    link = plan.interconnections.iloc[0]
    assert link["firm_mw"] == pytest.approx(100 * PUE) and link["standby_mw"] == pytest.approx(0.0, abs=1e-6)
    engines = plan.contracts[plan.contracts["kind"] == "onsite_gas"]
    assert list(engines["end_reason"]) == ["sold"] and list(engines["end_date"]) == ["2028-01-01"]
    tariff_row = plan.contracts[plan.contracts["kind"] == "utility_tariff"].iloc[0]
    assert tariff_row["min_take_fraction"] == 0.85
    # demand charge: 5 $/kW-month × 12 × 1000 × 107 MW a year from 2028, discounted from 1 Jan 2026
    demand = sum((1 + R) ** -(y - 2026) * 5 * 12_000 * 100 * PUE for y in range(2028, 2032))
    assert plan.meta["costs_usd"]["grid_capacity"] == pytest.approx(demand, rel=1e-6)
    assert plan.meta["energy_share"]["grid"] == pytest.approx(4 / 5, rel=1e-6)
    assert plan.meta["energy_share"]["onsite"] == pytest.approx(1 / 5, rel=1e-6)
    assert check_plan(plan.save(tmp_path / "plan")) == []


def test_minimum_take_is_paid_even_when_the_grid_is_not_used(tiny):
    """Sunk engines (no capex or O&M: 30 $/MWh fuel) of 107 MW that count half for the peak (reserve
    margin 1): the grid must contract 107 − 53.5 = 53.5 MW of firm service. Energy 40 $/MWh with an
    85 % minimum take: the grid supplies exactly the 85 % × 53.5 MW × 8,760 h that is paid anyway (its
    marginal price is zero up to there, above the engines' 30 after), the engines the rest."""
    zones = [zone(1, "Z", 0.0)]
    tariff = [
        {
            "zone_id": 1,
            "energy_charge_usd_per_mwh": 40.0,
            "min_take_fraction": 0.85,
            "min_take_years": 12,
            "standby_charge_usd_per_kw_month": 50.0,
        }
    ]
    power = [POWER[0], {**POWER[1], "max_mw": 100 * PUE, "capex_usd_per_kw": 0.0}, POWER[3]]
    data = tiny(
        SITE, SUB, zones=zones, power=power, tariffs=tariff, costs={"onsite_reserve_margin": (1.0, "-")}
    )
    sc = one_year_2027(
        power_options=["utility_tariff", "onsite_gas"],
    )
    plan = siting.solve(sc, data_dir=data)
    cap = plan.capacity.set_index("year")
    firm = plan.interconnections["firm_mw"].sum()
    assert firm == pytest.approx(100 * PUE / 2)
    assert cap.loc[2027, "grid_mwh"] == pytest.approx(0.85 * firm * 8760, rel=1e-6)
    assert cap.loc[2027, "onsite_mwh"] == pytest.approx(100 * PUE * 8760 - 0.85 * firm * 8760, rel=1e-6)


# ------------------------------------------------------------------------------------------------ 3 caps
def test_onsite_cap_per_site_splits_the_load_over_two_sites(tiny):
    """Engines capped at 60 MW a site: 100 MW of IT (107 MW peak) needs two 50-MW sites (53.5 MW each)."""
    sites = [SITE[0], {"site_id": "n", "name": "N", "lat": 35.1, "lon": -90.0}]
    data = tiny(sites, SUB, zones=[zone(1, "Z", 10.0)])
    sc = one_year_2027(
        power_options=["utility_tariff", "onsite_gas"],
        onsite_limits={"recip": {"max_mw_per_site": 60}},
    )
    plan = siting.solve(sc, data_dir=data)
    assert sorted(plan.sites["site_id"]) == ["m", "n"]
    assert (plan.capacity["onsite_gas_mw"] <= 60 + 1e-6).all()
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(0.0)


def test_air_permit_nox_cap_limits_engine_energy(tiny):
    """NOx 1 kg/MWh and a 100 t/yr site permit: engines make at most 100,000 MWh a year; the grid the rest."""
    power = [POWER[0], {**POWER[1], "nox_kg_per_mwh": 1.0}, POWER[3]]
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 0.0, industrial_price_usd_per_mwh=200.0)], power=power)
    sc = one_year_2027(
        power_options=["utility_tariff", "onsite_gas"],
        air_permit={"max_nox_t_per_year_per_site": 100},
    )
    plan = siting.solve(sc, data_dir=data)
    cap = plan.capacity.set_index("year")
    assert cap.loc[2027, "onsite_mwh"] == pytest.approx(100_000.0, rel=1e-6)
    assert cap.loc[2027, "grid_mwh"] == pytest.approx(100 * PUE * 8760 - 100_000.0, rel=1e-6)


def test_national_supply_chain_cap_limits_engines(tiny):
    """60 MW of engines may be delivered nationally in 2026 and none in 2027: one 50-MW phase (53.5 MW of
    engines) is powered from 1 January 2027, the second is short for the whole year."""
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 10.0)])
    sc = scenario(
        horizon={"first_year": 2026, "last_year": 2027},
        targets_it_mw={2027: 100},
        power_options=["utility_tariff", "onsite_gas"],
        supply_chain={"recip": {2026: 60, 2027: 0}},
    )
    plan = siting.solve(sc, data_dir=data)
    steps = _steps_by_start(plan)
    assert steps.loc["2027-01-01":, "shortfall_it_mw"].tolist() == pytest.approx([50.0] * 4)
    assert plan.capacity.set_index("year").loc[2027, "onsite_gas_mw"] == pytest.approx(50 * PUE)


def test_no_gas_lateral_beyond_its_reach_means_no_engines(tiny):
    """A site 120 km from gas with laterals allowed up to 50 km cannot burn gas: grid only (late → short)."""
    sites = [{**SITE[0], "dist_gas_km": 120.0}]
    data = tiny(
        sites,
        SUB,
        zones=[zone(1, "Z", 2.0)],
        costs={"gas_lateral_usd_per_km": (1.0e6, "USD/km"), "gas_lateral_max_km": (50.0, "km")},
    )
    sc = scenario(
        horizon={"first_year": 2027, "last_year": 2028},
        targets_it_mw={2027: 100},
        time_steps={"quarterly_months": 0},
        power_options=["utility_tariff", "onsite_gas"],
    )
    plan = siting.solve(sc, data_dir=data)
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(100.0)
    assert not (plan.contracts["kind"] == "onsite_gas").any()


def test_gas_lateral_cost_is_per_km(tiny):
    """20 km at 1 M$/km (route factor 1), annuitised over the 20-year interconnection life, one year."""
    sites = [{**SITE[0], "dist_gas_km": 20.0}]
    data = tiny(
        sites,
        SUB,
        zones=[zone(1, "Z", 10.0)],
        costs={"gas_lateral_usd_per_km": (1.0e6, "USD/km"), "gas_lateral_max_km": (50.0, "km")},
    )
    sc = scenario(
        horizon={"first_year": 2027, "last_year": 2027},
        targets_it_mw={2027: 100},
        decision_date="2026-01-01",
        overrides={"permitting_lead_time_months": 0},
        time_steps={"quarterly_months": 0},
        power_options=["utility_tariff", "onsite_gas"],
    )
    plan = siting.solve(sc, data_dir=data)
    engines = 100 * PUE * 1000 * 2000 * crf(R, 20)
    lateral = 20e6 * crf(R, 20)
    assert plan.meta["costs_usd"]["onsite_generation"] == pytest.approx(
        (engines + lateral) / (1 + R), rel=1e-6
    )


# ------------------------------------------------------------------------------------------------ 4 batteries
def _battery_case(tiny, engines_max_mw: float):
    """Solved model: 100 MW of IT, engines capped at ``engines_max_mw``, a battery at 200 $/kW + 300 $/kWh,
    peak PUE 1.3 with a 0.2 design-day swing and a 10-hour peak window."""
    power = [
        POWER[0],
        POWER[1],
        {**POWER[2], "energy_capex_usd_per_kwh": 300.0, "capex_usd_per_kw": 200.0},
        POWER[3],
    ]
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 10.0)], power=power)
    sc = one_year_2027(
        power_options=["onsite_gas", "battery"],
        onsite_limits={"recip": {"max_mw_per_site": engines_max_mw}},
    )
    d = prepare_inputs(load_dataset(sc, data), sc)
    d.sites["pue_peak"], d.sites["pue_swing"], d.sites["peak_window_hours"] = 1.3, 0.2, 10.0
    m = build_model(d)
    return m, solve_model(m, 60, 1e-9)


def test_battery_firm_mw_follow_from_its_energy_over_the_peak_window(tiny):
    """Engines capped at 115 MW (firm 1.0): the 100-MW site's 130 MW peak needs 15 MW more, within the
    swing (0.2 × 100 = 20 MW), so a battery can carry it if it holds 15 MW × 10 h = 150 MWh. With energy at
    most 8 h of power, the cheapest battery is 18.75 MW / 150 MWh (a 4-h battery of 15 MW would count
    only 6 MW)."""
    m, res = _battery_case(tiny, 115)
    assert res.status == "optimal"
    t = m.T.last()
    assert m.shortfall_mw[t].value == pytest.approx(0.0, abs=1e-6)
    assert m.bat_firm_mw["m", t].value == pytest.approx(15.0)
    assert m.bat_mwh["m", "battery4h", t].value == pytest.approx(150.0)
    assert m.gen_mw["m", "battery4h", t].value == pytest.approx(18.75)


def test_battery_cannot_cover_more_than_the_daily_swing(tiny):
    """Engines capped at 105 MW: 25 MW are missing, more than the 20-MW swing a battery may shave, so one
    50-MW phase (65 MW peak) is short: 50 MW online."""
    m, _ = _battery_case(tiny, 105)
    assert m.shortfall_mw[m.T.last()].value == pytest.approx(50.0)


def test_battery_shifts_energy_with_its_efficiency_on_representative_days(tiny):
    """Representative days: over a day, discharged MWh = round-trip efficiency × charged MWh."""
    power = [POWER[0], POWER[1], {**POWER[2], "round_trip_efficiency": 0.81}, POWER[3]]
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 0.0)], power=power)
    sc = one_year_2027(
        power_options=["utility_tariff", "battery"],
        time_resolution={"kind": "representative_days", "n_days": 2},
    )
    d = prepare_inputs(load_dataset(sc, data), sc)
    m = build_model(d)
    m.bat_ch["m", "battery4h", 0, 1].setlb(1.0)  # force a cycle on the first representative day
    solve_model(m, 60, 1e-9)
    day0 = [p for p in d.periods.index if d.periods.at[p, "day"] == 0]
    ch = sum(m.bat_ch["m", "battery4h", 0, p].value for p in day0)
    dis = sum(m.bat_dis["m", "battery4h", 0, p].value for p in day0)
    assert ch >= 1.0 and dis == pytest.approx(0.81 * ch, rel=1e-6)


# ------------------------------------------------------------------------------------------------ 6 circuits
def test_several_circuits_and_connections_up_to_headroom(tiny, tmp_path):
    """Circuits of 120 MW: 200 MW of IT (214 MW peak) takes two circuits on one connection (cost 2 × the
    1 km tie-in); with headroom 150 at each of two substations, it takes one circuit at each."""
    lines = [{**r, "line_capacity_mw": 120.0} for r in LINE_COSTS]
    subs = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
    data = tiny(SITE, subs, zones=[zone(1, "Z", 0.0)], line_costs=lines)
    sc = scenario(
        horizon={"first_year": 2027, "last_year": 2027},
        targets_it_mw={2027: 200},
        time_steps={"quarterly_months": 0},
    )
    plan = siting.solve(sc, data_dir=data)
    link = plan.interconnections
    assert len(link) == 1 and int(link["circuits"].iloc[0]) == 2
    assert link["cost_usd"].iloc[0] == pytest.approx(2 * TIE_IN_USD)
    assert check_plan(plan.save(tmp_path / "one")) == []

    two = [
        {"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 150},
        {"substation_id": 2, "lat": 35.0, "lon": -90.001, "headroom_mw": 150},
    ]
    data2 = tiny(SITE, two, zones=[zone(1, "Z", 0.0)], line_costs=lines)
    plan2 = siting.solve(sc, data_dir=data2)
    assert sorted(plan2.interconnections["substation_id"]) == [1, 2]
    assert plan2.interconnections["capacity_mw"].sum() == pytest.approx(200 * PUE)
    assert (plan2.interconnections["capacity_mw"] <= 150 + 1e-6).all()
    assert check_plan(plan2.save(tmp_path / "two")) == []


# ------------------------------------------------------------------------------------------------ 7 task graph
def test_onsite_power_is_ready_at_the_latest_of_its_components(tiny, tmp_path):
    """Engines (6 months) and a battery (9 months) both present at energization: equipment is ordered
    9 months before it (the longer lead), every task starts after its predecessors end."""
    power = [POWER[0], {**POWER[1], "max_mw": 80.0}, {**POWER[2], "lead_time_years": 0.75}, POWER[3]]
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 10.0)], power=power, t2m_c=5.0)
    sc = scenario(
        horizon={"first_year": 2027, "last_year": 2027},
        targets_it_mw={2027: 50},
        time_steps={"quarterly_months": 0},
        power_options=["onsite_gas", "battery"],
    )
    d = prepare_inputs(load_dataset(sc, data), sc)
    d.sites["pue_swing"], d.sites["peak_window_hours"] = 0.5, 4.0
    m = build_model(d)
    m.gen_mw["m", "battery4h", m.T.last()].setlb(1.0)
    solve_model(m, 60, 1e-7)
    from siting.results import extract

    tab = extract.capacity_steps_table(m, d, ["m"])
    tl = extract.timeline_table(m, d, tab, extract.interconnection_table(m, d), ["m"])
    order = tl[tl["milestone"] == "equipment_order"]
    assert set(order["start"]) == {"2026-04-01"}  # 2027-01-01 − 9 months
    assert set(order["detail"]) == {"battery4h+recip"}
    ends = dict(zip(tl["task_id"], tl["end"], strict=True))
    for row in tl.itertuples():
        for dep in filter(None, row.depends_on.split(";")):
            assert row.start >= ends[dep], (row.task_id, dep)


# ------------------------------------------------------------------------------------------------ 8 emissions
def test_reported_emissions_are_the_capped_expression(tiny):
    """A binding carbon cap: the reported emissions of each year equal the cap (same expression)."""
    sites = [{"site_id": "c", "name": "C", "lat": 35.0, "lon": -90.0}]
    data = tiny(sites, SUB, zones=[zone(1, "Z", 1.0)])
    kinds = ["utility_tariff", "onsite_gas", "solar_ppa"]
    cap = 300_000.0
    sc = scenario(
        horizon={"first_year": 2028, "last_year": 2029},
        targets_it_mw={2028: 100},
        time_steps={"quarterly_months": 0},
        power_options=kinds,
        carbon_cap_tco2_per_year=cap,
    )
    plan = siting.solve(sc, data_dir=data)
    assert plan.meta["emissions_tco2"] == {"2028": pytest.approx(cap), "2029": pytest.approx(cap)}
    assert sum(s["emissions_tco2"] for s in plan.meta["steps"]) == pytest.approx(2 * cap)
    assert "grid MWh" in plan.meta["emissions_definition"]


def test_unused_standby_is_no_longer_free(tiny):
    """Sunk engines cover all the energy (30 $/MWh against a 60 $/MWh tariff) but count half for the peak
    (reserve margin 1): 53.5 MW of the 107 MW peak is contracted from the grid as standby at 4 $/kW-month
    (cheaper than a 10 $/kW-month demand charge), unused, and paid: 53.5 × 4 × 12,000 $ a year."""
    tariff = [{"zone_id": 1, "demand_charge_usd_per_kw_month": 10.0, "standby_charge_usd_per_kw_month": 4.0}]
    power = [POWER[0], {**POWER[1], "max_mw": 100 * PUE, "capex_usd_per_kw": 0.0}, POWER[3]]
    data = tiny(
        SITE,
        SUB,
        zones=[zone(1, "Z", 0.0)],
        power=power,
        tariffs=tariff,
        costs={"onsite_reserve_margin": (1.0, "-")},
    )
    sc = one_year_2027(
        power_options=["utility_tariff", "onsite_gas"],
    )
    plan = siting.solve(sc, data_dir=data)
    link = plan.interconnections.iloc[0]
    assert link["standby_mw"] == pytest.approx(100 * PUE / 2) and link["firm_mw"] == pytest.approx(
        0.0, abs=1e-6
    )
    assert plan.capacity["grid_mwh"].sum() == pytest.approx(0.0, abs=1e-3)
    assert plan.meta["costs_usd"]["grid_capacity"] == pytest.approx(53.5 * 4 * 12_000 / (1 + R), rel=1e-6)


def test_tranches_net_a_purchase_and_return_in_one_step():
    """Additions [0, 10, 5, 0] and retirements [0, 0, 5, 10]: the step-2 purchase and return net out, so
    one 10-MW tranche runs from step 1 and ends in step 3."""
    from siting.results.extract import _holdings

    assert _holdings([0, 10, 5, 0], [0, 0, 5, 10]) == [(1, 3, 10)]
    assert _holdings([4, 0, 6], [0, 2, 0]) == [(0, 1, 2), (0, None, 2), (2, None, 6)]


# ------------------------------------------------------------------------------------------------ 5 permitting
def test_permitting_months_from_the_smooth_rule_decide_the_ready_dates(tiny):
    """Two Tennessee sites (national base 9 months) at 10 and 386.1 people/km²: 9 × (1 + d/(d + 386.1)) =
    9.227 and 13.5 months, + 12 months of construction = ready 2027-10-08 and 2028-02-16, so online on the
    quarter starts 2028-01-01 and 2028-04-01. The 100 MW due on 2028-01-01 go to the first site; a site
    a little denser than the first would be ready within days of it, not half a year later."""
    from siting.features.permitting import permitting_lead_time_months

    months = permitting_lead_time_months(9.0, np.array([10.0, 386.1, 12.0]))
    assert months == pytest.approx([9 * (1 + 10 / 396.1), 13.5, 9 * (1 + 12 / 398.1)])
    assert months[2] - months[0] < 0.05  # 0.04 months: no cliff between neighbouring densities
    sites = [
        {**SITE[0], "population_density_per_km2": 10.0, "permitting_lead_time_years": months[0] / 12},
        {
            "site_id": "n",
            "name": "N",
            "lat": 35.1,
            "lon": -90.0,
            "population_density_per_km2": 386.1,
            "permitting_lead_time_years": months[1] / 12,
        },
    ]
    data = tiny(sites, SUB, zones=[zone(1, "Z", 0.0)])
    sc = scenario(
        horizon={"first_year": 2027, "last_year": 2028},
        targets_it_mw={"2028-01-01": 100},
        max_sites=1,
        time_steps={"quarterly_months": 36},
    )
    plan = siting.solve(sc, data_dir=data)
    cand = plan.candidates.set_index("site_id")
    assert cand.loc["m", "ready_date"] == "2027-10-08" and cand.loc["n", "ready_date"] == "2028-02-16"
    assert list(plan.sites["site_id"]) == ["m"]
    assert _steps_by_start(plan).loc["2028-01-01", "shortfall_it_mw"] == pytest.approx(0.0, abs=1e-6)

"""Hourly (24/7) and annual clean-energy matching (issue 8 point 1), derived by hand.

One 100 MW site in a constant 5 °C climate: facility load L = 100 MW × utilization 1 × PUE 1.07 = 107 MW in
every hour. The solar PPA's capacity factor is replaced by a square profile (1 from 06:00 to 17:59, 0 at
night: half the hours of every representative day), the firm clean PPA is flat at 0.9. Net PPA costs are the
strike minus the 30 USD/MWh wholesale price: 20 USD/MWh for solar (50), 80 for firm (110).
"""

import numpy as np
import pandas as pd
import pytest
from tinydata import LATENCY_SUBS, LATENCY_ZONES, POWER, zone

import siting
from siting.cli import clean_and_water_text
from siting.data.load import load_dataset
from siting.errors import InputError
from siting.model.build import build_model
from siting.model.prepare import prepare_inputs
from siting.model.solve import solve_model
from siting.results.check import check_plan
from siting.results.clean_energy import clean_energy_summary, matched_mwh

L_MW = 100.0 * 1.07
FIRM = {
    "option_id": "firm",
    "kind": "firm_clean_ppa",
    "name": "firm clean PPA",
    "price_usd_per_mwh": 110.0,
    "capacity_factor": 0.9,
    "lead_time_years": 1.0,
    "max_mw": 1000.0,
    "contract_years": 20,
}
SITE = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100}]


def scenario(clean: dict, options=("utility_tariff", "solar_ppa", "firm_clean_ppa")) -> siting.Scenario:
    return siting.Scenario(
        name="cfe",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2028},
        phase_mw=50,
        targets_it_mw={2027: 100},
        power_options=list(options),
        time_resolution={"kind": "representative_days", "n_days": 2},
        time_steps={"quarterly_months": 0},
        clean_energy=clean,
        solver={"time_limit_seconds": 60, "mip_gap": 1e-7, "warm_start_sites": 0},
    )


def solve_square_solar(tiny, clean: dict):
    """Solve the case with the square solar profile; returns (ppa MW by option in 2027, plan.json section)."""
    data = tiny(SITE, LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1], power=[*POWER, FIRM])
    sc = scenario(clean)
    d = prepare_inputs(load_dataset(sc, data), sc)
    hour = d.periods["hour"].reindex(d.contract_cf.index.get_level_values("period")).to_numpy()
    solar = d.contract_cf.index.get_level_values("option_id") == "solar"
    d.contract_cf.loc[solar, "cf"] = np.where((hour[solar] >= 6) & (hour[solar] < 18), 1.0, 0.0)
    assert float(d.site_periods["pue"].min()) == pytest.approx(1.07) == float(d.site_periods["pue"].max())
    m = build_model(d)
    result = solve_model(m, time_limit_seconds=60, mip_gap=1e-7, seed=1)
    assert result.status == "optimal"
    t = d.first_step_of_year(2027)
    mw = {k: m.ppa_mw[k, 1, t].value for k in ("solar", "firm")}
    return mw, clean_energy_summary(m, d)["by_year"]["2027"]


def test_annual_matching_reaches_100_percent_while_hourly_stays_at_half(tiny):
    """Annual target 1: solar MW × 0.5 × 8,760 h = L × 8,760 h, so 2 L = 214 MW of solar (cheaper than firm)
    covers the year's volume, but at night nothing is matched: the hourly CFE is 12 h / 24 h = 0.5."""
    mw, cfe = solve_square_solar(tiny, {"matching": "annual", "target_fraction": 1.0})
    assert mw["solar"] == pytest.approx(2 * L_MW, rel=1e-6) and mw["firm"] == pytest.approx(0.0, abs=1e-6)
    assert cfe["cfe_annual_fraction"] == pytest.approx(1.0, rel=1e-6)
    assert cfe["cfe_hourly_fraction"] == pytest.approx(0.5, rel=1e-6)
    assert cfe["consumed_mwh"] == pytest.approx(L_MW * 8760.0, rel=1e-6)


def test_hourly_target_buys_firm_clean_power_for_the_night(tiny):
    """Hourly target 0.75: with a = 0.9 × firm MW and b = solar MW (a + b ≤ L), matched = (a + b) by day
    + a by night ≥ 1.5 L, cost ∝ 10 b + 80 a (20 USD × half the hours, 80 USD × every hour). With
    b = 1.5 L − 2a the cost is 15 L + 60 a, least at a = 0.5 L: firm = 0.5 × 107 / 0.9 = 59.44 MW and
    solar = 53.5 MW. Annual matching meets the same 0.75 with solar alone: 1.5 L = 160.5 MW, hourly CFE 0.5."""
    mw, cfe = solve_square_solar(tiny, {"matching": "hourly", "target_fraction": 0.75})
    assert mw["firm"] == pytest.approx(0.5 * L_MW / 0.9, rel=1e-6)
    assert mw["solar"] == pytest.approx(0.5 * L_MW, rel=1e-6)
    assert cfe["cfe_hourly_fraction"] == pytest.approx(0.75, rel=1e-6)
    mw, cfe = solve_square_solar(tiny, {"matching": "annual", "target_fraction": 0.75})
    assert mw["solar"] == pytest.approx(1.5 * L_MW, rel=1e-6) and mw["firm"] == pytest.approx(0.0, abs=1e-6)
    assert cfe["cfe_hourly_fraction"] == pytest.approx(0.5, rel=1e-6)


def test_matched_mwh_along_deliverable_links_by_hand():
    """Zone 0 produces 10 and 0 MWh in two hours and buys 4 and 6; zone 1 produces 5 and 5, buys 8 and 1.
    Own zones only: min → [[4, 0], [5, 1]]. With zone 0's contracts also deliverable to zone 1: hour 1 —
    zone 0's surplus 6 covers zone 1's missing 3, so zone 1 gets 8; hour 2 — nothing left in zone 0 and zone
    1 is covered already, and zone 1's contracts do not reach zone 0: [[4, 0], [8, 1]]."""
    produced = np.array([[10.0, 0.0], [5.0, 5.0]])
    bought = np.array([[4.0, 6.0], [8.0, 1.0]])
    own = [(0, 0), (1, 1)]
    assert matched_mwh(produced, bought, own) == pytest.approx(np.array([[4.0, 0.0], [5.0, 1.0]]))
    assert matched_mwh(produced, bought, [*own, (0, 1)]) == pytest.approx(np.array([[4.0, 0.0], [8.0, 1.0]]))
    # among flows matching the most, a zone's own contracts come first: zone 0 produces 10 MWh and both zones
    # buy 10; the 10 could go to either zone, and go to zone 0's own purchases
    produced, bought = np.array([[10.0], [0.0]]), np.array([[10.0], [10.0]])
    assert matched_mwh(produced, bought, [*own, (0, 1), (1, 0)]) == pytest.approx(np.array([[10.0], [0.0]]))


def test_deliverable_from_adds_links(tiny):
    """Two zones with a site each: claims follow each zone's own contracts, plus zone 2's into zone 1 once
    ``deliverable_from: {1: [2]}`` lists it (YAML-style integer ids are read as text and matched)."""
    zones = [zone(1, "One", 1.0), zone(2, "Two", 1.0)]
    sites = [*SITE, {"site_id": "b", "name": "B", "lat": 35.5, "lon": -89.0, "zone_id": 2, "max_it_mw": 50}]
    subs = [
        *LATENCY_SUBS[:1],
        {"substation_id": 2, "lat": 35.5, "lon": -89.0, "zone_id": 2, "headroom_mw": 0},
    ]
    data = tiny(sites, subs, zones=zones, power=POWER)
    base = scenario({"matching": "annual", "target_fraction": 0.5}, options=("utility_tariff", "solar_ppa"))
    base = base.model_copy(update={"max_sites": 1})
    d = prepare_inputs(load_dataset(base, data), base)
    assert d.clean_links == [(1, 1), (2, 2)]
    linked = base.model_copy(
        update={"clean_energy": siting.scenario.CleanEnergy(target_fraction=0.5, deliverable_from={1: [2]})}
    )
    d = prepare_inputs(load_dataset(linked, data), linked)
    assert d.clean_links == [(1, 1), (2, 1), (2, 2)]


def test_hourly_matching_needs_representative_days():
    with pytest.raises((InputError, ValueError), match="representative_days"):
        siting.Scenario(
            name="x",
            decision_year=2026,
            horizon={"first_year": 2027, "last_year": 2028},
            targets_it_mw={2027: 100},
            clean_energy={"matching": "hourly"},
        )


def test_unknown_deliverable_zone_is_explained(tiny):
    data = tiny(SITE, LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1])
    sc = scenario({"deliverable_from": {1: [99]}})
    with pytest.raises(InputError, match="zone '99'") as err:
        prepare_inputs(load_dataset(sc, data), sc)
    assert "zone_id values" in str(err.value)


def test_plans_record_cfe_by_year_and_site(tiny, tmp_path):
    """plan.json carries the clean_energy section (matching rule, definition, by year and by site)."""
    data = tiny(SITE, LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1], power=[*POWER, FIRM])
    plan = siting.solve(scenario({"matching": "hourly", "target_fraction": 0.5}), data_dir=data)
    ce = plan.meta["clean_energy"]
    assert ce["matching"] == "hourly" and ce["target_fraction"] == 0.5
    assert set(ce["by_year"]) == {"2027", "2028"}
    assert all(v["cfe_hourly_fraction"] >= 0.5 - 1e-6 for v in ce["by_year"].values())
    rows = pd.DataFrame(ce["by_site_year"])
    assert list(rows["site_id"].unique()) == ["a"]
    assert (rows["cfe_annual_fraction"] >= rows["cfe_hourly_fraction"] - 1e-9).all()
    # dispatch.csv's clean_matched_mw is the hourly numerator: Σ hours × MW per year = matched_hourly_mwh
    dp = plan.dispatch
    by_year = (dp["hours"] * dp["clean_matched_mw"]).groupby(dp["year"]).sum()
    for r in rows.itertuples():
        assert by_year[r.year] == pytest.approx(r.matched_hourly_mwh, rel=1e-6)
    out = plan.save(tmp_path / "plan")
    assert check_plan(out) == []
    edited = pd.read_csv(out / "dispatch.csv")
    edited.loc[0, "clean_matched_mw"] = edited.loc[0, "grid_mw"] + 5.0
    edited.to_csv(out / "dispatch.csv", index=False)
    assert any("clean_matched_mw exceeds grid_mw" in p for p in check_plan(out))


def test_cli_summary_line_names_the_last_year_and_the_target():
    """`siting solve` prints the last year's CFE (and water against its cap) under the energy shares."""
    meta = {
        "clean_energy": {
            "matching": "hourly",
            "target_fraction": 0.8,
            "by_year": {
                "2031": {"cfe_hourly_fraction": 0.79, "cfe_annual_fraction": 0.9},
                "2032": {"cfe_hourly_fraction": 0.8, "cfe_annual_fraction": 0.807},
            },
        },
        "water": {"total_m3": {"2032": 1234.4}, "cap_m3_per_year_per_site": 250000.0},
    }
    assert clean_and_water_text(meta) == (
        "clean energy in 2032 (hourly target 80 %): hourly 80 %, annual 81 % · "
        "water in 2032: 1,234 m3 (cap 250,000 m3 per site)"
    )
    monthly = {
        "clean_energy": {
            "matching": "annual",
            "target_fraction": None,
            "by_year": {"2030": {"cfe_hourly_fraction": None, "cfe_annual_fraction": 0.0}},
        }
    }
    assert clean_and_water_text(monthly) == "clean energy in 2030: hourly –, annual 0 %"
    assert clean_and_water_text({}) == ""


def test_zone_scope_makes_every_zone_meet_the_target_on_its_own(tiny):
    """Two 100 MW sites (L = 107 MW each) in two zones, monthly resolution, annual matching, target 0.5.
    Solar nets 20 USD/MWh in zone 1 (wholesale 30) but 40 in zone 2 (wholesale 10). Portfolio scope: zone
    1's site is matched in full (0.5 × 2 L = L, all its grid MWh), with solar MW = L × 8,760 h / E₁ in zone 1
    (E_z = Σ_p h_p cf_p of zone z's solar, h/yr) and none in zone 2. Zone scope: each zone matches 0.5 L on
    its own: 0.5 L × 8,760 / E_z in each."""
    zones = [zone(1, "One", 1.0), zone(2, "Two", 1.0, wholesale_price_usd_per_mwh=10.0)]
    sites = [*SITE, {"site_id": "b", "name": "B", "lat": 35.0, "lon": -89.5, "zone_id": 2, "max_it_mw": 100}]
    subs = [
        *LATENCY_SUBS[:1],
        {"substation_id": 2, "lat": 35.0, "lon": -89.5, "zone_id": 2, "headroom_mw": 500},
    ]
    data = tiny(sites, subs, zones=zones, power=POWER)
    mw = {}
    for scope in ("portfolio", "zone"):
        sc = siting.Scenario(
            name="scope",
            decision_year=2026,
            horizon={"first_year": 2027, "last_year": 2028},
            phase_mw=50,
            targets_it_mw={2027: 200},
            power_options=["utility_tariff", "solar_ppa"],
            time_steps={"quarterly_months": 0},
            clean_energy={"target_fraction": 0.5, "scope": scope},
            solver={"time_limit_seconds": 60, "mip_gap": 1e-7, "warm_start_sites": 0},
        )
        d = prepare_inputs(load_dataset(sc, data), sc)
        m = build_model(d)
        assert solve_model(m, time_limit_seconds=60, mip_gap=1e-7, seed=1).status == "optimal"
        t = d.first_step_of_year(2027)
        mw[scope] = {z: m.ppa_mw["solar", z, t].value for z in (1, 2)}
    e = {z: float((d.periods["hours"] * d.contract_cf.xs(("solar", z))["cf"]).sum()) for z in (1, 2)}
    assert mw["portfolio"][1] == pytest.approx(L_MW * 8760.0 / e[1], rel=1e-6)
    assert mw["portfolio"][2] == pytest.approx(0.0, abs=1e-6)
    assert mw["zone"] == pytest.approx({z: 0.5 * L_MW * 8760.0 / e[z] for z in (1, 2)}, rel=1e-6)

"""Two-stage SAA against interconnection delays (``siting.solve_robust``) on cases derived by hand.

The tiny dataset (tests/tinydata.py): constant 5 °C climate (PUE 1.07), IT utilisation 1, no land cost,
10,000 $/kW construction (20-year annuity), 100 $/kW-yr O&M, a 1-km tie-in at 1 M$/mile (20-year
annuity), engines at 2,000 $/kW (20 years, no O&M, no salvage, availability 1, no reserve margin) burning
30 $/MWh of fuel, a flat 20 $/MWh tariff. Discount rate 7 % from the 1 January 2026 decision; value of
lost compute 10 M$ per MW-year (the scenario default).

The case: one site ``m`` ready on 1 January 2027 (no permit, one year of construction), 100 MW due from
1 January 2027, horizon 2027–2028 in yearly steps, 50-MW phases, the site must hold 100 MW (min_sites 1,
site_min_it_mw 100). The grid's model lead time is 12 months (ready 1 January 2027), engines 6 months.
"""

import numpy as np
import pandas as pd
import pytest
from tinydata import zone
from typer.testing import CliRunner

import siting
from siting.analysis.robust import (
    FIRST_STAGE,
    build_extensive_form,
    delayed_inputs,
    sample_lead_times,
    solve_robust,
)
from siting.cli import app
from siting.data.delays import delay_distributions_by_zone
from siting.data.load import load_dataset
from siting.model.prepare import prepare_inputs
from siting.results.check import check_plan

PUE = 1.07
R = 0.07
H = 8760.0
VOLC = 10.0e6
SITE = [{"site_id": "m", "name": "M", "lat": 35.0, "lon": -90.0}]
SUB = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
TIE_IN_USD = 1.0 / 1.609344 * 1.0e6
SMALL = "models/tennessee_small.yaml"
#: zone 1's lead time for the out-of-sample evaluation: median on time (12 months), P90 two years
DIST = pd.DataFrame(
    {"iso": ["TVA"], "distribution": ["lognormal"], "p50_months": [12.0], "p90_months": [24.0]},
    index=pd.Index([1], name="zone_id"),
)


def crf(r: float, n: int) -> float:
    return r / (1 - (1 + r) ** -n)


def year_cost(it_mw: float, engines_mw: float, grid_mwh: float, engine_mwh: float, tie_in: bool) -> float:
    """Undiscounted cost of one year (USD): IT annuity and O&M, engine annuity (kept once bought), energy,
    fuel and the tie-in's annuity once it is energized."""
    it = it_mw * (crf(R, 20) * 10_000e3 + 100e3)
    engines = engines_mw * crf(R, 20) * 2_000e3
    return it + engines + 20.0 * grid_mwh + 30.0 * engine_mwh + (crf(R, 20) * TIE_IN_USD if tie_in else 0.0)


def _case(tiny):
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 1.0, industrial_price_usd_per_mwh=20.0)])
    sc = siting.Scenario(
        name="hedge",
        decision_date="2026-01-01",
        horizon={"first_year": 2027, "last_year": 2028},
        targets_it_mw={2027: 100},
        time_steps={"quarterly_months": 0},
        phase_mw=50,
        site_min_it_mw=100,
        min_sites=1,
        power_options=["utility_tariff", "onsite_gas"],
        overrides={"permitting_lead_time_months": 0},
        solver={"time_limit_seconds": 60, "mip_gap": 1e-7},
    )
    return sc, load_dataset(sc, data)


def _engine_mw(plan: siting.BuildPlan) -> float:
    c = plan.contracts
    return float(c.loc[c["kind"] == "onsite_gas", "mw"].sum())


def test_two_equally_likely_delays_buy_bridge_engines_the_nominal_plan_does_not(tiny, tmp_path):
    """Two scenarios, weight ½ each: the grid on time (12 months) or a year late (24 months: 2028).

    By hand (df₁ = 1.07⁻¹ for 2027, df₂ = 1.07⁻² for 2028; full = 100 MW × 1.07 × 8,760 h):

    * nominal plan (grid on time for sure): 100 MW on the grid from 2027, no engines:
      df₁ Y(100, 0, full, 0, tie-in) + df₂ Y(same).
    * SAA without engines: the late scenario has no IT in 2027 and pays 100 MW × 1 yr × 10 M$ = 1 B$ of
      shortfall: ½ [nominal + df₁ × 1 B$ + df₂ Y(100, 0, full, 0, tie-in)].
    * SAA with 107 MW of engines bought for 2027 (first stage, so paid in both scenarios and kept: a sale
      returns nothing while the annuity runs on): on time, the engines stand idle (20 < 30 $/MWh); late,
      they carry 2027 on fuel and the grid takes over in 2028:
      ½ [df₁ Y(100, 107, full, 0, tie-in) + df₂ Y(100, 107, full, 0, tie-in)]
      + ½ [df₁ Y(100, 107, 0, full, none) + df₂ Y(100, 107, full, 0, tie-in)] — 0.37 B$ less, so the
      SAA orders the engines.
    * hedged plan (engines held, grid on time) = the on-time scenario's cost; hedge cost = the engines'
      annuity over both years, (df₁ + df₂) × 107 MW × crf(7 %, 20) × 2 M$/MW.
    * out of sample (lead ~ lognormal, P50 12, P90 24 months): the hedged plan's 107 MW of engines serve
      the 100 MW whatever the grid does (extra shortfall 0 in every sample); the nominal plan loses IT
      whenever the grid is late (about half the samples).
    """
    sc, ds = _case(tiny)
    conn = pd.MultiIndex.from_tuples([("m", 1)], names=["site_id", "substation_id"])
    leads = pd.DataFrame([[12.0], [24.0]], index=pd.RangeIndex(2, name="scenario"), columns=conn)
    res = solve_robust(sc, lead_times=leads, distributions=DIST, dataset=ds, eval_samples=400, eval_seed=3)

    d1, d2 = 1 / (1 + R), 1 / (1 + R) ** 2
    full = 100 * PUE * H
    nominal = d1 * year_cost(100, 0, full, 0, True) + d2 * year_cost(100, 0, full, 0, True)
    on_time = d1 * year_cost(100, 107, full, 0, True) + d2 * year_cost(100, 107, full, 0, True)
    late = d1 * year_cost(100, 107, 0, full, False) + d2 * year_cost(100, 107, full, 0, True)
    without = 0.5 * (nominal + d1 * 100 * VOLC + d2 * year_cost(100, 0, full, 0, True))
    assert 0.5 * (on_time + late) == pytest.approx(without - 369e6, abs=1e6)

    assert res.nominal.objective_usd == pytest.approx(nominal, rel=1e-6)
    assert _engine_mw(res.nominal) == pytest.approx(0.0, abs=1e-6)
    assert res.meta["objective_usd"] == pytest.approx(0.5 * (on_time + late), rel=1e-6)
    assert res.meta["scenario_objectives_usd"] == pytest.approx([on_time, late], rel=1e-6)
    assert _engine_mw(res.plan) == pytest.approx(100 * PUE, rel=1e-6)
    assert res.plan.objective_usd == pytest.approx(on_time, rel=1e-6)
    hedge = (d1 + d2) * 107 * crf(R, 20) * 2_000e3
    assert res.meta["hedge_cost_usd"] == pytest.approx(hedge, rel=1e-6)

    cmp = res.comparison
    assert cmp.at["planned_cost_usd", "change"] == pytest.approx(hedge, rel=1e-6)
    assert cmp.at["mean_extra_cost_pv_usd", "hedged"] == pytest.approx(0.0, abs=1e-3)
    assert cmp.at["p90_extra_shortfall_mw_years", "hedged"] == pytest.approx(0.0, abs=1e-9)
    assert cmp.at["mean_extra_cost_pv_usd", "nominal"] > 1e8
    assert res.meta["buys"]["mean_extra_cost_pv_usd"] == pytest.approx(
        cmp.at["mean_extra_cost_pv_usd", "nominal"]
    )

    out = res.save(tmp_path / "robust")
    assert check_plan(out / "plan") == [] and check_plan(out / "nominal") == []
    saved = pd.read_csv(out / "comparison.csv", index_col="metric")
    assert saved.loc["planned_cost_usd", "change"] == pytest.approx(hedge, rel=1e-6)
    assert list(pd.read_csv(out / "lead_times.csv")["delay_months"].round(6)) == [
        0.0,
        pytest.approx(12.0, abs=0.05),
    ]


def test_delayed_inputs_move_the_ready_date_and_never_bring_it_forward(tiny):
    """Nominal ready 2027-01-01 (step 0). A 24-month lead → 2028-01-01, step 1; 30 months → 2028-07-01,
    after the last step's start (step 2 = none in the horizon); 6 months would be 2026-07-01, before the
    nominal date, so it stays 2027-01-01 (delays floored at 0). The model copy is untouched."""
    sc, ds = _case(tiny)
    d = prepare_inputs(ds, sc)
    conn = ("m", 1)
    for months, date, step in ((24.0, "2028-01-01", 1), (30.0, "2028-07-01", 2), (6.0, "2027-01-01", 0)):
        c = delayed_inputs(d, pd.Series({conn: months})).connections.loc[conn]
        assert (str(c["ready_date"].date()), int(c["first_step"])) == (date, step)
    assert str(d.connections.loc[conn, "ready_date"].date()) == "2027-01-01"


def test_one_scenario_without_delay_reproduces_the_deterministic_plan():
    """K = 1 and a fixed 1-month lead time everywhere (P90 = P50), which is before every connection's
    model ready date, so nothing moves: the extensive form is the deterministic model plus
    non-anticipativity rows that tie nothing. Its objective, and the hedged plan's, equal
    ``siting.solve``'s (tennessee_small); hedge cost 0, and the evaluation is identical for both plans."""
    sc = siting.load_scenario(SMALL)
    ds = load_dataset(sc)
    dist = delay_distributions_by_zone(zones=ds.zones).assign(p50_months=1.0, p90_months=1.0)
    res = solve_robust(sc, n_scenarios=1, seed=7, distributions=dist, dataset=ds, eval_samples=50)
    assert res.meta["objective_usd"] == pytest.approx(res.nominal.objective_usd, rel=1e-7)
    assert res.plan.objective_usd == pytest.approx(res.nominal.objective_usd, rel=1e-7)
    assert (res.lead_times["delay_months"] == 0).all()
    assert res.comparison["change"].abs().max() == pytest.approx(0.0, abs=1e-3)
    assert res.meta["model_size"]["integer_variables"] == res.nominal.meta["model_size"]["integer_variables"]


def test_a_fixed_seed_gives_the_same_result_and_another_seed_other_scenarios(tiny):
    """Three sampled scenarios (lognormal, P50 12 / P90 24 months) twice with seed 5: identical lead times,
    objective, comparison and hedged plan; seed 6 samples other lead times."""
    sc, ds = _case(tiny)
    runs = [
        solve_robust(sc, n_scenarios=3, seed=5, distributions=DIST, dataset=ds, eval_samples=200)
        for _ in range(2)
    ]
    a, b = runs
    pd.testing.assert_frame_equal(a.lead_times, b.lead_times)
    pd.testing.assert_frame_equal(a.comparison, b.comparison)
    pd.testing.assert_frame_equal(a.plan.contracts, b.plan.contracts)
    assert a.meta["objective_usd"] == b.meta["objective_usd"]
    assert a.meta["eval_seed"] == 6
    d = prepare_inputs(ds, sc)
    assert not np.allclose(sample_lead_times(d, 3, 5, DIST), sample_lead_times(d, 3, 6, DIST))
    pd.testing.assert_frame_equal(sample_lead_times(d, 3, 5, DIST), sample_lead_times(d, 3, 5, DIST))


@pytest.mark.parametrize("cooling", ["evaporative", ["evaporative", "air"]])
def test_first_stage_variables_are_tied_across_scenarios(tiny, cooling):
    """Two scenarios: one non-anticipativity row per free first-stage variable entry (scenario 1 = 0),
    including each site's cooling design when the scenario offers several (one site × two designs)."""
    sc, ds = _case(tiny)
    sc = sc.model_copy(update={"cooling": cooling})
    d = prepare_inputs(ds, sc)
    leads = sample_lead_times(d, 2, 1, DIST)
    top = build_extensive_form(d, leads)
    b0 = top.scenario_0
    present = [b0.component(n) for n in FIRST_STAGE if b0.component(n) is not None]
    free = sum(1 for var in present for v in var.values() if not v.fixed)
    assert len(top.non_anticipativity) == free
    assert (b0.component("cool") is not None) == isinstance(cooling, list)
    if isinstance(cooling, list):
        assert len(b0.cool) == 2
    assert not top.scenario_0.objective.active and top.objective.active


def test_cli_robust_prints_and_writes_the_comparison(tmp_path):
    """``siting robust tennessee_small --scenarios 2 --seed 1 --out DIR``: exit 0, the comparison table
    printed, DIR/comparison.csv and two plan directories; a second run without --force is refused."""
    out = tmp_path / "robust"
    args = ["robust", SMALL, "--scenarios", "2", "--seed", "1", "--eval-samples", "100", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "hedge cost" in result.output and "planned cost" in result.output
    assert set(pd.read_csv(out / "comparison.csv").columns) == {"metric", "nominal", "hedged", "change"}
    assert check_plan(out / "plan") == []
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "not empty" in again.output

"""The cost–time–carbon frontier (``siting.pareto``) on a one-site case whose points are derived by hand.

The tiny dataset (tests/tinydata.py): constant 5 °C climate (PUE 1.07), IT utilisation 1, no land cost,
10,000 $/kW construction (20-year annuity), 100 $/kW-yr O&M, a 1-km tie-in at 1 M$/mile, engines at
2,000 $/kW (20 years, no O&M, no salvage) burning 30 $/MWh of fuel at 530.6 kg/MWh, a flat 20 $/MWh
tariff at 500 kg/MWh. Discount rate 7 % from the 1 January 2026 decision.

The case: one site, ready on 1 January 2027 (no permit, one year of construction); 100 MW due on
1 January 2027; horizon 2027–2028 in yearly steps; 50-MW phases; the site must hold 100 MW by 2028
(min_sites 1, site_min_it_mw 100). The grid arrives on 1 January 2028 (2-year lead), engines in 6 months.
"""

import pandas as pd
import pytest
from tinydata import zone

import siting
from siting.analysis.pareto import flag_dominated, pareto
from siting.data.load import load_dataset
from siting.results.check import check_plan
from siting.results.plan import PlanExistsError

PUE = 1.07
R = 0.07
H = 8760.0
SITE = [{"site_id": "m", "name": "M", "lat": 35.0, "lon": -90.0}]
SUB = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
TIE_IN_USD = 1.0 / 1.609344 * 1.0e6


def crf(r: float, n: int) -> float:
    return r / (1 - (1 + r) ** -n)


def year_cost(it_mw: float, engines_mw: float, grid_mwh: float, engine_mwh: float, tie_in: bool) -> float:
    """Undiscounted cost of one year (USD): IT annuity and O&M, engine annuity (kept once bought), energy,
    fuel and the tie-in's annuity once it is energized."""
    it = it_mw * (crf(R, 20) * 10_000e3 + 100e3)
    engines = engines_mw * crf(R, 20) * 2_000e3
    return it + engines + 20.0 * grid_mwh + 30.0 * engine_mwh + (crf(R, 20) * TIE_IN_USD if tie_in else 0.0)


def test_cost_time_frontier_and_carbon_among_the_earliest_plans_by_hand(tiny, tmp_path):
    """By hand (df = 1.07^-1 for 2027, 1.07^-2 for 2028):

    * min cost — nothing in 2027, 100 MW on the grid (107 MW) from 2028: time to power 100 MW × 1 yr =
      100 MW·yr; cost df₂ × (IT 100 + grid 107 × 8,760 MWh + tie-in). (Engines in 2028 would cost
      20.2 M$ of annuity + 28.1 M$ of fuel against 18.8 M$ of grid energy.)
    * min time_to_power — 100 MW in 2027 on 107 MW of engines, the grid from 2028 (20 < 30 $/MWh), the
      engines kept (scrapping them returns nothing and the annuity runs on): 0 MW·yr;
      cost df₁ × (IT 100 + engines 107 + fuel 107 × 8,760) + df₂ × (IT 100 + engines 107 + grid + tie-in).
    * the interior point (3 points: limit 50 MW·yr, halfway) — 50 MW in 2027 on 53.5 MW of engines,
      100 MW on the grid from 2028: 50 MW·yr, and its cost lies between: cost falls as the limit loosens.
    * cost–carbon among the earliest plans (time held at 0): 2027 must run on engines and the grid is
      both cheaper and cleaner in 2028, so both anchors are the min-time plan: carbon 107 × 8,760 ×
      (0.5306 + 0.5) t, no interior point, and the second anchor is flagged as a tie (dominated).
    """
    data = tiny(SITE, SUB, zones=[zone(1, "Z", 2.0, industrial_price_usd_per_mwh=20.0)])
    sc = siting.Scenario(
        name="frontier",
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
    seen = []
    table = pareto(
        sc, points=3, out=tmp_path / "frontier", dataset=load_dataset(sc, data), progress=seen.append
    )
    # each solve that reaches HiGHS's callbacks reports, named (one solved in presolve may not)
    stages = {p.stage.split(":")[0] for p in seen}
    assert "min cost" in stages and "solve 2, min time_to_power" in stages and len(stages) >= 4
    assert all(p.stage.endswith(("full model", "warm start")) for p in seen)

    d1, d2 = 1 / (1 + R), 1 / (1 + R) ** 2
    full = 100 * PUE * H
    cost_a = d2 * year_cost(100, 0, full, 0, True)
    cost_b = d1 * year_cost(100, 100 * PUE, 0, full, False) + d2 * year_cost(100, 100 * PUE, full, 0, True)
    cost_c = d1 * year_cost(50, 50 * PUE, 0, full / 2, False) + d2 * year_cost(100, 50 * PUE, full, 0, True)

    time = table[table["frontier"] == "cost–time_to_power"].set_index("role")
    assert time.loc["min cost", "cost_usd"] == pytest.approx(cost_a, rel=1e-6)
    assert time.loc["min cost", "time_to_power_mw_yr"] == pytest.approx(100.0, abs=1e-6)
    assert time.loc["min time_to_power", "cost_usd"] == pytest.approx(cost_b, rel=1e-6)
    assert time.loc["min time_to_power", "time_to_power_mw_yr"] == pytest.approx(0.0, abs=1e-6)
    assert time.loc["interior", "cost_usd"] == pytest.approx(cost_c, rel=1e-6)
    assert time.loc["interior", "time_to_power_mw_yr"] == pytest.approx(50.0, abs=1e-6)
    by_time = time.sort_values("time_to_power_mw_yr")
    assert by_time["cost_usd"].is_monotonic_decreasing and not by_time["dominated"].any()

    carbon = table[table["frontier"] == "cost–carbon"]
    assert list(carbon["role"]) == ["min cost", "min carbon"]
    assert carbon["carbon_tco2"].to_numpy() == pytest.approx([full * (0.5306 + 0.5)] * 2, rel=1e-6)
    assert list(carbon["dominated"]) == [False, True]

    out = tmp_path / "frontier"
    assert pd.read_csv(out / "frontier.csv")["point"].tolist() == list(range(len(table)))
    assert (out / "frontier.png").stat().st_size > 0
    assert check_plan(table.loc[1, "plan_dir"]) == []


def test_dominated_and_tied_points_are_flagged():
    """Frontier cost–time: (10, 0) and (5, 10) are both non-dominated; (12, 0) is dominated by (10, 0);
    (5, 10 + 1e-9) ties with (5, 10) (the first is kept). On cost–carbon only cost and carbon count:
    (cost 10, carbon 1) dominates (cost 20, carbon 1) although the latter has less time to power."""
    rows = [
        ("cost–time_to_power", 10.0, 0.0, 0.0),
        ("cost–time_to_power", 5.0, 10.0, 0.0),
        ("cost–time_to_power", 12.0, 0.0, 0.0),
        ("cost–time_to_power", 5.0, 10.0 + 1e-9, 0.0),
        ("cost–carbon", 10.0, 99.0, 1.0),
        ("cost–carbon", 20.0, 0.0, 1.0),
    ]
    table = pd.DataFrame(rows, columns=["frontier", "cost_usd", "time_to_power_mw_yr", "carbon_tco2"])
    flags = flag_dominated(table, ["cost", "time_to_power", "carbon"])
    assert flags.tolist() == [False, False, True, True, False, True]


def test_bad_objectives_and_a_foreign_output_directory_are_refused_before_any_solve(tmp_path):
    """Nothing is loaded or solved (the scenario file does not even exist) before these checks."""
    with pytest.raises(siting.InputError, match="distinct"):
        pareto("no-such-file.yaml", objectives=("cost", "speed"))
    with pytest.raises(siting.InputError, match="points"):
        pareto("no-such-file.yaml", points=1)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(PlanExistsError, match="not empty"):
        pareto("no-such-file.yaml", out=tmp_path)
    with pytest.raises(PlanExistsError, match="no frontier.csv"):
        pareto("no-such-file.yaml", out=tmp_path, overwrite=True)
    assert (tmp_path / "notes.txt").read_text() == "mine"

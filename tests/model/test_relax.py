"""The bound pass (issue 9, speed): the model with the periods of each step averaged is a relaxation, so
its LP bound can prove the warm-start plan without solving the full model."""

from pathlib import Path

import pandas as pd
import pytest
from test_hand_derived import EARLY_LATE_SITES, EARLY_LATE_SUBS, ZONES, scenario

import siting
from siting import api
from siting.model import solve as solve_mod
from siting.model.relax import aggregation_blockers, period_aggregated_inputs
from siting.model.solve import SolveResult, _with_bound, _within_gap

MODELS = Path(__file__).resolve().parents[2] / "models"
#: hours of the months of a non-leap year (h)
MONTH_HOURS = [744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744]


def test_periods_are_averaged_by_their_hours_within_each_step(tiny):
    """Yearly steps, monthly periods. With PUE 1 + 0.01 × month in month 1…12, the 2027 step's PUE is
    1 + 0.01 × Σ month × hours / 8,760 = 1 + 0.01 × (744 × 46 + 672 × 2 + 720 × 30) / 8,760
    = 1 + 0.01 × 57,168 / 8,760 = 1.065260; its hours are 8,760, in one period numbered like the step."""
    d = siting.validate(scenario(), data_dir=tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)).inputs
    month = d.site_periods.index.get_level_values("period").to_numpy()
    d.site_periods = d.site_periods.assign(pue=1.0 + 0.01 * month)
    assert d.step_periods.loc[0, "hours"].tolist() == MONTH_HOURS
    a = period_aggregated_inputs(d)
    assert a.step_periods.loc[(0, 0), "hours"] == 8760.0
    assert list(a.step_periods.index) == [(t, t) for t in d.steps.index]
    assert a.site_periods.loc[("early", 0), "pue"] == pytest.approx(1 + 0.01 * 57_168 / 8_760)
    assert list(a.periods.index) == list(d.steps.index) and (a.periods["hours"] >= 8760).all()
    assert len(d.step_periods) == 12 * len(d.steps)  # the input is not changed
    assert aggregation_blockers(d) == []


def test_what_averaging_cannot_relax(tiny):
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    rep = siting.validate(
        scenario(time_resolution={"kind": "representative_days", "n_days": 2}), data_dir=data
    )
    assert "representative hours: batteries dispatch hour by hour" in aggregation_blockers(rep.inputs)
    d = siting.validate(scenario(), data_dir=data).inputs
    rate = d.zone_periods["grid_co2_t_per_mwh"]
    d.zone_periods = d.zone_periods.assign(
        grid_co2_t_per_mwh=rate * (rate.index.get_level_values("period") % 2)
    )
    assert aggregation_blockers(d) == ["the grid CO2 rate varies between the periods of a step"]


@pytest.fixture(scope="module")
def tennessee_optimum():
    """tennessee_small solved without the bound pass: 1,377.46 M USD, proven optimal (gap 0)."""
    plan = siting.solve(MODELS / "tennessee_small.yaml", warm_start_sites=4, period_bound=False)
    assert plan.meta["mip_gap"] == pytest.approx(0.0, abs=1e-9)
    return plan.objective_usd


def test_the_bound_pass_proves_a_plan_within_the_gap(tennessee_optimum):
    """tennessee_small (12 sites) with a warm start over 4: that plan costs 1,397.65 M USD; the averaged
    model's LP bound is 1,373.54 M, 1.76 % below it. At a 2 % gap the bound pass proves the warm-start plan
    and the full model is not solved; the bound is below the true optimum (1,377.46 M), as a relaxation's
    must be."""
    plan = siting.solve(MODELS / "tennessee_small.yaml", warm_start_sites=4, mip_gap=0.02)
    bound = plan.meta["solver"]["bound_pass"]
    assert bound["proved"] is True and plan.status == "optimal"
    assert plan.objective_usd == pytest.approx(plan.meta["solver"]["warm_start_objective_usd"], rel=1e-12)
    assert plan.meta["best_bound_usd"] == bound["bound_usd"] <= tennessee_optimum
    assert plan.meta["mip_gap"] == pytest.approx(1 - bound["bound_usd"] / plan.objective_usd) and (
        plan.meta["mip_gap"] <= 0.02
    )
    assert bound["bound_usd"] == pytest.approx(1_373.54e6, rel=1e-5)


def test_a_bound_pass_that_cannot_prove_leaves_the_full_solve(tennessee_optimum):
    """At the scenario's 0.1 % gap the same bound (1.76 % below the warm-start plan) proves nothing: the
    full model is solved and gives its optimum, as without the bound pass."""
    plan = siting.solve(MODELS / "tennessee_small.yaml", warm_start_sites=4)
    assert plan.meta["solver"]["bound_pass"]["proved"] is False
    assert plan.objective_usd == pytest.approx(tennessee_optimum, rel=1e-9)
    off = siting.solve(MODELS / "tennessee_small.yaml", warm_start_sites=4, period_bound=False)
    assert (
        off.meta["solver"]["bound_pass"] is None and off.meta["timings_seconds"]["bound_pass_seconds"] == 0.0
    )
    assert isinstance(plan.meta["timings_seconds"]["bound_pass_seconds"], float)
    assert pd.notna(plan.meta["best_bound_usd"])


def test_a_plan_within_the_gap_of_the_bound_pass_is_optimal():
    """Gap = (objective − bound) / objective: (100 − 99.6) / 100 = 0.4 % ≤ 0.5 %, (100 − 99.4) / 100 = 0.6 %
    > 0.5 %; unknown (NaN, HiGHS's infinity) is never within. A plan stopped at the time limit with HiGHS's
    bound at 98 (2 %) is optimal against a bound pass at 99.6 (0.4 %), which it then reports; a better
    HiGHS bound (99.9) is kept."""
    assert _within_gap(100.0, 99.6, 0.005) and not _within_gap(100.0, 99.4, 0.005)
    assert not _within_gap(100.0, float("nan"), 0.005) and not _within_gap(1e300, 99.0, 0.005)
    size = {"variables": 1, "integer_variables": 0, "constraints": 1, "nonzeros": 1}
    stopped = SolveResult("feasible", "maxTimeLimit", 100.0, 98.0, 0.02, 1.0, size, "1.15.1")
    proved = _with_bound(stopped, 99.6, 0.005)
    assert (proved.status, proved.termination) == ("optimal", "convergenceCriteriaSatisfied")
    assert proved.best_bound_usd == 99.6 and proved.mip_gap == pytest.approx(0.004)
    better = SolveResult("optimal", "convergenceCriteriaSatisfied", 100.0, 99.9, 0.001, 1.0, size, "1.15.1")
    assert _with_bound(better, 99.6, 0.005).best_bound_usd == 99.9
    assert _with_bound(stopped, float("nan"), 0.005) is stopped


def test_no_bound_pass_above_the_size_where_it_costs_more_than_it_saves(monkeypatch):
    """With the limit lowered to 5 sites, tennessee_small's 12 sites get no bound pass (the full solve
    alone, with the same optimum)."""
    monkeypatch.setattr(api, "PERIOD_BOUND_MAX_SITES", 5)
    plan = siting.solve(MODELS / "tennessee_small.yaml", warm_start_sites=4)
    assert plan.meta["solver"]["bound_pass"] is None and plan.status == "optimal"


def test_the_bound_model_is_built_while_the_warm_start_runs(monkeypatch):
    """The bound pass runs beside the warm start: its model is built after HiGHS has started the warm
    start and before anything waits for it, and two HiGHS runs are then waited for together. The plan is
    the one the two passes in turn gave (test above: proved at 2 %, bound 1,373.54 M USD)."""
    events = []
    running, build = solve_mod._Running, api._bound_model

    def recorded_run(h):
        events.append("highs started")
        return running(h)

    def recorded_wait(runs):
        events.append(f"wait for {len(runs)}")
        return wait(runs)

    def recorded_build(d, sc):
        builder = build(d, sc)
        return None if builder is None else lambda: (events.append("bound model built"), builder())[1]

    wait = solve_mod._wait
    monkeypatch.setattr(solve_mod, "_Running", recorded_run)
    monkeypatch.setattr(solve_mod, "_wait", recorded_wait)
    monkeypatch.setattr(api, "_bound_model", recorded_build)
    plan = siting.solve(MODELS / "tennessee_small.yaml", warm_start_sites=4, mip_gap=0.02)
    assert events == ["highs started", "bound model built", "highs started", "wait for 2"]
    assert plan.meta["solver"]["bound_pass"]["proved"] is True
    assert plan.meta["solver"]["bound_pass"]["bound_usd"] == pytest.approx(1_373.54e6, rel=1e-5)

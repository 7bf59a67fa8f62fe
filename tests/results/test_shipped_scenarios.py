"""Every shipped scenario solves, and every plan it writes satisfies the plan-format invariants."""

from pathlib import Path

import pytest

import siting
from siting.results.check import check_plan

MODELS = sorted((Path(__file__).resolve().parents[2] / "models").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_shipped_scenario_solves_and_plan_is_consistent(path, tmp_path):
    plan = siting.solve(path)
    assert plan.status in ("optimal", "feasible")
    assert plan.meta["mip_gap"] <= plan.meta["solver"]["mip_gap_target"] + 1e-9 or plan.status == "feasible"
    out = plan.save(tmp_path / path.stem)
    assert check_plan(out) == []
    reread = siting.BuildPlan.load(out)
    assert reread.meta["objective_usd"] == pytest.approx(plan.objective_usd)
    assert len(reread.capacity) == len(plan.capacity)


def test_model_list_is_not_empty():
    assert {p.stem for p in MODELS} >= {"us_1gw_2030", "memphis_300mw_fast", "tennessee_small"}

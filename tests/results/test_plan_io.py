"""Plan directories are written completely or not at all; the checker catches broken plans."""

import json

import pandas as pd
import pytest

import siting
from siting.results.check import check_plan


@pytest.fixture(scope="module")
def small_plan():
    return siting.solve("models/tennessee_small.yaml")


def test_save_is_all_or_nothing(small_plan, tmp_path):
    out = small_plan.save(tmp_path / "plan")
    before = sorted(p.name for p in out.iterdir())

    def broken(path):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        small_plan.save(tmp_path / "plan", extra_files={"map.html": broken}, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == before  # the previous plan is untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plan")]  # no temp dirs left

    with pytest.raises(RuntimeError):
        small_plan.save(tmp_path / "fresh", extra_files={"map.html": broken})
    assert not (tmp_path / "fresh").exists()


def test_checker_flags_inconsistent_plans(small_plan, tmp_path):
    out = small_plan.save(tmp_path / "plan")
    assert check_plan(out) == []
    cap = pd.read_csv(out / "capacity.csv")
    cap.loc[cap["it_mw"] > 0, "grid_mw"] = 0.0
    cap.loc[cap["it_mw"] > 0, "onsite_mw"] = 0.0
    cap.to_csv(out / "capacity.csv", index=False)
    meta = json.loads((out / "plan.json").read_text())
    meta["costs_usd"]["construction"] += 1e6
    (out / "plan.json").write_text(json.dumps(meta))
    problems = check_plan(out)
    assert any("facility_mw" in p for p in problems)
    assert any("sum of costs_usd" in p for p in problems)


def test_determinism(small_plan):
    again = siting.solve("models/tennessee_small.yaml")
    assert again.objective_usd == small_plan.objective_usd
    pd.testing.assert_frame_equal(again.capacity, small_plan.capacity)

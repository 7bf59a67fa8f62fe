"""dispatch.csv: average MW by source per site, step and climate period (issue 8, point 5).

Numbers by hand in tests/dispatch_case.py: 107 MW of facility load, 32.2716 MW of engines (the carbon cap),
74.7284 MW of grid in every period of 2027, at monthly and at representative-day resolution.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from dispatch_case import GAS_MW, GRID_MW, HOURS, LOAD_MW, REP_DAYS, scenario, write_data

import siting
from siting.results.check import check_plan
from siting.results.extract import allocate_ppa_output
from siting.results.plan import BuildPlan

MW = ["facility_load_mw", "grid_mw", "onsite_mw", "battery_discharge_mw", "battery_charge_mw", "ppa_clean_mw"]


@pytest.fixture(scope="module", params=[0, REP_DAYS], ids=["monthly", "representative_days"])
def saved(request, tmp_path_factory):
    """The case solved at one resolution and saved: (plan, plan directory, representative days or 0)."""
    base = tmp_path_factory.mktemp(f"dispatch{request.param}")
    plan = siting.solve(scenario(request.param), data_dir=write_data(base / "data"))
    assert plan.status == "optimal"
    return plan, plan.save(base / "plan"), request.param


def test_one_row_per_period_with_the_hand_derived_mw(saved):
    """12 monthly periods or 24 × 3 representative hours, each 107 = 74.7284 grid + 32.2716 engines; the
    hours are those of 2027 (8,760)."""
    plan, _, days = saved
    dp = plan.dispatch
    n_periods = 24 * days if days else 12
    assert ((dp["day"] >= 0) == bool(days)).all()
    assert len(dp) == n_periods and set(dp["site_id"]) == {"m"} and set(dp["year"]) == {2027}
    assert dp["hours"].sum() == pytest.approx(HOURS)
    assert dp["facility_load_mw"].to_numpy() == pytest.approx(np.full(n_periods, LOAD_MW), rel=1e-6)
    assert dp["onsite_recip_mw"].to_numpy() == pytest.approx(np.full(n_periods, GAS_MW), rel=1e-5)
    assert dp["grid_mw"].to_numpy() == pytest.approx(np.full(n_periods, GRID_MW), rel=1e-5)
    assert (dp[MW] >= 0).all().all()


def test_dispatch_energy_is_the_plans_yearly_energy(saved):
    """Σ hours × MW over the year = capacity.csv grid_mwh (74.7284 × 8,760 = 654,621 MWh) and onsite_mwh
    (the 282,699 MWh the cap allows); the PPA's contracted output = the grid MWh it is claimed against
    = the contracts' annual_mwh."""
    plan, _, _ = saved
    dp, cap = plan.dispatch, plan.capacity.set_index("year")
    energy = dp[MW].mul(dp["hours"], axis=0).sum()
    assert energy["grid_mw"] == pytest.approx(cap.at[2027, "grid_mwh"], rel=1e-9)
    assert energy["onsite_mw"] == pytest.approx(cap.at[2027, "onsite_mwh"], rel=1e-9)
    assert energy["grid_mw"] == pytest.approx(GRID_MW * HOURS, rel=1e-5)
    assert energy["onsite_mw"] == pytest.approx(150_000.0 / 0.5306, rel=1e-5)
    ppa = plan.contracts[plan.contracts["kind"] == "solar_ppa"]
    assert energy["ppa_clean_mw"] == pytest.approx(ppa["annual_mwh"].sum(), rel=1e-6)
    assert energy["ppa_clean_mw"] == pytest.approx(energy["grid_mw"], rel=1e-5)


def test_saved_dispatch_is_hashed_loaded_and_checked(saved):
    """dispatch.csv is written, listed in files_sha256, read back by BuildPlan.load; the plan checks clean."""
    plan, out, _ = saved
    meta = json.loads((out / "plan.json").read_text())
    assert (out / "dispatch.csv").exists() and "dispatch.csv" in meta["files_sha256"]
    loaded = BuildPlan.load(out)
    assert list(loaded.dispatch.columns) == list(plan.dispatch.columns)
    assert loaded.dispatch["grid_mw"].to_numpy() == pytest.approx(plan.dispatch["grid_mw"].to_numpy())
    assert check_plan(out) == []


def test_check_catches_a_tampered_dispatch_row(saved, tmp_path):
    """+5 MW of grid in one row: the file's sha256, the row's energy balance and the step's grid MWh break."""
    _, out, _ = saved
    copy = tmp_path / "plan"
    copy.mkdir()
    for f in out.iterdir():
        copy.joinpath(f.name).write_bytes(f.read_bytes())
    dp = pd.read_csv(copy / "dispatch.csv")
    dp.loc[1, "grid_mw"] += 5.0
    dp.to_csv(copy / "dispatch.csv", index=False, float_format="%.6f")
    problems = check_plan(copy)
    assert any("dispatch.csv was changed" in p for p in problems)
    assert any("period" in p and "energy balance broken" in p for p in problems)
    assert any("Σ hours × grid_mw" in p and "grid_mwh" in p for p in problems)


def test_ppa_output_is_shared_pro_rata_to_grid_then_load():
    """Zone 1 contracts 30 MW in period 1 and 8 MW in period 2. Period 1: grid 10 and 20 MW → 10 and 20.
    Period 2: no grid, loads 1 and 3 MW → 8 × 1/4 = 2 and 8 × 3/4 = 6. Zone 2 (site c) contracts nothing."""
    dp = pd.DataFrame(
        {
            "site_id": ["a", "b", "a", "b", "c"],
            "step": [0, 0, 0, 0, 0],
            "period": [1, 1, 2, 2, 1],
            "grid_mw": [10.0, 20.0, 0.0, 0.0, 5.0],
            "facility_load_mw": [10.0, 20.0, 1.0, 3.0, 5.0],
        }
    )
    zone_mw = pd.Series({(1, 0, 1): 30.0, (1, 0, 2): 8.0})
    got = allocate_ppa_output(dp, zone_mw, pd.Series({"a": 1, "b": 1, "c": 2}))
    assert got == pytest.approx([10.0, 20.0, 2.0, 6.0, 0.0])

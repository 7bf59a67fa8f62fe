"""The scale benchmark's site generator (benchmarks/scale_sites.py) and its growth-rate arithmetic."""

import argparse
import signal
import sys

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import bench_scale  # noqa: E402
import scale_sites  # noqa: E402

from siting.data.load import load_dataset  # noqa: E402
from siting.scenario import load_scenario  # noqa: E402


@pytest.fixture(scope="module")
def layers():
    return scale_sites.load_layers()


@pytest.fixture(scope="module")
def sites20(layers):
    return scale_sites.scale_sites(20, seed=7, dataset=layers)


def test_twenty_distinct_valid_sites_inside_the_contiguous_us(layers, sites20):
    """20 sites, 20 ids and 20 locations; each point lies in the state outline it names; attributes are in
    their valid ranges (zone of zones.csv; 100–3,000 buildable acres: a 3,000-acre parcel less the land
    cover; at most 2,000 IT MW; permitting 0–240 months)."""
    s = sites20
    assert len(s) == 20
    assert s["site_id"].nunique() == 20
    assert len(set(zip(s["lat"].round(6), s["lon"].round(6), strict=True))) == 20
    states = layers.states.set_index("state")
    for _, row in s.iterrows():
        assert shapely.contains_xy(states.loc[row["state"]].geometry, row["lon"], row["lat"])
    assert s["zone_id"].isin(layers.zones.index).all()
    assert s["buildable_acres"].between(100.0, 3000.0 + 1e-6).all()
    assert ((s["max_it_mw"] > 0) & (s["max_it_mw"] <= 2000.0)).all()
    assert s["permitting_lead_time_months"].between(0.0, 240.0).all()
    assert (s["market"] == "greenfield").all()


def test_same_seed_gives_the_same_sites_and_another_seed_other_sites(layers, sites20):
    again = scale_sites.scale_sites(20, seed=7, dataset=layers)
    pd.testing.assert_frame_equal(pd.DataFrame(again), pd.DataFrame(sites20))
    other = scale_sites.scale_sites(20, seed=8, dataset=layers)
    assert not np.allclose(other["lat"].to_numpy(), sites20["lat"].to_numpy())


def test_the_written_case_loads_its_sites_over_ten_monthly_years(tmp_path, layers, sites20):
    """The scenario keeps us_1gw_2030 (first year 2027) over 10 years: 2027–2036, monthly resolution,
    and the loader reads exactly the 20 generated sites from the user candidate_sites layer."""
    path = scale_sites.write_scale_case(20, tmp_path, seed=7, time_limit_seconds=42.0, dataset=layers)
    scenario = load_scenario(path)
    assert scenario.horizon.years == list(range(2027, 2037))
    assert scenario.time_resolution.kind == "monthly"
    assert scenario.solver.time_limit_seconds == 42.0 and scenario.solver.threads == 1
    loaded = load_dataset(scenario).candidate_sites
    assert sorted(loaded.index) == sorted(sites20["site_id"])


def test_loglog_slope():
    """y ∝ N^b through (100, 1) and (1,000, 100): b = log(100) / log(10) = 2; undefined for y = 0."""
    assert bench_scale.loglog_slope(100, 1.0, 1000, 100.0) == pytest.approx(2.0)
    assert bench_scale.loglog_slope(100, 5.0, 1000, 5.0) == pytest.approx(0.0)
    assert np.isnan(bench_scale.loglog_slope(100, 0.0, 1000, 5.0))


def test_a_size_that_runs_out_of_memory_is_a_row_not_a_crash(tmp_path, layers):
    """Under a 0.25 GiB address-space cap the child cannot import siting: ``measure`` still returns the
    size's row, with a failure status and stage "start" (nothing measured). How the child dies under
    RLIMIT_AS varies (a MemoryError, a refused shared-library mapping, once even a KeyboardInterrupt), so the
    exact status is pinned by the next test, on the classifier alone."""
    args = argparse.Namespace(seed=0, time_limit=30.0, memory_gib=0.25, wall_limit=120.0, screen=0)
    row = bench_scale.measure(20, tmp_path, args, layers)
    assert row["candidates"] == 20 and row["stage"] == "start"
    assert row["status"] not in ("optimal", "feasible", "time limit")


def test_outcome_names_memory_time_and_signals():
    """What the child's end says: a MemoryError or a refused mapping in its stderr → "out of memory"; killed
    at the wall limit → "time limit"; a signal → "killed (SIGKILL)"; otherwise the exit code."""
    exit1 = 1 << 8  # wait status of exit code 1
    assert bench_scale._outcome({"stage": "load"}, exit1, False, "... MemoryError") == "out of memory"
    log = "ImportError: x.so: failed to map segment from shared object"
    assert bench_scale._outcome({"stage": "start"}, exit1, False, log) == "out of memory"
    assert bench_scale._outcome({"stage": "solve"}, exit1, True, "") == "time limit"
    assert bench_scale._outcome({"stage": "build_model"}, signal.SIGKILL, False, "") == "killed (SIGKILL)"
    assert bench_scale._outcome({"stage": "load"}, exit1, False, "ValueError") == "error (exit 1)"
    assert bench_scale._outcome({"stage": "done", "status": "optimal"}, 0, False, "") == "optimal"


def test_memory_extrapolates_on_a_line_and_the_csv_reads_back(tmp_path):
    """1 GiB at 100 and 4 GiB at 1,000 candidates: 1/300 GiB per candidate, so 4 + 9,000/300 = 34 GiB at
    10,000. A written table reads back with the same numbers and texts."""
    assert bench_scale.linear_extrapolation(100, 1.0, 1000, 4.0, 10000) == pytest.approx(34.0)
    row = {k: float("nan") for k in bench_scale.COLUMNS}
    row |= {"candidates": 100, "status": "optimal", "stage": "done", "build_s": 5.5, "peak_gib": 0.8}
    bench_scale.write_csv([row], tmp_path / "t.csv")
    (back,) = bench_scale.read_csv(tmp_path / "t.csv")
    assert back["candidates"] == 100 and back["status"] == "optimal" and back["stage"] == "done"
    assert back["build_s"] == 5.5 and back["peak_gib"] == 0.8 and np.isnan(back["solve_s"])


def test_growth_report_extrapolates_a_size_that_was_not_built():
    """Build 40 s at 1,000 and 60 s at 2,000 candidates: 0.02 s per candidate, so 60 + 8,000 × 0.02 =
    220 s at 10,000; log-log slope of the build log2(60 / 40) = 0.58; the solve stopped at its limit."""
    nan = float("nan")
    base = {k: nan for k in bench_scale.COLUMNS}
    small = base | {"candidates": 1000, "status": "time limit", "build_s": 40.0, "handoff_s": 20.0}
    small |= {"solve_s": 600.0, "variables": 1000.0, "nonzeros": 4000.0, "peak_gib": 3.0}
    large = small | {"candidates": 2000, "build_s": 60.0, "handoff_s": 40.0, "variables": 2000.0}
    large |= {"nonzeros": 8000.0, "peak_gib": 5.0}
    oom = base | {"candidates": 10000, "status": "out of memory", "peak_gib": 6.4}
    text = bench_scale.growth_report([small, large, oom])
    assert "build_s N^0.58" in text
    assert "build 220 s" in text and "hand-off 200 s" in text and "peak memory 21.0 GiB" in text
    assert "10,000 variables" in text and "over 600 s" in text

"""Sweeps on dask.distributed (issue 9.2): the same table as a serial loop, reruns that skip finished
cases, failed cases recorded, stable case ids.

The tiny dataset (tests/tinydata.py): one site in a zone whose grid connection takes 1 year, constant
5 °C climate (PUE 1.07), 10,000 $/kW construction, 100 $/kW-yr O&M, a flat 60 $/MWh tariff, a 1 km
tie-in at 1 M$/mile. 100 MW are due on 1 January 2027; yearly steps 2027–2030, 7 % discount rate.
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client, LocalCluster
from tinydata import zone
from typer.testing import CliRunner

import siting
from siting import api
from siting.analysis.sweep import apply_overrides, case_id, expand_variations
from siting.cli import app
from siting.results.check import check_plan

SMALL = Path(__file__).resolve().parents[2] / "models" / "tennessee_small.yaml"
PUE = 1.07
R = 0.07
HOURS = 8760.0
TIE_IN_USD = 1.0 / 1.609344 * 1.0e6
SITES = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "zone_id": 1, "max_it_mw": 100}]
SUBS = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "zone_id": 1, "headroom_mw": 500}]
MULTIPLIER = "overrides.electricity_price_multiplier"
#: Two plans and two cases that cannot have one: min_sites above the one candidate
#: (InfeasibleScenarioError before solving) and a misspelt field (InputError).
CASES = [{MULTIPLIER: 1.0}, {MULTIPLIER: 2.0}, {"min_sites": 2}, {"overrides.gas_prce": 1}]


def crf(r, n):
    return r / (1 - (1 + r) ** -n)


def expected_objective(multiplier: float) -> float:
    """By hand: 100 MW at 10,000 $/kW annuitised over 20 years, 100 $/kW-yr O&M, 100 MW × PUE × 8760 h
    of grid energy at 60 $/MWh × the multiplier and the tie-in's annuity, every year 2027–2030,
    discounted to 2026 (the plan of tests/model/test_hand_derived.py without the zone multiplier)."""
    annual = (
        crf(R, 20) * 10_000e3 * 100
        + 100e3 * 100
        + 100 * PUE * HOURS * 60.0 * multiplier
        + crf(R, 20) * TIE_IN_USD
    )
    return sum((1 + R) ** -(t - 2026) * annual for t in range(2027, 2031))


@pytest.fixture
def base():
    return siting.Scenario(
        name="t",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2030},
        phase_mw=50,
        targets_it_mw={2027: 100},
        min_sites=0,
        power_options=["utility_tariff"],
        solver={"time_limit_seconds": 60, "mip_gap": 1e-6},
        time_steps={"quarterly_months": 0},
    )


@pytest.fixture
def count_solves(monkeypatch):
    """Count the solves run in this process (serial sweeps)."""
    calls = []
    solve = api.solve

    def counted(scenario, **kw):
        calls.append(scenario.name)
        return solve(scenario, **kw)

    monkeypatch.setattr(api, "solve", counted)
    return calls


def test_two_worker_local_cluster_gives_the_serial_table(tiny, base, tmp_path):
    """A 2-worker LocalCluster (processes, the default ``client=None``) and a serial loop give the same
    rows: same case ids and statuses, objectives within 1e-9 relative and equal to the hand-derived
    optimum; the error cases are recorded with their message, the plans are checkable plan directories."""
    data = tiny(SITES, SUBS, zones=[zone(1, "Z", 1.0)])
    par = siting.sweep(base, CASES, out=tmp_path / "par", workers=2, data_dir=data)
    ser = siting.sweep(base, CASES, client="serial", out=tmp_path / "ser", data_dir=data)
    assert list(par["case_id"]) == [case_id(c) for c in CASES] == list(ser["case_id"])
    assert list(par["status"]) == ["optimal", "optimal", "error", "error"] == list(ser["status"])
    assert par["objective_usd"].iloc[:2].to_numpy() == pytest.approx(
        ser["objective_usd"].iloc[:2].to_numpy(), rel=1e-9
    )
    assert par.loc[0, "objective_usd"] == pytest.approx(expected_objective(1.0), rel=1e-6)
    assert par.loc[1, "objective_usd"] == pytest.approx(expected_objective(2.0), rel=1e-6)
    assert "min_sites = 2" in par.loc[2, "message"]
    assert "gas_prce" in par.loc[3, "message"] and "unknown field" in par.loc[3, "message"]
    assert par.loc[:1, "energy_grid"].tolist() == [1.0, 1.0]
    assert par.loc[:1, "shortfall_it_mw_max"].tolist() == [0.0, 0.0]
    assert par["worker"].iloc[:2].ne(ser["worker"].iloc[0]).all()  # solved in the worker processes
    on_disk = pd.read_csv(tmp_path / "par" / "sweep.csv", dtype={"case_id": str})
    assert set(on_disk["case_id"]) == set(par["case_id"])
    for rel in par["plan_dir"].iloc[:2]:
        assert check_plan(tmp_path / "par" / rel) == []
    assert par.loc[2:, "plan_dir"].tolist() == ["", ""]


def test_a_client_passed_in_serves_two_sweeps_and_stays_open(base, tmp_path):
    """Two sweeps in a row on one client, which is the caller's and stays open. In-process workers
    (``processes=False``) keep this fast; the cases are invalid variations that fail in validation,
    before any model is built (Pyomo is not thread-safe)."""
    bad = [{"overrides.gas_prce": 1}, {"phase_mw": -5}]
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        first = siting.sweep(base, bad, client=client, out=tmp_path / "a")
        second = siting.sweep(base, [*bad, {"phase_mw": -6}], client=client, out=tmp_path / "b")
        assert client.status == "running"
    assert list(first["status"]) == ["error"] * 2 and list(second["status"]) == ["error"] * 3
    assert "phase_mw" in second.loc[2, "message"]


def test_a_rerun_skips_finished_cases_and_solves_only_new_ones(tiny, base, tmp_path, count_solves):
    """First run: 3 cases, 2 solves (the min_sites case fails before solving, its solve is still called
    once). Rerun with one more case: exactly 1 solve, the old rows unchanged (same finish time)."""
    data = tiny(SITES, SUBS, zones=[zone(1, "Z", 1.0)])
    first = siting.sweep(base, CASES[:3], client="serial", out=tmp_path, data_dir=data)
    assert len(count_solves) == 3
    again = siting.sweep(base, [*CASES[:3], {MULTIPLIER: 3.0}], client="serial", out=tmp_path, data_dir=data)
    assert len(count_solves) == 4 and count_solves[-1] == f"t.{case_id({MULTIPLIER: 3.0})}"
    pd.testing.assert_frame_equal(
        again.iloc[:3][["case_id", "status", "finished_utc"]].reset_index(drop=True),
        first[["case_id", "status", "finished_utc"]],
    )
    assert again.loc[3, "objective_usd"] == pytest.approx(expected_objective(3.0), rel=1e-6)
    assert len(pd.read_csv(tmp_path / "sweep.csv")) == 4


def test_a_different_base_in_the_same_directory_is_refused(tiny, base, tmp_path):
    """The finished cases of another base scenario would be wrong answers: refuse, before any solve."""
    data = tiny(SITES, SUBS, zones=[zone(1, "Z", 1.0)])
    siting.sweep(base, [{"min_sites": 2}], client="serial", out=tmp_path, data_dir=data)
    other = base.model_copy(update={"discount_rate": 0.05})
    with pytest.raises(siting.InputError, match="different base scenario"):
        siting.sweep(other, [{"min_sites": 2}], client="serial", out=tmp_path, data_dir=data)


def test_an_unexpected_exception_is_recorded_as_failed_and_retried(base, tmp_path, monkeypatch):
    """A bug (not an InputError) in one case: status ``failed`` with the exception; a rerun tries again."""

    def boom(scenario, **kw):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(api, "solve", boom)
    table = siting.sweep(base, [{MULTIPLIER: 1.0}], client="serial", out=tmp_path)
    assert table.loc[0, "status"] == "failed"
    assert table.loc[0, "message"] == "RuntimeError: disk on fire"
    calls = []
    monkeypatch.setattr(api, "solve", lambda scenario, **kw: calls.append(1) or boom(scenario))
    siting.sweep(base, [{MULTIPLIER: 1.0}], client="serial", out=tmp_path)
    assert calls == [1]


def test_a_dict_of_lists_is_a_cartesian_product_last_key_fastest():
    """{a: [1, 2], b: [3, 4, 5], c: 7}: 2 × 3 = 6 cases, c fixed, b varying fastest; duplicates once."""
    cases = expand_variations({"a": [1, 2], "b": [3, 4, 5], "c": 7})
    assert cases == [
        {"a": 1, "b": 3, "c": 7},
        {"a": 1, "b": 4, "c": 7},
        {"a": 1, "b": 5, "c": 7},
        {"a": 2, "b": 3, "c": 7},
        {"a": 2, "b": 4, "c": 7},
        {"a": 2, "b": 5, "c": 7},
    ]
    assert expand_variations([{"a": 1}, {"a": 2}, {"a": 1.0}]) == [{"a": 1}, {"a": 2}]
    with pytest.raises(siting.InputError, match="mapping"):
        expand_variations([{"a": 1}, 3])


def test_case_id_is_the_hash_of_the_canonical_overrides():
    """sha256 of '{"a.b":6.0,"c":"x"}' (sorted keys, numbers as floats, no spaces), first 12 hex digits:
    the same for 6 and 6.0 and for any key order."""
    expected = hashlib.sha256(b'{"a.b":6.0,"c":"x"}').hexdigest()[:12]
    assert case_id({"c": "x", "a.b": 6}) == expected == case_id({"a.b": 6.0, "c": "x"})
    assert case_id({"a.b": 7}) != expected


def test_dotted_overrides_replace_nested_fields(base):
    """``overrides.gas_price_usd_per_mmbtu`` sets that nested field and keeps its siblings; the case is
    named after the base and its id; a dotted path through a value is an InputError."""
    sc = apply_overrides(base, {"overrides.gas_price_usd_per_mmbtu": 6, "solver.mip_gap": 0.01})
    assert sc.overrides.gas_price_usd_per_mmbtu == 6.0
    assert sc.solver.mip_gap == 0.01 and sc.solver.time_limit_seconds == 60
    assert sc.name == f"t.{case_id({'overrides.gas_price_usd_per_mmbtu': 6, 'solver.mip_gap': 0.01})}"
    with pytest.raises(siting.InputError, match="is a value"):
        apply_overrides(base, {"phase_mw.size": 10})


def test_cli_sweep_writes_the_table_and_reports_errors(tmp_path):
    """``siting sweep base.yaml variations.yaml --out DIR --serial``: one plan of tennessee_small (about
    3 s) and one error case (max_sites 2 < min_sites 9), both rows in DIR/sweep.csv, exit code 0."""
    variations = tmp_path / "v.yaml"
    variations.write_text(json.dumps([{"overrides.gas_price_usd_per_mmbtu": 3}, {"min_sites": 9}]))
    out = tmp_path / "sweep"
    result = CliRunner().invoke(app, ["sweep", str(SMALL), str(variations), "--out", str(out), "--serial"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["status"]) == ["optimal", "error"]
    assert "error in case" in result.output and "min_sites = 9" in result.output

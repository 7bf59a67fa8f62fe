"""Faults: solver limits, interrupts during solve and save, existing output directories, tampered plans.

The tiny case of ``faultcase.py`` solves in well under a second; limits are forced with deterministic
HiGHS options (a 1e-9 s time limit stops before any plan; ``mip_max_improving_sols = 1`` stops at the
first incumbent, the empty plan).
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from faultcase import EMPTY_PLAN_USD, scenario, write_data, write_yaml
from typer.testing import CliRunner

import siting
from siting import api, cli
from siting.model import solve as solve_mod
from siting.model.build import build_model
from siting.model.solve import relative_gap, solve_model, solve_status
from siting.results import plan as plan_mod
from siting.results.check import check_plan
from siting.results.plan import BuildPlan, PlanExistsError, check_output_dir

REPO = Path(__file__).resolve().parents[2]
SITING = Path(sys.executable).parent / "siting"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_data(tmp_path_factory.mktemp("faults") / "data")


@pytest.fixture(scope="module")
def plan(data):
    return siting.solve(scenario(), data_dir=data)


def temp_leftovers(parent: Path) -> list[str]:
    """Hidden ``.NAME.tmp-*`` / ``.NAME.old-*`` directories a save may leave beside its target."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- solver limits
def test_status_after_a_limit():
    """A limit with an incumbent is ``feasible`` (the plan is returned), without one ``error``."""
    assert solve_status("maxTimeLimit", True) == "feasible"
    assert solve_status("maxTimeLimit", False) == "error"
    assert solve_status("iterationLimit", True) == "feasible"
    assert solve_status("convergenceCriteriaSatisfied", True) == "optimal"
    assert solve_status("provenInfeasible", False) == "infeasible"
    # |110 − 99| / 110 = 0.1; no bound → NaN
    assert relative_gap(110.0, 99.0) == pytest.approx(0.1)
    assert relative_gap(110.0, float("nan")) != relative_gap(110.0, float("nan"))


def test_time_limit_without_a_plan_is_a_clear_error(data):
    """A 1e-9 s time limit stops HiGHS before presolve: no plan, an error saying what to raise."""
    with pytest.raises(siting.InfeasibleScenarioError) as err:
        siting.solve(scenario(time_limit_seconds=1e-9), data_dir=data)
    message = str(err.value)
    assert "reached the time limit of 1e-09 s before finding any feasible plan" in message
    assert "raise solver.time_limit_seconds" in message and "--time-limit" in message


def test_limit_with_an_incumbent_returns_it_with_status_and_gap(data, monkeypatch, tmp_path):
    """Stopped at the first incumbent: the empty plan, 260 MW short in 2027–2030.

    Its cost is the shortfall penalty alone, 260 MW × 10 M$/MW-yr × Σ_{k=1..4} 1.07^-k = 8.8067 B$;
    the gap is (objective − best bound) / objective, with the bound below the 1.448 B$ optimum.
    """
    monkeypatch.setattr(api, "solve_model", _first_incumbent)
    stopped = siting.solve(scenario(), data_dir=data)
    m = stopped.meta
    assert (m["status"], m["termination"]) == ("feasible", "iterationLimit")
    assert m["objective_usd"] == pytest.approx(EMPTY_PLAN_USD, rel=1e-9)
    assert m["costs_usd"]["shortfall_penalty"] == pytest.approx(EMPTY_PLAN_USD, rel=1e-9)
    assert len(stopped.sites) == 0
    assert m["best_bound_usd"] < 1.448e9
    assert m["mip_gap"] == pytest.approx((m["objective_usd"] - m["best_bound_usd"]) / m["objective_usd"])
    assert m["mip_gap"] > 0.8
    out = stopped.save(tmp_path / "stopped")
    saved = json.loads((out / "plan.json").read_text())
    assert (saved["status"], saved["mip_gap"]) == ("feasible", pytest.approx(m["mip_gap"]))
    problems = check_plan(out)
    assert not [p for p in problems if "lacks column" not in p], problems


def test_the_empty_plan_passes_check(data, monkeypatch, tmp_path):
    """The first incumbent (nothing built) is a valid plan: it should pass ``siting check``."""
    monkeypatch.setattr(api, "solve_model", _first_incumbent)
    out = siting.solve(scenario(), data_dir=data).save(tmp_path / "empty")
    assert check_plan(out) == []


def _first_incumbent(model, *args, **kwargs):
    """``solve_model`` as ``siting.solve`` calls it, stopping HiGHS at its first incumbent."""
    *head, extra = args
    return solve_model(model, *head, {**extra, "mip_max_improving_sols": 1}, **kwargs)


def test_cli_time_limit_without_a_plan(tmp_path):
    """``--time-limit 1e-9``: exit code 2, the message, no traceback, nothing written."""
    yaml_path = write_yaml(tmp_path)
    result = CliRunner().invoke(
        cli.app, ["solve", str(yaml_path), "--out", str(tmp_path / "out"), "--time-limit", "1e-9"]
    )
    assert result.exit_code == 2, result.output
    assert "before finding any feasible plan" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_cli_says_when_the_time_limit_stopped_the_solve(plan, tmp_path, monkeypatch):
    """A plan stopped at the time limit 1.23 % from its bound: the summary says so and how to improve it."""
    stopped = BuildPlan(**{**plan.__dict__, "meta": {**plan.meta, "status": "feasible"}})
    stopped.meta.update(termination="maxTimeLimit", mip_gap=0.0123)
    monkeypatch.setattr(api, "solve", lambda *a, **k: stopped)
    yaml_path = write_yaml(tmp_path)
    result = CliRunner().invoke(cli.app, ["solve", str(yaml_path), "--out", str(tmp_path / "o"), "--no-maps"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "HiGHS stopped at the time limit" in text and "within 1.23% of the best bound" in text
    assert "Raise --time-limit" in text
    assert json.loads((tmp_path / "o" / "plan.json").read_text())["status"] == "feasible"


# --------------------------------------------------------------------------- interrupts
def test_interrupt_during_the_solve_cancels_highs(data, monkeypatch):
    """Ctrl-C while HiGHS runs: the solve is cancelled, KeyboardInterrupt propagates, nothing is loaded."""
    model = build_model(siting.api.prepare_inputs(siting.load_dataset(scenario(), data), scenario()))
    running = []

    def ctrl_c(run, timeout_seconds):
        running.append(run)
        raise KeyboardInterrupt

    monkeypatch.setattr(solve_mod._Running, "finished", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        solve_model(model, 60, 1e-6)
    assert len(running) == 1 and running[0].cancelled.is_set() and not running[0].thread.is_alive()
    assert all(v.value is None for v in model.open.values())  # no solution was loaded


def test_interrupt_while_the_bound_pass_is_built_stops_the_warm_start(data, monkeypatch):
    """Ctrl-C while the bound model is being built (the warm start already runs in HiGHS's thread): the
    warm start is cancelled and waited for, and KeyboardInterrupt propagates."""
    d = siting.api.prepare_inputs(siting.load_dataset(scenario(), data), scenario())
    model = build_model(d)
    started = []
    run = solve_mod._Running

    def recorded(h):
        started.append(run(h))
        return started[-1]

    def ctrl_c():
        raise KeyboardInterrupt

    monkeypatch.setattr(solve_mod, "_Running", recorded)
    with pytest.raises(KeyboardInterrupt):
        solve_model(model, 60, 1e-6, warm_start_zero=[model.open[d.sites.index[0]]], bound_model=ctrl_c)
    assert len(started) == 1 and started[0].cancelled.is_set() and not started[0].thread.is_alive()
    assert all(v.value is None for v in model.open.values())


def test_interrupted_save_leaves_no_partial_plan(plan, tmp_path):
    """KeyboardInterrupt in the middle of the files: the previous plan stays as it was, no temp dir."""
    out = plan.save(tmp_path / "plan")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def ctrl_c(path):
        path.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        plan.save(out, extra_files={"map.html": ctrl_c}, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    with pytest.raises(KeyboardInterrupt):
        plan.save(tmp_path / "fresh", extra_files={"map.html": ctrl_c})
    assert not (tmp_path / "fresh").exists()
    assert temp_leftovers(tmp_path) == []


def test_signals_are_held_during_the_swap(plan, tmp_path):
    """SIGINT during the final rename is delivered after it: the new plan is complete, nothing left over."""
    out = plan.save(tmp_path / "plan")
    replace = os.replace
    calls = []

    def replace_with_sigint(src, dst):
        calls.append(Path(dst).name)
        os.kill(os.getpid(), signal.SIGINT)  # arrives between the two renames of the swap
        time.sleep(0.05)
        replace(src, dst)

    plan_mod.os.replace = replace_with_sigint
    try:
        with pytest.raises(KeyboardInterrupt):
            plan.save(out, overwrite=True)
    finally:
        plan_mod.os.replace = replace
    assert calls[0].startswith(".plan.old-") and calls[1] == "plan"  # both renames ran
    assert check_plan(out) == [] and temp_leftovers(tmp_path) == []


def test_sigterm_during_cli_solve_exits_cleanly(tmp_path, monkeypatch):
    """SIGTERM while solving: exit code 143 (128 + 15), a message, no output directory."""
    yaml_path = write_yaml(tmp_path)

    def terminated_solve(*args, **kwargs):
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None)  # else it would kill pytest
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        raise AssertionError("SIGTERM did not interrupt the solve")

    monkeypatch.setattr(api, "solve", terminated_solve)
    before = signal.getsignal(signal.SIGTERM)
    result = CliRunner().invoke(cli.app, ["solve", str(yaml_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 143, result.output
    assert "terminated (SIGTERM)" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() and temp_leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == before  # restored


def test_sigterm_to_siting_solve_while_it_writes(tmp_path):
    """``kill -TERM`` to a running ``siting solve`` as soon as its temp directory appears (while it writes
    the maps, which takes seconds): exit 143, no output directory, no temp directory left."""
    yaml_path = write_yaml(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [str(SITING), "solve", str(yaml_path), "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir()):
        assert proc.poll() is None, proc.stdout.read().decode()  # finished before we saw it writing
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=60)[0].decode()
    assert proc.returncode == 143, output
    assert not out.exists()
    assert temp_leftovers(tmp_path) == []


# --------------------------------------------------------------------------- existing output directory
def test_save_over_a_non_empty_directory_needs_overwrite(plan, tmp_path):
    """A second save to the same directory is refused unless overwrite=True, which replaces it."""
    out = plan.save(tmp_path / "plan")
    with pytest.raises(PlanExistsError, match="is not empty.*--force.*overwrite=True"):
        plan.save(out)
    (out / "stale.txt").write_text("from an older run")
    plan.save(out, overwrite=True)
    assert not (out / "stale.txt").exists() and check_plan(out) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_plan(plan.save(empty)) == []  # an empty directory is fine without overwrite


def test_overwrite_never_replaces_a_directory_that_is_not_a_plan(plan, tmp_path):
    """``--out ~`` with ``--force`` must not delete a home directory: no plan.json, no replacement."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("precious")
    with pytest.raises(PlanExistsError, match="holds no plan.json"):
        plan.save(home, overwrite=True)
    assert (home / "thesis.tex").read_text() == "precious"
    (tmp_path / "file").write_text("x")
    with pytest.raises(PlanExistsError, match="is a file"):
        check_output_dir(tmp_path / "file", overwrite=True)
    assert temp_leftovers(tmp_path) == []


def test_cli_out_over_a_plan_needs_force(plan, tmp_path, monkeypatch):
    """Without --force the command stops before solving (exit 2); with --force it replaces the plan."""
    yaml_path = write_yaml(tmp_path)
    out = plan.save(tmp_path / "out")
    (out / "stale.txt").write_text("old")
    solved = []
    monkeypatch.setattr(api, "solve", lambda *a, **k: solved.append(1) or plan)
    result = CliRunner().invoke(cli.app, ["solve", str(yaml_path), "--out", str(out), "--no-maps"])
    assert result.exit_code == 2 and "--force" in result.output and not solved
    assert (out / "stale.txt").exists()
    result = CliRunner().invoke(cli.app, ["solve", str(yaml_path), "--out", str(out), "--no-maps", "--force"])
    assert result.exit_code == 0, result.output
    assert solved and not (out / "stale.txt").exists() and check_plan(out) == []


# --------------------------------------------------------------------------- tampered plans
def _edit_capacity_number(d: Path) -> None:
    cap = pd.read_csv(d / "capacity.csv")
    cap.loc[cap.index[-1], "water_m3"] += 1.0  # a column no invariant ties to another file
    cap.to_csv(d / "capacity.csv", index=False, float_format="%.6f")


def _delete_contract_row(d: Path) -> None:
    lines = (d / "contracts.csv").read_text().splitlines(keepends=True)
    (d / "contracts.csv").write_text("".join(lines[:-1]))


def _edit_meta(d: Path, change) -> None:
    meta = json.loads((d / "plan.json").read_text())
    change(meta)
    (d / "plan.json").write_text(json.dumps(meta, indent=2))


def _change_objective(meta: dict) -> None:
    meta["objective_usd"] *= 0.9


def _change_input_hash(meta: dict) -> None:
    key = next(iter(meta["inputs_sha256"]))
    meta["inputs_sha256"][key] = "0" * 64


def _change_file_hash(meta: dict) -> None:
    meta["files_sha256"]["timeline.csv"] = "f" * 64


def _drop_hashes(meta: dict) -> None:
    del meta["plan_sha256"]


TAMPERINGS = {
    "number in capacity.csv": (_edit_capacity_number, "capacity.csv was changed after the plan was written"),
    "row deleted in contracts.csv": (_delete_contract_row, "contracts.csv was changed after"),
    "objective in plan.json": (
        functools.partial(_edit_meta, change=_change_objective),
        "plan.json was changed after it was written",
    ),
    "input hash in plan.json": (
        functools.partial(_edit_meta, change=_change_input_hash),
        "no longer matches plan_sha256",
    ),
    "file hash in plan.json": (
        functools.partial(_edit_meta, change=_change_file_hash),
        "timeline.csv was changed after the plan was written",
    ),
    "plan_sha256 removed": (
        functools.partial(_edit_meta, change=_drop_hashes),
        "has one of plan_sha256 and files_sha256 but not both",
    ),
    "data file removed": (
        lambda d: (d / "candidates.csv").unlink(),
        "candidates.csv is listed in plan.json files_sha256 but is missing",
    ),
}


@pytest.mark.parametrize("name", TAMPERINGS)
def test_check_catches_a_tampered_plan(plan, tmp_path, name):
    """Each edit made after the plan was written is reported with a message naming the file."""
    tamper, expected = TAMPERINGS[name]
    out = plan.save(tmp_path / "plan")
    assert check_plan(out) == []
    tamper(out)
    problems = check_plan(out)
    assert any(expected in p for p in problems), problems


def test_check_command_reports_tampering(plan, tmp_path):
    """``siting check`` exits 1 and prints the problem."""
    out = plan.save(tmp_path / "plan")
    _delete_contract_row(out)
    result = CliRunner().invoke(cli.app, ["check", str(out)])
    assert result.exit_code == 1
    assert "contracts.csv was changed after the plan was written" in " ".join(result.output.split())


def test_a_loaded_and_resaved_plan_checks(plan, tmp_path):
    """Loading and saving again recomputes the hashes (the old ones are not carried over)."""
    out = plan.save(tmp_path / "plan")
    again = BuildPlan.load(out).save(tmp_path / "again")
    assert check_plan(again) == []

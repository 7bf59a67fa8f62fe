"""Two identical runs write byte-identical plan directories, except the documented run-record keys.

``docs/plan-format.md`` (Reproducibility) names them: ``created_utc`` (the timestamp) and the wall-clock
durations ``solve_seconds`` and ``timings_seconds``; ``plan_sha256`` does not cover them. Every figure file,
``map.svg`` and ``map.html`` included, is reproducible; a file that is not must be listed below with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from faultcase import scenario, write_data
from typer.testing import CliRunner

import siting
from siting import cli, plotting
from siting.results.check import VOLATILE_KEYS
from siting.results.plan import BuildPlan

REPO = Path(__file__).resolve().parents[2]

#: files that differ between identical runs, and why (none: siting.plotting.save_figure leaves the date
#: out of map.svg and fixes its id salt; save_map_html numbers folium's elements with stable_ids)
NOT_REPRODUCIBLE: dict[str, str] = {}


def _plan_json_without_run_record(text: str) -> dict:
    meta = json.loads(text)
    return {k: v for k, v in meta.items() if k not in VOLATILE_KEYS}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The same tiny scenario solved and saved (with every figure) twice, in two directories."""
    base = tmp_path_factory.mktemp("determinism")
    data = write_data(base / "data")
    out = []
    for name in ("first", "second"):
        plan = siting.solve(scenario(), data_dir=data)
        out.append(plan.save(base / name, extra_files=plotting.figure_writers(plan)))
    return out


def test_identical_runs_give_identical_files(two_runs):
    """Every file is byte-identical, except plan.json's run record (and any listed figure file)."""
    first, second = two_runs
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert {"plan.json", "capacity.csv", "map.png", "timeline.png", "costs.png", "capacity.png"} <= set(names)
    differing = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    assert set(differing) <= {"plan.json", *NOT_REPRODUCIBLE}, differing
    a = _plan_json_without_run_record((first / "plan.json").read_text())
    b = _plan_json_without_run_record((second / "plan.json").read_text())
    assert a == b
    assert a["plan_sha256"] == b["plan_sha256"]


def test_only_the_run_record_differs_in_plan_json(two_runs):
    """plan.json lines differ only on the run-record keys (the timestamp, durations of the steps)."""
    first, second = two_runs
    lines_a = (first / "plan.json").read_text().splitlines()
    lines_b = (second / "plan.json").read_text().splitlines()
    assert len(lines_a) == len(lines_b)
    run_keys = ("created_utc", "solve_seconds", "load_seconds", "build_seconds", "extract_seconds", "total")
    for x, y in zip(lines_a, lines_b, strict=True):
        if x != y:
            assert x.strip().startswith(tuple(f'"{k}' for k in run_keys)), (x, y)


def test_figures_are_reproducible_except_listed(two_runs):
    """The charts and maps (PNG, SVG, HTML) are identical; a listed file that becomes reproducible is noticed."""
    first, second = two_runs
    for name in ("map.png", "map.svg", "map.html", "timeline.png", "costs.png", "capacity.png"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    still_differing = [n for n in NOT_REPRODUCIBLE if (first / n).read_bytes() != (second / n).read_bytes()]
    assert still_differing == list(NOT_REPRODUCIBLE), "remove the reproducible ones from NOT_REPRODUCIBLE"


def test_make_demo_runs_twice(two_runs, tmp_path, monkeypatch):
    """The Makefile's demo line passes --force, so a second `make demo` replaces its own plan."""
    demo = [ln for ln in (REPO / "Makefile").read_text().splitlines() if "siting solve" in ln]
    assert demo and all("--force" in ln for ln in demo)
    plan = BuildPlan.load(two_runs[0])
    monkeypatch.setattr(siting.api, "solve", lambda *a, **k: plan)
    args = [
        "solve",
        str(REPO / "models/tennessee_small.yaml"),
        "--out",
        str(tmp_path / "demo"),
        "--no-maps",
        "--force",
    ]
    for _ in range(2):
        result = CliRunner().invoke(cli.app, args)
        assert result.exit_code == 0, result.output

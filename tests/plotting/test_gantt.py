"""The Gantt chart on hand-made timelines: natural row order, grouping of identical phases, steps, offline."""

from __future__ import annotations

import types

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from siting.plotting.charts import gantt_rows, gantt_tasks, natural_key, plot_timeline, target_steps

DECISION = "2026-01-01"


def _phase(
    site: str, n: int, online: str, permit_end: str, mw: float = 50.0, onsite: bool = False
) -> list[dict]:
    """The tasks of one phase: permitting → construction, study → facilities (→ plant), energization."""
    phase = f"{site}-P{n}"

    def task(ms, start, end, deps=()):
        return {
            "site_id": site,
            "phase": phase,
            "task_id": f"{phase}:{ms}",
            "milestone": ms,
            "start": start,
            "end": end,
            "depends_on": ";".join(f"{phase}:{d}" for d in deps),
            "it_mw": mw,
            "online_year": int(online[:4]),
            "online_date": online,
            "detail": "",
        }

    rows = [
        task("permitting", DECISION, permit_end),
        task("construction", permit_end, online, ["permitting"]),
        task("interconnection_study", DECISION, "2026-04-01"),
        task("interconnection_facilities", "2026-04-01", online, ["interconnection_study"]),
    ]
    power = ["interconnection_facilities"]
    if onsite:
        rows += [
            task("equipment_order", "2026-02-01", "2026-03-01"),
            task("equipment_delivery", "2026-03-01", "2026-08-01", ["equipment_order"]),
            task("commissioning", "2026-08-01", online, ["equipment_delivery", "permitting"]),
        ]
        power.append("commissioning")
    rows.append(task("energization", online, online, ["construction", *power]))
    return rows


def _timeline() -> pd.DataFrame:
    """memphis-a P1–P4 identical and P10 later (given out of order); sites site-10 and site-2."""
    rows = []
    for n in (10, 3, 1, 4, 2):  # P1–P4 identical (online mid-2026), P10 later
        online = "2027-01-01" if n == 10 else "2026-07-01"
        rows += _phase("memphis-a", n, online, "2026-03-01")
    rows += _phase("site-10", 1, "2026-10-01", "2026-05-01", mw=25.0)
    rows += _phase("site-2", 2, "2026-10-01", "2026-05-01", mw=25.0, onsite=True)
    rows += _phase("site-2", 1, "2026-10-01", "2026-04-01", mw=25.0, onsite=True)
    return pd.DataFrame(rows)


def _meta() -> dict:
    bounds = ["2026-01-01", "2026-07-01", "2026-10-01", "2027-01-01", "2028-01-01"]
    target = [0.0, 200.0, 200.0, 300.0]
    online = [0.0, 200.0, 275.0, 325.0]
    steps = [
        {"start": s, "end": e, "years": 0.25, "target_it_mw": t, "it_mw_online": o, "shortfall_it_mw": 0.0,
         "emissions_tco2": 0.0}
        for s, e, t, o in zip(bounds[:-1], bounds[1:], target, online, strict=True)
    ]  # fmt: skip
    return {
        "scenario": "gantt_test",
        "format_version": "1.1",
        "steps": steps,
        "targets_it_mw": {"2026": 0.0, "2027": 300.0},
        "it_mw_online": {"2026": 0.0, "2027": 325.0},
    }


def _plan(timeline: pd.DataFrame, meta: dict) -> types.SimpleNamespace:
    return types.SimpleNamespace(timeline=timeline, meta=meta)


def _ylabels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_natural_key_orders_numbers_as_numbers():
    names = ["memphis-a-P10", "memphis-a-P2", "memphis-a-P1", "site-10", "site-2"]
    assert sorted(names, key=natural_key) == [
        "memphis-a-P1",
        "memphis-a-P2",
        "memphis-a-P10",
        "site-2",
        "site-10",
    ]


def test_rows_grouped_and_naturally_sorted():
    fig = plot_timeline(_plan(_timeline(), _meta()))
    assert matplotlib.get_backend().lower() == "agg"
    assert _ylabels(fig) == [
        "memphis-a P1–P4 (200 MW)",
        "memphis-a P10 (50 MW)",
        "site-2 P1 (25 MW)",
        "site-2 P2 (25 MW)",
        "site-10 P1 (25 MW)",
    ]


def test_one_bar_per_task_of_each_row_coloured_by_milestone():
    tl = _timeline()
    fig = plot_timeline(_plan(tl, _meta()))
    ax = fig.axes[0]
    rows = gantt_rows(gantt_tasks(tl))
    drawn = tl[tl["phase"].isin(rows["lead"])]
    bars = [p for c in ax.containers if isinstance(c, BarContainer) for p in c.patches]
    assert len(bars) == (drawn["milestone"] != "energization").sum()
    labels = {h.get_label() for h in ax.get_legend_handles_labels()[0]}
    assert {"permitting", "construction", "interconnection study", "interconnection facilities",
            "equipment order", "equipment delivery", "commissioning", "energization"} <= labels  # fmt: skip
    # one colour per milestone: every bar of a container has its container's colour
    for c in ax.containers:
        assert len({p.get_facecolor() for p in c.patches}) == 1
    diamonds = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]
    assert sum(len(c.get_offsets()) for c in diamonds) >= len(rows)


def test_dependency_connectors_end_at_task_starts():
    tl = _timeline()
    fig = plot_timeline(_plan(tl, _meta()))
    lines = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    assert len(lines) == 1
    segs = lines[0].get_segments()
    # every connector goes right (or straight down/up): from a predecessor's end to its task's start
    assert all(s[2, 0] >= s[0, 0] for s in segs)
    assert len(segs) > 0


def test_target_and_online_step_lines_from_steps():
    fig = plot_timeline(_plan(_timeline(), _meta()))
    ax2 = fig.axes[1]
    target = next(ln for ln in ax2.get_lines() if ln.get_label() == "IT MW target")
    online = next(ln for ln in ax2.get_lines() if ln.get_label() == "IT MW online")
    assert list(target.get_ydata()) == [0.0, 200.0, 200.0, 300.0, 300.0]
    assert max(online.get_ydata()) == 325.0
    assert target.get_xdata()[1] == pytest.approx(matplotlib.dates.date2num(pd.Timestamp("2026-07-01")))


def test_month_ticks_under_three_years():
    fig = plot_timeline(_plan(_timeline(), _meta()))
    ticks = [matplotlib.dates.num2date(t) for t in fig.axes[0].get_xticks()]
    assert len({(t.year, t.month) for t in ticks}) > 6  # months, not just years


def test_year_fallback_for_format_10_plans():
    tl = _timeline()
    old = tl[tl["milestone"].isin(["permitting", "construction", "energization"])].drop(
        columns=["task_id", "depends_on", "online_date"]
    )
    meta = {"scenario": "old", "targets_it_mw": {"2026": 0.0, "2027": 300.0, "2030": 300.0},
            "it_mw_online": {"2026": 0.0, "2027": 325.0, "2030": 325.0}}  # fmt: skip
    steps = target_steps(meta)
    assert list(steps["start"].dt.year) == [2026, 2027, 2030]
    fig = plot_timeline(_plan(old, meta))
    assert _ylabels(fig)[0] == "memphis-a P1–P4 (200 MW)"
    # the chart spans the tasks and the last target change (2027) plus a quarter of that, not the whole
    # horizon to 2030: under three years, so ticks fall on the first of a month
    lo, hi = fig.axes[0].get_xlim()
    assert matplotlib.dates.num2date(hi).year <= 2028
    ticks = [matplotlib.dates.num2date(t) for t in fig.axes[0].get_xticks()]
    assert all(t.day == 1 for t in ticks)


def test_empty_and_missing_timeline_do_not_crash(tmp_path):
    for tl in (_timeline().iloc[:0], pd.DataFrame()):
        fig = plot_timeline(_plan(tl, _meta()))
        assert isinstance(fig, Figure) and _ylabels(fig) == []
    fig = plot_timeline(_plan(_timeline(), _meta()))
    fig.savefig(tmp_path / "timeline.png", dpi=80)
    assert (tmp_path / "timeline.png").stat().st_size > 5_000
    assert np.isfinite(fig.axes[0].get_xlim()).all()

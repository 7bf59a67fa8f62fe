"""Plan charts: Gantt timeline, cost breakdown, IT capacity against the target (matplotlib).

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot state), so it works with
the Agg backend, in scripts without a display and in notebooks alike.
"""

from __future__ import annotations

import re
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..errors import InputError

#: Gantt tasks with a duration: colour and lane within a phase's row (0 site works, 1 grid, 2 on-site
#: plant). Format 1.1 milestones first; ``interconnection`` and ``onsite_power`` are those of format 1.0.
MILESTONES = {
    "permitting": ("#8c6bb1", 0),
    "construction": ("#74c476", 0),
    "interconnection_study": ("#9ecae1", 1),
    "interconnection_facilities": ("#2171b5", 1),
    "equipment_order": ("#fdd0a2", 2),
    "equipment_delivery": ("#fd8d3c", 2),
    "commissioning": ("#a63603", 2),
    "interconnection": ("#2171b5", 1),
    "onsite_power": ("#e6550d", 2),
}
#: vertical offset of each lane from the row centre, and the bar height
LANE_OFFSETS = (-0.28, 0.0, 0.28)
LANE_HEIGHT = 0.24
#: bars shorter than this (days) are drawn this wide so that they stay visible
MIN_BAR_DAYS = 3.0
#: below this span (days) the date axis gets month ticks instead of year ticks
MONTH_TICKS_BELOW_DAYS = 3 * 365
CONNECTOR_COLOR = "#555555"
TARGET_COLOR = "black"
ONLINE_COLOR = "#238b45"
SHORTFALL_COLOR = "#d7301f"
_PHASE_NUMBER = re.compile(r"P(\d+)$")


def _year_series(meta: dict, key: str) -> pd.Series:
    d = meta.get(key) or {}
    s = pd.Series({int(k): (np.nan if v is None else float(v)) for k, v in d.items()}, dtype=float)
    return s.sort_index()


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=11, color="#666666")


# --------------------------------------------------------------------------- timeline
def natural_key(text: object) -> tuple:
    """Sort key that orders the digit runs of ``text`` as numbers: ``P2`` before ``P10``."""
    parts = re.split(r"(\d+)", str(text))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def _phase_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 4, 6]`` → ``"P1–P4, P6"``."""
    nums = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in nums:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"P{r[0]}" if len(r) == 1 else f"P{r[0]}–P{r[-1]}" for r in runs)


def gantt_tasks(timeline: pd.DataFrame) -> pd.DataFrame:
    """The tasks of ``timeline.csv`` (format 1.0 or 1.1) in one shape for the Gantt chart.

    Adds what a 1.0 timeline lacks (``task_id`` = ``phase:milestone``, empty ``depends_on``,
    ``online_date`` = the energization date) and ``t0``/``t1`` (matplotlib date numbers), ``lane``,
    ``phase_no`` (the number after ``P`` at the end of the phase name, or NaN).
    """
    if "phase" not in timeline.columns or timeline.empty:
        return pd.DataFrame(
            columns=["site_id", "phase", "task_id", "milestone", "start", "end", "depends_on", "it_mw",
                     "online_date", "t0", "t1", "lane", "phase_no"]
        )  # fmt: skip
    tl = timeline.copy()
    tl["start"] = pd.to_datetime(tl["start"], format="ISO8601")
    tl["end"] = pd.to_datetime(tl["end"], format="ISO8601")
    if "task_id" not in tl.columns:
        tl["task_id"] = tl["phase"].astype(str) + ":" + tl["milestone"].astype(str)
    tl["depends_on"] = tl["depends_on"].fillna("").astype(str) if "depends_on" in tl.columns else ""
    if "online_date" in tl.columns:
        tl["online_date"] = pd.to_datetime(tl["online_date"], format="ISO8601")
    else:
        energized = tl[tl["milestone"] == "energization"].groupby("phase")["start"].min()
        tl["online_date"] = tl["phase"].map(energized)
    tl["t0"] = mdates.date2num(tl["start"])
    tl["t1"] = mdates.date2num(tl["end"])
    tl["lane"] = tl["milestone"].map({k: lane for k, (_, lane) in MILESTONES.items()}).fillna(1).astype(int)
    tl["phase_no"] = pd.to_numeric(tl["phase"].astype(str).str.extract(_PHASE_NUMBER)[0], errors="coerce")
    return tl


def gantt_rows(tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per Gantt row: phases of one site with identical task dates are grouped.

    Returns one row per group, in natural order (site, then phase number), with ``row`` (0 = top),
    ``site_id``, ``phases`` (list of phase names), ``lead`` (the phase whose tasks are drawn), ``it_mw``
    (sum over the grouped phases) and ``label`` (e.g. ``memphis-a P1–P4 (200 MW)``).
    """
    if tasks.empty:
        return pd.DataFrame(columns=["row", "site_id", "phases", "lead", "it_mw", "label"])
    sig = (
        tasks.assign(key=tasks["milestone"].astype(str) + "|" + tasks["start"].astype(str) + "|"
                     + tasks["end"].astype(str))
        .sort_values(["phase", "key"])
        .groupby("phase")["key"]
        .agg("/".join)
    )  # fmt: skip
    phases = tasks.groupby("phase", as_index=False).agg(
        site_id=("site_id", "first"), it_mw=("it_mw", "first"), phase_no=("phase_no", "first")
    )
    phases["signature"] = phases["phase"].map(sig)
    keys = [(natural_key(s), natural_key(p)) for s, p in zip(phases["site_id"], phases["phase"], strict=True)]
    phases = phases.iloc[sorted(range(len(phases)), key=keys.__getitem__)]
    groups = phases.groupby(["site_id", "signature"], sort=False).agg(
        phases=("phase", list), phase_no=("phase_no", list), it_mw=("it_mw", "sum")
    )
    groups = groups.reset_index().drop(columns="signature")
    groups["lead"] = groups["phases"].str[0]
    groups["label"] = [_row_label(r.site_id, r.phases, r.phase_no, r.it_mw) for r in groups.itertuples()]
    groups["row"] = np.arange(len(groups))
    return groups[["row", "site_id", "phases", "lead", "it_mw", "label"]]


def _row_label(site: str, phases: list[str], numbers: list[float], it_mw: float) -> str:
    """``memphis-a P1–P4 (200 MW)``; phase names as they are when they do not end in ``P<n>``."""
    if all(np.isfinite(numbers)):
        names = _phase_ranges([int(n) for n in numbers])
    else:
        names = ", ".join(phases)
    return f"{site} {names} ({it_mw:,.0f} MW)"


def _row_y(tasks: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Tasks of the lead phase of every row, with ``y`` (row centre + lane offset) and ``yc`` (row centre)."""
    lead = rows.set_index("lead")["row"]
    drawn = tasks[tasks["phase"].isin(lead.index)].copy()
    drawn["yc"] = drawn["phase"].map(lead).astype(float)
    drawn["y"] = drawn["yc"] + np.asarray(LANE_OFFSETS)[drawn["lane"].to_numpy(dtype=int)]
    drawn.loc[drawn["milestone"] == "energization", "y"] = drawn["yc"]
    return drawn


def _draw_tasks(ax: Any, drawn: pd.DataFrame) -> None:
    """One bar per task with a duration, coloured by milestone (one legend entry per milestone)."""
    for kind, (color, _) in MILESTONES.items():
        sel = drawn[drawn["milestone"] == kind]
        if len(sel):
            ax.barh(
                sel["y"],
                (sel["t1"] - sel["t0"]).clip(lower=MIN_BAR_DAYS),
                left=sel["t0"],
                height=LANE_HEIGHT,
                color=color,
                edgecolor="white",
                linewidth=0.4,
                label=kind.replace("_", " "),
            )
    en = drawn[drawn["milestone"] == "energization"]
    if len(en):
        ax.scatter(
            en["t0"],
            en["y"],
            marker="D",
            s=40,
            color="gold",
            edgecolor="black",
            zorder=5,
            label="energization",
        )


def _connector_segments(drawn: pd.DataFrame) -> np.ndarray:
    """Finish-to-start connectors, shape (n, 3, 2): predecessor end → down/up to the task's lane → its start."""
    deps = drawn[["task_id", "depends_on", "t0", "y"]].assign(pred=drawn["depends_on"].str.split(";"))
    edges = deps.explode("pred")
    edges["pred"] = edges["pred"].fillna("").str.strip()
    edges = edges[edges["pred"] != ""]
    ends = drawn.set_index("task_id")[["t1", "y"]].rename(columns={"t1": "pt1", "y": "py"})
    edges = edges.join(ends, on="pred", how="inner")
    edges = edges[(edges["py"] != edges["y"]) | (edges["t0"] > edges["pt1"])]
    x0, y0, y1, x1 = (edges[c].to_numpy(dtype=float) for c in ("pt1", "py", "y", "t0"))
    return np.stack([np.c_[x0, y0], np.c_[x0, y1], np.c_[x1, y1]], axis=1)


def _draw_connectors(ax: Any, drawn: pd.DataFrame) -> None:
    """Thin elbow lines from the end of every predecessor to the start of the task that waits for it."""
    segs = _connector_segments(drawn)
    if len(segs):
        ax.add_collection(
            LineCollection(
                segs, colors=CONNECTOR_COLOR, linewidths=0.7, alpha=0.7, zorder=4, label="depends on"
            )
        )
        ax.scatter(segs[:, 2, 0], segs[:, 2, 1], marker=">", s=9, color=CONNECTOR_COLOR, zorder=4)


def target_steps(meta: dict) -> pd.DataFrame:
    """IT MW target and online as steps: ``start``, ``end`` (timestamps), ``target_it_mw``, ``it_mw_online``.

    From ``meta["steps"]`` (format 1.1), else from the year keys of format 1.0 (one step per year,
    1 January to 1 January).
    """
    cols = ["start", "end", "target_it_mw", "it_mw_online"]
    if meta.get("steps"):
        steps = pd.DataFrame(meta["steps"])
        steps["start"] = pd.to_datetime(steps["start"], format="ISO8601")
        steps["end"] = pd.to_datetime(steps["end"], format="ISO8601")
        if "it_mw_online" not in steps.columns:
            steps["it_mw_online"] = np.nan
        return steps[cols]
    targets = _year_series(meta, "targets_it_mw")
    if targets.empty:
        return pd.DataFrame(columns=cols)
    online = _year_series(meta, "it_mw_online").reindex(targets.index)
    years = targets.index.to_numpy()
    return pd.DataFrame(
        {
            "start": pd.to_datetime([f"{y}-01-01" for y in years]),
            "end": pd.to_datetime([f"{y + 1}-01-01" for y in years]),
            "target_it_mw": targets.to_numpy(),
            "it_mw_online": online.to_numpy(),
        }
    )


def _draw_targets(ax2: Any, steps: pd.DataFrame) -> None:
    """IT MW target (dashed) and online (solid) as step lines against dates on the right axis."""
    if steps.empty:
        return
    x = mdates.date2num(pd.concat([steps["start"], steps["end"].iloc[-1:]]))
    online = steps["it_mw_online"].astype(float)
    if online.notna().any():
        on = online.fillna(0.0).to_numpy()
        ax2.step(
            x, np.r_[on, on[-1]], where="post", color=ONLINE_COLOR, lw=3, alpha=0.6, label="IT MW online"
        )
    t = steps["target_it_mw"].astype(float).to_numpy()
    ax2.step(x, np.r_[t, t[-1]], where="post", color=TARGET_COLOR, ls="--", lw=1.6, label="IT MW target")
    top = np.nanmax(np.r_[t, online.to_numpy(dtype=float), 1.0])
    ax2.set_ylim(0, float(top) * 1.15)


def _format_date_axis(ax: Any, t_min: float, t_max: float) -> None:
    """Month ticks when the span is under about three years (every 3rd month past 18 months), else years."""
    span = t_max - t_min
    pad = max(span * 0.02, 5.0)
    ax.set_xlim(t_min - pad, t_max + pad)
    if span < MONTH_TICKS_BELOW_DAYS:
        locator = mdates.MonthLocator(bymonth=range(1, 13) if span < 550 else (1, 4, 7, 10))
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_minor_locator(mdates.MonthLocator())
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    else:
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="x", which="major", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel("date")


def _span(drawn: pd.DataFrame, steps: pd.DataFrame) -> tuple[float, float]:
    """Date range (matplotlib numbers) of the chart: from the first task (or step) to the last task or
    target change, plus a quarter of that span (at least three months), within the modelled steps. A
    122-day build is then drawn by month, not lost in a ten-year horizon."""
    tasks = pd.concat([drawn["t0"], drawn["t1"]], ignore_index=True).dropna()
    if tasks.empty and not len(steps):
        today = mdates.date2num(pd.Timestamp.today().normalize())
        return today, today + 365.0
    starts = pd.Series(mdates.date2num(steps["start"])) if len(steps) else pd.Series(dtype=float)
    lo = float(min(tasks.min() if len(tasks) else np.inf, starts.min() if len(starts) else np.inf))
    last = float(tasks.max()) if len(tasks) else lo
    if len(steps):
        changes = steps["target_it_mw"].diff().fillna(steps["target_it_mw"]).abs() > 1e-9
        if changes.any():
            last = max(last, float(starts[changes.to_numpy()].max()))
    hi = last + max(91.0, 0.25 * (last - lo))
    if len(steps):
        hi = min(hi, float(mdates.date2num(steps["end"]).max()))
    return lo, max(hi, lo + 31.0)


def _legend(ax: Any, ax2: Any, n_rows: int) -> None:
    """One legend below the chart: milestones in task order, energization, connectors, MW lines."""
    order = [k.replace("_", " ") for k in MILESTONES] + ["energization", "depends on"]
    h1, l1 = ax.get_legend_handles_labels()
    ranked = sorted(zip(h1, l1, strict=True), key=lambda hl: order.index(hl[1]) if hl[1] in order else 99)
    h2, l2 = ax2.get_legend_handles_labels()
    handles = [h for h, _ in ranked] + h2
    if handles:
        ax.legend(
            handles,
            [lbl for _, lbl in ranked] + l2,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1 - 0.6 / max(n_rows, 3)),
            ncol=min(len(handles), 6),
            fontsize=8,
            frameon=False,
        )


def plot_timeline(plan: Any) -> Figure:
    """Gantt chart of the build: one row per site phase (or group of identical phases), the IT MW target.

    Rows are in natural order (site, then phase number: P2 before P10). Phases of one site whose tasks
    have all the same dates share a row, labelled e.g. ``memphis-a P1–P4 (200 MW)`` with their total
    IT MW. In a row, each task of ``timeline.csv`` is a bar coloured by milestone, in three lanes: site
    works (permitting, construction) on top, grid (interconnection study and facilities) in the middle,
    on-site plant (equipment order and delivery, commissioning) below; a diamond marks energization and
    grey elbow lines join every task to the tasks it depends on (finish to start). The right axis shows
    the IT MW target (dashed) and the IT MW online (solid) as step lines, from ``plan.json`` ``steps``
    (or the year keys of a format 1.0 plan). Month ticks when the chart spans under about three years.

    Parameters
    ----------
    plan : BuildPlan
        Uses ``timeline`` and ``meta``.

    Returns
    -------
    Figure
        ``fig.axes[0]`` is the Gantt axes (y tick labels = rows, top to bottom), ``fig.axes[1]`` the MW axes.
    """
    tasks = gantt_tasks(plan.timeline)
    rows = gantt_rows(tasks)
    steps = target_steps(plan.meta)
    n = len(rows)
    fig = Figure(figsize=(11, 2.4 + 0.42 * max(n, 3)), layout="constrained")
    ax = fig.add_subplot()
    ax2 = ax.twinx()
    drawn = _row_y(tasks, rows)
    if n == 0:
        _empty(ax, "no site phases in this plan")
        ax.set_yticks([])
    else:
        _draw_tasks(ax, drawn)
        _draw_connectors(ax, drawn)
        ax.set_yticks(np.arange(n), rows["label"].tolist())
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", labelsize=8 if n < 40 else 6)
    _draw_targets(ax2, steps)
    ax2.set_ylabel("IT MW")
    ax.xaxis_date()
    _format_date_axis(ax, *_span(drawn, steps))
    _legend(ax, ax2, n)
    ax.set_title(f"{plan.meta.get('scenario', 'plan')}: build timeline by phase", fontsize=11)
    return fig


# --------------------------------------------------------------------------- costs
def _category_colors(categories: list[str]) -> dict[str, Any]:
    cmap = colormaps["tab20"]
    return {c: cmap(i % 20) for i, c in enumerate(categories)}


def plot_costs(plan: Any) -> Figure:
    """Cost breakdown: present value by category (left) and by year and category (right).

    Parameters
    ----------
    plan : BuildPlan
        Uses ``meta["costs_usd"]`` (PV by category, USD of ``meta["currency_year"]``) and
        ``costs_by_year`` (PV by year and category).

    Returns
    -------
    Figure
        ``fig.axes[0]``: one horizontal bar per cost category (M USD); ``fig.axes[1]``: stacked PV by year.
    """
    costs = pd.Series(plan.meta.get("costs_usd") or {}, dtype=float)
    costs = costs.where(costs.abs() >= 1.0, 0.0)  # solver round-off (±1e-9 USD) shown as zero
    colors = _category_colors(list(costs.index))
    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.3])
    cy = plan.meta.get("currency_year", "")
    _draw_cost_categories(ax, costs, colors, cy)
    _draw_costs_by_year(ax2, plan.costs_by_year, list(costs.index), colors, cy)
    fig.suptitle(f"{plan.meta.get('scenario', 'plan')}: costs", fontsize=11)
    return fig


def _draw_cost_categories(ax: Any, costs: pd.Series, colors: dict[str, Any], currency_year: Any) -> None:
    """One horizontal bar per category, present value in M USD, labelled; the total in B USD as title."""
    cats = list(costs.index)
    if len(costs):
        y = np.arange(len(cats))
        ax.barh(y, costs.to_numpy() / 1e6, color=[colors[c] for c in cats])
        ax.set_yticks(y, [c.replace("_", " ") for c in cats])
        ax.set_ylim(len(cats) - 0.5, -0.5)
        span = max(float(costs.abs().max()) / 1e6, 1e-9)
        for yi, v in zip(y, costs.to_numpy() / 1e6, strict=True):
            ax.text(max(v, 0) + 0.01 * span, yi, f"{v:,.1f}", va="center", fontsize=8)
        ax.set_xlim(min(0.0, float(costs.min()) / 1e6 * 1.1), span * 1.18)
    else:
        _empty(ax, "no cost data")
    total = float(costs.sum())
    ax.set_xlabel(f"present value, M USD ({currency_year})")
    ax.set_title(f"total {total / 1e9:,.3f} B USD PV by category", fontsize=10)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)


def _draw_costs_by_year(
    ax2: Any, cby: pd.DataFrame, cats: list[str], colors: dict[str, Any], currency_year: Any
) -> None:
    """Present value (M USD) by year, stacked by category: positive parts up, negative parts down."""
    if len(cby):
        pv = (
            cby.pivot_table(index="year", columns="category", values="pv_usd", aggfunc="sum").fillna(0.0)
            / 1e6
        )
        pv = pv.where(pv.abs() >= 1e-6, 0.0)
        order = [c for c in cats if c in pv.columns] + [c for c in pv.columns if c not in cats]
        extra = _category_colors(order)
        bottom = np.zeros(len(pv))
        neg_bottom = np.zeros(len(pv))
        for c in order:
            v = pv[c].to_numpy()
            if not np.any(v):
                continue
            base = np.where(v >= 0, bottom, neg_bottom)
            ax2.bar(
                pv.index.astype(str), v, bottom=base, color=colors.get(c, extra[c]), label=c.replace("_", " ")
            )
            bottom = bottom + np.clip(v, 0, None)
            neg_bottom = neg_bottom + np.clip(v, None, 0)
        ax2.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax2.set_ylabel(f"present value, M USD ({currency_year})")
        ax2.set_xlabel("year")
        ax2.grid(axis="y", color="#eeeeee")
        ax2.set_axisbelow(True)
    else:
        _empty(ax2, "no costs by year")
    ax2.set_title("NPV contribution by year", fontsize=10)


# --------------------------------------------------------------------------- capacity
def plot_capacity(plan: Any) -> Figure:
    """IT MW online by site and year (stacked bars) against the target, with the shortfall in red.

    Parameters
    ----------
    plan : BuildPlan
        Uses ``capacity`` (``site_id``, ``year``, ``it_mw``), ``meta["targets_it_mw"]`` and
        ``meta["shortfall_it_mw"]``.

    Returns
    -------
    Figure
        One bar container per site, one hatched ``shortfall`` container, a ``IT MW target`` line.
    """
    targets = _year_series(plan.meta, "targets_it_mw")
    short = _year_series(plan.meta, "shortfall_it_mw").reindex(targets.index).fillna(0.0)
    cap = plan.capacity
    years = sorted(set(targets.index) | set(cap["year"].astype(int) if len(cap) else []))
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(years))
    bottom = _draw_site_capacity(ax, x, years, plan)
    s = short.reindex(years).fillna(0.0).to_numpy()
    _draw_shortfall(ax, x, bottom, s)
    t = targets.reindex(years)
    if len(x):
        ax.step(
            np.r_[x - 0.5, x[-1] + 0.5],
            np.r_[t.to_numpy(), t.iloc[-1]],
            where="post",
            color=TARGET_COLOR,
            ls="--",
            lw=1.8,
            label="IT MW target",
        )
    ax.set_xticks(x, [str(y) for y in years])
    ax.set_xlabel("year")
    ax.set_ylabel("IT MW online")
    top = max(
        float(np.nanmax(t.to_numpy())) if len(t) else 0.0, float((bottom + s).max()) if len(x) else 0.0, 1.0
    )
    ax.set_ylim(0, top * 1.15)
    ax.grid(axis="y", color="#eeeeee")
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    total_short = float(s.sum())
    ax.set_title(
        f"{plan.meta.get('scenario', 'plan')}: IT capacity vs target"
        + (f" (shortfall {total_short:,.0f} MW-years)" if total_short > 0 else " (target met)"),
        fontsize=11,
    )
    return fig


def _draw_site_capacity(ax: Any, x: np.ndarray, years: list[int], plan: Any) -> np.ndarray:
    """IT MW online by site (stacked bars, one container per site named after it); the stack tops (MW)."""
    bottom = np.zeros(len(years))
    cap = plan.capacity
    if not len(cap):
        return bottom
    pv = (
        cap.pivot_table(index="year", columns="site_id", values="it_mw", aggfunc="sum")
        .reindex(years)
        .fillna(0.0)
    )
    names = plan.sites.set_index("site_id")["name"].to_dict() if len(plan.sites) else {}
    cmap = colormaps["tab10"]
    for i, sid in enumerate(pv.columns):
        v = pv[sid].to_numpy()
        ax.bar(x, v, bottom=bottom, color=cmap(i % 10), label=names.get(sid, sid), width=0.7)
        bottom = bottom + v
    return bottom


def _draw_shortfall(ax: Any, x: np.ndarray, bottom: np.ndarray, short_mw: np.ndarray) -> None:
    """Hatched red shortfall bars (MW) on top of the stacks, each labelled ``−MW``."""
    pos = short_mw > 0
    ax.bar(
        x[pos],
        short_mw[pos],
        bottom=bottom[pos],
        color="none",
        edgecolor=SHORTFALL_COLOR,
        hatch="///",
        width=0.7,
        lw=1.2,
        label="shortfall",
    )
    for xi, b, v in zip(x, bottom, short_mw, strict=True):
        if v > 0:
            ax.text(
                xi,
                b + v / 2,
                f"−{v:,.0f}",
                ha="center",
                va="center",
                color=SHORTFALL_COLOR,
                fontsize=8,
                bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
            )


# --------------------------------------------------------------------------- hourly supply
#: dispatch.csv MW columns averaged by :func:`supply_profile` (on-site options are added to these)
PROFILE_COLUMNS = (
    "facility_load_mw",
    "grid_mw",
    "battery_discharge_mw",
    "battery_charge_mw",
    "ppa_clean_mw",
    "clean_matched_mw",
)
GRID_COLOR = "#4292c6"
MATCHED_COLOR = "#74c476"
BATTERY_COLOR = "#756bb1"
LOAD_COLOR = "black"
PPA_COLOR = "#238b45"
#: series with no value above this (MW) are left out of the chart
DRAW_MIN_MW = 1e-6
HOURS_PER_DAY = 24
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def onsite_columns(dispatch: pd.DataFrame) -> list[str]:
    """The ``onsite_<option>_mw`` columns of ``dispatch.csv`` (one per on-site fuel option), in file order."""
    return [c for c in dispatch.columns if c.startswith("onsite_") and c.endswith("_mw") and c != "onsite_mw"]


def default_site_year(plan: Any, year: int | None = None) -> tuple[str | None, int | None]:
    """The chart's default year (the last of ``plan.dispatch``) and site: the one with the most IT MW that
    year in ``capacity`` among those with dispatch rows then (else the most facility MWh; ties go to the
    first id in order). ``(None, None)`` without dispatch rows; ``(None, year)`` when the year has none."""
    dp = plan.dispatch
    if dp is None or dp.empty:
        return None, None
    year = int(dp["year"].max()) if year is None else int(year)
    rows = dp[dp["year"] == year]
    if rows.empty:
        return None, year
    size = (rows["hours"] * rows["facility_load_mw"]).groupby(rows["site_id"].astype(str)).sum()
    cap = plan.capacity
    if len(cap) and {"site_id", "year", "it_mw"} <= set(cap.columns):
        it = cap[cap["year"] == year].groupby(cap["site_id"].astype(str))["it_mw"].sum()
        if it.reindex(size.index).notna().any():
            size = it.reindex(size.index).fillna(-1.0)
    return str(size.sort_index().idxmax()), year


def supply_profile(dispatch: pd.DataFrame, site_id: str, year: int) -> pd.DataFrame:
    """One row per climate period of a site's year: MW averaged over the year's steps, weighted by hours.

    ``mw[p] = Σ_t hours[t, p] × mw[t, p] / Σ_t hours[t, p]`` for every MW column, so that Σ_p ``hours`` ×
    ``mw`` is the year's MWh; ``hours`` is Σ_t hours[t, p] (hours of the year period p stands for).
    Columns: ``period``, ``day``, ``hour``, ``hours``, the MW columns, and ``x`` (chart position: the rank of
    the representative day among those present × 24 + hour, or the rank of the month for monthly periods).
    """
    rows = dispatch[(dispatch["site_id"].astype(str) == str(site_id)) & (dispatch["year"] == year)]
    cols = [*PROFILE_COLUMNS, *onsite_columns(dispatch)]
    weighted = rows[cols].mul(rows["hours"], axis=0).assign(hours=rows["hours"], period=rows["period"])
    prof = weighted.groupby("period", sort=True).sum()
    prof[cols] = prof[cols].div(prof["hours"].where(prof["hours"] > 0), axis=0).fillna(0.0)
    keys = rows.drop_duplicates("period").set_index("period")[["day", "hour"]]
    prof = prof.join(keys).reset_index()
    if (prof["day"] >= 0).all() and len(prof):
        rank = prof["day"].rank(method="dense").astype(int) - 1
        prof["x"] = rank * HOURS_PER_DAY + prof["hour"]
    else:
        prof["x"] = np.arange(len(prof))
    return prof.sort_values("x", ignore_index=True)


def _edges(prof: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """x edges and values for a ``where='post'`` step: every period occupies [x, x + 1)."""
    x = prof["x"].to_numpy(dtype=float)
    v = prof[col].to_numpy(dtype=float)
    return np.r_[x, x[-1] + 1.0], np.r_[v, v[-1]]


def _draw_supply(ax: Any, prof: pd.DataFrame, onsite: list[str]) -> None:
    """Stacked areas of supply (grid, each on-site option, battery discharge), charging below zero,
    facility load as a solid line and contracted clean output as a dashed line."""
    prof = prof.assign(grid_other_mw=(prof["grid_mw"] - prof["clean_matched_mw"]).clip(lower=0.0))
    series = [("grid_mw", "grid", GRID_COLOR)]
    if prof["clean_matched_mw"].max() > DRAW_MIN_MW:  # the grid split: matched by clean contracts or not
        series = [
            ("clean_matched_mw", "grid, matched by clean contracts", MATCHED_COLOR),
            ("grid_other_mw", "grid, not matched", GRID_COLOR),
        ]
    cmap = colormaps["Oranges"]
    series += [
        (
            c,
            c.removeprefix("onsite_").removesuffix("_mw").replace("_", " "),
            cmap(0.45 + 0.45 * i / max(len(onsite), 1)),
        )
        for i, c in enumerate(onsite)
    ]
    series.append(("battery_discharge_mw", "battery discharge", BATTERY_COLOR))
    drawn = [s for s in series if s[0] in ("grid_mw", "grid_other_mw") or prof[s[0]].max() > DRAW_MIN_MW]
    x, _ = _edges(prof, "grid_mw")
    ax.stackplot(
        x,
        [_edges(prof, c)[1] for c, _, _ in drawn],
        labels=[label for _, label, _ in drawn],
        colors=[color for _, _, color in drawn],
        step="post",
        alpha=0.85,
    )
    if prof["battery_charge_mw"].max() > DRAW_MIN_MW:
        ax.fill_between(
            x, -_edges(prof, "battery_charge_mw")[1], 0.0, step="post", color=BATTERY_COLOR, alpha=0.4,
            hatch="//", label="battery charging",
        )  # fmt: skip
    ax.step(
        x, _edges(prof, "facility_load_mw")[1], where="post", color=LOAD_COLOR, lw=1.4, label="facility load"
    )
    if prof["ppa_clean_mw"].max() > DRAW_MIN_MW:
        ax.step(
            x, _edges(prof, "ppa_clean_mw")[1], where="post", color=PPA_COLOR, ls="--", lw=1.2,
            label="contracted clean output (PPA)",
        )  # fmt: skip


def _hour_axis(ax: Any, prof: pd.DataFrame) -> str:
    """Representative days: a separator between days, one tick per day labelled with the day and the days
    of the year it stands for; monthly periods: one tick per month. Returns the resolution's description."""
    n = int(prof["x"].max()) + 1 if len(prof) else 0
    ax.set_xlim(0, max(n, 1))
    if len(prof) and (prof["day"] >= 0).all():
        days = prof.groupby("day", sort=True)["hours"].sum() / HOURS_PER_DAY  # days of the year per rep. day
        starts = np.arange(len(days)) * HOURS_PER_DAY
        for s in starts[1:]:
            ax.axvline(s, color="#999999", lw=0.6, ls=":")
        ax.set_xticks(
            starts + HOURS_PER_DAY / 2, [f"day {d}\n{w:,.0f} d" for d, w in days.items()], fontsize=7
        )
        ax.set_xticks(np.arange(0, len(days) * HOURS_PER_DAY, 6), minor=True)
        ax.set_xlabel("representative day (days of the year it stands for) × hour of day (minor ticks: 6 h)")
        return f"{len(days)} representative days"
    names = [MONTH_NAMES[p - 1] if 1 <= p <= 12 else str(p) for p in prof["period"].astype(int)]
    ax.set_xticks(prof["x"].to_numpy(dtype=float) + 0.5, names, fontsize=8)
    ax.set_xlabel("month (monthly resolution: average MW per month)")
    return "monthly resolution"


def plot_hourly_supply(plan: Any, site_id: str | None = None, year: int | None = None) -> Figure:
    """Supply by source over the representative days (or the 12 months) of one site and year.

    Stacked areas: grid (split into the part matched by deliverable clean contracts in the same period,
    ``clean_matched_mw``, and the rest, when any is matched), each on-site option, battery discharge;
    battery charging below zero; facility
    load as a solid line; the zone's contracted clean output allocated to the site (``ppa_clean_mw``, not
    necessarily matched) dashed. Each period's MW is averaged over the year's steps, weighted by hours
    (:func:`supply_profile`). With representative days, x is day × 24 + hour with dotted separators and
    each day's weight (days of the year) in its label; with monthly periods x is the 12 months.

    Parameters
    ----------
    plan : BuildPlan
        Uses ``dispatch`` (``dispatch.csv``) and ``capacity``.
    site_id : str, optional
        Default: the site with the most IT MW in ``year``.
    year : int, optional
        Default: the last year of the dispatch table (the last horizon year with IT online).

    Returns
    -------
    Figure
        ``fig.axes[0]``: one stackplot collection per supply series, an optional charging collection,
        the ``facility load`` line and an optional dashed PPA line.

    Raises
    ------
    InputError
        ``site_id`` or ``year`` has no rows in the dispatch table.
    """
    default_site, year = default_site_year(plan, year)
    fig = Figure(figsize=(12, 4.6), layout="constrained")
    ax = fig.add_subplot()
    scenario = plan.meta.get("scenario", "plan")
    if year is None:
        _empty(ax, "no dispatch in this plan (nothing built, or a plan written before dispatch.csv)")
        ax.set_title(f"{scenario}: supply by source", fontsize=11)
        return fig
    dp = plan.dispatch
    site_id = default_site if site_id is None else site_id
    prof = supply_profile(dp, site_id, year)
    if prof.empty:
        raise InputError(
            f"no dispatch rows for site {site_id!r} in {year}",
            file="dispatch.csv",
            fix=f"choose a site and year with IT online; sites: {sorted(dp['site_id'].astype(str).unique())}, "
            f"years: {sorted(dp['year'].unique().tolist())}",
        )
    _draw_supply(ax, prof, onsite_columns(dp))
    resolution = _hour_axis(ax, prof)
    ax.axhline(0.0, color="#555555", lw=0.6)
    ax.set_ylabel("average MW")
    ax.grid(axis="y", color="#eeeeee")
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(
        f"{scenario}: supply by source at {site_id} in {year}\n({resolution}, hours-weighted over the year's steps)",
        fontsize=11,
    )
    return fig

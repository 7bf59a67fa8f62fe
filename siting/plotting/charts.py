"""Plan charts: Gantt timeline, cost breakdown, IT capacity against the target (matplotlib).

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot state), so it works with
the Agg backend, in scripts without a display and in notebooks alike.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

#: Gantt milestones, their colour and their lane offset within a phase's row.
MILESTONES = {
    "permitting": ("#8c6bb1", -0.27),
    "interconnection": ("#2171b5", -0.09),
    "onsite_power": ("#e6550d", 0.09),
    "construction": ("#74c476", 0.27),
}
LANE_HEIGHT = 0.17
TARGET_COLOR = "black"
ONLINE_COLOR = "#238b45"
SHORTFALL_COLOR = "#d7301f"


def _year_series(meta: dict, key: str) -> pd.Series:
    d = meta.get(key) or {}
    s = pd.Series({int(k): (np.nan if v is None else float(v)) for k, v in d.items()}, dtype=float)
    return s.sort_index()


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=11, color="#666666")


# --------------------------------------------------------------------------- timeline
def plot_timeline(plan: Any) -> Figure:
    """Gantt chart of every site phase with the IT MW target.

    One row per phase (``timeline.phase``, labelled with its site and IT MW); within a row, the bars are
    permitting, interconnection, on-site power and construction (dates from ``timeline.start/end``);
    a diamond marks energization. The right axis shows the IT MW target (dashed step line, from
    ``meta["targets_it_mw"]``) and the IT MW online (solid step line), each stepping on 1 January.

    Parameters
    ----------
    plan : BuildPlan

    Returns
    -------
    Figure
        ``fig.axes[0]`` is the Gantt axes (y ticks = phases), ``fig.axes[1]`` the MW axes.
    """
    tl = plan.timeline.copy()
    phases = (
        (
            tl.groupby("phase", sort=False)
            .agg(
                site_id=("site_id", "first"),
                it_mw=("it_mw", "first"),
                online_year=("online_year", "min"),
                start=("start", "min"),
            )
            .reset_index()
            .sort_values(["online_year", "site_id", "start", "phase"])
            .reset_index(drop=True)
        )
        if len(tl)
        else pd.DataFrame(columns=["phase", "site_id", "it_mw", "online_year", "start"])
    )
    n = len(phases)
    fig = Figure(figsize=(11, 2.2 + 0.32 * max(n, 3)), layout="constrained")
    ax = fig.add_subplot()
    ax2 = ax.twinx()
    if n == 0:
        _empty(ax, "no site phases in this plan")
    else:
        row = pd.Series(np.arange(n), index=phases["phase"])
        tl["y"] = tl["phase"].map(row).to_numpy(dtype=float)
        tl["t0"] = mdates.date2num(pd.to_datetime(tl["start"]))
        tl["t1"] = mdates.date2num(pd.to_datetime(tl["end"]))
        for kind, (color, off) in MILESTONES.items():
            sel = tl[tl["milestone"] == kind]
            if len(sel):
                ax.barh(
                    sel["y"] + off,
                    (sel["t1"] - sel["t0"]).clip(lower=3),
                    left=sel["t0"],
                    height=LANE_HEIGHT,
                    color=color,
                    label=kind.replace("_", " "),
                )
        en = tl[tl["milestone"] == "energization"]
        if len(en):
            ax.scatter(
                en["t0"],
                en["y"],
                marker="D",
                s=36,
                color="gold",
                edgecolor="black",
                zorder=5,
                label="energization",
            )
        ax.set_yticks(
            np.arange(n),
            [f"{p} · {mw:,.0f} MW" for p, mw in zip(phases["phase"], phases["it_mw"], strict=True)],
        )
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", labelsize=8 if n < 40 else 6)
    targets = _year_series(plan.meta, "targets_it_mw")
    online = _year_series(plan.meta, "it_mw_online")
    if len(targets):
        last = int(max(targets.index.max(), online.index.max() if len(online) else 0))
        years = list(targets.index) + [last + 1]
        x = mdates.date2num(pd.to_datetime([f"{y}-01-01" for y in years]))
        if len(online):
            on = online.reindex(targets.index).fillna(0.0)
            ax2.step(
                x,
                list(on.to_numpy()) + [on.iloc[-1]],
                where="post",
                color=ONLINE_COLOR,
                lw=3,
                alpha=0.6,
                label="IT MW online",
            )
        ax2.step(
            x,
            list(targets.to_numpy()) + [targets.iloc[-1]],
            where="post",
            color=TARGET_COLOR,
            ls="--",
            lw=1.6,
            label="IT MW target",
        )
        ax2.set_ylim(0, max(float(targets.max()), float(online.max()) if len(online) else 0.0, 1.0) * 1.15)
    ax2.set_ylabel("IT MW")
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="x", color="#dddddd", lw=0.8)
    ax.set_axisbelow(True)
    ax.set_xlabel("date")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    if h1 or h2:
        ax.legend(
            h1 + h2,
            l1 + l2,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.08 - 0.6 / max(n, 3)),
            ncol=min(len(h1 + h2), 7),
            fontsize=8,
            frameon=False,
        )
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
    cats = list(costs.index)
    colors = _category_colors(cats)
    fig = Figure(figsize=(12, 4.8), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.3])
    cy = plan.meta.get("currency_year", "")
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
    ax.set_xlabel(f"present value, M USD ({cy})")
    ax.set_title(f"total {total / 1e9:,.3f} B USD PV by category", fontsize=10)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)

    cby = plan.costs_by_year
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
        ax2.set_ylabel(f"present value, M USD ({cy})")
        ax2.set_xlabel("year")
        ax2.grid(axis="y", color="#eeeeee")
        ax2.set_axisbelow(True)
    else:
        _empty(ax2, "no costs by year")
    ax2.set_title("NPV contribution by year", fontsize=10)
    fig.suptitle(f"{plan.meta.get('scenario', 'plan')}: costs", fontsize=11)
    return fig


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
    bottom = np.zeros(len(years))
    if len(cap):
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
    s = short.reindex(years).fillna(0.0).to_numpy()
    pos = s > 0
    ax.bar(
        x[pos],
        s[pos],
        bottom=bottom[pos],
        color="none",
        edgecolor=SHORTFALL_COLOR,
        hatch="///",
        width=0.7,
        lw=1.2,
        label="shortfall",
    )
    for xi, b, v in zip(x, bottom, s, strict=True):
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

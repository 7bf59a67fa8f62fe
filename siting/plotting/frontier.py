"""The trade-off frontier chart: one panel per 2-D frontier of a ``siting.pareto`` table (matplotlib).

Takes the frontier table (a DataFrame), never a plan or a model: columns ``frontier`` (``"cost–carbon"``),
``role``, ``dominated`` and the value columns ``cost_usd`` (PV USD), ``time_to_power_mw_yr`` (MW·yr) and
``carbon_tco2`` (tCO2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: objective → (table column, axis label, divisor applied to the values for the axis)
AXES = {
    "cost": ("cost_usd", "cost without shortfall penalty (PV, M USD)", 1e6),
    "time_to_power": ("time_to_power_mw_yr", "time to power: IT short of targets (MW·yr)", 1.0),
    "carbon": ("carbon_tco2", "emissions over the horizon (kt CO2)", 1e3),
}
FRONTIER_COLOR = "#2171b5"
DOMINATED_COLOR = "#999999"
ANCHOR_COLOR = "#d7301f"


def plot_frontier(table: pd.DataFrame, objectives: Sequence[str] | None = None) -> Figure:
    """Plot each 2-D frontier: the secondary objective across, the primary one up.

    Non-dominated points are joined in order of the secondary objective; anchors (``role`` starting with
    ``min``) are red and labelled; dominated points (numerical ties included) are grey crosses.

    Parameters
    ----------
    table : DataFrame
        The table returned by ``siting.pareto`` (or read from ``frontier.csv``).
    objectives : sequence of str, optional
        The objectives, primary first (default: from the ``frontier`` names, in order of appearance).

    Returns
    -------
    Figure
    """
    names = list(dict.fromkeys(table["frontier"]))
    if objectives is None:
        objectives = list(dict.fromkeys(o for n in names for o in str(n).split("–")))
    primary = objectives[0]
    fig = Figure(figsize=(5.5 * max(1, len(names)), 4.5), layout="constrained")
    axes = fig.subplots(1, max(1, len(names)), squeeze=False)[0]
    for i, (ax, name) in enumerate(zip(axes, names, strict=False)):
        secondary = str(name).split("–")[1]
        _panel(ax, table[table["frontier"] == name], primary, secondary)
        title = f"{AXES[primary][1].split(' (')[0]} vs {secondary.replace('_', ' ')}"
        held = [n.split("–")[1].replace("_", " ") for n in names[:i]]
        if held:  # earlier secondary objectives are held at their minimum (siting.pareto)
            title += f"\n({', '.join(held)} held at its minimum)"
        ax.set_title(title, fontsize=10)
    return fig


def _panel(ax, rows: pd.DataFrame, primary: str, secondary: str) -> None:
    ycol, ylabel, ydiv = AXES[primary]
    xcol, xlabel, xdiv = AXES[secondary]
    rows = rows[np.isfinite(rows[ycol].astype(float)) & np.isfinite(rows[xcol].astype(float))]
    dominated = rows["dominated"].astype(bool)
    good = rows[~dominated].sort_values(xcol)
    ax.plot(good[xcol] / xdiv, good[ycol] / ydiv, "-o", color=FRONTIER_COLOR, zorder=2, label="frontier")
    bad = rows[dominated]
    if len(bad):
        ax.plot(bad[xcol] / xdiv, bad[ycol] / ydiv, "x", color=DOMINATED_COLOR, zorder=1, label="dominated")
    anchors = good[good["role"].astype(str).str.startswith("min")]
    ax.plot(anchors[xcol] / xdiv, anchors[ycol] / ydiv, "o", color=ANCHOR_COLOR, zorder=3, label="anchor")
    for r in anchors.itertuples():
        ax.annotate(
            r.role,
            (getattr(r, xcol) / xdiv, getattr(r, ycol) / ydiv),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
        )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")

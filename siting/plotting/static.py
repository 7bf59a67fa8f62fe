"""Static map of a build plan for reports (matplotlib; save as PNG or SVG)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ._layers import MapLayers, map_layers
from .maps import (
    INTERCONNECTION_COLOR,
    REGION_COLOR,
    REGION_EDGE,
    SERVING_COLOR,
    SITE_COLOR,
    SITE_EDGE,
    UNSERVED_REGION_COLOR,
)

NICE_KM = (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
#: At most this many serving lines (the largest MW) carry an MW label.
MAX_SERVING_LABELS = 12


def _marker_area(mw: np.ndarray, top: float) -> np.ndarray:
    """Scatter marker area (pt²) ∝ MW: 60 pt² … 900 pt² at the largest site."""
    return 60.0 + 840.0 * np.clip(mw, 0, None) / max(top, 1.0)


def add_scale_bar(ax: Axes, bounds: tuple[float, float, float, float]) -> float:
    """Draw a scale bar (km) in the lower-left corner of a lon/lat axes.

    Parameters
    ----------
    ax : Axes
        Axes in degrees with aspect ``1 / cos(mid-latitude)``.
    bounds : tuple of float
        ``(west, south, east, north)`` shown, degrees.

    Returns
    -------
    float
        Length of the bar, km.
    """
    w, s, e, n = bounds
    lat = (s + n) / 2
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    width_km = (e - w) * km_per_deg
    length = max([k for k in NICE_KM if k <= 0.25 * width_km] or [NICE_KM[0]])
    x0 = w + 0.04 * (e - w)
    y0 = s + 0.05 * (n - s)
    dx = length / km_per_deg
    ax.plot([x0, x0 + dx], [y0, y0], color="black", lw=3, solid_capstyle="butt", zorder=20)
    ax.plot([x0, x0 + dx / 2], [y0, y0], color="white", lw=1.5, solid_capstyle="butt", zorder=21)
    ax.text(
        x0 + dx / 2, y0 + 0.015 * (n - s), f"{length:g} km", ha="center", va="bottom", fontsize=8, zorder=21
    )
    # north arrow
    ax.annotate(
        "N",
        xy=(e - 0.04 * (e - w), n - 0.05 * (n - s)),
        xytext=(e - 0.04 * (e - w), n - 0.14 * (n - s)),
        ha="center",
        va="center",
        fontsize=9,
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        zorder=21,
    )
    return float(length)


def plot_map(
    plan: Any,
    ax: Axes | None = None,
    layers: MapLayers | None = None,
    context: Mapping[str, Any] | None = None,
) -> Figure:
    """Static map: state outlines, transmission corridors, candidate and chosen sites, legend and scale.

    Chosen sites are circles whose area is proportional to IT MW, labelled with name and MW; dashed lines
    join them to the substations they connect to (if any). A plan with a non-empty ``serving`` table also
    shows demand regions (area ∝ population; grey where not served) and a line from each site to each
    region it serves in the last horizon year, its width ∝ MW, the largest labelled with the MW (artists
    with ``gid`` ``"demand-regions"`` and ``"serving"``). Coordinates are longitude/latitude degrees
    drawn with aspect ``1/cos(latitude)`` (locally true shape); the scale bar is in km.

    Parameters
    ----------
    plan : BuildPlan
        A solved or loaded plan.
    ax : Axes, optional
        Axes to draw into (default: a new figure 9 in wide, its height following the study area).
    layers : MapLayers, optional
        Pre-computed layers.
    context : mapping, optional
        Context layers where ``plan.context`` has none (:func:`siting.data.layers.map_context`).

    Returns
    -------
    Figure
        Save with ``fig.savefig("map.png", dpi=150)`` or ``"map.svg"``.
    """
    L = layers or map_layers(plan, with_zones=False, context=context)
    fig, ax = _map_axes(L.bounds, ax)
    _draw_states(ax, L)
    handles = [
        *_draw_lines(ax, L),
        *_draw_regions(ax, L),
        *_draw_candidates(ax, L),
        *_draw_interconnections(ax, plan),
        *_draw_serving(ax, L),
        *_draw_sites(ax, plan),
    ]
    _finish_axes(ax, L.bounds, plan)
    if handles:
        loc = "best" if len(L.regions) else "upper left"  # regions may lie under the upper left
        ax.legend(handles=handles, loc=loc, fontsize=7.5, framealpha=0.9)
    return fig


def _map_axes(bounds: tuple[float, float, float, float], ax: Axes | None) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure 9 in wide whose height follows the study area (degrees)."""
    if ax is not None:
        return ax.figure, ax
    w, s, e, n = bounds
    ratio = (n - s) / max((e - w) * math.cos(math.radians((s + n) / 2)), 1e-6)
    fig = Figure(figsize=(9, min(max(9 * ratio + 1.0, 4.0), 10.0)), layout="constrained")
    return fig, fig.add_subplot()


def _draw_states(ax: Axes, L: MapLayers) -> None:
    """Sea background, state outlines, and the names of states covering over 2 % of the view."""
    ax.set_facecolor("#dfe8ef")
    if not len(L.states):
        return
    L.states.plot(ax=ax, facecolor="#f4f1ea", edgecolor="#9e9e9e", linewidth=0.7, zorder=1)
    view = shapely.box(*L.bounds)
    for name, geom in zip(L.states["state"], L.states.geometry, strict=True):
        part = shapely.intersection(geom, view)
        if not part.is_empty and part.area > 0.02 * view.area:
            pt = part.representative_point()
            ax.text(pt.x, pt.y, name, fontsize=10, color="#b0a999", ha="center", va="center", zorder=2)


def _draw_lines(ax: Axes, L: MapLayers) -> list[Line2D]:
    """Transmission corridors; their legend handle."""
    if not len(L.lines):
        return []
    segs = [np.asarray(g.coords) for g in shapely.get_parts(L.lines.geometry.values)]
    ax.add_collection(LineCollection(segs, colors="#4292c6", linewidths=0.6, alpha=0.55, zorder=3))
    return [Line2D([], [], color="#4292c6", lw=1, alpha=0.7, label="transmission ≥230 kV")]


def _draw_regions(ax: Axes, L: MapLayers) -> list[Line2D]:
    """Demand regions (area ∝ population, orange if served, grey if not) labelled with their name; their
    legend handle."""
    rg = L.regions
    if not len(rg):
        return []
    pop = np.clip(rg["population"].to_numpy(dtype=float), 0, None)
    served = rg["served_mw"].to_numpy(dtype=float) > 0
    area = 40.0 + 1100.0 * pop / max(float(pop.max()), 1.0)  # pt²
    ax.scatter(
        rg["lon"].astype(float),
        rg["lat"].astype(float),
        s=area,
        color=np.where(served, REGION_COLOR, UNSERVED_REGION_COLOR),
        edgecolor=REGION_EDGE,
        lw=0.8,
        alpha=0.35,
        zorder=3.5,
        gid="demand-regions",
    )
    below = -np.sqrt(area) / 2 - 1.0  # pt under the circle (scatter area is diameter²)
    for nm, lon, lat, dy in zip(
        rg["name"], rg["lon"].astype(float), rg["lat"].astype(float), below, strict=True
    ):
        ax.annotate(
            str(nm),
            (lon, lat),
            xytext=(0, dy),
            textcoords="offset points",
            fontsize=6.5,
            color=REGION_EDGE,
            ha="center",
            va="top",
            zorder=8.5,
        )
    label = f"demand region (area ∝ population; grey: not served in {L.serving_year})"
    return [
        Line2D([], [], ls="", marker="o", ms=8, mfc=REGION_COLOR, mec=REGION_EDGE, alpha=0.5, label=label)
    ]


def _draw_serving(ax: Axes, L: MapLayers) -> list[Line2D]:
    """A line from each site to each region it serves (width ∝ IT MW), the :data:`MAX_SERVING_LABELS`
    largest labelled with their MW at the middle; its legend handle."""
    sv = L.serving
    if not len(sv):
        return []
    a = sv[["site_lon", "site_lat"]].to_numpy(dtype=float)
    b = sv[["region_lon", "region_lat"]].to_numpy(dtype=float)
    mw = sv["mw"].to_numpy(dtype=float)
    top = max(float(mw.max()), 1e-9)
    widths = 1.0 + 5.0 * np.clip(mw, 0, None) / top
    lc = LineCollection(list(np.stack([a, b], axis=1)), colors=SERVING_COLOR, linewidths=widths, alpha=0.75)
    lc.set_zorder(5.5)
    lc.set_capstyle("round")
    lc.set_gid("serving")
    ax.add_collection(lc)
    for i in sorted(np.argsort(-mw, kind="stable")[:MAX_SERVING_LABELS]):
        (x, y), m = (a[i] + b[i]) / 2, mw[i]
        ax.annotate(
            f"{m:,.{0 if m >= 10 else 1}f} MW",
            (x, y),
            xytext=(0, -4),
            textcoords="offset points",
            fontsize=6.5,
            color=SERVING_COLOR,
            ha="center",
            va="top",
            zorder=8.5,
            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
        )
    label = f"site serves region in {L.serving_year} (width ∝ MW; largest {top:,.0f} MW)"
    return [Line2D([], [], color=SERVING_COLOR, lw=3, alpha=0.75, label=label)]


def _draw_candidates(ax: Axes, L: MapLayers) -> list[Line2D]:
    """Candidate sites not chosen (white circles); their legend handle."""
    cand = L.candidates
    if not len(cand):
        return []
    other = cand[~cand["chosen"].astype(bool)] if "chosen" in cand else cand
    ax.scatter(other["lon"], other["lat"], s=14, facecolor="white", edgecolor="#555555", lw=0.8, zorder=4)
    label = "candidate site (not chosen)"
    return [Line2D([], [], ls="", marker="o", ms=4, mfc="white", mec="#555555", label=label)]


def _draw_interconnections(ax: Axes, plan: Any) -> list[Line2D]:
    """Dashed site → substation lines and the connected substations; their legend handles."""
    ic = plan.interconnections
    if not len(ic):
        return []
    xy = plan.sites.set_index("site_id")[["lon", "lat"]].reindex(ic["site_id"]).to_numpy(dtype=float)
    sub = ic[["substation_lon", "substation_lat"]].to_numpy(dtype=float)
    segs = np.stack([xy, sub], axis=1)
    segs = segs[np.isfinite(segs).all(axis=(1, 2))]
    ax.add_collection(
        LineCollection(list(segs), colors=INTERCONNECTION_COLOR, linewidths=1.8, linestyles="--", zorder=5)
    )
    ax.scatter(sub[:, 0], sub[:, 1], marker="^", s=40, color="black", zorder=6)
    return [
        Line2D([], [], color=INTERCONNECTION_COLOR, ls="--", lw=1.8, label="interconnection"),
        Line2D([], [], ls="", marker="^", color="black", label="substation (connected)"),
    ]


def _draw_sites(ax: Axes, plan: Any) -> list[Line2D]:
    """Chosen sites (area ∝ IT MW) labelled with name, MW and first online year; their legend handle."""
    sites = plan.sites
    if not len(sites):
        return []
    mw = sites["it_mw"].to_numpy(dtype=float)
    top = float(mw.max())
    ax.scatter(
        sites["lon"],
        sites["lat"],
        s=_marker_area(mw, top),
        color=SITE_COLOR,
        edgecolor=SITE_EDGE,
        lw=1.2,
        alpha=0.9,
        zorder=7,
    )
    for r in sites.itertuples():
        ax.annotate(
            f"{r.name}\n{r.it_mw:,.0f} MW · {r.first_online_year}",
            (r.lon, r.lat),
            xytext=(8, 6),
            textcoords="offset points",
            fontsize=8,
            zorder=8,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75},
        )
    label = f"chosen site (area ∝ IT MW; largest {top:,.0f} MW)"
    return [Line2D([], [], ls="", marker="o", ms=8, mfc=SITE_COLOR, mec=SITE_EDGE, alpha=0.9, label=label)]


def _finish_axes(ax: Axes, bounds: tuple[float, float, float, float], plan: Any) -> None:
    """Extent, aspect ``1/cos(mid-latitude)``, degree labels, scale bar and title (MW IT, sites)."""
    w, s, e, n = bounds
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1.0 / math.cos(math.radians((s + n) / 2)))
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.tick_params(labelsize=8)
    add_scale_bar(ax, (w, s, e, n))
    sites = plan.sites
    total = float(sites["it_mw"].sum()) if len(sites) else 0.0
    ax.set_title(
        f"{plan.meta.get('scenario', 'plan')}: {total:,.0f} MW IT at {len(sites)} site(s)", fontsize=11
    )

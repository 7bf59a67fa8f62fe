"""Maps and charts of a build plan (plotting never solves).

* Interactive map that works offline (Leaflet through folium, inlined): :func:`explore`,
  :func:`save_map_html`.
* Static map for reports (PNG/SVG): :func:`plot_map`.
* Charts: :func:`plot_timeline` (Gantt), :func:`plot_costs`, :func:`plot_capacity`,
  :func:`plot_hourly_supply` (supply by source over the representative days); the trade-off
  frontier of a ``siting.pareto`` table: :func:`plot_frontier`.
* :func:`figure_writers`: the files the command line writes into a plan directory;
  :func:`save_figure` writes a matplotlib figure reproducibly (same figure, same bytes).

See ``docs/maps-and-charts.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

from ._layers import MapLayers, map_layers
from .charts import plot_capacity, plot_costs, plot_hourly_supply, plot_timeline
from .frontier import plot_frontier
from .maps import explore, save_map_html, stable_ids
from .static import plot_map

#: Resolution of the PNG files written by :func:`figure_writers`, dots per inch.
PNG_DPI = 150
#: Fixed salt of the SVG element ids (matplotlib draws a random one per file unless it is set).
SVG_HASH_SALT = "siting"

__all__ = [
    "MapLayers",
    "explore",
    "figure_writers",
    "map_layers",
    "plot_capacity",
    "plot_costs",
    "plot_frontier",
    "plot_hourly_supply",
    "plot_map",
    "plot_timeline",
    "save_figure",
    "save_map_html",
    "stable_ids",
]


def save_figure(fig: Figure, path: str | Path, fmt: str | None = None, dpi: float = PNG_DPI) -> Path:
    """Save ``fig`` so that the same figure always gives the same bytes.

    matplotlib writes the current date into SVG (and PDF) files and salts SVG element ids with a random
    uuid; here the date is left out and the salt is :data:`SVG_HASH_SALT` (set only for this call, the
    global ``rcParams`` are unchanged). PNG files carry no date and are written as usual.

    Parameters
    ----------
    fig : Figure
        The figure to save.
    path : path
        Output file.
    fmt : str, optional
        ``"png"``, ``"svg"`` or ``"pdf"`` (default: the suffix of ``path``).
    dpi : float
        Resolution of raster output, dots per inch.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    with mpl.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
        fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
    return path


def figure_writers(plan: Any, context: Mapping[str, Any] | None = None) -> dict[str, Callable[[Path], None]]:
    """Writers of every map and chart file of a plan directory.

    Parameters
    ----------
    plan : BuildPlan
        A solved or loaded plan.
    context : mapping, optional
        Map context layers where ``plan.context`` has none (:func:`siting.data.layers.map_context`).

    Returns
    -------
    dict
        ``{file name: writer(path)}`` for ``map.html`` (offline interactive map), ``map.png``,
        ``map.svg`` (static map), ``timeline.png``, ``costs.png``, ``capacity.png`` and
        ``hourly_supply.svg`` (:func:`plot_hourly_supply` with its defaults); pass it to
        ``plan.save(directory, extra_files=...)``. The map layers are computed once, on first use.
    """
    layers = functools.cache(lambda: map_layers(plan, with_zones=True, context=context))

    def html(path: Path) -> None:
        save_map_html(plan, path, layers=layers())

    def static(fmt: str) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            save_figure(plot_map(plan, layers=layers()), path, fmt)

        return write

    def chart(fn: Callable[[Any], Any]) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            save_figure(fn(plan), path, "png")

        return write

    return {
        "map.html": html,
        "map.png": static("png"),
        "map.svg": static("svg"),
        "timeline.png": chart(plot_timeline),
        "costs.png": chart(plot_costs),
        "capacity.png": chart(plot_capacity),
        "hourly_supply.svg": lambda path: save_figure(plot_hourly_supply(plan), path, "svg"),
    }

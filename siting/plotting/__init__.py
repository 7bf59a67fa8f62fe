"""Maps and charts of a build plan (plotting never solves).

* Interactive map that works offline (Leaflet through folium, inlined): :func:`explore`,
  :func:`save_map_html`.
* Static map for reports (PNG/SVG): :func:`plot_map`.
* Charts: :func:`plot_timeline` (Gantt), :func:`plot_costs`, :func:`plot_capacity`.
* :func:`figure_writers`: the files the command line writes into a plan directory.

See ``docs/maps-and-charts.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._layers import MapLayers, map_layers
from .charts import plot_capacity, plot_costs, plot_timeline
from .maps import explore, save_map_html
from .static import plot_map

#: Resolution of the PNG files written by :func:`figure_writers`, dots per inch.
PNG_DPI = 150

__all__ = [
    "MapLayers",
    "explore",
    "figure_writers",
    "map_layers",
    "plot_capacity",
    "plot_costs",
    "plot_map",
    "plot_timeline",
    "save_map_html",
]


def figure_writers(plan: Any) -> dict[str, Callable[[Path], None]]:
    """Writers of every map and chart file of a plan directory.

    Parameters
    ----------
    plan : BuildPlan
        A solved or loaded plan.

    Returns
    -------
    dict
        ``{file name: writer(path)}`` for ``map.html`` (offline interactive map), ``map.png``,
        ``map.svg`` (static map), ``timeline.png``, ``costs.png`` and ``capacity.png``; pass it to
        ``plan.save(directory, extra_files=...)``. The map layers are computed once, on first use.
    """
    layers = functools.cache(lambda: map_layers(plan, with_zones=True))

    def html(path: Path) -> None:
        save_map_html(plan, path, layers=layers())

    def static(fmt: str) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            fig = plot_map(plan, layers=layers())
            fig.savefig(path, format=fmt, dpi=PNG_DPI)

        return write

    def chart(fn: Callable[[Any], Any]) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            fn(plan).savefig(path, format="png", dpi=PNG_DPI)

        return write

    return {
        "map.html": html,
        "map.png": static("png"),
        "map.svg": static("svg"),
        "timeline.png": chart(plot_timeline),
        "costs.png": chart(plot_costs),
        "capacity.png": chart(plot_capacity),
    }

"""Maps and charts of a build plan (never solves).

Interactive map (offline Leaflet through folium): :func:`explore`, :func:`save_map_html`. Static map:
:func:`plot_map`. Charts: :func:`plot_timeline`, :func:`plot_costs`, :func:`plot_capacity`. All files the
command line writes into a plan directory: :func:`figure_writers`. See ``docs/maps-and-charts.md``.
"""

from .maps import explore, save_map_html

__all__ = ["explore", "save_map_html"]

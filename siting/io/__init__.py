"""Public-format loaders: each reads a file in the layout its public source publishes and returns the
internal schema of ``docs/data-layers.md`` (units in column names), or raises
:class:`siting.errors.InputError` naming the file, column, rows and the fix.

One module per source family:

* :mod:`siting.io.grid` — HIFLD-style substations and transmission lines;
* :mod:`siting.io.plants` — EIA-860-like power plants;
* :mod:`siting.io.land` — candidate parcels and exclusion layers (polygons or rasters);
* :mod:`siting.io.weather` — ERA5 NetCDF grids and NSRDB / TMY / EPW point files.

See ``docs/bring-your-own-data.md``.
"""

from .grid import line_capacity_mw, read_hifld_lines, read_hifld_substations
from .land import IGBP_EXCLUDED, read_exclusion_raster, read_exclusions, read_parcels
from .plants import read_eia860_plants
from .weather import (
    check_weather,
    fill_weather_gaps,
    normalize_era5,
    point_weather_dataset,
    read_era5,
    read_point_weather,
)

__all__ = [
    "IGBP_EXCLUDED",
    "check_weather",
    "fill_weather_gaps",
    "line_capacity_mw",
    "normalize_era5",
    "point_weather_dataset",
    "read_eia860_plants",
    "read_era5",
    "read_exclusion_raster",
    "read_exclusions",
    "read_hifld_lines",
    "read_hifld_substations",
    "read_parcels",
    "read_point_weather",
]

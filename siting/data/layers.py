"""Read the layers that candidate generation and the maps draw on (this module opens files; its callers
do not).

* :func:`load_candidate_layers` reads the files of a scenario's ``candidates: {generate: …}`` block into a
  :class:`CandidateLayers`, which :func:`siting.features.candidates.generate_candidates` takes as is.
* :func:`load_towns` reads the town gazetteer that names generated candidates.
* :func:`load_map_context` reads the default map context (substations, transmission lines, state outlines,
  zones) and :func:`map_context` completes a plan's own context with it; the plotting functions take the
  result as ``context=`` and read nothing themselves.

This module imports only :mod:`siting.io` and :mod:`siting.errors` (so that :mod:`siting.data.load` can use
it); the default data directory is passed in by the caller (:func:`siting.data.paths.default_data_dir`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import xarray as xr

from ..errors import InputError, did_you_mean
from ..io import read_exclusion_raster, read_exclusions, read_parcels
from ..io._validate import GEOGRAPHIC_CRS, read_vector
from .paths import DEFAULT_FILES

#: Keys of a ``candidates.generate`` block that are numbers passed on to ``generate_candidates``
#: (``cell_km`` km, ``acres_per_mw`` acres/MW, ``min_buildable_acres`` acres, ``max_it_mw`` MW,
#: ``max_population_density_per_km2`` people/km², ``line_voltage_classes_kv`` kV, ``raster_samples``).
GENERATE_OPTIONS = (
    "cell_km",
    "acres_per_mw",
    "min_buildable_acres",
    "max_it_mw",
    "max_population_density_per_km2",
    "line_voltage_classes_kv",
    "raster_samples",
)
#: Keys of a ``candidates.generate`` block that name files (relative to the scenario file).
GENERATE_FILES = ("region", "counties", "parcels", "exclusions")

#: The map context: layer → default file name in the data directory.
MAP_CONTEXT_FILES = {k: DEFAULT_FILES[k] for k in ("substations", "transmission_lines", "states", "zones")}


@dataclass(frozen=True)
class CandidateLayers:
    """The layers of a ``candidates.generate`` block, read (see :func:`load_candidate_layers`).

    Attributes
    ----------
    region : sequence of float or GeoDataFrame
        Bbox ``(lon_min, lat_min, lon_max, lat_max)`` in degrees as written, or the polygons of a file.
    counties, parcels : GeoDataFrame, optional
        County polygons (read as is); parcels from :func:`siting.io.read_parcels`.
    exclusions : tuple
        Exclusion polygons (:func:`siting.io.read_exclusions`) and boolean rasters
        (:func:`siting.io.read_exclusion_raster`), in the block's order.
    options : mapping
        The block's numeric options (:data:`GENERATE_OPTIONS`), units as named there.
    """

    region: Sequence[float] | gpd.GeoDataFrame
    counties: gpd.GeoDataFrame | None = None
    parcels: gpd.GeoDataFrame | None = None
    exclusions: tuple[gpd.GeoDataFrame | xr.DataArray, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of :func:`siting.features.candidates.generate_candidates` (all but region)."""
        return {
            "counties": self.counties,
            "parcels": self.parcels,
            "exclusions": list(self.exclusions),
            **self.options,
        }


def _check_generate_block(cfg: Mapping) -> None:
    """Only known keys, and a region."""
    known = set(GENERATE_OPTIONS) | set(GENERATE_FILES)
    unknown = sorted(set(cfg) - known)
    if unknown:
        hints = "".join(did_you_mean(k, sorted(known)) for k in unknown)
        raise InputError(
            f"unknown key(s) {', '.join(unknown)} in candidates.generate{hints}",
            column="candidates.generate",
            fix=f"use {', '.join(sorted(known))}",
        )
    if "region" not in cfg:
        raise InputError(
            "candidates.generate needs a region",
            column="region",
            fix="give a bbox [lon_min, lat_min, lon_max, lat_max] or a polygon file",
        )


def _read_parcels_spec(spec, base: Path) -> gpd.GeoDataFrame:
    """Parcels from ``file`` or ``{file, id_column, layer}``."""
    if isinstance(spec, Mapping):
        return read_parcels(base / spec["file"], id_column=spec.get("id_column"), layer=spec.get("layer"))
    return read_parcels(base / spec)


def _read_exclusion_spec(spec: Mapping, base: Path) -> gpd.GeoDataFrame | xr.DataArray:
    """One exclusion layer from ``{file, kind, layer}`` or ``{raster, kind, variable, exclude_values}``."""
    if "raster" in spec:
        return read_exclusion_raster(
            base / spec["raster"],
            kind=spec.get("kind", "other"),
            variable=spec.get("variable"),
            exclude_values=spec.get("exclude_values"),
        )
    return read_exclusions(base / spec["file"], kind=spec.get("kind", "other"), layer=spec.get("layer"))


def load_candidate_layers(config: Mapping, base_dir: str | Path = ".") -> CandidateLayers:
    """Read the files of a scenario's ``candidates: {generate: …}`` block.

    Example block (paths relative to the scenario file)::

        generate:
          region: [-100.0, 30.0, -96.0, 34.0]     # bbox, or a file of polygons
          cell_km: 10
          counties: data/counties.gpkg
          parcels: {file: parcels.geojson, id_column: parcel_id}   # optional, instead of grid cells
          exclusions:
            - {file: padus.gpkg, kind: protected}
            - {raster: igbp.tif, kind: water, exclude_values: [0]}

    Parameters
    ----------
    config : mapping
        The ``generate`` block (or a mapping holding it under ``generate``).
    base_dir : path
        Directory relative paths are resolved against.

    Raises
    ------
    InputError
        Unknown keys (with the closest known key), no region, or a file that cannot be read.
    """
    cfg = dict(config.get("generate", config))
    _check_generate_block(cfg)
    base = Path(base_dir)
    region = cfg["region"]
    counties = cfg.get("counties")
    parcels = cfg.get("parcels")
    return CandidateLayers(
        region=read_vector(base / region) if isinstance(region, (str, Path)) else region,
        counties=read_vector(base / counties) if counties is not None else None,
        parcels=_read_parcels_spec(parcels, base) if parcels is not None else None,
        exclusions=tuple(_read_exclusion_spec(s, base) for s in cfg.get("exclusions") or []),
        options={k: v for k, v in cfg.items() if k in GENERATE_OPTIONS},
    )


def load_towns(path: str | Path) -> pd.DataFrame | None:
    """Towns (``name``, ``lat``, ``lon`` in degrees, ``population_density_per_km2``) from a candidate-sites
    CSV (the embedded one is the gazetteer); None when the file is missing or lacks those columns."""
    try:
        return pd.read_csv(path, usecols=["name", "lat", "lon", "population_density_per_km2"])
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=2)
def _map_context_files(data_dir: str) -> dict[str, Any]:
    """The map context files of ``data_dir``, read as is (no validation beyond the CRS)."""
    files = {k: Path(data_dir) / name for k, name in MAP_CONTEXT_FILES.items()}
    subs = pd.read_csv(files["substations"])
    subs = gpd.GeoDataFrame(subs, geometry=gpd.points_from_xy(subs["lon"], subs["lat"]), crs=GEOGRAPHIC_CRS)
    return {
        "substations": subs,
        "transmission_lines": gpd.read_file(files["transmission_lines"]).to_crs(GEOGRAPHIC_CRS),
        "states": gpd.read_file(files["states"]).to_crs(GEOGRAPHIC_CRS),
        "zones": pd.read_csv(files["zones"]),
    }


def load_map_context(data_dir: str | Path) -> dict[str, Any]:
    """The map context of a data directory: ``substations`` (points), ``transmission_lines``, ``states``
    (EPSG:4326 degrees) and ``zones`` (table). Read once per directory, then cached."""
    return dict(_map_context_files(str(data_dir)))


def map_context(plan_context: Mapping[str, Any] | None, data_dir: str | Path) -> dict[str, Any]:
    """A plan's own context layers, completed from ``data_dir`` (:func:`load_map_context`) only when one of
    :data:`MAP_CONTEXT_FILES` is missing (a plan loaded from disk has none)."""
    ctx = dict(plan_context or {})
    missing = [k for k in MAP_CONTEXT_FILES if ctx.get(k) is None]
    if missing:
        defaults = load_map_context(data_dir)
        ctx.update({k: defaults[k] for k in missing})
    return ctx

"""Candidate parcels / areas and exclusion layers (polygons or rasters).

Parcels
    Polygons or MultiPolygons (GeoJSON, GeoPackage, Shapefile, GeoParquet) with an id column
    (``parcel_id``, ``site_id``, ``APN`` or ``id``) and optional land attributes, matched by name:
    ``name``, ``state``, ``county_fips``, ``acres`` (else computed from the geometry in EPSG:5070),
    ``buildable_acres``, ``land_cost_usd_per_acre`` (or ``land_value_usd`` for the whole parcel),
    ``population_density_per_km2``, ``zone_id``.
Exclusions (vector)
    Polygons of hard exclusions: protected areas (PAD-US / WDPA), flood zones (FEMA NFHL ``FLD_ZONE`` A/AE/V/VE),
    water, urban areas. Each layer gets a ``kind`` label used in reports. For FEMA NFHL only the special flood
    hazard zones (``FLD_ZONE`` starting with A or V) are kept; zone X is not an exclusion.
Exclusions (raster)
    GeoTIFF (needs ``rasterio``) or NetCDF (``xarray``) grids in EPSG:4326: a cell is excluded where the value
    is in ``exclude_values`` (e.g. MODIS IGBP 0 water, 11 wetland, 13 urban, 15 snow/ice) or, with
    ``exclude_values=None``, where it is non-zero. Returned as a boolean :class:`xarray.DataArray` with
    ``lat``/``lon`` coordinates (ascending) for :func:`siting.features.candidates.generate_candidates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

try:  # optional: only GeoTIFF rasters need it
    import rasterio
except ImportError:  # pragma: no cover - rasterio is installed with the geo extras
    rasterio = None

from siting.errors import InputError

from ._validate import (
    EQUAL_AREA_CRS,
    check_crs,
    check_geometries,
    check_not_empty,
    check_range,
    check_unique,
    find_column,
    read_vector,
    require_column,
    to_numeric,
)

SQ_M_PER_ACRE = 4046.8564224
POLYGON_TYPES = ("Polygon", "MultiPolygon")
EXCLUSION_KINDS = ("water", "protected", "flood", "urban", "wetland", "slope", "other")

#: MODIS IGBP land-cover classes that are hard exclusions by default.
IGBP_EXCLUDED = {0: "water", 11: "wetland", 13: "urban", 15: "snow/ice"}


def read_parcels(path, *, layer: str | None = None, id_column: str | None = None) -> gpd.GeoDataFrame:
    """Read candidate parcels or areas (polygons with land attributes).

    Parameters
    ----------
    path : str or Path
        Vector file of Polygons / MultiPolygons.
    layer : str, optional
        Layer of a GeoPackage.
    id_column : str, optional
        Name of the id column; default the first of ``parcel_id, site_id, APN, id``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id`` (str), ``name``, ``acres`` (geometric area, acres), ``buildable_acres`` (file value or
        ``acres``), and when present ``state``, ``county_fips``, ``land_cost_usd_per_acre``,
        ``population_density_per_km2``, ``zone_id``; EPSG:4326.
    """
    gdf = read_vector(path, layer=layer)
    check_not_empty(gdf, path, "parcels")
    gdf = check_crs(gdf, path)
    check_geometries(gdf, path, POLYGON_TYPES, what="parcel")
    id_col = id_column or require_column(gdf, ["parcel_id", "site_id", "APN", "id"], path, "parcel id")
    if id_col not in gdf:
        raise InputError("id column not found", file=path, column=id_col, fix="pass the right id_column")
    check_unique(gdf, id_col, path)
    out = gpd.GeoDataFrame({"site_id": gdf[id_col].astype(str)}, geometry=gdf.geometry, crs=gdf.crs)
    name_col = find_column(gdf.columns, ["name", "parcel_name", "owner_name"])
    out["name"] = gdf[name_col].astype("string") if name_col else out["site_id"]
    out["acres"] = gdf.geometry.to_crs(EQUAL_AREA_CRS).area.to_numpy() / SQ_M_PER_ACRE
    out = _parcel_labels(gdf, _parcel_numbers(gdf, out, path))
    if "land_value_usd" in out and "land_cost_usd_per_acre" not in out:
        out["land_cost_usd_per_acre"] = out["land_value_usd"] / out["acres"]
    out["buildable_acres"] = _buildable_acres(out, path)
    out.attrs["source_file"] = str(path)
    return out


#: Numeric parcel columns: internal name, accepted spellings, range and unit.
PARCEL_NUMBERS = (
    ("buildable_acres", ["buildable_acres"], 0.0, None, "acres"),
    ("land_cost_usd_per_acre", ["land_cost_usd_per_acre", "price_usd_per_acre"], 0.0, 1e8, "USD/acre"),
    ("land_value_usd", ["land_value_usd", "total_value_usd"], 0.0, 1e12, "USD"),
    (
        "population_density_per_km2",
        ["population_density_per_km2", "pop_density_per_km2"],
        0.0,
        1e5,
        "people/km²",
    ),
)
#: Label parcel columns: internal name and accepted spellings.
PARCEL_LABELS = (
    ("state", ["state", "STUSPS"]),
    ("county_fips", ["county_fips", "GEOID", "FIPS"]),
    ("zone_id", ["zone_id"]),
)


def _parcel_numbers(gdf: gpd.GeoDataFrame, out: gpd.GeoDataFrame, path) -> gpd.GeoDataFrame:
    """``out`` with the file's numeric columns of :data:`PARCEL_NUMBERS` (units there), range-checked."""
    for internal, spellings, lo, hi, unit in PARCEL_NUMBERS:
        col = find_column(gdf.columns, spellings)
        if col is not None:
            out[internal] = to_numeric(gdf, col, path)
            check_range(out[internal], lo, hi, path, col, unit)
    return out


def _parcel_labels(gdf: gpd.GeoDataFrame, out: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``out`` with ``state``, ``county_fips`` (5 digits) and ``zone_id`` (``Int64``) where the file has them."""
    for internal, spellings in PARCEL_LABELS:
        col = find_column(gdf.columns, spellings)
        if col is not None:
            out[internal] = gdf[col].astype("string")
    if "county_fips" in out:
        out["county_fips"] = out["county_fips"].str.zfill(5)
    if "zone_id" in out:
        out["zone_id"] = pd.to_numeric(out["zone_id"], errors="coerce").astype("Int64")
    return out


def _buildable_acres(out: gpd.GeoDataFrame, path) -> pd.Series:
    """The file's buildable acres, at most 1 % above the parcel's area (acres); the area when absent."""
    if "buildable_acres" not in out:
        return out["acres"]
    over = out["buildable_acres"] > out["acres"] * 1.01
    if over.any():
        raise InputError(
            "buildable acres exceed the parcel's area",
            file=path,
            column="buildable_acres",
            rows=list(out.index[over.to_numpy()]),
            fix="check the units (acres, not m² or hectares) or the geometry",
        )
    return out["buildable_acres"]


def read_exclusions(path, *, kind: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one hard-exclusion polygon layer (protected areas, flood zones, water, urban …).

    Parameters
    ----------
    path : str or Path
        Vector file of Polygons / MultiPolygons.
    kind : str
        Label reported when this layer removes land; one of ``water, protected, flood, urban, wetland,
        slope, other``.
    layer : str, optional
        Layer of a GeoPackage.

    Returns
    -------
    geopandas.GeoDataFrame
        ``kind`` and geometry, EPSG:4326. For a FEMA NFHL layer (a ``FLD_ZONE`` field) only special flood
        hazard areas (zones A*, V*) are returned.
    """
    if kind not in EXCLUSION_KINDS:
        raise InputError(
            f"unknown exclusion kind {kind!r}", file=path, fix=f"use one of {', '.join(EXCLUSION_KINDS)}"
        )
    gdf = read_vector(path, layer=layer)
    check_not_empty(gdf, path, "exclusion polygons")
    gdf = check_crs(gdf, path)
    check_geometries(gdf, path, POLYGON_TYPES, what="exclusion polygon")
    fz = find_column(gdf.columns, ["FLD_ZONE"])
    if fz is not None:
        gdf = gdf[gdf[fz].astype("string").str.upper().str.match(r"^(A|V)").fillna(False).to_numpy()]
    out = gpd.GeoDataFrame({"kind": [kind] * len(gdf)}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    out.attrs["source_file"] = str(path)
    return out


def read_exclusion_raster(
    path, *, kind: str, variable: str | None = None, exclude_values: Sequence[float] | None = None
) -> xr.DataArray:
    """Read a raster exclusion layer as a boolean mask on a lat/lon grid.

    Parameters
    ----------
    path : str or Path
        GeoTIFF (EPSG:4326; needs ``rasterio``) or NetCDF with ``lat``/``lon`` (or ``latitude``/``longitude``,
        ``y``/``x``) coordinates in degrees.
    kind : str
        Label used in reports (see :func:`read_exclusions`).
    variable : str, optional
        NetCDF variable; default the only data variable.
    exclude_values : sequence of float, optional
        Class values that are excluded (e.g. ``IGBP_EXCLUDED`` keys). ``None``: any non-zero value is excluded.

    Returns
    -------
    xarray.DataArray
        Boolean, dims ``(lat, lon)`` ascending, ``attrs["kind"] = kind``; NaN/nodata cells are not excluded.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path")
    da = (
        _read_geotiff(path)
        if path.suffix.lower() in (".tif", ".tiff")
        else _read_netcdf_raster(path, variable)
    )
    lat, lon = da["lat"].to_numpy(), da["lon"].to_numpy()
    if np.nanmax(np.abs(lat)) > 90 or np.nanmax(lon) > 360 or np.nanmin(lon) < -180:
        raise InputError(
            "raster coordinates are not longitude/latitude degrees",
            file=path,
            column="lat/lon",
            fix="reproject the raster to EPSG:4326 (e.g. gdalwarp -t_srs EPSG:4326)",
        )
    da = da.assign_coords(lon=((da["lon"] + 180.0) % 360.0) - 180.0).sortby(["lat", "lon"])
    values = da.to_numpy()
    if exclude_values is None:
        mask = np.nan_to_num(values.astype(float), nan=0.0) != 0
    else:
        mask = np.isin(values, np.asarray(list(exclude_values)))
    out = xr.DataArray(mask, coords={"lat": da["lat"], "lon": da["lon"]}, dims=("lat", "lon"), name=kind)
    out.attrs.update(kind=kind, source_file=str(path))
    return out


def _read_netcdf_raster(path: Path, variable: str | None) -> xr.DataArray:
    """The one (or the named) variable of a NetCDF file on ``lat``/``lon`` dims (``latitude``/``y`` and
    ``longitude``/``x`` renamed), loaded."""
    try:
        ds = xr.open_dataset(path)
    except Exception as exc:
        raise InputError(f"cannot read the raster ({exc})", file=path, fix="write NetCDF or GeoTIFF") from exc
    names = list(ds.data_vars) if variable is None else [variable]
    if len(names) != 1 or names[0] not in ds:
        raise InputError(
            "cannot tell which variable is the exclusion layer",
            file=path,
            column=variable,
            fix=f"pass variable= one of {', '.join(map(str, ds.data_vars))}",
        )
    da = ds[names[0]]
    ren = {}
    for d in da.dims:
        low = str(d).lower()
        if low in ("latitude", "y"):
            ren[d] = "lat"
        elif low in ("longitude", "x"):
            ren[d] = "lon"
    da = da.rename(ren)
    if set(da.dims) != {"lat", "lon"}:
        raise InputError(
            f"raster dims are {da.dims}; expected lat and lon",
            file=path,
            column=names[0],
            fix="squeeze or rename the dims",
        )
    return da.load()


def _read_geotiff(path: Path) -> xr.DataArray:
    """Band 1 of an EPSG:4326 GeoTIFF on cell-centre ``lat``/``lon`` (degrees); nodata → NaN."""
    if rasterio is None:  # optional dependency
        raise InputError(
            "reading GeoTIFF needs the optional package rasterio",
            file=path,
            fix="pip install rasterio, or convert the raster to NetCDF (gdal_translate -of netCDF)",
        )
    with rasterio.open(path) as src:
        if src.crs is None:
            raise InputError("the raster has no CRS", file=path, fix="gdal_edit.py -a_srs EPSG:4326 FILE")
        if not src.crs.is_geographic:
            raise InputError(
                f"the raster is in {src.crs}; expected geographic lon/lat",
                file=path,
                fix="gdalwarp -t_srs EPSG:4326 in.tif out.tif",
            )
        band = src.read(1, masked=True).astype(float).filled(np.nan)
        t = src.transform
        lon = t.c + t.a * (np.arange(src.width) + 0.5)
        lat = t.f + t.e * (np.arange(src.height) + 0.5)
    return xr.DataArray(band, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))


def check_exclusion_layers(exclusions) -> list:
    """Normalise the ``exclusions`` argument (None, a layer, or a list of layers) to a list."""
    if exclusions is None:
        return []
    if isinstance(exclusions, (gpd.GeoDataFrame, xr.DataArray)):
        return [exclusions]
    return list(exclusions)


__all__ = ["read_parcels", "read_exclusions", "read_exclusion_raster", "IGBP_EXCLUDED", "SQ_M_PER_ACRE"]

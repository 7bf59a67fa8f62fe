"""Small files in the exact public layouts, written by the tests themselves (nothing is fetched)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point


def hifld_substations() -> gpd.GeoDataFrame:
    """Five substations with HIFLD 'Electric Substations' field names and sentinels."""
    return gpd.GeoDataFrame(
        {
            "OBJECTID": [1, 2, 3, 4, 5],
            "ID": ["100001", "100002", "100003", "100004", "100005"],
            "NAME": ["ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO"],
            "CITY": ["A", "B", "C", "D", "E"],
            "STATE": ["TX", "TX", "TX", "TX", "TX"],
            "TYPE": ["SUBSTATION"] * 5,
            "STATUS": ["IN SERVICE", "IN SERVICE", "IN SERVICE", "NOT AVAILABLE", "IN SERVICE"],
            "LINES": [3, 2, 4, -999999, 1],
            "MAX_VOLT": [345.0, 138.0, 500.0, -999999.0, 69.0],
            "MIN_VOLT": [138.0, 69.0, 230.0, -999999.0, 69.0],
            "MAX_INFER": ["N", "N", "N", "Y", "N"],
        },
        geometry=[
            Point(-97.0, 32.0),
            Point(-97.5, 32.2),
            Point(-96.5, 31.8),
            Point(-97.2, 32.5),
            Point(-98.0, 31.5),
        ],
        crs="EPSG:4326",
    )


def hifld_lines() -> gpd.GeoDataFrame:
    """Three lines with HIFLD 'Electric Power Transmission Lines' field names."""
    return gpd.GeoDataFrame(
        {
            "OBJECTID": [1, 2, 3],
            "ID": ["200001", "200002", "200003"],
            "TYPE": ["AC; OVERHEAD"] * 3,
            "STATUS": ["IN SERVICE"] * 3,
            "OWNER": ["ONCOR", "ONCOR", "AEP"],
            "VOLTAGE": [345.0, -999999.0, 138.0],
            "VOLT_CLASS": ["345", "500", "100-161"],
            "INFERRED": ["N", "Y", "N"],
            "SUB_1": ["ALPHA", "ALPHA", "ALPHA"],
            "SUB_2": ["CHARLIE", "CHARLIE", "BRAVO"],
        },
        geometry=[
            LineString([(-97.0, 32.0), (-96.8, 31.9), (-96.5, 31.8)]),
            LineString([(-97.0, 32.0), (-96.5, 31.8)]),
            LineString([(-97.0, 32.0), (-97.5, 32.2)]),
        ],
        crs="EPSG:4326",
    )


def write_vector(gdf: gpd.GeoDataFrame, path) -> None:
    """Write in the container the suffix says (GeoJSON, GeoPackage, Shapefile, GeoParquet)."""
    path = str(path)
    if path.endswith(".parquet"):
        gdf.to_parquet(path)
    else:
        gdf.to_file(path, engine="pyogrio")


def write_hifld(tmp_path, suffix: str = ".geojson"):
    """Write the HIFLD-style substations and lines with a given suffix; return both paths."""
    s = tmp_path / f"substations{suffix}"
    ln = tmp_path / f"lines{suffix}"
    write_vector(hifld_substations(), s)
    write_vector(hifld_lines(), ln)
    return s, ln


def era5_dataset(
    nt: int = 48, lats=(33.0, 32.75, 32.5, 32.25), lons=(262.5, 262.75, 263.0), *, new_cds: bool = False
):
    """An ERA5 hourly single-levels dataset: 0–360 longitudes, descending latitudes, K / J m-2 / m s-1."""
    import xarray as xr

    time = pd.date_range("2021-07-01 01:00", periods=nt, freq="h")
    rng = np.random.default_rng(1)
    shape = (nt, len(lats), len(lons))
    hour = time.hour.to_numpy()[:, None, None]
    t2m = 300.0 + 5.0 * np.cos(2 * np.pi * (hour - 21) / 24) + rng.normal(0, 0.2, shape)
    d2m = t2m - 8.0
    sun = np.clip(np.cos(2 * np.pi * (hour - 18.5) / 24), 0, None)  # local noon ≈ 18:30 UTC at -97.5°
    ssrd = 3600.0 * 900.0 * sun * np.ones(shape)
    u100 = 6.0 + rng.normal(0, 1, shape)
    v100 = 4.0 + rng.normal(0, 1, shape)
    tdim = "valid_time" if new_cds else "time"
    dims = (tdim, "latitude", "longitude")
    ds = xr.Dataset(
        {
            "t2m": (dims, t2m.astype("float32"), {"units": "K", "long_name": "2 metre temperature"}),
            "d2m": (dims, d2m.astype("float32"), {"units": "K", "long_name": "2 metre dewpoint temperature"}),
            "ssrd": (
                dims,
                ssrd.astype("float32"),
                {"units": "J m**-2", "long_name": "Surface short-wave (solar) radiation downwards"},
            ),
            "u100": (dims, u100.astype("float32"), {"units": "m s**-1"}),
            "v100": (dims, v100.astype("float32"), {"units": "m s**-1"}),
        },
        coords={
            tdim: time,
            "latitude": ("latitude", np.array(lats), {"units": "degrees_north"}),
            "longitude": ("longitude", np.array(lons), {"units": "degrees_east"}),
        },
    )
    if new_cds:
        ds = ds.assign_coords(expver=(tdim, np.array(["0001"] * nt)), number=0)
    return ds

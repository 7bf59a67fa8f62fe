"""Parcels and exclusion layers (polygons and rasters)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import xarray as xr
from byod_layouts import write_vector
from shapely.geometry import Polygon, box

from siting.errors import InputError
from siting.io import read_exclusion_raster, read_exclusions, read_parcels


def parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2"],
            "GEOID": ["48439", "48113"],
            "land_value_usd": [5.0e6, 2.0e7],
            "buildable_acres": [100.0, 50.0],
        },
        geometry=[box(-97.30, 32.70, -97.28, 32.72), box(-96.80, 32.70, -96.79, 32.71)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".parquet"])
def test_parcels(tmp_path, suffix):
    p = tmp_path / f"parcels{suffix}"
    write_vector(parcels(), p)
    out = read_parcels(p)
    assert out["site_id"].tolist() == ["P1", "P2"]
    assert out["county_fips"].tolist() == ["48439", "48113"]
    # 0.02° x 0.02° at 32.7°N ≈ 1.87 km x 2.22 km ≈ 1,026 acres
    assert 950 < out.loc[0, "acres"] < 1100
    assert out.loc[0, "land_cost_usd_per_acre"] == pytest.approx(5.0e6 / out.loc[0, "acres"])


def test_parcel_invalid_geometry(tmp_path):
    g = parcels()
    g.loc[1, "geometry"] = Polygon([(-96.8, 32.7), (-96.7, 32.8), (-96.7, 32.7), (-96.8, 32.8)])  # bow-tie
    p = tmp_path / "parcels.gpkg"
    write_vector(g, p)
    with pytest.raises(InputError, match="invalid geometry") as e:
        read_parcels(p)
    assert e.value.rows == [1] and "make_valid" in e.value.fix


def test_parcel_buildable_exceeds_area(tmp_path):
    g = parcels()
    g["buildable_acres"] = [100.0, 5000.0]
    p = tmp_path / "parcels.gpkg"
    write_vector(g, p)
    with pytest.raises(InputError, match="exceed the parcel"):
        read_parcels(p)


def test_flood_zones_keep_special_hazard_areas(tmp_path):
    g = gpd.GeoDataFrame(
        {"FLD_ZONE": ["AE", "X", "VE", "A"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(3, 0, 4, 1)],
        crs="EPSG:4326",
    )
    p = tmp_path / "S_FLD_HAZ_AR.shp"
    write_vector(g, p)
    out = read_exclusions(p, kind="flood")
    assert len(out) == 3 and set(out["kind"]) == {"flood"}
    with pytest.raises(InputError, match="unknown exclusion kind"):
        read_exclusions(p, kind="lava")


def test_raster_netcdf_and_0_360(tmp_path):
    lat = np.array([33.0, 32.5, 32.0])
    lon = np.array([262.0, 262.5, 263.0])
    igbp = xr.DataArray(
        np.array([[0, 10, 13], [10, 10, 10], [11, 12, 15]], dtype="int16"),
        coords={"latitude": lat, "longitude": lon},
        dims=("latitude", "longitude"),
        name="land_cover",
    )
    p = tmp_path / "igbp.nc"
    igbp.to_netcdf(p, engine="h5netcdf")
    m = read_exclusion_raster(p, kind="water", exclude_values=[0, 11, 13, 15])
    assert (
        m.dtype == bool
        and m["lat"].values.tolist() == [32.0, 32.5, 33.0]
        and m["lon"].values.tolist() == [-98.0, -97.5, -97.0]
    )
    assert int(m.sum()) == 4 and bool(m.sel(lat=33.0, lon=-98.0))


def test_raster_geotiff(tmp_path):
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    p = tmp_path / "protected.tif"
    data = np.array([[1, 0], [0, 0]], dtype="uint8")
    with rasterio.open(
        p,
        "w",
        driver="GTiff",
        height=2,
        width=2,
        count=1,
        dtype="uint8",
        crs="EPSG:4326",
        transform=from_origin(-98.0, 33.0, 0.5, 0.5),
    ) as dst:
        dst.write(data, 1)
    m = read_exclusion_raster(p, kind="protected")
    assert bool(m.sel(lat=32.75, lon=-97.75)) and int(m.sum()) == 1
    p2 = tmp_path / "projected.tif"
    with rasterio.open(
        p2,
        "w",
        driver="GTiff",
        height=2,
        width=2,
        count=1,
        dtype="uint8",
        crs="EPSG:5070",
        transform=from_origin(0, 0, 1000, 1000),
    ) as dst:
        dst.write(data, 1)
    with pytest.raises(InputError, match="expected geographic"):
        read_exclusion_raster(p2, kind="protected")

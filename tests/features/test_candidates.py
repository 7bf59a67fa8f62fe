"""Candidate sites generated from land data: exclusions, attributes, distances, errors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from shapely.geometry import LineString, box

from siting.data.layers import load_candidate_layers
from siting.errors import InputError
from siting.features.candidates import (
    CANDIDATE_COLUMNS,
    fill_state_from_outlines,
    generate_candidates,
    name_after_nearest_town,
)

REGION = (-98.0, 31.5, -96.5, 32.5)


@pytest.fixture
def grid():
    subs = pd.DataFrame(
        {
            "substation_id": [1, 2, 3],
            "name": ["A", "B", "C"],
            "lat": [32.0, 31.7, 32.4],
            "lon": [-97.0, -97.8, -96.6],
            "max_voltage_kv": [345.0, 138.0, 500.0],
            "zone_id": [301, 302, 301],
            "headroom_mw": [200.0, 50.0, 400.0],
        }
    )
    lines = gpd.GeoDataFrame(
        {"line_id": [10, 11], "voltage_kv": [345.0, 138.0]},
        geometry=[LineString([(-97.0, 32.0), (-96.6, 32.4)]), LineString([(-97.0, 32.0), (-97.8, 31.7)])],
        crs="EPSG:4326",
    )
    return subs, lines


def test_grid_candidates_schema_and_distances(grid):
    subs, lines = grid
    c = generate_candidates(REGION, subs, lines, cell_km=10)
    assert list(c.columns[: len(CANDIDATE_COLUMNS)]) == CANDIDATE_COLUMNS
    assert {
        "dist_substation_km",
        "dist_line_115kv_km",
        "dist_line_230kv_km",
        "dist_line_345kv_km",
        "dist_line_500kv_km",
    } <= set(c.columns)
    assert c["site_id"].is_unique and len(c) > 100
    assert c["dist_line_500kv_km"].isna().all()  # no 500 kV line in the layer
    assert (c["dist_line_345kv_km"] >= c["dist_line_115kv_km"] - 1e-9).all()  # ≥345 is a subset of ≥115
    # distances agree with a direct projected computation
    pts = gpd.GeoSeries(gpd.points_from_xy(c["lon"], c["lat"]), crs="EPSG:4326").to_crs("EPSG:5070")
    sp = gpd.GeoSeries(gpd.points_from_xy(subs["lon"], subs["lat"]), crs="EPSG:4326").to_crs("EPSG:5070")
    direct = np.min(np.stack([pts.distance(p) for p in sp]), axis=0) / 1000.0
    np.testing.assert_allclose(c["dist_substation_km"], direct, rtol=1e-6)
    # a full 10 km cell is 24,710 acres -> capped IT MW; zone from the nearest substation
    assert c["buildable_acres"].max() == pytest.approx(1e8 / 4046.8564224, rel=1e-6)
    assert (c["max_it_mw"] <= 2000).all() and c["zone_id"].isin([301, 302]).all()
    assert (c["market"] == "greenfield").all() and (c["land_cost_usd_per_acre"] == 244_000).all()
    # stable ids
    again = generate_candidates(REGION, subs, lines, cell_km=10)
    assert again["site_id"].tolist() == c["site_id"].tolist()


def test_exclusions_counties_and_rasters(grid):
    subs, lines = grid
    water = gpd.GeoDataFrame({"kind": ["water"]}, geometry=[box(-98.0, 31.5, -97.5, 32.5)], crs="EPSG:4326")
    protected = gpd.GeoDataFrame(
        {"kind": ["protected"]}, geometry=[box(-97.0, 31.5, -96.9, 32.5)], crs="EPSG:4326"
    )
    counties = gpd.GeoDataFrame(
        {
            "GEOID": ["48001", "48002"],
            "state": ["TX", "TX"],
            "population_density_per_km2": [20.0, 2000.0],
            "climate_zone": ["3A", "2A"],
        },
        geometry=[box(-98.0, 31.5, -96.7, 32.5), box(-96.7, 31.5, -96.5, 32.5)],
        crs="EPSG:4326",
    )
    lat = np.arange(31.5, 32.51, 0.05)
    lon = np.arange(-98.0, -96.49, 0.05)
    lc = np.full((lat.size, lon.size), 10, dtype=int)
    lc[(lat > 32.2)[:, None] & ((lon > -97.4) & (lon < -97.2))[None, :]] = 0  # a lake
    land_cover = xr.DataArray(lc, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))
    c = generate_candidates(
        REGION,
        subs,
        lines,
        cell_km=10,
        exclusions=[water, protected],
        counties=counties,
        land_cover=land_cover,
    )
    assert (c["lon"] > -97.5).all()  # west of -97.5 is water
    assert (c["county_fips"] == "48001").all()  # the dense county is excluded as urban
    assert (c["climate_zone"] == "3A").all() and (c["state"] == "TX").all()
    rep = pd.DataFrame(c.attrs["exclusion_report"]).set_index("step")
    assert rep.loc["exclusion: water", "removed_acres"] > 0
    assert rep.loc["exclusion: protected", "removed_acres"] > 0
    assert rep.loc["exclusion: land cover (water/wetland/urban/snow)", "removed_acres"] > 0
    assert rep.filter(like="urban (density", axis=0)["removed_acres"].iloc[0] > 0
    assert c["buildable_acres"].min() >= 50
    assert np.allclose(c["permitting_lead_time_months"], 9.0 * (1 + 20 / (20 + 1000 / 2.589988110336)))
    assert np.allclose(c["permitting_lead_time_years"], c["permitting_lead_time_months"] / 12)
    assert np.allclose(c["land_cost_usd_per_acre"], 244_000 * np.sqrt(20 / 100))


def test_nothing_left_names_the_exclusions(grid):
    subs, lines = grid
    water = gpd.GeoDataFrame({"kind": ["water"]}, geometry=[box(-99, 31, -96, 33)], crs="EPSG:4326")
    with pytest.raises(InputError, match=r"no candidate site is left.*exclusion: water: -[\d,]+ acres") as e:
        generate_candidates(REGION, subs, lines, exclusions=water)
    assert "relax" in e.value.fix


def test_parcels_instead_of_cells(grid):
    subs, lines = grid
    parcels = gpd.GeoDataFrame(
        {
            "site_id": ["P1", "P2"],
            "name": ["North", "South"],
            "acres": [0.0, 0.0],
            "land_cost_usd_per_acre": [30_000.0, np.nan],
        },
        geometry=[box(-97.1, 32.0, -97.09, 32.01), box(-97.6, 31.6, -97.598, 31.601)],
        crs="EPSG:4326",
    )
    parcels["acres"] = parcels.to_crs("EPSG:5070").area / 4046.8564224
    c = generate_candidates(REGION, subs, lines, parcels=parcels, min_buildable_acres=10)
    assert c["site_id"].tolist() == ["P1"]  # P2 is ~5 acres
    assert c.loc[0, "land_cost_usd_per_acre"] == 30_000.0
    assert c.loc[0, "max_it_mw"] == pytest.approx(c.loc[0, "buildable_acres"] / 0.75)


def test_bad_region_and_config(grid, tmp_path):
    subs, lines = grid
    with pytest.raises(InputError, match="bad bbox"):
        generate_candidates((-96, 31, -98, 32), subs, lines)
    with pytest.raises(InputError, match="no CRS"):
        generate_candidates(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), subs, lines)
    water = gpd.GeoDataFrame({"kind": ["water"]}, geometry=[box(-98.0, 31.5, -97.5, 32.5)], crs="EPSG:4326")
    water.to_file(tmp_path / "water.gpkg")
    cfg = {
        "generate": {
            "region": list(REGION),
            "cell_km": 20,
            "exclusions": [{"file": "water.gpkg", "kind": "water"}],
        }
    }
    layers = load_candidate_layers(cfg, tmp_path)
    assert layers.options == {"cell_km": 20} and len(layers.exclusions) == 1
    c = generate_candidates(layers.region, subs, lines, **layers.arguments())
    assert len(c) > 0 and (c["lon"] > -97.5).all()
    with pytest.raises(InputError, match="unknown key"):
        load_candidate_layers({"generate": {"region": list(REGION), "cells": 3}})


def test_name_after_nearest_town_borrows_density():
    """One town 10 km north of cell A (density 400 people/km²), none within 60 km of cell B.

    A is renamed ``cell A near Town, TX`` and gets the town's density, so its land cost is
    244,000 × √(400 / 100) = 488,000 USD/acre and its permitting time the national 9 months ×
    (1 + 400 / (400 + 1000 / 2.589988110336)) = 13.579... months (1.1316... years); B is unchanged.
    """
    cand = gpd.GeoDataFrame(
        {
            "name": ["cell A", "cell B"],
            "state": ["TX", "TX"],
            "population_density_per_km2": [np.nan, np.nan],
            "land_cost_usd_per_acre": [1.0, 1.0],
            "permitting_lead_time_months": [1.0, 1.0],
            "permitting_lead_time_years": [1.0, 1.0],
        },
        geometry=gpd.points_from_xy([-97.0, -90.0], [32.0, 32.0]),
        crs="EPSG:4326",
    )
    towns = pd.DataFrame(
        {"name": ["Town, TX"], "lat": [32.09], "lon": [-97.0], "population_density_per_km2": [400.0]}
    )
    out = name_after_nearest_town(cand, towns)
    assert out["name"].tolist() == ["cell A near Town, TX", "cell B"]
    assert out.loc[0, "land_cost_usd_per_acre"] == pytest.approx(488_000.0)
    months = 9.0 * (1 + 400 / (400 + 1000 / 2.589988110336))
    assert out.loc[0, "permitting_lead_time_months"] == pytest.approx(months)
    assert out.loc[0, "permitting_lead_time_years"] == pytest.approx(months / 12)
    assert out.loc[1, "land_cost_usd_per_acre"] == 1.0 and np.isnan(out.loc[1, "population_density_per_km2"])
    assert cand["name"].tolist() == ["cell A", "cell B"]  # the input is not modified


def test_fill_state_from_outlines():
    """Only the unknown state is filled, from the outline holding the point: (−97, 32) lies in the TX box."""
    cand = gpd.GeoDataFrame(
        {"state": pd.array([pd.NA, "OK"], dtype="string")},
        geometry=gpd.points_from_xy([-97.0, -97.0], [32.0, 32.5]),
        crs="EPSG:4326",
    )
    states = gpd.GeoDataFrame({"state": ["TX"]}, geometry=[box(-100, 30, -95, 33)], crs="EPSG:4326")
    assert fill_state_from_outlines(cand, states)["state"].tolist() == ["TX", "OK"]


def test_load_candidate_layers_reads_every_file(grid, tmp_path):
    """Parcels (with their id column), polygon and raster exclusions, in the block's order; the options
    are the numeric keys only. The raster is 1 on its lake cells, so ``exclude_values: [1]`` masks them."""
    subs, _ = grid
    parcels = gpd.GeoDataFrame({"pid": ["P1"]}, geometry=[box(-97.1, 32.0, -97.0, 32.1)], crs="EPSG:4326")
    parcels.to_file(tmp_path / "parcels.geojson")
    water = gpd.GeoDataFrame({"kind": ["water"]}, geometry=[box(-98.0, 31.5, -97.5, 32.5)], crs="EPSG:4326")
    water.to_file(tmp_path / "water.gpkg")
    lat, lon = np.array([32.0, 32.1]), np.array([-97.1, -97.0])
    lake = xr.DataArray([[1, 0], [0, 0]], coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))
    lake.to_dataset(name="lake").to_netcdf(tmp_path / "lake.nc")
    block = {
        "region": list(REGION),
        "min_buildable_acres": 10,
        "parcels": {"file": "parcels.geojson", "id_column": "pid"},
        "exclusions": [{"raster": "lake.nc", "kind": "water", "exclude_values": [1]}, {"file": "water.gpkg"}],
    }
    layers = load_candidate_layers({"generate": block}, tmp_path)
    assert layers.parcels["site_id"].tolist() == ["P1"] and layers.options == {"min_buildable_acres": 10}
    raster, polygons = layers.exclusions
    assert raster.attrs["kind"] == "water" and int(raster.sum()) == 1
    assert polygons["kind"].tolist() == ["other"]
    assert layers.arguments()["exclusions"] == list(layers.exclusions)


def test_unknown_generate_key_suggests_the_closest():
    """``cell_size`` is closest to ``cell_km`` (difflib ratio 2·5 / (9 + 7) = 0.625 ≥ 0.6)."""
    with pytest.raises(InputError, match="did you mean 'cell_km'"):
        load_candidate_layers({"region": list(REGION), "cell_size": 5})
    with pytest.raises(InputError, match="needs a region"):
        load_candidate_layers({"cell_km": 5})

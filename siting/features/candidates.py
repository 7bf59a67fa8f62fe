"""Candidate data-center sites generated from land data.

:func:`generate_candidates` turns a study region into candidate sites:

1. **Units of land.** Either a regular grid of ``cell_km`` × ``cell_km`` cells in the equal-area
   projection EPSG:5070 (NAD83 / Conus Albers) clipped to the region, or user parcels/areas
   (:func:`siting.io.read_parcels`) clipped to the region.
2. **Hard exclusions**, applied in order and reported per layer: exclusion polygons
   (:func:`siting.io.read_exclusions`: water, protected, flood, urban …) are cut out of each unit with an
   overlay difference; raster exclusions (:func:`siting.io.read_exclusion_raster`, and ``land_cover`` IGBP
   classes 0 water, 11 wetland, 13 urban, 15 snow/ice) remove the excluded share of each unit, estimated
   on a ``raster_samples`` × ``raster_samples`` lattice of points per unit; units whose population density
   exceeds ``max_population_density_per_km2`` are dropped as urban; units left with less than
   ``min_buildable_acres`` are dropped as too small.
3. **Attributes.** ``buildable_acres`` (remaining area, acres); ``max_it_mw`` = buildable acres /
   ``acres_per_mw`` (0.75 acres per MW of IT by default: Abilene ≈ 0.7–0.9, 200 MW-class sites 0.5–1.5,
   domain-figures §1d), capped at ``max_it_mw``; the site point is a representative point of the remaining
   land; ``state``, ``county_fips``, ``population_density_per_km2`` and ``climate_zone`` from a counties
   layer when given; ``zone_id`` from zone polygons, else the zone of the nearest substation.
4. **Distances** (nearest-neighbour spatial joins in EPSG:5070, ``geopandas.sjoin_nearest``):
   ``dist_substation_km`` (+ ``nearest_substation_id``, ``nearest_substation_kv``), and
   ``dist_line_{V}kv_km`` to the nearest line of at least V kV for V in ``line_voltage_classes_kv``
   (NaN when the layer has no such line).
5. **Proxies** (documented, *unverified* coefficients):
   ``land_cost_usd_per_acre`` = parcel value when given, else 244,000 × √(density / 100 per km²),
   clipped to 5,000…6,300,000 $/acre (244 k$/acre is the 2024 average of data-center land deals, S1;
   6.3 M$/acre Loudoun, S13; density unknown → 244,000);
   ``permitting_lead_time_months`` from :func:`siting.features.permitting.site_permitting_months`: the
   state/county base months of the permitting table (national default 9 months) × (1 + d / (d + 386.1)),
   a smooth saturating function of county density d (no threshold); ``permitting_lead_time_years`` =
   months / 12 (legacy column);
   ``market`` = ``greenfield``.
6. **Gas access** (when ``gas_points`` is given): ``dist_gas_km`` = distance (EPSG:5070) to the nearest
   gas-access proxy point (existing gas-fired plant), :func:`siting.features.geo.distance_to_nearest_km`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from pyproj import Transformer

from siting.errors import InputError
from siting.features.geo import distance_to_nearest_km
from siting.features.permitting import (
    NATIONAL_BASE_PERMITTING_MONTHS,
    permitting_lead_time_months,
    site_permitting_months,
)
from siting.io._validate import EQUAL_AREA_CRS, GEOGRAPHIC_CRS, as_points, assign_zones, find_column
from siting.io.land import IGBP_EXCLUDED, SQ_M_PER_ACRE

CANDIDATE_COLUMNS = [
    "site_id",
    "name",
    "state",
    "county_fips",
    "lat",
    "lon",
    "zone_id",
    "market",
    "population_density_per_km2",
    "buildable_acres",
    "land_cost_usd_per_acre",
    "max_it_mw",
    "permitting_lead_time_months",
    "permitting_lead_time_years",
    "climate_zone",
]

LAND_COST_BASE_USD_PER_ACRE = 244_000.0
LAND_COST_RANGE_USD_PER_ACRE = (5_000.0, 6_300_000.0)


def land_cost_proxy_usd_per_acre(
    population_density_per_km2, base_usd_per_acre: float = LAND_COST_BASE_USD_PER_ACRE
):
    """Land price proxy (USD/acre) from population density (people/km²); NaN density → ``base``.

    ``base`` × √(density / 100), clipped to 5,000…6,300,000 $/acre (*unverified* shape; anchors from
    domain-figures §1d: 244 k$/acre average DC land deal 2024, 6.3 M$/acre Loudoun County).
    """
    d = np.asarray(population_density_per_km2, dtype=float)
    cost = base_usd_per_acre * np.sqrt(np.clip(d, 0.0, None) / 100.0)
    return np.where(np.isnan(d), base_usd_per_acre, np.clip(cost, *LAND_COST_RANGE_USD_PER_ACRE))


def permitting_lead_time_proxy_years(population_density_per_km2):
    """Permitting lead time (years) with the national base: kept for old callers.

    Same as :func:`siting.features.permitting.permitting_lead_time_months` with the national base
    (9 months), divided by 12: 0.75 y in empty land, 1.5 y in the densest cores, smooth in between.
    """
    return permitting_lead_time_months(NATIONAL_BASE_PERMITTING_MONTHS, population_density_per_km2) / 12.0


def _densify(gdf, max_deg: float = 0.01):
    """Add vertices every ``max_deg`` degrees to lon/lat geometries so that edges follow meridians and
    parallels after projection (a 1° edge projected as a chord can be off by hundreds of metres)."""
    if gdf.crs is None or not gdf.crs.is_geographic:
        return gdf
    if isinstance(gdf, gpd.GeoSeries):
        return gdf.segmentize(max_deg)
    return gdf.set_geometry(gdf.geometry.segmentize(max_deg))


def _region_geometry(region) -> shapely.Geometry:
    """Region as one polygon in EPSG:5070 from a bbox, shapely geometry (EPSG:4326) or GeoDataFrame."""
    if isinstance(region, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if region.crs is None:
            raise InputError(
                "the study region has no CRS", column="geometry", fix="region.set_crs('EPSG:4326')"
            )
        geom = _densify(region).to_crs(EQUAL_AREA_CRS).union_all()
    elif isinstance(region, shapely.Geometry):
        geom = _densify(gpd.GeoSeries([region], crs=GEOGRAPHIC_CRS)).to_crs(EQUAL_AREA_CRS).iloc[0]
    else:
        try:
            x0, y0, x1, y1 = (float(v) for v in region)
        except Exception as exc:
            raise InputError(
                "the study region must be a bbox (lon_min, lat_min, lon_max, lat_max), a polygon or a GeoDataFrame",
                column="region",
            ) from exc
        if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
            raise InputError(
                f"bad bbox {tuple(region)}",
                column="region",
                fix="give (lon_min, lat_min, lon_max, lat_max) in degrees",
            )
        geom = (
            _densify(gpd.GeoSeries([shapely.box(x0, y0, x1, y1)], crs=GEOGRAPHIC_CRS))
            .to_crs(EQUAL_AREA_CRS)
            .iloc[0]
        )
    if geom is None or geom.is_empty or geom.area == 0:
        raise InputError("the study region is empty", column="region", fix="give a region with an area")
    return shapely.make_valid(geom)


def _grid_cells(region: shapely.Geometry, cell_km: float) -> gpd.GeoDataFrame:
    """Regular cells (EPSG:5070) clipped to the region; ids from the global cell index (stable)."""
    cell = cell_km * 1000.0
    minx, miny, maxx, maxy = region.bounds
    ix = np.arange(np.floor(minx / cell), np.ceil(maxx / cell)).astype(int)
    iy = np.arange(np.floor(miny / cell), np.ceil(maxy / cell)).astype(int)
    gx, gy = np.meshgrid(ix, iy)
    gx, gy = gx.ravel(), gy.ravel()
    boxes = shapely.box(gx * cell, gy * cell, (gx + 1) * cell, (gy + 1) * cell)
    shapely.prepare(region)
    hit = shapely.intersects(region, boxes)
    boxes = boxes[hit]
    inside = shapely.contains_properly(region, boxes)  # prepared: fast; only edge cells need clipping
    geoms = boxes.copy()
    geoms[~inside] = shapely.intersection(boxes[~inside], region)
    ids = np.char.add(
        np.char.add(np.char.add(f"c{cell_km:g}km_", gx[hit].astype(str)), "_"), gy[hit].astype(str)
    )
    return gpd.GeoDataFrame(
        {"site_id": ids, "name": np.char.add("cell ", ids)}, geometry=geoms, crs=EQUAL_AREA_CRS
    )


def _raster_fraction(units: gpd.GeoDataFrame, mask: xr.DataArray, samples: int) -> np.ndarray:
    """Share of each unit's land where ``mask`` is true, on a samples × samples lattice (vectorised)."""
    b = units.geometry.bounds.to_numpy()
    f = (np.arange(samples) + 0.5) / samples
    fx, fy = np.meshgrid(f, f)
    x = b[:, [0]] + (b[:, [2]] - b[:, [0]]) * fx.ravel()[None, :]
    y = b[:, [1]] + (b[:, [3]] - b[:, [1]]) * fy.ravel()[None, :]
    inside = shapely.contains_xy(
        np.repeat(units.geometry.to_numpy(), samples * samples).reshape(x.shape), x, y
    )
    lon, lat = Transformer.from_crs(EQUAL_AREA_CRS, GEOGRAPHIC_CRS, always_xy=True).transform(x, y)
    la, lo = mask["lat"].to_numpy(), mask["lon"].to_numpy()
    il = np.clip(np.searchsorted(la, lat), 1, la.size - 1)
    il = (
        np.where(np.abs(la[il - 1] - lat) <= np.abs(la[il] - lat), il - 1, il)
        if la.size > 1
        else np.zeros_like(lat, dtype=int)
    )
    jl = np.clip(np.searchsorted(lo, lon), 1, lo.size - 1)
    jl = (
        np.where(np.abs(lo[jl - 1] - lon) <= np.abs(lo[jl] - lon), jl - 1, jl)
        if lo.size > 1
        else np.zeros_like(lon, dtype=int)
    )
    dlat = np.abs(np.median(np.diff(la))) if la.size > 1 else 1.0
    dlon = np.abs(np.median(np.diff(lo))) if lo.size > 1 else 1.0
    within = (
        (lat >= la.min() - dlat / 2)
        & (lat <= la.max() + dlat / 2)
        & (lon >= lo.min() - dlon / 2)
        & (lon <= lo.max() + dlon / 2)
    )
    hit = mask.to_numpy()[il, jl] & within & inside
    return hit.sum(axis=1) / np.maximum(inside.sum(axis=1), 1)


def _sample_raster(points_lonlat: np.ndarray, raster: xr.DataArray) -> np.ndarray:
    """Nearest-cell values of a lat/lon raster at points (NaN outside its extent)."""
    vals = (
        raster.sel(
            lat=xr.DataArray(points_lonlat[:, 1]), lon=xr.DataArray(points_lonlat[:, 0]), method="nearest"
        )
        .to_numpy()
        .astype(float)
    )
    la, lo = raster["lat"].to_numpy(), raster["lon"].to_numpy()
    out = (
        (points_lonlat[:, 1] < la.min())
        | (points_lonlat[:, 1] > la.max())
        | (points_lonlat[:, 0] < lo.min())
        | (points_lonlat[:, 0] > lo.max())
    )
    vals[out] = np.nan
    return vals


def _nearest(points: gpd.GeoDataFrame, targets: gpd.GeoDataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Nearest target of each point (EPSG:5070), distance in km, vectorised via sjoin_nearest."""
    j = gpd.sjoin_nearest(
        points[["geometry"]], targets[list(cols) + ["geometry"]], how="left", distance_col="_dist_m"
    )
    j = j[~j.index.duplicated(keep="first")]
    j["_dist_km"] = j["_dist_m"] / 1000.0
    return j.reindex(points.index)


def generate_candidates(
    region,
    substations: pd.DataFrame,
    lines: gpd.GeoDataFrame | None = None,
    *,
    zones: gpd.GeoDataFrame | None = None,
    counties: gpd.GeoDataFrame | None = None,
    parcels: gpd.GeoDataFrame | None = None,
    exclusions=None,
    land_cover: xr.DataArray | None = None,
    population_density: xr.DataArray | None = None,
    cell_km: float = 10.0,
    acres_per_mw: float = 0.75,
    min_buildable_acres: float = 50.0,
    max_it_mw: float = 2000.0,
    max_population_density_per_km2: float = 1000.0,
    line_voltage_classes_kv: Sequence[float] = (115, 230, 345, 500),
    raster_samples: int = 5,
    land_cost_base_usd_per_acre: float = LAND_COST_BASE_USD_PER_ACRE,
    permitting: pd.DataFrame | None = None,
    gas_points: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Generate candidate sites in a study region (method in the module docstring).

    Parameters
    ----------
    region : bbox tuple, shapely geometry (EPSG:4326) or GeoDataFrame
        Study region; a bbox is ``(lon_min, lat_min, lon_max, lat_max)`` in degrees.
    substations : DataFrame
        Internal substations (``substation_id, lat, lon, max_voltage_kv, zone_id`` …).
    lines : GeoDataFrame, optional
        Lines with ``voltage_kv`` (e.g. :func:`siting.io.read_hifld_lines`).
    zones : GeoDataFrame, optional
        Zone polygons with ``zone_id``.
    counties : GeoDataFrame, optional
        County polygons with any of ``state``, ``county_fips`` (or ``GEOID``/``fips``/``id``),
        ``population_density_per_km2``, ``climate_zone``.
    parcels : GeoDataFrame, optional
        Parcels from :func:`siting.io.read_parcels`; used instead of grid cells.
    exclusions : GeoDataFrame, DataArray or list of them, optional
        Hard exclusions: polygons with a ``kind`` column, or boolean lat/lon masks with ``attrs["kind"]``.
    land_cover : DataArray, optional
        MODIS IGBP class raster (lat/lon); classes 0, 11, 13, 15 are excluded.
    population_density : DataArray, optional
        Population density raster (people/km², lat/lon), used where no counties layer gives it.
    cell_km : float
        Grid cell side (km).
    acres_per_mw : float
        Land per MW of IT load (acres/MW).
    min_buildable_acres : float
        Smallest unit kept (acres).
    max_it_mw : float
        Cap on a site's IT capacity (MW).
    max_population_density_per_km2 : float
        Units denser than this are excluded as urban (people/km²).
    line_voltage_classes_kv : sequence of float
        Voltage classes of the ``dist_line_{V}kv_km`` columns (kV, "at least").
    raster_samples : int
        Lattice size per unit for raster exclusions.
    land_cost_base_usd_per_acre : float
        Base of the land-cost proxy (USD/acre).
    permitting : DataFrame, optional
        Permitting table (``state``, ``base_permitting_months``, optional ``county_fips``; see
        :func:`siting.data.load.load_permitting`); None → national base of 9 months everywhere.
    gas_points : DataFrame, optional
        Gas-access proxy points with ``lat``/``lon`` (``data/gas_points.csv``); adds ``dist_gas_km``.

    Returns
    -------
    geopandas.GeoDataFrame
        The candidate-sites schema (``data-layers.md``) plus ``area_acres``, ``dist_substation_km``,
        ``nearest_substation_id``, ``nearest_substation_kv``, ``dist_line_{V}kv_km`` (and ``dist_gas_km``
        with ``gas_points``); point geometry in EPSG:4326. ``attrs["exclusion_report"]`` lists the acres removed by each exclusion.

    Raises
    ------
    InputError
        When no unit is left after the exclusions (the message says which exclusion removed how much), or
        on bad inputs.
    """
    if acres_per_mw <= 0 or cell_km <= 0:
        raise InputError("acres_per_mw and cell_km must be positive", column="acres_per_mw/cell_km")
    if substations is None or len(substations) == 0:
        raise InputError(
            "no substations given",
            column="substations",
            fix="load substations first (siting.io.read_hifld_substations)",
        )
    reg = _region_geometry(region)
    if parcels is not None:
        units = parcels.to_crs(EQUAL_AREA_CRS).copy()
        units["geometry"] = shapely.intersection(units.geometry.to_numpy(), reg)
        units = units[~units.geometry.is_empty].copy()
        if "name" not in units:
            units["name"] = units["site_id"]
    else:
        units = _grid_cells(reg, cell_km)
    units = units.reset_index(drop=True)
    report: list[dict] = [
        {
            "step": "study region",
            "acres": float(units.geometry.area.sum() / SQ_M_PER_ACRE),
            "units": len(units),
        }
    ]
    if len(units) == 0:
        raise InputError(
            "the study region holds no parcel",
            column="region",
            fix="check the region and the parcels overlap",
        )
    scale = pd.Series(1.0, index=units.index)  # remaining share after raster exclusions

    layers = []
    for layer in (
        []
        if exclusions is None
        else ([exclusions] if isinstance(exclusions, (gpd.GeoDataFrame, xr.DataArray)) else list(exclusions))
    ):
        layers.append(layer)
    if land_cover is not None:
        lc = xr.DataArray(
            np.isin(land_cover.to_numpy(), list(IGBP_EXCLUDED)),
            coords=land_cover.coords,
            dims=land_cover.dims,
        )
        lc.attrs["kind"] = "land cover (water/wetland/urban/snow)"
        layers.append(lc)

    def acres() -> float:
        return float((units.geometry.area * scale).sum() / SQ_M_PER_ACRE)

    for layer in layers:
        before = acres()
        if isinstance(layer, xr.DataArray):
            kind = layer.attrs.get("kind", layer.name or "raster")
            mask = layer.sortby(["lat", "lon"]).astype(bool)
            frac = _raster_fraction(units, mask, raster_samples)
            scale = scale * (1.0 - frac)
        else:
            if layer.crs is None:
                raise InputError(
                    "an exclusion layer has no CRS",
                    file=layer.attrs.get("source_file"),
                    column="geometry",
                    fix="set its CRS",
                )
            kinds = layer["kind"].unique() if "kind" in layer else ["exclusion"]
            kind = "/".join(map(str, kinds))
            ex = _densify(layer).to_crs(EQUAL_AREA_CRS)[["geometry"]]
            ex = ex[~ex.geometry.is_empty & ex.geometry.notna()]
            if len(ex):
                ex["geometry"] = shapely.make_valid(ex.geometry.to_numpy())
                keep_cols = units.columns.difference(["geometry"]).tolist()
                cut = gpd.overlay(units, ex, how="difference", keep_geom_type=True)
                units = (
                    cut[keep_cols + ["geometry"]].set_index(
                        units.index[units["site_id"].isin(cut["site_id"])]
                    )
                    if len(cut)
                    else units.iloc[0:0]
                )
                scale = scale.reindex(units.index)
        report.append(
            {
                "step": f"exclusion: {kind}",
                "acres": acres(),
                "removed_acres": before - acres(),
                "units": len(units),
            }
        )

    # population density (counties first, raster second) and counties' attributes
    pts = gpd.GeoDataFrame(
        units[["site_id"]], geometry=units.geometry.representative_point(), crs=EQUAL_AREA_CRS
    )
    density = pd.Series(np.nan, index=units.index)
    attrs = pd.DataFrame(index=units.index, columns=["state", "county_fips", "climate_zone"], dtype="string")
    if counties is not None and len(units):
        if counties.crs is None:
            raise InputError(
                "the counties layer has no CRS", column="geometry", fix="counties.set_crs('EPSG:4326')"
            )
        spec = {
            "state": ["state", "STUSPS", "state_abbr"],
            "county_fips": ["county_fips", "GEOID", "fips", "id"],
            "climate_zone": ["climate_zone", "iecc_climate_zone"],
            "population_density_per_km2": ["population_density_per_km2"],
        }
        cmap = {k: find_column(counties.columns, v) for k, v in spec.items()}
        cpoly = counties[[c for c in cmap.values() if c] + [counties.geometry.name]].to_crs(EQUAL_AREA_CRS)
        j = gpd.sjoin(pts, cpoly, how="left", predicate="within")
        j = j[~j.index.duplicated(keep="first")].reindex(units.index)
        for k in ("state", "county_fips", "climate_zone"):
            if cmap[k]:
                attrs[k] = j[cmap[k]].astype("string")
        if cmap["county_fips"]:
            attrs["county_fips"] = attrs["county_fips"].str.zfill(5)
        if cmap["population_density_per_km2"]:
            density = pd.to_numeric(j[cmap["population_density_per_km2"]], errors="coerce")
    if "population_density_per_km2" in units:
        density = density.fillna(pd.to_numeric(units["population_density_per_km2"], errors="coerce"))
    if population_density is not None and len(units):
        ll = np.column_stack(shapely.get_coordinates(pts.to_crs(GEOGRAPHIC_CRS).geometry.to_numpy()).T)
        density = density.fillna(
            pd.Series(_sample_raster(ll, population_density.sortby(["lat", "lon"])), index=units.index)
        )
    before = acres()
    dense = (density > max_population_density_per_km2).to_numpy()
    if dense.any():
        units, scale, density, attrs, pts = (x[~dense] for x in (units, scale, density, attrs, pts))
    report.append(
        {
            "step": f"urban (density > {max_population_density_per_km2:g} per km²)",
            "acres": acres(),
            "removed_acres": before - acres(),
            "units": len(units),
        }
    )

    buildable = units.geometry.area.to_numpy() * scale.to_numpy() / SQ_M_PER_ACRE
    if "buildable_acres" in units:  # parcels: the file's buildable share of what is left
        share = (
            (
                pd.to_numeric(units["buildable_acres"], errors="coerce")
                / pd.to_numeric(units["acres"], errors="coerce")
            )
            .clip(0, 1)
            .fillna(1.0)
        )
        buildable = buildable * share.to_numpy()
    small = buildable < min_buildable_acres
    before = acres()
    report.append(
        {
            "step": f"too small (< {min_buildable_acres:g} buildable acres)",
            "acres": before - float(buildable[small].sum()),
            "removed_acres": float(buildable[small].sum()),
            "units": int((~small).sum()),
        }
    )
    if (~small).sum() == 0:
        lines_txt = "; ".join(f"{r['step']}: -{r.get('removed_acres', 0):,.0f} acres" for r in report[1:])
        raise InputError(
            f"no candidate site is left in the study region ({report[0]['acres']:,.0f} acres, {report[0]['units']} units) "
            f"after the exclusions: {lines_txt}",
            column="region",
            fix="enlarge the region, relax an exclusion (max_population_density_per_km2, min_buildable_acres) "
            "or check that the exclusion layers are the intended ones",
        )
    keep = ~small
    units, density, attrs, pts = units[keep], density[keep], attrs[keep], pts[keep]
    buildable = buildable[keep]

    out = pd.DataFrame(index=units.index)
    out["site_id"] = units["site_id"].astype(str)
    out["name"] = units["name"].astype("string") if "name" in units else out["site_id"]
    out["state"] = attrs["state"].fillna(units["state"].astype("string") if "state" in units else pd.NA)
    out["county_fips"] = attrs["county_fips"].fillna(
        units["county_fips"].astype("string") if "county_fips" in units else pd.NA
    )
    ll = pts.to_crs(GEOGRAPHIC_CRS).geometry
    out["lat"], out["lon"] = ll.y.to_numpy(), ll.x.to_numpy()
    out["population_density_per_km2"] = density.to_numpy()
    out["area_acres"] = units.geometry.area.to_numpy() / SQ_M_PER_ACRE
    out["buildable_acres"] = buildable
    if "land_cost_usd_per_acre" in units:
        given = pd.to_numeric(units["land_cost_usd_per_acre"], errors="coerce").to_numpy()
        out["land_cost_usd_per_acre"] = np.where(
            np.isnan(given), land_cost_proxy_usd_per_acre(density, land_cost_base_usd_per_acre), given
        )
    else:
        out["land_cost_usd_per_acre"] = land_cost_proxy_usd_per_acre(
            density.to_numpy(), land_cost_base_usd_per_acre
        )
    out["max_it_mw"] = np.minimum(buildable / acres_per_mw, max_it_mw)
    out["permitting_lead_time_months"] = site_permitting_months(
        out["state"].to_numpy(), density.to_numpy(), out["county_fips"].to_numpy(), permitting
    )
    out["permitting_lead_time_years"] = out["permitting_lead_time_months"] / 12.0
    out["climate_zone"] = attrs["climate_zone"]
    out["market"] = "greenfield"

    # nearest substations and lines (EPSG:5070)
    subs = as_points(substations).to_crs(EQUAL_AREA_CRS)
    near = _nearest(
        pts, subs, ["substation_id", "max_voltage_kv"] + (["zone_id"] if "zone_id" in subs else [])
    )
    out["dist_substation_km"] = near["_dist_km"].to_numpy()
    out["nearest_substation_id"] = near["substation_id"].to_numpy()
    out["nearest_substation_kv"] = near["max_voltage_kv"].to_numpy()
    if lines is not None and len(lines):
        lp = lines.to_crs(EQUAL_AREA_CRS)
        for v in line_voltage_classes_kv:
            sub = lp[lp["voltage_kv"] >= v]
            out[f"dist_line_{v:g}kv_km"] = (
                _nearest(pts, sub, ["voltage_kv"])["_dist_km"].to_numpy() if len(sub) else np.nan
            )
    else:
        for v in line_voltage_classes_kv:
            out[f"dist_line_{v:g}kv_km"] = np.nan
    if zones is not None:
        out["zone_id"] = assign_zones(pts.to_crs(GEOGRAPHIC_CRS), zones).to_numpy()
    elif "zone_id" in units:
        out["zone_id"] = pd.to_numeric(units["zone_id"], errors="coerce").astype("Int64").to_numpy()
    else:
        out["zone_id"] = pd.array(
            pd.to_numeric(near.get("zone_id", pd.Series(pd.NA, index=near.index)), errors="coerce"),
            dtype="Int64",
        )
    extra = ["area_acres", "dist_substation_km", "nearest_substation_id", "nearest_substation_kv"] + [
        f"dist_line_{v:g}kv_km" for v in line_voltage_classes_kv
    ]
    if gas_points is not None:
        out["dist_gas_km"] = distance_to_nearest_km(out[["lat", "lon"]], gas_points)
        extra.append("dist_gas_km")
    res = gpd.GeoDataFrame(
        out[CANDIDATE_COLUMNS + extra].reset_index(drop=True),
        geometry=gpd.points_from_xy(out["lon"], out["lat"]),
        crs=GEOGRAPHIC_CRS,
    )
    res.attrs["exclusion_report"] = report
    return res


def candidates_from_config(
    config: Mapping,
    *,
    substations: pd.DataFrame,
    lines: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    base_dir: str | Path = ".",
    land_cover: xr.DataArray | None = None,
    permitting: pd.DataFrame | None = None,
    gas_points: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Generate candidates from a scenario's ``candidates: {generate: …}`` block.

    Example block (paths relative to the scenario file)::

        generate:
          region: [-100.0, 30.0, -96.0, 34.0]     # bbox, or a file of polygons
          cell_km: 10
          acres_per_mw: 0.75
          min_buildable_acres: 50
          counties: data/counties.gpkg
          parcels: {file: parcels.geojson, id_column: parcel_id}   # optional, instead of grid cells
          exclusions:
            - {file: padus.gpkg, kind: protected}
            - {file: nfhl.shp, kind: flood}
            - {raster: igbp.tif, kind: water, exclude_values: [0]}

    Parameters
    ----------
    config : mapping
        The ``generate`` block (or a mapping holding it under ``generate``).
    substations, lines, zones :
        Already-loaded grid layers of the scenario.
    base_dir : path
        Directory relative paths are resolved against.
    land_cover : DataArray, optional
        MODIS IGBP classes on a lat/lon grid (e.g. the embedded climate layer's ``land_cover_igbp``).
    permitting, gas_points : DataFrame, optional
        Permitting table and gas-access points (see :func:`generate_candidates`).
    """
    from siting.io import read_exclusion_raster, read_exclusions, read_parcels
    from siting.io._validate import read_vector

    cfg = dict(config.get("generate", config))
    base = Path(base_dir)
    known = {
        "region",
        "cell_km",
        "acres_per_mw",
        "min_buildable_acres",
        "max_it_mw",
        "max_population_density_per_km2",
        "counties",
        "parcels",
        "exclusions",
        "line_voltage_classes_kv",
        "raster_samples",
    }
    unknown = set(cfg) - known
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(sorted(unknown))} in candidates.generate",
            column="candidates.generate",
            fix=f"use {', '.join(sorted(known))}",
        )
    if "region" not in cfg:
        raise InputError(
            "candidates.generate needs a region",
            column="region",
            fix="give a bbox [lon_min, lat_min, lon_max, lat_max] or a polygon file",
        )
    region = cfg.pop("region")
    if isinstance(region, (str, Path)):
        region = read_vector(base / region)
    counties = cfg.pop("counties", None)
    if counties is not None:
        counties = read_vector(base / counties)
    parcels = cfg.pop("parcels", None)
    if parcels is not None:
        parcels = (
            read_parcels(
                base / parcels["file"], id_column=parcels.get("id_column"), layer=parcels.get("layer")
            )
            if isinstance(parcels, Mapping)
            else read_parcels(base / parcels)
        )
    layers = []
    for spec in cfg.pop("exclusions", []) or []:
        if "raster" in spec:
            layers.append(
                read_exclusion_raster(
                    base / spec["raster"],
                    kind=spec.get("kind", "other"),
                    variable=spec.get("variable"),
                    exclude_values=spec.get("exclude_values"),
                )
            )
        else:
            layers.append(
                read_exclusions(base / spec["file"], kind=spec.get("kind", "other"), layer=spec.get("layer"))
            )
    return generate_candidates(
        region,
        substations,
        lines,
        zones=zones,
        counties=counties,
        parcels=parcels,
        exclusions=layers,
        land_cover=land_cover,
        permitting=permitting,
        gas_points=gas_points,
        **cfg,
    )

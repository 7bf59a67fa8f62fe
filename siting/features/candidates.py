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

Every function here is pure: it takes layers already read (a scenario's ``candidates.generate`` block is
read by :func:`siting.data.layers.load_candidate_layers`) and opens no file. After generation,
:func:`fill_state_from_outlines` and :func:`name_after_nearest_town` complete the state and the name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from pyproj import Transformer

from siting.errors import InputError
from siting.features.geo import distance_to_nearest_km, nearest_cell
from siting.features.permitting import (
    NATIONAL_BASE_PERMITTING_MONTHS,
    permitting_lead_time_months,
    site_permitting_months,
)
from siting.io._validate import EQUAL_AREA_CRS, GEOGRAPHIC_CRS, as_points, assign_zones, find_column
from siting.io.land import IGBP_EXCLUDED, SQ_M_PER_ACRE, check_exclusion_layers

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
    cells = nearest_cell(la, lo, lat, lon)
    il, jl = cells.ilat, cells.ilon
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
    la, lo = raster["lat"].to_numpy(), raster["lon"].to_numpy()
    cells = nearest_cell(la, lo, points_lonlat[:, 1], points_lonlat[:, 0])
    vals = raster.isel(lat=xr.DataArray(cells.ilat), lon=xr.DataArray(cells.ilon)).to_numpy().astype(float)
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


@dataclass(frozen=True)
class _Land:
    """Units of land and what the steps of :func:`generate_candidates` found out about them.

    Every table is row-aligned with ``units`` (EPSG:5070 polygons, metres).
    """

    units: gpd.GeoDataFrame
    #: Remaining share of each unit after the raster exclusions (0–1).
    scale: pd.Series
    #: One entry per step: ``step``, ``acres`` left, ``removed_acres``, ``units`` left.
    report: tuple[dict, ...]
    #: Population density of each unit (people/km²; NaN unknown).
    density: pd.Series | None = None
    #: ``state``, ``county_fips``, ``climate_zone`` of each unit (strings, ``<NA>`` unknown).
    attrs: pd.DataFrame | None = None
    #: Representative point of each unit (EPSG:5070).
    pts: gpd.GeoDataFrame | None = None

    def acres(self) -> float:
        """Land left (acres): unit area × remaining share."""
        return float((self.units.geometry.area * self.scale).sum() / SQ_M_PER_ACRE)

    def step(self, name: str, before_acres: float, **changes) -> _Land:
        """Copy with ``changes`` applied and a report entry for step ``name`` (acres removed since
        ``before_acres``)."""
        land = replace(self, **changes)
        left = land.acres()
        entry = {"step": name, "acres": left, "removed_acres": before_acres - left, "units": len(land.units)}
        return replace(land, report=(*self.report, entry))

    def subset(self, keep: np.ndarray) -> _Land:
        """Copy keeping the units where the boolean array ``keep`` is true (every row-aligned table)."""
        tables = ("units", "scale", "density", "attrs", "pts")
        return replace(self, **{k: getattr(self, k)[keep] for k in tables if getattr(self, k) is not None})


def _check_arguments(substations: pd.DataFrame | None, acres_per_mw: float, cell_km: float) -> None:
    """Positive land per MW (acres/MW) and cell side (km), and at least one substation."""
    if acres_per_mw <= 0 or cell_km <= 0:
        raise InputError("acres_per_mw and cell_km must be positive", column="acres_per_mw/cell_km")
    if substations is None or len(substations) == 0:
        raise InputError(
            "no substations given",
            column="substations",
            fix="load substations first (siting.io.read_hifld_substations)",
        )


def _land_units(region, parcels: gpd.GeoDataFrame | None, cell_km: float) -> _Land:
    """Step 1: parcels clipped to the region, else ``cell_km`` × ``cell_km`` km grid cells (EPSG:5070)."""
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
    acres = float(units.geometry.area.sum() / SQ_M_PER_ACRE)
    if len(units) == 0:
        raise InputError(
            "the study region holds no parcel",
            column="region",
            fix="check the region and the parcels overlap",
        )
    report = ({"step": "study region", "acres": acres, "units": len(units)},)
    return _Land(units=units, scale=pd.Series(1.0, index=units.index), report=report)


def _exclusion_layers(exclusions, land_cover: xr.DataArray | None) -> list:
    """The exclusion layers in order, the IGBP land-cover mask (classes 0, 11, 13, 15) last."""
    layers = check_exclusion_layers(exclusions)
    if land_cover is not None:
        lc = xr.DataArray(
            np.isin(land_cover.to_numpy(), list(IGBP_EXCLUDED)),
            coords=land_cover.coords,
            dims=land_cover.dims,
        )
        lc.attrs["kind"] = "land cover (water/wetland/urban/snow)"
        layers.append(lc)
    return layers


def _exclude_raster(land: _Land, layer: xr.DataArray, samples: int) -> _Land:
    """Remove the masked share of each unit (``samples`` × ``samples`` lattice per unit)."""
    kind = layer.attrs.get("kind", layer.name or "raster")
    mask = layer.sortby(["lat", "lon"]).astype(bool)
    frac = _raster_fraction(land.units, mask, samples)
    return land.step(f"exclusion: {kind}", land.acres(), scale=land.scale * (1.0 - frac))


def _exclude_polygons(land: _Land, layer: gpd.GeoDataFrame) -> _Land:
    """Cut the layer's polygons out of every unit (overlay difference in EPSG:5070)."""
    if layer.crs is None:
        raise InputError(
            "an exclusion layer has no CRS",
            file=layer.attrs.get("source_file"),
            column="geometry",
            fix="set its CRS",
        )
    kinds = layer["kind"].unique() if "kind" in layer else ["exclusion"]
    name = f"exclusion: {'/'.join(map(str, kinds))}"
    ex = _densify(layer).to_crs(EQUAL_AREA_CRS)[["geometry"]]
    ex = ex[~ex.geometry.is_empty & ex.geometry.notna()]
    if not len(ex):
        return land.step(name, land.acres())
    ex["geometry"] = shapely.make_valid(ex.geometry.to_numpy())
    units = land.units
    keep_cols = units.columns.difference(["geometry"]).tolist()
    cut = gpd.overlay(units, ex, how="difference", keep_geom_type=True)
    units = (
        cut[keep_cols + ["geometry"]].set_index(units.index[units["site_id"].isin(cut["site_id"])])
        if len(cut)
        else units.iloc[0:0]
    )
    return land.step(name, land.acres(), units=units, scale=land.scale.reindex(units.index))


def _apply_exclusions(land: _Land, layers: list, samples: int) -> _Land:
    """Step 2: every exclusion layer in order, one report entry each."""
    for layer in layers:
        if isinstance(layer, xr.DataArray):
            land = _exclude_raster(land, layer, samples)
        else:
            land = _exclude_polygons(land, layer)
    return land


#: Column spellings of a counties layer: internal name → accepted names.
COUNTY_COLUMNS = {
    "state": ["state", "STUSPS", "state_abbr"],
    "county_fips": ["county_fips", "GEOID", "fips", "id"],
    "climate_zone": ["climate_zone", "iecc_climate_zone"],
    "population_density_per_km2": ["population_density_per_km2"],
}


def _county_attributes(pts: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """``state``, ``county_fips`` (5 digits), ``climate_zone`` (strings) and
    ``population_density_per_km2`` (people/km²) of the county holding each point; missing columns absent."""
    if counties.crs is None:
        raise InputError(
            "the counties layer has no CRS", column="geometry", fix="counties.set_crs('EPSG:4326')"
        )
    cmap = {k: find_column(counties.columns, v) for k, v in COUNTY_COLUMNS.items()}
    cpoly = counties[[c for c in cmap.values() if c] + [counties.geometry.name]].to_crs(EQUAL_AREA_CRS)
    j = gpd.sjoin(pts, cpoly, how="left", predicate="within")
    j = j[~j.index.duplicated(keep="first")].reindex(pts.index)
    out = pd.DataFrame(index=pts.index)
    for k in ("state", "county_fips", "climate_zone"):
        if cmap[k]:
            out[k] = j[cmap[k]].astype("string")
    if cmap["county_fips"]:
        out["county_fips"] = out["county_fips"].str.zfill(5)
    if cmap["population_density_per_km2"]:
        out["population_density_per_km2"] = pd.to_numeric(
            j[cmap["population_density_per_km2"]], errors="coerce"
        )
    return out


def _attach_county_attributes(
    land: _Land, counties: gpd.GeoDataFrame | None, population_density: xr.DataArray | None
) -> _Land:
    """Step 3: representative points, counties' attributes and population density (people/km²) from the
    counties first, the units' own column second, the raster third."""
    units = land.units
    pts = gpd.GeoDataFrame(
        units[["site_id"]], geometry=units.geometry.representative_point(), crs=EQUAL_AREA_CRS
    )
    density = pd.Series(np.nan, index=units.index)
    attrs = pd.DataFrame(index=units.index, columns=["state", "county_fips", "climate_zone"], dtype="string")
    if counties is not None and len(units):
        found = _county_attributes(pts, counties)
        for k in ("state", "county_fips", "climate_zone"):
            if k in found:
                attrs[k] = found[k]
        if "population_density_per_km2" in found:
            density = found["population_density_per_km2"]
    if "population_density_per_km2" in units:
        density = density.fillna(pd.to_numeric(units["population_density_per_km2"], errors="coerce"))
    if population_density is not None and len(units):
        ll = np.column_stack(shapely.get_coordinates(pts.to_crs(GEOGRAPHIC_CRS).geometry.to_numpy()).T)
        sampled = _sample_raster(ll, population_density.sortby(["lat", "lon"]))
        density = density.fillna(pd.Series(sampled, index=units.index))
    return replace(land, density=density, attrs=attrs, pts=pts)


def _drop_dense(land: _Land, max_density_per_km2: float) -> _Land:
    """Step 4: drop units denser than ``max_density_per_km2`` (people/km²) as urban."""
    before = land.acres()
    dense = (land.density > max_density_per_km2).to_numpy()
    kept = land.subset(~dense) if dense.any() else land
    return kept.step(f"urban (density > {max_density_per_km2:g} per km²)", before)


def _buildable_acres(units: gpd.GeoDataFrame, scale: pd.Series) -> np.ndarray:
    """Buildable land of each unit (acres): area left × the parcel file's buildable share (default 1)."""
    buildable = units.geometry.area.to_numpy() * scale.to_numpy() / SQ_M_PER_ACRE
    if "buildable_acres" in units:  # parcels: the file's buildable share of what is left
        given = pd.to_numeric(units["buildable_acres"], errors="coerce")
        share = (given / pd.to_numeric(units["acres"], errors="coerce")).clip(0, 1).fillna(1.0)
        buildable = buildable * share.to_numpy()
    return buildable


def _nothing_left(report: Sequence[dict]) -> InputError:
    """The error naming how many acres each exclusion removed when no unit is left."""
    lines_txt = "; ".join(f"{r['step']}: -{r.get('removed_acres', 0):,.0f} acres" for r in report[1:])
    return InputError(
        f"no candidate site is left in the study region ({report[0]['acres']:,.0f} acres, {report[0]['units']} units) "
        f"after the exclusions: {lines_txt}",
        column="region",
        fix="enlarge the region, relax an exclusion (max_population_density_per_km2, min_buildable_acres) "
        "or check that the exclusion layers are the intended ones",
    )


def _drop_small(land: _Land, min_buildable_acres: float) -> tuple[_Land, np.ndarray]:
    """Step 5: drop units with less than ``min_buildable_acres`` (acres); also the kept buildable acres."""
    buildable = _buildable_acres(land.units, land.scale)
    small = buildable < min_buildable_acres
    entry = {
        "step": f"too small (< {min_buildable_acres:g} buildable acres)",
        "acres": land.acres() - float(buildable[small].sum()),
        "removed_acres": float(buildable[small].sum()),
        "units": int((~small).sum()),
    }
    land = replace(land, report=(*land.report, entry))
    if (~small).sum() == 0:
        raise _nothing_left(land.report)
    return land.subset(~small), buildable[~small]


def _unit_column(units: pd.DataFrame, column: str):
    """A units column as strings, or ``<NA>`` when the units have no such column."""
    return units[column].astype("string") if column in units else pd.NA


def _land_cost(units: pd.DataFrame, density: pd.Series, base_usd_per_acre: float) -> np.ndarray:
    """Land cost (USD/acre): the parcel file's price where given, else the density proxy."""
    proxy = land_cost_proxy_usd_per_acre(density.to_numpy(), base_usd_per_acre)
    if "land_cost_usd_per_acre" not in units:
        return proxy
    given = pd.to_numeric(units["land_cost_usd_per_acre"], errors="coerce").to_numpy()
    return np.where(np.isnan(given), proxy, given)


def _site_table(
    land: _Land,
    buildable: np.ndarray,
    acres_per_mw: float,
    max_it_mw: float,
    land_cost_base_usd_per_acre: float,
    permitting: pd.DataFrame | None,
) -> pd.DataFrame:
    """Step 6: the candidate-sites attributes of each unit (module docstring, items 3 and 5)."""
    units, density, attrs = land.units, land.density, land.attrs
    out = pd.DataFrame(index=units.index)
    out["site_id"] = units["site_id"].astype(str)
    out["name"] = units["name"].astype("string") if "name" in units else out["site_id"]
    out["state"] = attrs["state"].fillna(_unit_column(units, "state"))
    out["county_fips"] = attrs["county_fips"].fillna(_unit_column(units, "county_fips"))
    ll = land.pts.to_crs(GEOGRAPHIC_CRS).geometry
    out["lat"], out["lon"] = ll.y.to_numpy(), ll.x.to_numpy()
    out["population_density_per_km2"] = density.to_numpy()
    out["area_acres"] = units.geometry.area.to_numpy() / SQ_M_PER_ACRE
    out["buildable_acres"] = buildable
    out["land_cost_usd_per_acre"] = _land_cost(units, density, land_cost_base_usd_per_acre)
    out["max_it_mw"] = np.minimum(buildable / acres_per_mw, max_it_mw)
    out["permitting_lead_time_months"] = site_permitting_months(
        out["state"].to_numpy(), density.to_numpy(), out["county_fips"].to_numpy(), permitting
    )
    out["permitting_lead_time_years"] = out["permitting_lead_time_months"] / 12.0
    out["climate_zone"] = attrs["climate_zone"]
    out["market"] = "greenfield"
    return out


def _line_distances_km(
    pts: gpd.GeoDataFrame, lines: gpd.GeoDataFrame | None, classes_kv: Sequence[float]
) -> dict[str, np.ndarray | float]:
    """``dist_line_{V}kv_km``: distance (km) to the nearest line of at least V kV (NaN: no such line)."""
    if lines is None or not len(lines):
        return {f"dist_line_{v:g}kv_km": np.nan for v in classes_kv}
    lp = lines.to_crs(EQUAL_AREA_CRS)
    out = {}
    for v in classes_kv:
        sub = lp[lp["voltage_kv"] >= v]
        out[f"dist_line_{v:g}kv_km"] = (
            _nearest(pts, sub, ["voltage_kv"])["_dist_km"].to_numpy() if len(sub) else np.nan
        )
    return out


def _zone_ids(land: _Land, zones: gpd.GeoDataFrame | None, near: pd.DataFrame):
    """Zone of each unit: the zone polygon holding it, else the units' own ``zone_id``, else the zone of
    the nearest substation (``Int64``)."""
    if zones is not None:
        return assign_zones(land.pts.to_crs(GEOGRAPHIC_CRS), zones).to_numpy()
    if "zone_id" in land.units:
        return pd.to_numeric(land.units["zone_id"], errors="coerce").astype("Int64").to_numpy()
    return pd.array(
        pd.to_numeric(near.get("zone_id", pd.Series(pd.NA, index=near.index)), errors="coerce"),
        dtype="Int64",
    )


def _add_grid_distances(
    out: pd.DataFrame,
    land: _Land,
    substations: pd.DataFrame,
    lines: gpd.GeoDataFrame | None,
    zones: gpd.GeoDataFrame | None,
    classes_kv: Sequence[float],
) -> pd.DataFrame:
    """Step 7: nearest substation (km, id, kV), nearest line per voltage class (km) and the zone."""
    subs = as_points(substations).to_crs(EQUAL_AREA_CRS)
    cols = ["substation_id", "max_voltage_kv"] + (["zone_id"] if "zone_id" in subs else [])
    near = _nearest(land.pts, subs, cols)
    out = out.copy()
    out["dist_substation_km"] = near["_dist_km"].to_numpy()
    out["nearest_substation_id"] = near["substation_id"].to_numpy()
    out["nearest_substation_kv"] = near["max_voltage_kv"].to_numpy()
    for name, values in _line_distances_km(land.pts, lines, classes_kv).items():
        out[name] = values
    out["zone_id"] = _zone_ids(land, zones, near)
    return out


def _candidate_frame(
    out: pd.DataFrame, classes_kv: Sequence[float], gas_points: pd.DataFrame | None, report: Sequence[dict]
) -> gpd.GeoDataFrame:
    """Step 8: the candidate-sites columns, the extra distance columns (``dist_gas_km`` with gas points),
    points in EPSG:4326 and ``attrs["exclusion_report"]``."""
    extra = ["area_acres", "dist_substation_km", "nearest_substation_id", "nearest_substation_kv"]
    extra += [f"dist_line_{v:g}kv_km" for v in classes_kv]
    if gas_points is not None:
        out = out.copy()
        out["dist_gas_km"] = distance_to_nearest_km(out[["lat", "lon"]], gas_points)
        extra.append("dist_gas_km")
    res = gpd.GeoDataFrame(
        out[CANDIDATE_COLUMNS + extra].reset_index(drop=True),
        geometry=gpd.points_from_xy(out["lon"], out["lat"]),
        crs=GEOGRAPHIC_CRS,
    )
    res.attrs["exclusion_report"] = list(report)
    return res


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
    """Generate candidate sites in a study region (method in the module docstring). Reads no file.

    Parameters
    ----------
    region : bbox ``(lon_min, lat_min, lon_max, lat_max)`` (degrees), shapely geometry (EPSG:4326) or GeoDataFrame
    substations : DataFrame
        Internal substations (``substation_id, lat, lon, max_voltage_kv, zone_id`` …).
    lines, zones : GeoDataFrame, optional
        Lines with ``voltage_kv`` (:func:`siting.io.read_hifld_lines`); zone polygons with ``zone_id``.
    counties : GeoDataFrame, optional
        County polygons with any of ``state``, ``county_fips`` (or ``GEOID``/``fips``/``id``),
        ``population_density_per_km2``, ``climate_zone``.
    parcels : GeoDataFrame, optional
        Parcels from :func:`siting.io.read_parcels`; used instead of grid cells.
    exclusions : GeoDataFrame, DataArray or list of them, optional
        Hard exclusions: polygons with a ``kind`` column, or boolean lat/lon masks with ``attrs["kind"]``.
    land_cover, population_density : DataArray, optional
        MODIS IGBP classes (0, 11, 13, 15 excluded); density (people/km²) where counties give none.
    cell_km, acres_per_mw, min_buildable_acres, max_it_mw : float
        Grid cell side (km); land per MW of IT (acres/MW); smallest unit kept (acres); cap per site (MW).
    max_population_density_per_km2 : float
        Units denser than this are excluded as urban (people/km²).
    line_voltage_classes_kv : sequence of float
        Voltage classes of the ``dist_line_{V}kv_km`` columns (kV, "at least").
    raster_samples : int
        Lattice size per unit for raster exclusions.
    land_cost_base_usd_per_acre : float
        Base of the land-cost proxy (USD/acre).
    permitting, gas_points : DataFrame, optional
        Permitting table (``state``, ``base_permitting_months``, optional ``county_fips``; None → national
        9 months); gas-access points with ``lat``/``lon`` (adds ``dist_gas_km``).

    Returns
    -------
    geopandas.GeoDataFrame
        The candidate-sites schema (``data-layers.md``) plus ``area_acres``, ``dist_substation_km``,
        ``nearest_substation_id``, ``nearest_substation_kv``, ``dist_line_{V}kv_km`` (and ``dist_gas_km``);
        points in EPSG:4326; ``attrs["exclusion_report"]`` lists the acres removed by each step.

    Raises
    ------
    InputError
        When no unit is left after the exclusions (naming what each removed), or on bad inputs.
    """
    _check_arguments(substations, acres_per_mw, cell_km)
    land = _land_units(region, parcels, cell_km)
    land = _apply_exclusions(land, _exclusion_layers(exclusions, land_cover), raster_samples)
    land = _attach_county_attributes(land, counties, population_density)
    land = _drop_dense(land, max_population_density_per_km2)
    land, buildable = _drop_small(land, min_buildable_acres)
    out = _site_table(land, buildable, acres_per_mw, max_it_mw, land_cost_base_usd_per_acre, permitting)
    out = _add_grid_distances(out, land, substations, lines, zones, line_voltage_classes_kv)
    return _candidate_frame(out, line_voltage_classes_kv, gas_points, land.report)


def fill_state_from_outlines(candidates: gpd.GeoDataFrame, states: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Candidates whose ``state`` is unknown (no counties layer) get the state outline holding them."""
    if not candidates["state"].isna().any() or "state" not in states:
        return candidates
    pts = candidates[["geometry"]].to_crs(states.crs)
    hit = gpd.sjoin(pts, states[["state", "geometry"]], predicate="within", how="left")
    hit = hit[~hit.index.duplicated(keep="first")]
    out = candidates.copy()
    out["state"] = out["state"].fillna(hit["state"])
    return out


def name_after_nearest_town(
    candidates: gpd.GeoDataFrame,
    towns: pd.DataFrame,
    *,
    max_km: float = 60.0,
    permitting: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Borrow from the nearest town within ``max_km`` (km; nearest-neighbour join in EPSG:5070) its name
    ("cell c10km_3_7 near Denton, TX") and, where the candidate has no population density, its density
    (people/km²), from which the land-cost (USD/acre) and permitting (months) proxies are recomputed.

    ``towns`` has ``name``, ``lat``, ``lon`` (degrees) and ``population_density_per_km2``.
    """
    points = as_points(towns).to_crs(EQUAL_AREA_CRS)
    near = gpd.sjoin_nearest(
        candidates[["geometry"]].to_crs(EQUAL_AREA_CRS),
        points[["name", "population_density_per_km2", "geometry"]],
        how="left",
        max_distance=max_km * 1000.0,
    )
    near = near[~near.index.duplicated(keep="first")]
    out = candidates.copy()
    named = near["name"].notna()
    out.loc[named, "name"] = (
        out.loc[named, "name"].astype(str) + " near " + near.loc[named, "name"].astype(str)
    )
    if "population_density_per_km2" not in out:
        return out
    unknown = out["population_density_per_km2"].isna() & near["population_density_per_km2"].notna()
    if unknown.any():
        dens = near.loc[unknown, "population_density_per_km2"].astype(float)
        out.loc[unknown, "population_density_per_km2"] = dens
        out.loc[unknown, "land_cost_usd_per_acre"] = land_cost_proxy_usd_per_acre(dens.to_numpy())
        months = site_permitting_months(
            out.loc[unknown, "state"].to_numpy(),
            dens.to_numpy(),
            out.loc[unknown, "county_fips"].to_numpy() if "county_fips" in out else None,
            permitting,
        )
        out.loc[unknown, "permitting_lead_time_months"] = months
        out.loc[unknown, "permitting_lead_time_years"] = months / 12.0
    return out

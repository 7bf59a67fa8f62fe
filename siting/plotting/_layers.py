"""Map layers shared by the interactive and the static map.

Everything here is plain (Geo)DataFrames in EPSG:4326 longitude/latitude degrees, restricted to the
plan's study area (the bounding box of its candidate sites plus a margin) so that the HTML map stays small.

Context layers (substations, transmission lines, states, zones) come from ``plan.context`` when the plan
was just solved, and otherwise from the embedded default data (``siting.data.load.default_data_dir()``):
a plan loaded from disk that was solved with user data layers is therefore drawn over the default grid.

Zones have no polygons in the data. :func:`zone_polygons` approximates them as the Voronoi cells of the
zone's substations, dissolved per zone and clipped to the state outlines (and to the study area).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..data.load import default_data_dir

CRS = "EPSG:4326"
#: Voltage classes (kV) from which the substation / line thresholds are chosen.
VOLTAGE_CLASSES = (115, 138, 161, 230, 345, 500, 765)
#: At most this many substations / transmission lines are drawn (the lowest voltages are dropped first).
MAX_SUBSTATIONS = 1500
MAX_LINES = 2500
#: Coordinates are rounded to this many decimals in the HTML map (0.001° ≈ 100 m).
COORD_DECIMALS = 3
CONUS_BOUNDS = (-125.0, 24.0, -66.5, 49.5)


@dataclass
class MapLayers:
    """Layers of one plan's map.

    Attributes
    ----------
    bounds : tuple of float
        Study area ``(west, south, east, north)`` in degrees.
    states : GeoDataFrame
        State outlines intersecting the study area (``state``, ``name``).
    substations : GeoDataFrame
        Substations in the study area at or above ``substation_min_kv`` plus every substation the plan
        connects to (``substation_id``, ``name``, ``max_voltage_kv``, ``zone_id``, ``headroom_mw``).
    substation_min_kv : float
        Voltage threshold (kV) chosen so that at most :data:`MAX_SUBSTATIONS` are drawn.
    lines : GeoDataFrame
        Transmission corridors (≥230 kV in the default data) intersecting the study area (``voltage_kv``).
    zones : GeoDataFrame
        Approximate zone polygons (``zone_id``, ``zone_name``, ``industrial_price_usd_per_mwh``,
        ``grid_co2_kg_per_mwh``); empty when no zone table is available.
    candidates : DataFrame
        ``plan.candidates`` plus ``capex_usd_per_kw`` (indicative overnight cost, see :func:`candidate_cost`).
    """

    bounds: tuple[float, float, float, float]
    states: gpd.GeoDataFrame
    substations: gpd.GeoDataFrame
    substation_min_kv: float
    lines: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    candidates: pd.DataFrame


# --------------------------------------------------------------------------- context layers
@functools.lru_cache(maxsize=2)
def _default_layers(data_dir: str) -> dict[str, Any]:
    d = Path(data_dir)
    subs = pd.read_csv(d / "substations.csv")
    subs = gpd.GeoDataFrame(subs, geometry=gpd.points_from_xy(subs["lon"], subs["lat"]), crs=CRS)
    return {
        "substations": subs,
        "transmission_lines": gpd.read_file(d / "transmission_lines.geojson").to_crs(CRS),
        "states": gpd.read_file(d / "states.geojson").to_crs(CRS),
        "zones": pd.read_csv(d / "zones.csv"),
    }


def context_layers(plan: Any) -> dict[str, Any]:
    """``substations``, ``transmission_lines``, ``states`` and ``zones`` for a plan.

    Parameters
    ----------
    plan : BuildPlan
        A solved or loaded plan.

    Returns
    -------
    dict
        The plan's own context layers where present, the embedded default layers otherwise.
    """
    ctx = dict(getattr(plan, "context", None) or {})
    missing = [k for k in ("substations", "transmission_lines", "states", "zones") if ctx.get(k) is None]
    if missing:
        defaults = _default_layers(str(default_data_dir()))
        for k in missing:
            ctx[k] = defaults[k]
    out = {}
    for k in ("substations", "transmission_lines", "states", "zones"):
        v = ctx[k]
        if isinstance(v, pd.DataFrame) and v.index.name in v.columns:
            v = v.reset_index(drop=True)
        out[k] = v
    return out


# --------------------------------------------------------------------------- study area
def study_bounds(plan: Any, margin_deg: float = 0.5) -> tuple[float, float, float, float]:
    """Bounding box of the plan's candidate and chosen sites plus a margin.

    Parameters
    ----------
    plan : BuildPlan
    margin_deg : float
        Minimum margin on every side, degrees (at least 10 % of the extent is added).

    Returns
    -------
    tuple of float
        ``(west, south, east, north)`` in degrees; CONUS when the plan has no sites at all.
    """
    pts = [
        df[["lon", "lat"]]
        for df in (plan.candidates, plan.sites)
        if len(df) and {"lon", "lat"} <= set(df.columns)
    ]
    if not pts:
        return CONUS_BOUNDS
    xy = pd.concat(pts).astype(float)
    w, e = xy["lon"].min(), xy["lon"].max()
    s, n = xy["lat"].min(), xy["lat"].max()
    mx = max(margin_deg, 0.1 * (e - w))
    my = max(margin_deg, 0.1 * (n - s))
    return (float(w - mx), float(s - my), float(e + mx), float(n + my))


def _in_box(gdf: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    return gdf[gdf.intersects(shapely.box(*bounds))]


def _threshold(voltages: pd.Series, limit: int) -> float:
    """Lowest voltage class such that at most ``limit`` elements are at or above it."""
    v = voltages.to_numpy(dtype=float)
    for kv in VOLTAGE_CLASSES:
        if int((v >= kv).sum()) <= limit:
            return float(kv)
    return float(VOLTAGE_CLASSES[-1])


def round_coords(gdf: gpd.GeoDataFrame, decimals: int = COORD_DECIMALS) -> gpd.GeoDataFrame:
    """Copy of ``gdf`` with every coordinate rounded (keeps the HTML map small)."""
    out = gdf.copy()
    out.geometry = shapely.transform(out.geometry.values, lambda c: np.round(c, decimals))
    return out


# --------------------------------------------------------------------------- zones
def zone_polygons(
    substations: gpd.GeoDataFrame,
    zones: pd.DataFrame,
    states: gpd.GeoDataFrame,
    bounds: tuple[float, float, float, float],
    grid_deg: float = 0.1,
    simplify_deg: float = 0.02,
) -> gpd.GeoDataFrame:
    """Approximate zone polygons: Voronoi cells of substations, dissolved by zone, clipped to land.

    Parameters
    ----------
    substations : GeoDataFrame
        All substations with ``zone_id`` (points, degrees).
    zones : DataFrame
        Zone table (``zone_id``, ``zone_name``, ``industrial_price_usd_per_mwh``, ``grid_co2_kg_per_mwh``).
    states : GeoDataFrame
        State outlines; cells are clipped to their union.
    bounds : tuple of float
        Study area ``(west, south, east, north)``, degrees; cells are clipped to the states that intersect
        it, within 1° of it.
    grid_deg : float
        Substations are thinned to one per zone and ``grid_deg`` × ``grid_deg`` cell before the Voronoi
        step (degrees), which bounds the cost for CONUS-wide plans.
    simplify_deg : float
        Douglas–Peucker tolerance of the result, degrees.

    Returns
    -------
    GeoDataFrame
        One (multi)polygon per zone present in the study area, with the zone table's columns.
    """
    cols = ["zone_id", "zone_name", "industrial_price_usd_per_mwh", "grid_co2_kg_per_mwh"]
    empty = gpd.GeoDataFrame(columns=cols, geometry=[], crs=CRS)
    if zones is None or len(zones) == 0 or len(substations) == 0:
        return empty
    w, s, e, n = bounds
    pad = 2.0
    outer = shapely.box(w - pad, s - pad, e + pad, n + pad)
    pts = substations[["lon", "lat", "zone_id"]].copy()
    pts = pts[(pts["lon"].between(w - pad, e + pad)) & (pts["lat"].between(s - pad, n + pad))]
    pts["gx"] = np.floor(pts["lon"] / grid_deg)
    pts["gy"] = np.floor(pts["lat"] / grid_deg)
    pts = pts.drop_duplicates(["zone_id", "gx", "gy"]).drop_duplicates(["lon", "lat"])
    if len(pts) < 3:
        return empty
    mp = shapely.multipoints(np.column_stack([pts["lon"].to_numpy(), pts["lat"].to_numpy()]))
    cells = shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=outer))
    cell_gdf = gpd.GeoDataFrame(geometry=cells, crs=CRS)
    point_gdf = gpd.GeoDataFrame(
        {"zone_id": pts["zone_id"].to_numpy()},
        geometry=gpd.points_from_xy(pts["lon"], pts["lat"]),
        crs=CRS,
    )
    joined = gpd.sjoin(cell_gdf, point_gdf, predicate="contains", how="inner")
    dissolved = joined[["zone_id", "geometry"]].dissolve(by="zone_id").reset_index()
    near = states[states.intersects(shapely.box(w, s, e, n))]
    land = shapely.intersection(
        shapely.union_all(near.geometry.values), shapely.box(w - 1, s - 1, e + 1, n + 1)
    )
    dissolved["geometry"] = shapely.intersection(dissolved.geometry.values, land)
    dissolved = dissolved[~dissolved.geometry.is_empty]
    dissolved["geometry"] = dissolved.geometry.simplify(simplify_deg, preserve_topology=True)
    z = zones.reset_index(drop=True) if zones.index.name in zones.columns else zones
    keep = [c for c in cols if c in z.columns]
    out = dissolved.merge(z[keep], on="zone_id", how="inner")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


# --------------------------------------------------------------------------- candidates
def candidate_cost(candidates: pd.DataFrame) -> pd.Series:
    """Indicative overnight cost of each candidate site, USD per kW of IT.

    ``(construction_usd_per_mw + land_usd_per_mw + cheapest_connection_usd / max_it_mw) / 1000``; the
    connection term is 0 where the plan has no grid connection for the site (NaN or missing column). It is
    a screening colour for the map, not the optimiser's objective (which also prices energy, delay, PUE).
    """
    zero = pd.Series(0.0, index=candidates.index)
    base = candidates.get("construction_usd_per_mw", zero).astype(float) + candidates.get(
        "land_usd_per_mw", zero
    ).astype(float)
    conn = candidates.get("cheapest_connection_usd", zero).astype(float).fillna(0.0)
    mw = candidates.get("max_it_mw", zero).astype(float)
    per_mw = (conn / mw.where(mw > 0)).fillna(0.0)
    return (base.fillna(0.0) + per_mw) / 1000.0


# --------------------------------------------------------------------------- assembly
def map_layers(plan: Any, with_zones: bool = True) -> MapLayers:
    """Collect and trim every layer of a plan's map.

    Parameters
    ----------
    plan : BuildPlan
    with_zones : bool
        Build the approximate zone polygons (skipped by the static map).

    Returns
    -------
    MapLayers
    """
    ctx = context_layers(plan)
    bounds = study_bounds(plan)
    box = shapely.box(*bounds)

    states = ctx["states"]
    states = states[states.intersects(box)][[c for c in ("state", "name", "geometry") if c in states.columns]]

    subs = ctx["substations"]
    subs_box = subs[(subs["lon"].between(bounds[0], bounds[2])) & (subs["lat"].between(bounds[1], bounds[3]))]
    kv = _threshold(subs_box["max_voltage_kv"], MAX_SUBSTATIONS)
    used = set(plan.interconnections["substation_id"].astype(str)) if len(plan.interconnections) else set()
    keep = (subs_box["max_voltage_kv"] >= kv) | subs_box["substation_id"].astype(str).isin(used)
    sub_cols = [
        c
        for c in ("substation_id", "name", "lat", "lon", "max_voltage_kv", "zone_id", "headroom_mw")
        if c in subs.columns
    ]
    subs_out = gpd.GeoDataFrame(subs_box.loc[keep, sub_cols], geometry=subs_box.loc[keep].geometry, crs=CRS)

    lines = _in_box(ctx["transmission_lines"], bounds)
    lkv = _threshold(lines["voltage_kv"], MAX_LINES) if len(lines) else 0.0
    lines = lines[lines["voltage_kv"] >= lkv][["voltage_kv", "geometry"]]

    zones = (
        zone_polygons(
            subs,
            ctx["zones"],
            ctx["states"],
            bounds,
            simplify_deg=max(0.01, 0.0015 * (bounds[2] - bounds[0])),
        )
        if with_zones
        else gpd.GeoDataFrame(geometry=[], crs=CRS)
    )
    cand = plan.candidates.copy()
    if len(cand):
        cand["capex_usd_per_kw"] = candidate_cost(cand)
    return MapLayers(
        bounds=bounds,
        states=gpd.GeoDataFrame(states, crs=CRS),
        substations=subs_out,
        substation_min_kv=kv,
        lines=gpd.GeoDataFrame(lines, crs=CRS),
        zones=zones,
        candidates=cand,
    )

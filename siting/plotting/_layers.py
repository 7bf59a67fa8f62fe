"""Map layers shared by the interactive and the static map.

Everything here is plain (Geo)DataFrames in EPSG:4326 longitude/latitude degrees, restricted to the
plan's study area (the bounding box of its candidate sites plus a margin) so that the HTML map stays small.

Context layers (substations, transmission lines, states, zones) come from ``plan.context`` when the plan
was just solved, and otherwise from the ``context=`` argument, which the caller reads with
:func:`siting.data.layers.map_context` (the ``BuildPlan`` methods do; a plan loaded from disk is then drawn
over the embedded default grid even if it was solved with user data layers). Nothing here reads a file.

Zones have no polygons in the data. :func:`zone_polygons` approximates them as the Voronoi cells of the
zone's substations, dissolved per zone and clipped to the state outlines (and to the study area).

Demand regions and the serving lines are drawn only for a scenario with a ``latency`` section: from the
plan's own ``demand_regions`` table (``demand_regions.csv``, so a plan loaded from disk draws the same
regions as the solved one), else from ``demand_regions`` of ``plan.context`` or of ``context=`` when the
plan has a non-empty ``serving`` table (plans written before ``demand_regions.csv`` existed): see
:func:`serving_layers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError

CRS = "EPSG:4326"
#: The context layers of a map.
CONTEXT_LAYERS = ("substations", "transmission_lines", "states", "zones")
#: Voltage classes (kV) from which the substation / line thresholds are chosen.
VOLTAGE_CLASSES = (115, 138, 161, 230, 345, 500, 765)
#: At most this many substations / transmission lines are drawn (the lowest voltages are dropped first).
MAX_SUBSTATIONS = 1500
MAX_LINES = 2500
#: Coordinates are rounded to this many decimals in the HTML map (0.001° ≈ 100 m).
COORD_DECIMALS = 3
CONUS_BOUNDS = (-125.0, 24.0, -66.5, 49.5)
#: Columns of the zone polygons.
ZONE_COLUMNS = ("zone_id", "zone_name", "industrial_price_usd_per_mwh", "grid_co2_kg_per_mwh")
#: Substations this far around the study area (degrees) shape the zone polygons.
ZONE_PAD_DEG = 2.0
#: Columns of :attr:`MapLayers.regions` and :attr:`MapLayers.serving`.
REGION_LAYER_COLUMNS = (
    "region_id",
    "name",
    "lat",
    "lon",
    "population",
    "served_mw",
    "demand_mw",
    "unserved_mw",
)
SERVING_LAYER_COLUMNS = (
    "site_id",
    "site_name",
    "region_id",
    "region_name",
    "year",
    "mw",
    "rtt_ms",
    "distance_km",
    "site_lon",
    "site_lat",
    "region_lon",
    "region_lat",
)


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
    regions : DataFrame
        Demand regions in the study area or served (:data:`REGION_LAYER_COLUMNS`; ``population`` in
        people, ``served_mw`` IT MW served in the serving step, ``demand_mw`` and ``unserved_mw`` its
        latency-bound IT MW and the part not served, NaN when the plan has no ``demand_regions`` table);
        empty unless the plan has demand regions.
    serving : DataFrame
        One row per site → region pair served in the serving step (:data:`SERVING_LAYER_COLUMNS`; ``mw``
        IT MW, ``rtt_ms`` ms, ``distance_km`` km, coordinates in degrees); empty likewise.
    serving_year : int or None
        The year of the serving step (the last horizon year); None when ``regions`` is empty.
    """

    bounds: tuple[float, float, float, float]
    states: gpd.GeoDataFrame
    substations: gpd.GeoDataFrame
    substation_min_kv: float
    lines: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    candidates: pd.DataFrame
    regions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REGION_LAYER_COLUMNS)))
    serving: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(SERVING_LAYER_COLUMNS)))
    serving_year: int | None = None


# --------------------------------------------------------------------------- context layers
def context_layers(plan: Any, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``substations``, ``transmission_lines``, ``states`` and ``zones`` for a plan.

    Parameters
    ----------
    plan : BuildPlan
        A solved or loaded plan.
    context : mapping, optional
        Layers to use where ``plan.context`` has none (e.g. :func:`siting.data.layers.map_context`).

    Returns
    -------
    dict
        The plan's own context layers where present, ``context``'s otherwise (tables indexed by an id
        column get a plain index).

    Raises
    ------
    InputError
        When a layer is in neither (a plan loaded from disk needs ``context``).
    """
    own = dict(getattr(plan, "context", None) or {})
    given = dict(context or {})
    ctx = {k: own[k] if own.get(k) is not None else given.get(k) for k in CONTEXT_LAYERS}
    missing = [k for k, v in ctx.items() if v is None]
    if missing:
        raise InputError(
            f"the map needs the context layers {', '.join(missing)}, which the plan does not carry",
            column="context",
            fix="draw through the plan's methods (plan.explore(), plan.plot_map()) or pass "
            "context=siting.data.layers.map_context(plan.context, siting.data.load.default_data_dir())",
        )
    for k, v in ctx.items():
        if isinstance(v, pd.DataFrame) and v.index.name in v.columns:
            ctx[k] = v.reset_index(drop=True)
    return ctx


# --------------------------------------------------------------------------- study area
def study_bounds(
    plan: Any, margin_deg: float = 0.5, extra: pd.DataFrame | None = None
) -> tuple[float, float, float, float]:
    """Bounding box of the plan's candidate and chosen sites (and ``extra`` points) plus a margin.

    Parameters
    ----------
    plan : BuildPlan
    margin_deg : float
        Minimum margin on every side, degrees (at least 10 % of the extent is added).
    extra : DataFrame, optional
        More points to include (``lon``, ``lat``, degrees), e.g. the demand regions the plan serves.

    Returns
    -------
    tuple of float
        ``(west, south, east, north)`` in degrees; CONUS when the plan has no sites at all.
    """
    pts = [
        df[["lon", "lat"]]
        for df in (plan.candidates, plan.sites, extra if extra is not None else pd.DataFrame())
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
    empty = gpd.GeoDataFrame(columns=list(ZONE_COLUMNS), geometry=[], crs=CRS)
    if zones is None or len(zones) == 0 or len(substations) == 0:
        return empty
    pts = _thinned_substations(substations, bounds, grid_deg)
    if len(pts) < 3:
        return empty
    cells = _voronoi_by_zone(pts, bounds)
    cells["geometry"] = shapely.intersection(cells.geometry.values, _land(states, bounds))
    cells = cells[~cells.geometry.is_empty]
    cells["geometry"] = cells.geometry.simplify(simplify_deg, preserve_topology=True)
    z = zones.reset_index(drop=True) if zones.index.name in zones.columns else zones
    keep = [c for c in ZONE_COLUMNS if c in z.columns]
    out = cells.merge(z[keep], on="zone_id", how="inner")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


def _thinned_substations(
    substations: pd.DataFrame, bounds: tuple[float, float, float, float], grid_deg: float
) -> pd.DataFrame:
    """Substations within :data:`ZONE_PAD_DEG` degrees of the study area, one per zone and
    ``grid_deg`` × ``grid_deg`` cell (degrees), one per location (``lon``, ``lat``, ``zone_id``)."""
    w, s, e, n = bounds
    pad = ZONE_PAD_DEG
    pts = substations[["lon", "lat", "zone_id"]].copy()
    pts = pts[(pts["lon"].between(w - pad, e + pad)) & (pts["lat"].between(s - pad, n + pad))]
    pts["gx"] = np.floor(pts["lon"] / grid_deg)
    pts["gy"] = np.floor(pts["lat"] / grid_deg)
    return pts.drop_duplicates(["zone_id", "gx", "gy"]).drop_duplicates(["lon", "lat"])


def _voronoi_by_zone(pts: pd.DataFrame, bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Voronoi cells of the points (extended :data:`ZONE_PAD_DEG` degrees past the study area), dissolved
    by the ``zone_id`` of the point each holds."""
    w, s, e, n = bounds
    pad = ZONE_PAD_DEG
    outer = shapely.box(w - pad, s - pad, e + pad, n + pad)
    mp = shapely.multipoints(np.column_stack([pts["lon"].to_numpy(), pts["lat"].to_numpy()]))
    cells = shapely.get_parts(shapely.voronoi_polygons(mp, extend_to=outer))
    cell_gdf = gpd.GeoDataFrame(geometry=cells, crs=CRS)
    point_gdf = gpd.GeoDataFrame(
        {"zone_id": pts["zone_id"].to_numpy()},
        geometry=gpd.points_from_xy(pts["lon"], pts["lat"]),
        crs=CRS,
    )
    joined = gpd.sjoin(cell_gdf, point_gdf, predicate="contains", how="inner")
    return joined[["zone_id", "geometry"]].dissolve(by="zone_id").reset_index()


def _land(states: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]) -> shapely.Geometry:
    """Union of the state outlines that intersect the study area, cut 1° outside it (degrees)."""
    w, s, e, n = bounds
    near = states[states.intersects(shapely.box(w, s, e, n))]
    return shapely.intersection(
        shapely.union_all(near.geometry.values), shapely.box(w - 1, s - 1, e + 1, n + 1)
    )


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


# --------------------------------------------------------------------------- demand regions
def plan_regions(plan: Any) -> pd.DataFrame | None:
    """The plan's own ``demand_regions`` table (``demand_regions.csv``: ``region_id``, ``name``, ``lat``,
    ``lon``, ``population``, ``year``, ``step_start``, ``demand_mw``, ``served_mw``, ``unserved_mw``), or
    None when the plan has none (no latency section, or written before the file existed)."""
    rg = getattr(plan, "demand_regions", None)
    if rg is None or len(rg) == 0 or not {"region_id", "lat", "lon", "step_start"} <= set(rg.columns):
        return None
    return rg


def demand_regions_table(plan: Any, context: Mapping[str, Any] | None = None) -> pd.DataFrame | None:
    """The plan's own demand regions (:func:`plan_regions`), else those of ``plan.context``, else of
    ``context`` (``region_id`` as a column).

    Parameters
    ----------
    plan : BuildPlan
    context : mapping, optional
        Layers to use where the plan has no ``demand_regions`` (a plan written before
        ``demand_regions.csv`` existed).

    Returns
    -------
    DataFrame or None
        ``region_id``, ``name``, ``lat``, ``lon`` (degrees), ``population`` (people), …; None when none has
        a non-empty table.
    """
    own = plan_regions(plan)
    if own is not None:
        return own.reset_index(drop=True)
    for src in (getattr(plan, "context", None) or {}, context or {}):
        regions = src.get("demand_regions")
        if regions is not None and len(regions):
            if regions.index.name in regions.columns:
                return regions.reset_index(drop=True)
            return regions.reset_index() if regions.index.name == "region_id" else regions
    return None


def serving_year(plan: Any) -> int | None:
    """The year of the plan's ``demand_regions`` table when it has one; else the last horizon year (keys of
    ``plan.meta["targets_it_mw"]``), else the last year of ``plan.serving``; None when the plan has neither
    demand regions nor serving rows."""
    own = plan_regions(plan)
    if own is not None and "year" in own.columns:
        return int(own["year"].max())
    sv = getattr(plan, "serving", None)
    if sv is None or len(sv) == 0:
        return None
    years = [int(y) for y in (plan.meta or {}).get("targets_it_mw", {})]
    return max(years) if years else int(sv["year"].max())


def _serving_rows(plan: Any, year: int) -> pd.DataFrame:
    """``plan.serving`` rows of the serving step: the ``step_start`` of the plan's ``demand_regions``
    table, else the last step of ``year`` that has serving rows."""
    sv = getattr(plan, "serving", None)
    if sv is None or len(sv) == 0:
        return pd.DataFrame(
            columns=["site_id", "region_id", "year", "step_start", "mw", "rtt_ms", "distance_km"]
        )
    own = plan_regions(plan)
    if own is not None:
        return sv[sv["step_start"].astype(str).isin(set(own["step_start"].astype(str)))]
    sv = sv[sv["year"].astype(int) == year]
    return sv[sv["step_start"].astype(str) == sv["step_start"].astype(str).max()] if len(sv) else sv


def serving_layers(plan: Any, regions: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Demand regions with the IT MW they are served, and the site → region pairs, in the serving step:
    the step of the plan's ``demand_regions`` table, else the last step of the last horizon year
    (:func:`serving_year`) with serving rows.

    Parameters
    ----------
    plan : BuildPlan
        A plan with a ``demand_regions`` or a ``serving`` table (``site_id``, ``region_id``, ``year``,
        ``step_start``, ``mw`` IT MW, ``rtt_ms`` ms, ``distance_km`` km).
    regions : DataFrame or None
        Demand regions (:func:`demand_regions_table`).

    Returns
    -------
    tuple of DataFrame
        Every region (:data:`REGION_LAYER_COLUMNS`; ``served_mw`` 0 where not served; ``demand_mw`` and
        ``unserved_mw`` from ``regions`` when it has them, else NaN) and the served pairs sorted by site and
        region (:data:`SERVING_LAYER_COLUMNS`); both empty when the plan has neither demand regions nor
        serving rows, or ``regions`` is None. Pairs whose site or region has no coordinates are left out.
    """
    empty = (
        pd.DataFrame(columns=list(REGION_LAYER_COLUMNS)),
        pd.DataFrame(columns=list(SERVING_LAYER_COLUMNS)),
    )
    year = serving_year(plan)
    if year is None or regions is None or len(regions) == 0:
        return empty
    reg = regions.set_index(regions["region_id"].astype(str))
    pts = pd.concat([plan.sites, plan.candidates]).drop_duplicates("site_id")
    pts.index = pts["site_id"].astype(str)
    sv = _serving_rows(plan, year)
    sv = sv.assign(site_id=sv["site_id"].astype(str), region_id=sv["region_id"].astype(str))
    sv = sv[sv["site_id"].isin(pts.index) & sv["region_id"].isin(reg.index)]
    sv = sv.sort_values(["site_id", "region_id"]).reset_index(drop=True)
    site, region = pts.loc[sv["site_id"]], reg.loc[sv["region_id"]]
    pairs = pd.DataFrame(
        {
            "site_id": sv["site_id"],
            "site_name": site["name"].to_numpy(),
            "region_id": sv["region_id"],
            "region_name": region["name"].to_numpy(),
            "year": year,
            "mw": sv["mw"].astype(float),
            "rtt_ms": sv["rtt_ms"].astype(float),
            "distance_km": sv["distance_km"].astype(float),
            "site_lon": site["lon"].to_numpy(dtype=float),
            "site_lat": site["lat"].to_numpy(dtype=float),
            "region_lon": region["lon"].to_numpy(dtype=float),
            "region_lat": region["lat"].to_numpy(dtype=float),
        },
        columns=list(SERVING_LAYER_COLUMNS),
    )
    out = reg.reset_index(drop=True)[["region_id", "name", "lat", "lon", "population"]].copy()
    out["region_id"] = reg.index.to_numpy()
    out["served_mw"] = out["region_id"].map(pairs.groupby("region_id")["mw"].sum()).fillna(0.0)
    for c in ("demand_mw", "unserved_mw"):
        out[c] = reg[c].to_numpy(dtype=float) if c in reg.columns else np.nan
    return out.sort_values("region_id").reset_index(drop=True), pairs


def _demand_layers(
    plan: Any, context: Mapping[str, Any] | None
) -> tuple[tuple[float, float, float, float], pd.DataFrame, pd.DataFrame]:
    """Study area (degrees) widened to the served regions, the regions in it or served, and the pairs."""
    regions, pairs = serving_layers(plan, demand_regions_table(plan, context))
    served = regions[regions["served_mw"] > 0]
    bounds = study_bounds(plan, extra=served[["lon", "lat"]] if len(served) else None)
    w, s, e, n = bounds
    inside = regions["lon"].astype(float).between(w, e) & regions["lat"].astype(float).between(s, n)
    return bounds, regions[inside | (regions["served_mw"] > 0)].reset_index(drop=True), pairs


# --------------------------------------------------------------------------- assembly
def _trim_substations(
    subs: gpd.GeoDataFrame, bounds: tuple[float, float, float, float], used: set[str]
) -> tuple[gpd.GeoDataFrame, float]:
    """Substations in the study area at or above the voltage threshold (kV) that keeps at most
    :data:`MAX_SUBSTATIONS`, plus the ``used`` ones (ids as strings); also the threshold."""
    subs_box = subs[(subs["lon"].between(bounds[0], bounds[2])) & (subs["lat"].between(bounds[1], bounds[3]))]
    kv = _threshold(subs_box["max_voltage_kv"], MAX_SUBSTATIONS)
    keep = (subs_box["max_voltage_kv"] >= kv) | subs_box["substation_id"].astype(str).isin(used)
    cols = [
        c
        for c in ("substation_id", "name", "lat", "lon", "max_voltage_kv", "zone_id", "headroom_mw")
        if c in subs.columns
    ]
    return gpd.GeoDataFrame(subs_box.loc[keep, cols], geometry=subs_box.loc[keep].geometry, crs=CRS), kv


def _trim_lines(lines: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Lines intersecting the study area at or above the voltage threshold (kV) that keeps at most
    :data:`MAX_LINES`."""
    lines = _in_box(lines, bounds)
    lkv = _threshold(lines["voltage_kv"], MAX_LINES) if len(lines) else 0.0
    return gpd.GeoDataFrame(lines[lines["voltage_kv"] >= lkv][["voltage_kv", "geometry"]], crs=CRS)


def map_layers(plan: Any, with_zones: bool = True, context: Mapping[str, Any] | None = None) -> MapLayers:
    """Collect and trim every layer of a plan's map.

    Parameters
    ----------
    plan : BuildPlan
    with_zones : bool
        Build the approximate zone polygons (skipped by the static map).
    context : mapping, optional
        Context layers where ``plan.context`` has none (see :func:`context_layers`).

    Returns
    -------
    MapLayers
    """
    ctx = context_layers(plan, context)
    bounds, regions, serving = _demand_layers(plan, context)
    states = ctx["states"]
    states = states[states.intersects(shapely.box(*bounds))]
    states = states[[c for c in ("state", "name", "geometry") if c in states.columns]]
    used = set(plan.interconnections["substation_id"].astype(str)) if len(plan.interconnections) else set()
    subs, kv = _trim_substations(ctx["substations"], bounds, used)
    simplify = max(0.01, 0.0015 * (bounds[2] - bounds[0]))
    zones = (
        zone_polygons(ctx["substations"], ctx["zones"], ctx["states"], bounds, simplify_deg=simplify)
        if with_zones
        else gpd.GeoDataFrame(geometry=[], crs=CRS)
    )
    cand = plan.candidates.copy()
    if len(cand):
        cand["capex_usd_per_kw"] = candidate_cost(cand)
    return MapLayers(
        bounds=bounds,
        states=gpd.GeoDataFrame(states, crs=CRS),
        substations=subs,
        substation_min_kv=kv,
        lines=_trim_lines(ctx["transmission_lines"], bounds),
        zones=zones,
        candidates=cand,
        regions=regions,
        serving=serving,
        serving_year=serving_year(plan) if len(regions) else None,
    )

"""Geometry features: distances in a projected CRS, nearest-neighbour candidates, nearest grid cells.

Distances between points are computed in the CONUS Albers equal-area projection (EPSG:5070, metres), never
in degrees. Over the contiguous US its scale error is below about 1 % for the distances that matter here
(tens of km). Points are matched to the cells of a regular lat/lon grid by :func:`nearest_cell`, the one
grid lookup of the package (weather, climate and raster sampling all use it).
"""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

PROJECTED_CRS = "EPSG:5070"
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def great_circle_km(lat1, lon1, lat2, lon2):
    """Haversine great-circle distance (km) on a sphere of the IUGG mean radius; vectorised.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array-like
        Coordinates in degrees (WGS84).
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def projected_xy_m(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Point coordinates (n, 2) in metres in :data:`PROJECTED_CRS`."""
    proj = gdf.to_crs(PROJECTED_CRS)
    return np.column_stack([proj.geometry.x.to_numpy(), proj.geometry.y.to_numpy()])


def nearest_candidates(
    sites: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    k: int,
    max_distance_km: float,
) -> pd.DataFrame:
    """The ``k`` nearest ``targets`` of every site within ``max_distance_km`` (projected CRS, KD-tree).

    Parameters
    ----------
    sites, targets : GeoDataFrame
        Point layers in any CRS; their indexes are the ids reported.
    k : int
        Neighbours per site.
    max_distance_km : float
        Search radius (km).

    Returns
    -------
    DataFrame
        Columns ``site_id``, ``target_id``, ``distance_km``, sorted by site then distance.
    """
    if len(sites) == 0 or len(targets) == 0:
        return pd.DataFrame({"site_id": [], "target_id": [], "distance_km": []})
    k = min(k, len(targets))
    tree = cKDTree(projected_xy_m(targets))
    dist_m, idx = tree.query(projected_xy_m(sites), k=k, distance_upper_bound=max_distance_km * 1000.0)
    dist_m, idx = dist_m.reshape(len(sites), k), idx.reshape(len(sites), k)
    found = np.isfinite(dist_m)
    site_pos = np.repeat(np.arange(len(sites))[:, None], k, axis=1)[found]
    out = pd.DataFrame(
        {
            "site_id": sites.index.to_numpy()[site_pos],
            "target_id": targets.index.to_numpy()[idx[found]],
            "distance_km": dist_m[found] / 1000.0,
        }
    )
    return out.sort_values(["site_id", "distance_km", "target_id"], kind="stable").reset_index(drop=True)


def within_radius(gdf: gpd.GeoDataFrame, lat: float, lon: float, radius_km: float) -> np.ndarray:
    """Boolean mask of points within ``radius_km`` of (lat, lon), measured in the projected CRS."""
    centre = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
    d = np.hypot(*(projected_xy_m(gdf) - projected_xy_m(centre)[0]).T) / 1000.0
    return d <= radius_km


def _lonlat_points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """Points in EPSG:4326 from a GeoDataFrame (any CRS) or a table with ``lat``/``lon`` columns (degrees)."""
    if isinstance(df, gpd.GeoDataFrame) and df.crs is not None and df.geometry.name in df:
        return df
    return gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(
            pd.to_numeric(df["lon"]).to_numpy(float), pd.to_numeric(df["lat"]).to_numpy(float)
        ),
        crs="EPSG:4326",
    )


def distance_to_nearest_km(sites: pd.DataFrame, points: pd.DataFrame) -> np.ndarray:
    """Distance (km) from every site to the nearest of ``points``, measured in :data:`PROJECTED_CRS`.

    Vectorised (one KD-tree query). Used e.g. for ``dist_gas_km``, the distance to the nearest gas-fired
    power plant of ``data/gas_points.csv`` (a proxy for gas-pipeline access).

    Parameters
    ----------
    sites, points : DataFrame or GeoDataFrame
        Tables with ``lat``/``lon`` columns in degrees (WGS84), or point GeoDataFrames with a CRS.

    Returns
    -------
    ndarray
        Shape ``(len(sites),)``, km; all NaN when ``points`` is empty.
    """
    if len(sites) == 0:
        return np.zeros(0)
    if len(points) == 0:
        return np.full(len(sites), np.nan)
    tree = cKDTree(projected_xy_m(_lonlat_points(points)))
    dist_m, _ = tree.query(projected_xy_m(_lonlat_points(sites)), k=1)
    return np.asarray(dist_m, dtype=float) / 1000.0


class GridCells(NamedTuple):
    """Result of :func:`nearest_cell`, one entry per point."""

    ilat: np.ndarray  #: row of the cell (index into the grid's latitudes), int
    ilon: np.ndarray  #: column of the cell (index into the grid's longitudes), int
    offset_deg: np.ndarray  #: distance from the point to the cell centre (degrees, see nearest_cell)
    found: np.ndarray  #: bool, the cell lies within ``max_offset_deg``


def _nearest_on_axis(axis: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Index of the value of ``axis`` (any order) nearest to each ``x``; ties go to the lower value."""
    if axis.size == 1:
        return np.zeros(x.shape, dtype=int)
    order = np.argsort(axis, kind="stable")
    a = axis[order]
    i = np.clip(np.searchsorted(a, x), 1, a.size - 1)
    return order[np.where(np.abs(a[i - 1] - x) <= np.abs(a[i] - x), i - 1, i)]


def _offset_deg(cell_lat, cell_lon, lat, lon):
    """Local equirectangular distance (degrees): √(Δlat² + (cos(lat) · Δlon)²) at the point's latitude."""
    return np.hypot(cell_lat - lat, np.cos(np.radians(lat)) * (cell_lon - lon))


def _nearest_valid(grid_lat, grid_lon, valid, lat, lon, chunk_cells: int = 20_000_000):
    """Nearest cell where ``valid`` is true, by brute force over the valid cells (few points expected)."""
    vi, vj = np.nonzero(valid)
    ilat, ilon = np.zeros(lat.size, dtype=int), np.zeros(lat.size, dtype=int)
    step = max(1, chunk_cells // max(vi.size, 1))
    for s in range(0, lat.size, step):  # chunks bound the (point × valid cell) matrix in memory
        d = _offset_deg(
            grid_lat[vi][None, :], grid_lon[vj][None, :], lat[s : s + step, None], lon[s : s + step, None]
        )
        k = d.argmin(axis=1)
        ilat[s : s + step], ilon[s : s + step] = vi[k], vj[k]
    return ilat, ilon


def nearest_cell(grid_lat, grid_lon, lat, lon, *, valid=None, max_offset_deg: float = np.inf) -> GridCells:
    """The grid cell nearest to each point: the one lookup from points to a regular lat/lon grid.

    Distance is the local equirectangular distance in degrees, √(Δlat² + (cos φ · Δlon)²) with φ the point's
    latitude (close to the great-circle angle over the cell-sized distances it is used for). On a full rectilinear grid the
    nearest cell in that metric is the nearest latitude row and the nearest longitude column, found by binary
    search (O(log n) per point, any grid size); ties go to the lower coordinate. With ``valid`` the nearest
    *valid* cell is taken instead, for the points whose nearest cell is not valid (e.g. coastal sites in an
    ocean cell of a land-only climate grid).

    Max-offset rule: a point whose cell centre lies more than ``max_offset_deg`` away is not matched
    (``found`` is false); the caller decides whether to raise. A point inside the grid is always within half a
    cell diagonal of its cell.

    Parameters
    ----------
    grid_lat, grid_lon : array-like
        Cell-centre latitudes (n_lat,) and longitudes (n_lon,) of the grid (degrees), in any order.
    lat, lon : array-like
        Points (degrees), same shape.
    valid : array-like of bool, optional
        Shape (n_lat, n_lon): cells that may be chosen (default all).
    max_offset_deg : float
        Largest accepted point–cell distance (degrees).

    Returns
    -------
    GridCells
        ``ilat``, ``ilon`` (int indices into ``grid_lat``/``grid_lon``), ``offset_deg`` and ``found``, each
        shaped like ``lat``.
    """
    glat, glon = np.asarray(grid_lat, dtype=float), np.asarray(grid_lon, dtype=float)
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    ilat, ilon = _nearest_on_axis(glat, lat), _nearest_on_axis(glon, lon)
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        bad = ~valid[ilat, ilon]
        if bad.any() and valid.any():
            ilat[bad], ilon[bad] = _nearest_valid(glat, glon, valid, lat[bad], lon[bad])
    offset = _offset_deg(glat[ilat], glon[ilon], lat, lon)
    found = offset <= max_offset_deg
    if valid is not None:
        found &= valid[ilat, ilon]
    return GridCells(ilat, ilon, offset, found)

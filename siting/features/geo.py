"""Geometry features: distances in a projected CRS and nearest-neighbour candidates.

Distances are computed in the CONUS Albers equal-area projection (EPSG:5070, metres), never in degrees.
Over the contiguous US its scale error is below about 1 % for the distances that matter here (tens of km).
"""

from __future__ import annotations

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

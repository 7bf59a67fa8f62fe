"""Substations and transmission lines in the HIFLD layout → the internal ``substations`` / lines schemas.

HIFLD ("Electric Substations", "Electric Power Transmission Lines", US DHS Homeland Infrastructure
Foundation-Level Data) publishes one point per substation and one LineString per line with these fields
(names matched case-insensitively, so Shapefile and GeoJSON spellings both work):

substations
    ``ID``, ``NAME``, ``STATE``, ``STATUS`` (IN SERVICE / NOT AVAILABLE / UNDER CONST / PROPOSED / RETIRED
    …), ``LINES`` (number of attached lines), ``MAX_VOLT`` and ``MIN_VOLT`` (kV; −999999 = unknown),
    point geometry.
lines
    ``ID``, ``TYPE``, ``STATUS``, ``OWNER``, ``VOLTAGE`` (kV; −999999 = unknown), ``VOLT_CLASS`` (e.g.
    ``220-287``, ``345``, ``500``, ``735 AND ABOVE``), ``SUB_1``, ``SUB_2``, LineString geometry.

Accepted containers: GeoJSON, GeoPackage (``layer=``), Shapefile (with its ``.prj``), GeoParquet.

HIFLD has no loads, no thermal ratings and no spare capacity, so the loader estimates them (all documented
defaults, flagged *unverified* where no source gives the number):

* ``rating_mw`` of a line from its voltage, interpolating the NREL reVX line capacities 102 / 205 / 400 /
  900 / 1,500 MW at 69 / 138 / 230 / 345 / 500 kV (``reVX/least_cost_xmission/config``, domain-figures §3d;
  above 500 kV the 500 kV figure is kept, a conservative choice);
* ``line_rating_mw`` of a substation: the sum of the ratings of the lines whose end points snap to it
  (within ``snap_km``) when a lines layer is given; otherwise ``LINES`` × the rating at ``MAX_VOLT``
  (two lines when ``LINES`` is unknown);
* ``headroom_mw``: a capacity column of the file if it has one (``headroom_mw``, ``HEADROOM_MW``,
  ``AVAIL_CAP``), else ``headroom_fraction`` × ``line_rating_mw`` (default 0.25, *unverified*);
* ``load_mw`` = 0 (HIFLD publishes none) and ``generation_mw`` = nameplate of operating EIA-860 plants
  whose nearest substation this is (within ``plant_snap_km``) when ``plants`` is given, else 0.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting.errors import InputError

from ._validate import (
    EQUAL_AREA_CRS,
    GEOGRAPHIC_CRS,
    as_points,
    assign_zones,
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

log = logging.getLogger(__name__)

#: Voltage classes (kV) and line capacities (MW) of NREL reVX (domain-figures §3d).
REVX_VOLTAGE_KV = np.array([69.0, 138.0, 230.0, 345.0, 500.0])
REVX_CAPACITY_MW = np.array([102.0, 205.0, 400.0, 900.0, 1500.0])

#: HIFLD ``VOLT_CLASS`` labels → representative kV when ``VOLTAGE`` is unknown.
HIFLD_VOLT_CLASS_KV = {
    "UNDER 100": 69.0,
    "SUB 100": 69.0,
    "100-161": 138.0,
    "220-287": 230.0,
    "345": 345.0,
    "500": 500.0,
    "735 AND ABOVE": 765.0,
    "DC": np.nan,
    "NOT AVAILABLE": np.nan,
}

SUBSTATION_COLUMNS = [
    "substation_id",
    "name",
    "lat",
    "lon",
    "max_voltage_kv",
    "zone_id",
    "load_mw",
    "generation_mw",
    "line_rating_mw",
    "headroom_mw",
]
LINE_COLUMNS = [
    "line_id",
    "voltage_kv",
    "rating_mw",
    "from_substation_id",
    "to_substation_id",
    "owner",
    "status",
]


def line_capacity_mw(voltage_kv):
    """Thermal capacity of one transmission line from its voltage (reVX classes, interpolated).

    Parameters
    ----------
    voltage_kv : array-like
        Line voltage (kV).

    Returns
    -------
    numpy.ndarray
        Capacity (MW); NaN where the voltage is NaN. Linear between the reVX points
        (69 kV → 102 MW … 500 kV → 1,500 MW), held constant outside them.

    References
    ----------
    NREL reVX ``least_cost_xmission/config`` (2019), see domain-figures §3d.
    """
    v = np.asarray(voltage_kv, dtype=float)
    return np.where(np.isnan(v), np.nan, np.interp(v, REVX_VOLTAGE_KV, REVX_CAPACITY_MW))


def _ids(values: pd.Series) -> pd.Series:
    """Integer ids when every id is an integer, else strings."""
    num = pd.to_numeric(values, errors="coerce")
    if num.notna().all() and (num == np.round(num)).all():
        return num.astype("int64")
    return values.astype(str)


def _endpoints(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """First and last vertex of each (Multi)LineString, vectorised (no Python loop over lines)."""
    coords, idx = shapely.get_coordinates(geoms.to_numpy(), return_index=True)
    _, first = np.unique(idx, return_index=True)
    last = np.r_[first[1:] - 1, len(idx) - 1]
    return shapely.points(coords[first]), shapely.points(coords[last])


def _snap(points: np.ndarray, crs, subs_proj: gpd.GeoDataFrame, snap_km: float) -> pd.Series:
    """Substation id nearest to each point within ``snap_km`` (``<NA>`` beyond)."""
    pts = gpd.GeoDataFrame(geometry=gpd.GeoSeries(points, crs=crs).to_crs(EQUAL_AREA_CRS))
    j = gpd.sjoin_nearest(
        pts, subs_proj[["substation_id", "geometry"]], how="left", max_distance=snap_km * 1e3
    )
    j = j[~j.index.duplicated(keep="first")]
    return j["substation_id"].reindex(pts.index)


def read_hifld_lines(
    path,
    *,
    layer: str | None = None,
    substations: pd.DataFrame | None = None,
    min_voltage_kv: float | None = None,
    snap_km: float = 1.0,
) -> gpd.GeoDataFrame:
    """Read HIFLD-style transmission lines.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, Shapefile or GeoParquet of LineStrings.
    layer : str, optional
        Layer name in a GeoPackage.
    substations : DataFrame, optional
        Internal substations table (``substation_id``, ``lat``, ``lon``); line end points within
        ``snap_km`` of a substation get its id as ``from_substation_id`` / ``to_substation_id``.
    min_voltage_kv : float, optional
        Keep lines at or above this voltage (kV). Lines of unknown voltage are then dropped too; the
        count is logged and stored in ``attrs["dropped"]``.
    snap_km : float
        Snapping distance of line ends to substations (km).

    Returns
    -------
    geopandas.GeoDataFrame
        ``line_id, voltage_kv, rating_mw, from_substation_id, to_substation_id, owner, status, geometry``
        in EPSG:4326; ``rating_mw`` from :func:`line_capacity_mw` unless the file has a rating column.
    """
    gdf = read_vector(path, layer=layer)
    check_not_empty(gdf, path, "lines")
    gdf = check_crs(gdf, path)
    check_geometries(gdf, path, ("LineString", "MultiLineString"), what="line")
    id_col = require_column(gdf, ["ID", "line_id", "OBJECTID"], path, "line id")
    check_unique(gdf, id_col, path)
    volt = _line_voltage_kv(gdf, path)
    out = _line_table(gdf, path, id_col, volt)
    if min_voltage_kv is not None:
        out = _drop_low_voltage_lines(out, min_voltage_kv, path)
    if substations is not None and len(out):
        subs = as_points(substations).to_crs(EQUAL_AREA_CRS)
        a, b = _endpoints(out.geometry)
        out["from_substation_id"] = _snap(a, out.crs, subs, snap_km).to_numpy()
        out["to_substation_id"] = _snap(b, out.crs, subs, snap_km).to_numpy()
    return out.reset_index(drop=True)


def _line_voltage_kv(gdf: gpd.GeoDataFrame, path) -> pd.Series:
    """Line voltage (kV) from ``VOLTAGE``, else the representative kV of ``VOLT_CLASS``; 1–1,200 kV."""
    volt_col = require_column(gdf, ["VOLTAGE", "voltage_kv", "kV"], path, "voltage (kV)")
    volt = to_numeric(gdf, volt_col, path)
    vclass = find_column(gdf.columns, ["VOLT_CLASS"])
    if vclass is not None:
        from_class = (
            gdf[vclass].astype("string").str.upper().str.strip().map(HIFLD_VOLT_CLASS_KV).astype(float)
        )
        volt = volt.fillna(from_class)
    check_range(volt, 1.0, 1200.0, path, volt_col, "kV")
    return volt


def _text_column(gdf: pd.DataFrame, column: str | None) -> pd.Series:
    """A column as strings, or ``<NA>`` everywhere when the file has no such column."""
    if column:
        return gdf[column].astype("string")
    return pd.Series(pd.NA, index=gdf.index, dtype="string")


def _line_table(gdf: gpd.GeoDataFrame, path, id_col: str, volt: pd.Series) -> gpd.GeoDataFrame:
    """The internal lines table: ids, voltage (kV), rating (MW: the file's, else from the voltage), no
    substation ends yet, owner and status, EPSG:4326."""
    rating_col = find_column(gdf.columns, ["rating_mw", "RATING_MW", "CAPACITY_MW"])
    rating = to_numeric(gdf, rating_col, path) if rating_col else pd.Series(np.nan, index=gdf.index)
    rating = rating.fillna(pd.Series(line_capacity_mw(volt), index=gdf.index))
    return gpd.GeoDataFrame(
        {
            "line_id": _ids(gdf[id_col]),
            "voltage_kv": volt,
            "rating_mw": rating,
            "from_substation_id": pd.Series(pd.NA, index=gdf.index, dtype="object"),
            "to_substation_id": pd.Series(pd.NA, index=gdf.index, dtype="object"),
            "owner": _text_column(gdf, find_column(gdf.columns, ["OWNER", "owner"])),
            "status": _text_column(gdf, find_column(gdf.columns, ["STATUS", "status"])),
        },
        geometry=gdf.geometry.to_numpy(),
        crs=GEOGRAPHIC_CRS,
        index=gdf.index,
    )


def _drop_low_voltage_lines(out: gpd.GeoDataFrame, min_voltage_kv: float, path) -> gpd.GeoDataFrame:
    """Lines at or above ``min_voltage_kv`` (kV); the count dropped is logged and in ``attrs["dropped"]``."""
    keep = out["voltage_kv"] >= min_voltage_kv
    if (~keep).any():
        log.info(
            "%s: dropped %d lines below %g kV or of unknown voltage",
            path,
            int((~keep).sum()),
            min_voltage_kv,
        )
    out = out[keep].copy()
    out.attrs["dropped"] = {"below_min_voltage_or_unknown": int((~keep).sum())}
    return out


def read_hifld_substations(
    path,
    *,
    layer: str | None = None,
    lines: gpd.GeoDataFrame | None = None,
    plants: pd.DataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    min_voltage_kv: float | None = 115.0,
    statuses: tuple[str, ...] | None = None,
    headroom_fraction: float = 0.25,
    snap_km: float = 1.0,
    plant_snap_km: float = 20.0,
) -> pd.DataFrame:
    """Read HIFLD-style substations into the internal ``substations`` schema.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, Shapefile or GeoParquet of points with the HIFLD fields (module docstring).
    layer : str, optional
        Layer name in a GeoPackage.
    lines : GeoDataFrame, optional
        Output of :func:`read_hifld_lines`; used for ``line_rating_mw`` (sum of the ratings of attached
        lines, end points snapped within ``snap_km``).
    plants : DataFrame, optional
        Output of :func:`siting.io.read_eia860_plants`; operating nameplate is summed into
        ``generation_mw`` at the nearest substation within ``plant_snap_km``.
    zones : GeoDataFrame, optional
        Zone polygons with ``zone_id``; without it ``zone_id`` is ``<NA>``.
    min_voltage_kv : float or None
        Keep substations whose ``MAX_VOLT`` is at least this (kV); 115 kV as in ``data-layers.md``.
        Substations of unknown voltage are dropped by this filter; the count is logged and put in
        ``attrs["dropped"]``. ``None`` keeps all (unknown voltage stays NaN).
    statuses : tuple of str, optional
        Keep only these ``STATUS`` values (e.g. ``("IN SERVICE",)``); default keeps all.
    headroom_fraction : float
        Spare share of ``line_rating_mw`` used as ``headroom_mw`` when the file has no capacity column (–,
        *unverified* default 0.25).
    snap_km, plant_snap_km : float
        Snapping distances (km).

    Returns
    -------
    pandas.DataFrame
        ``substation_id, name, lat, lon, max_voltage_kv, zone_id, load_mw, generation_mw, line_rating_mw,
        headroom_mw`` plus ``min_voltage_kv``, ``lines_count``, ``state``, ``status``.
    """
    gdf = read_vector(path, layer=layer)
    check_not_empty(gdf, path, "substations")
    gdf = check_crs(gdf, path)
    check_geometries(gdf, path, ("Point",), what="substation")
    id_col = require_column(gdf, ["ID", "substation_id", "OBJECTID"], path, "substation id")
    check_unique(gdf, id_col, path)
    vmax_col = require_column(gdf, ["MAX_VOLT", "max_voltage_kv", "MAXVOLT"], path, "maximum voltage (kV)")
    out = _substation_table(gdf, path, id_col, vmax_col)
    out, dropped = _filter_substations(out, statuses, min_voltage_kv, path, vmax_col)
    pts = as_points(out)
    out["line_rating_mw"] = _line_rating_mw(out, pts, lines, snap_km)
    out["load_mw"] = 0.0
    out["generation_mw"] = _generation_mw(out, pts, plants, plant_snap_km)
    # a capacity column of the file wins; rows where it is blank fall back to the fraction of the rating
    out["headroom_mw"] = out["_headroom"].fillna(headroom_fraction * out["line_rating_mw"])
    out["zone_id"] = assign_zones(pts, zones).to_numpy()
    out.attrs["dropped"] = dropped
    out.attrs["source_file"] = str(path)
    return out[SUBSTATION_COLUMNS + ["min_voltage_kv", "lines_count", "state", "status"]]


def _min_voltage_kv(gdf: gpd.GeoDataFrame, path, vmax: pd.Series) -> pd.Series:
    """``MIN_VOLT`` (kV, 0–1,200, not above ``MAX_VOLT``), NaN when the file has none."""
    vmin_col = find_column(gdf.columns, ["MIN_VOLT", "min_voltage_kv"])
    if not vmin_col:
        return pd.Series(np.nan, index=gdf.index)
    vmin = to_numeric(gdf, vmin_col, path)
    check_range(vmin, 0.0, 1200.0, path, vmin_col, "kV")
    above = vmin > vmax
    if above.any():
        raise InputError(
            "minimum voltage above maximum voltage",
            file=path,
            column=vmin_col,
            rows=list(gdf.index[above.to_numpy()]),
            fix="swap or correct MIN_VOLT / MAX_VOLT",
        )
    return vmin


def _substation_table(gdf: gpd.GeoDataFrame, path, id_col: str, vmax_col: str) -> pd.DataFrame:
    """Ids, name, lat/lon (degrees), max/min voltage (kV), line count, state, status and the file's
    capacity column as ``_headroom`` (MW, NaN when absent), each checked."""
    vmax = to_numeric(gdf, vmax_col, path)
    check_range(vmax, 1.0, 1200.0, path, vmax_col, "kV")
    vmin = _min_voltage_kv(gdf, path, vmax)
    lines_col = find_column(gdf.columns, ["LINES", "lines_count"])
    nlines = to_numeric(gdf, lines_col, path) if lines_col else pd.Series(np.nan, index=gdf.index)
    check_range(nlines, 0.0, 100.0, path, lines_col or "LINES", "lines")
    name_col = find_column(gdf.columns, ["NAME", "name"])
    state_col = find_column(gdf.columns, ["STATE", "state"])
    status_col = find_column(gdf.columns, ["STATUS", "status"])
    head_col = find_column(gdf.columns, ["headroom_mw", "HEADROOM_MW", "AVAIL_CAP", "available_capacity_mw"])
    out = pd.DataFrame(
        {
            "substation_id": _ids(gdf[id_col]),
            "name": gdf[name_col].astype("string") if name_col else gdf[id_col].astype("string"),
            "lat": gdf.geometry.y.to_numpy(),
            "lon": gdf.geometry.x.to_numpy(),
            "max_voltage_kv": vmax,
            "min_voltage_kv": vmin,
            "lines_count": nlines,
            "state": gdf[state_col].astype("string") if state_col else pd.NA,
            "status": gdf[status_col].astype("string").str.upper() if status_col else pd.NA,
            "_headroom": to_numeric(gdf, head_col, path) if head_col else np.nan,
        },
        index=gdf.index,
    )
    if head_col:
        check_range(out["_headroom"], 0.0, 1e5, path, head_col, "MW")
    return out


def _filter_substations(
    out: pd.DataFrame, statuses: tuple[str, ...] | None, min_voltage_kv: float | None, path, vmax_col: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Substations with one of ``statuses`` and at least ``min_voltage_kv`` (kV), renumbered from 0; the
    counts dropped by each filter (logged). Raises when none is left."""
    dropped: dict[str, int] = {}
    if statuses is not None:
        keep = out["status"].isin([s.upper() for s in statuses])
        dropped["status"] = int((~keep).sum())
        out = out[keep]
    if min_voltage_kv is not None:
        keep = out["max_voltage_kv"] >= min_voltage_kv
        dropped["below_min_voltage_or_unknown"] = int((~keep).sum())
        out = out[keep]
    if any(dropped.values()):
        log.info("%s: dropped substations by filter: %s", path, dropped)
    if len(out) == 0:
        raise InputError(
            f"no substation left after the filters (min_voltage_kv={min_voltage_kv}, statuses={statuses})",
            file=path,
            column=vmax_col,
            fix="lower min_voltage_kv, widen statuses, or check the MAX_VOLT values",
        )
    return out.reset_index(drop=True), dropped


def _line_rating_mw(
    out: pd.DataFrame, pts: gpd.GeoDataFrame, lines: gpd.GeoDataFrame | None, snap_km: float
) -> np.ndarray:
    """Rating of the lines attached to each substation (MW; ends snapped within ``snap_km`` km), else
    ``LINES`` (2 when unknown) × the rating at the substation's maximum voltage."""
    fallback = out["lines_count"].fillna(2.0).clip(lower=1.0) * line_capacity_mw(out["max_voltage_kv"])
    if lines is None or not len(lines):
        return np.asarray(fallback, dtype=float)
    subs_proj = pts.to_crs(EQUAL_AREA_CRS)
    a, b = _endpoints(lines.geometry)
    ends = pd.DataFrame(
        {
            "sub": np.r_[
                _snap(a, lines.crs, subs_proj, snap_km).to_numpy(),
                _snap(b, lines.crs, subs_proj, snap_km).to_numpy(),
            ],
            "mw": np.r_[lines["rating_mw"].to_numpy(float), lines["rating_mw"].to_numpy(float)],
        }
    ).dropna()
    attached = ends.groupby("sub")["mw"].sum()
    rating = out["substation_id"].map(attached)
    return rating.fillna(pd.Series(fallback, index=out.index)).to_numpy(float)


def _generation_mw(
    out: pd.DataFrame, pts: gpd.GeoDataFrame, plants: pd.DataFrame | None, plant_snap_km: float
) -> np.ndarray | float:
    """Nameplate (MW) of the operating plants whose nearest substation within ``plant_snap_km`` km this is."""
    if plants is None or not len(plants):
        return 0.0
    op = (
        plants[plants["status"].astype("string").str.upper().isin(OPERATING_STATUSES)]
        if "status" in plants
        else plants
    )
    if not len(op):
        return 0.0
    pp = as_points(op).to_crs(EQUAL_AREA_CRS)
    sp = pts[["substation_id", "geometry"]].to_crs(EQUAL_AREA_CRS)
    j = gpd.sjoin_nearest(pp, sp, how="inner", max_distance=plant_snap_km * 1e3)
    j = j[~j.index.duplicated(keep="first")]
    gen = j.groupby("substation_id")["nameplate_mw"].sum()
    return out["substation_id"].map(gen).fillna(0.0).to_numpy(float)


#: EIA-860 status codes of generators that exist and can run.
OPERATING_STATUSES = ("OP", "SB", "OS", "OA", "OPERATING")

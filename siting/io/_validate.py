"""The one validation module: every check of every loader, each problem an :class:`~siting.errors.InputError`.

Each check names the file, the column, the offending rows and the fix. None of them drops data silently:
a loader either returns every row it read or raises. The readers of public formats (:mod:`siting.io`) call
these checks directly; the internal layers call them through the column specifications of
:mod:`siting.data.schemas`. :class:`Problems` collects the problems of several checks so that a table
reports all of them at once.

Rows are named by the labels of the table's index: feature indices for vector layers, ``line N`` (the
header being line 1) for CSV tables (:func:`csv_line_index`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from siting.errors import InputError, did_you_mean

#: Projected CRS used for every distance and area (NAD83 / Conus Albers, metres).
EQUAL_AREA_CRS = "EPSG:5070"
#: Geographic CRS of every table siting returns (WGS84 lon/lat degrees).
GEOGRAPHIC_CRS = "EPSG:4326"

#: HIFLD and EIA use sentinels for "unknown"; they are read as missing.
MISSING_SENTINELS = (-999999, -999999.0, -99999, -9999)

#: Contiguous-US bounding box (degrees) used to recognise swapped latitude and longitude.
CONUS_LAT = (24.0, 50.0)
CONUS_LON = (-125.0, -66.0)


def norm_name(name: str) -> str:
    """Normalise a field name for matching: lower case, alphanumerics only (``'Plant Code'`` → ``plantcode``)."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def find_column(columns: Iterable[str], candidates: Sequence[str]) -> str | None:
    """Return the first column of ``columns`` whose normalised name matches one of ``candidates``."""
    columns = list(columns)
    lookup = {norm_name(c): c for c in columns}
    for cand in candidates:
        hit = lookup.get(norm_name(cand))
        if hit is not None:
            return hit
    # Shapefile (dBASE) truncates field names to 10 characters: 'land_value_usd' -> 'land_value'
    for cand in candidates:
        for c in columns:
            if len(str(c)) == 10 and len(cand) > 10 and str(cand).lower().startswith(str(c).lower()):
                return c
    return None


def require_column(df: pd.DataFrame, candidates: Sequence[str], file, what: str) -> str:
    """Like :func:`find_column` but raise :class:`InputError` when none of ``candidates`` is present."""
    col = find_column(df.columns, candidates)
    if col is None:
        raise InputError(
            f"no {what} column",
            file=file,
            column=candidates[0],
            fix=f"add a column named one of {', '.join(repr(c) for c in candidates)}; "
            f"the file has {', '.join(map(str, list(df.columns)[:20]))}",
        )
    return col


def read_vector(path, *, layer=None, name: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoJSON / GeoPackage / Shapefile / GeoParquet / FlatGeobuf file with pyogrio.

    ``layer`` is the layer inside a multi-layer file (GeoPackage); ``name`` is what the file holds, for
    messages (``"transmission_lines"``). Raises :class:`InputError` for a missing file or one GDAL cannot
    read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path in the scenario or the call")
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except InputError:
        raise
    except Exception as exc:  # GDAL / arrow errors carry no file context: add it
        raise InputError(
            f"cannot read {name or 'the file'} as a vector layer ({type(exc).__name__}: {exc})",
            file=path,
            fix="write it as GeoJSON, GeoPackage, Shapefile (with .shx/.dbf/.prj) or GeoParquet",
        ) from exc
    return gdf


def check_not_empty(df: pd.DataFrame, file, what: str = "rows") -> None:
    """Raise when a table has no rows."""
    if len(df) == 0:
        raise InputError(f"the file has no {what}", file=file, fix="check the file and any filter applied")


def check_crs(gdf: gpd.GeoDataFrame, file) -> gpd.GeoDataFrame:
    """Require a CRS, check that coordinates fit it, and return the layer in EPSG:4326.

    A layer with no CRS (a Shapefile without ``.prj``, a GeoJSON with a non-standard ``crs`` member, a
    GeoParquet without metadata) is refused rather than guessed. A layer that says it is geographic but
    has coordinates outside ±180/±90 is refused too (projected metres labelled as degrees).
    """
    if gdf.crs is None:
        raise InputError(
            "the layer has no coordinate reference system",
            file=file,
            column="geometry",
            fix="write the CRS with the file (a .prj next to a Shapefile, GeoPackage/GeoParquet metadata), "
            "or call gdf.set_crs('EPSG:4326') if the coordinates are longitude/latitude degrees",
        )
    geom = gdf.geometry
    ok = ~(geom.isna() | geom.is_empty)
    if gdf.crs.is_geographic and ok.any():
        b = geom[ok].bounds
        bad = (b.minx < -180.0) | (b.maxx > 360.0) | (b.miny < -90.0) | (b.maxy > 90.0)
        if bad.any():
            raise InputError(
                f"coordinates are outside the longitude/latitude range of the declared CRS {gdf.crs.to_string()}"
                " (they look like projected metres)",
                file=file,
                column="geometry",
                rows=list(gdf.index[bad.to_numpy()]),
                fix="declare the CRS the coordinates are really in (e.g. EPSG:5070 or a UTM zone) "
                "instead of a geographic one",
            )
    return gdf.to_crs(GEOGRAPHIC_CRS) if not gdf.crs.equals(GEOGRAPHIC_CRS) else gdf


def check_geometries(gdf: gpd.GeoDataFrame, file, allowed: Sequence[str], *, what: str = "feature") -> None:
    """Refuse missing, empty, invalid or wrongly-typed geometries (naming the rows)."""
    geom = gdf.geometry
    missing = geom.isna() | geom.is_empty
    if missing.any():
        raise InputError(
            f"{int(missing.sum())} {what}(s) have an empty or missing geometry",
            file=file,
            column="geometry",
            rows=list(gdf.index[missing.to_numpy()]),
            fix="delete those features or give them a geometry",
        )
    wrong = ~geom.geom_type.isin(list(allowed))
    if wrong.any():
        kinds = ", ".join(sorted(set(geom.geom_type[wrong])))
        raise InputError(
            f"{int(wrong.sum())} {what}(s) have geometry type {kinds}; expected {' or '.join(allowed)}",
            file=file,
            column="geometry",
            rows=list(gdf.index[wrong.to_numpy()]),
            fix="export the layer with the expected geometry type",
        )
    invalid = ~geom.is_valid
    if invalid.any():
        raise InputError(
            f"{int(invalid.sum())} {what}(s) have an invalid geometry (self-intersection or bad ring)",
            file=file,
            column="geometry",
            rows=list(gdf.index[invalid.to_numpy()]),
            fix="repair them, e.g. gdf.geometry = gdf.geometry.make_valid() or QGIS 'Fix geometries'",
        )


def check_unique(df: pd.DataFrame, column: str, file) -> None:
    """Refuse duplicate identifiers."""
    dup = df[column].duplicated(keep=False) & df[column].notna()
    if dup.any():
        values = pd.unique(df.loc[dup, column])
        raise InputError(
            f"{len(values)} duplicate id(s): {', '.join(map(str, values[:5]))}",
            file=file,
            column=column,
            rows=list(df.index[dup.to_numpy()]),
            fix="give every row (feature) a unique id, or drop the duplicates",
        )
    missing = df[column].isna()
    if missing.any():
        raise InputError(
            f"{int(missing.sum())} row(s) have no id",
            file=file,
            column=column,
            rows=list(df.index[missing.to_numpy()]),
            fix="fill the id column",
        )


def to_numeric(
    df: pd.DataFrame, column: str, file, *, sentinels: Iterable[float] = MISSING_SENTINELS
) -> pd.Series:
    """Return ``df[column]`` as float; HIFLD/EIA sentinels (−999999 …) and blanks become NaN.

    Text that is not a number raises :class:`InputError` naming the rows.
    """
    raw = df[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        stripped = raw.astype("string").str.strip().replace({"": pd.NA, ".": pd.NA, "NA": pd.NA})
        values = pd.to_numeric(stripped, errors="coerce")
        bad = values.isna() & stripped.notna()
        if bad.any():
            raise InputError(
                f"{int(bad.sum())} value(s) are not numbers (e.g. {stripped[bad].iloc[0]!r})",
                file=file,
                column=column,
                rows=list(df.index[bad.to_numpy()]),
                fix="write plain numbers in this column (no units or thousands separators)",
            )
    else:
        values = pd.to_numeric(raw, errors="coerce")
    values = values.astype(float)
    for s in sentinels:
        values = values.mask(values == s)
    return values


def _range_text(lo: float | None, hi: float | None, unit: str) -> str:
    """``[0, 1] –``, ``≥ 0 MW`` or ``≤ 240 months``."""
    if lo is not None and hi is not None:
        text = f"[{lo:g}, {hi:g}]"
    elif lo is not None:
        text = f"≥ {lo:g}"
    elif hi is not None:
        text = f"≤ {hi:g}"
    else:
        text = "any"
    return f"{text} {unit}".rstrip()


def check_range(
    values: pd.Series,
    lo: float | None,
    hi: float | None,
    file,
    column: str,
    unit: str,
    *,
    allow_nan: bool = True,
) -> None:
    """Refuse values outside the physical range ``[lo, hi]`` (and NaN unless ``allow_nan``)."""
    v = values.to_numpy(dtype=float)
    bad = np.zeros(v.shape, dtype=bool)
    if lo is not None:
        bad |= v < lo
    if hi is not None:
        bad |= v > hi
    if bad.any():
        shown = ", ".join(f"{x:g}" for x in v[bad][:3])
        raise InputError(
            f"{int(bad.sum())} value(s) out of the physical range {_range_text(lo, hi, unit)} (e.g. {shown})",
            file=file,
            column=column,
            rows=list(values.index[bad]),
            fix=f"correct the values or convert them to {unit or 'the documented unit'}",
        )
    if not allow_nan and np.isnan(v).any():
        nan = np.isnan(v)
        raise InputError(
            f"{int(nan.sum())} value(s) are missing (NaN or blank)",
            file=file,
            column=column,
            rows=list(values.index[nan]),
            fix="fill the missing values (a number in every row)",
        )


def check_whole(values: pd.Series, file, column: str) -> pd.Series:
    """Refuse non-integer values in an id or year column; return the column as int64."""
    v = values.to_numpy(dtype=float)
    bad = np.isfinite(v) & (v != np.round(v))
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} value(s) are not whole numbers (e.g. {v[bad][0]:g})",
            file=file,
            column=column,
            rows=list(values.index[bad]),
            fix="write whole numbers (ids and years have no decimals)",
        )
    return values.astype("int64")


def check_allowed(values: pd.Series, allowed: Sequence[str], file, column: str) -> None:
    """Refuse values outside ``allowed``, suggesting the closest allowed value."""
    bad = values.notna() & ~values.isin(list(allowed))
    if bad.any():
        first = str(values[bad].iloc[0])
        raise InputError(
            f"{int(bad.sum())} unknown value(s) (e.g. {first!r}){did_you_mean(first, allowed)}",
            file=file,
            column=column,
            rows=list(values.index[bad.to_numpy()]),
            fix=f"use one of {', '.join(allowed)}",
        )


def check_pattern(values: pd.Series, pattern: str, file, column: str, example: str) -> None:
    """Refuse text that does not match the regular expression ``pattern``."""
    text = values.astype("string")
    bad = text.notna() & ~text.str.fullmatch(pattern).fillna(False)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} value(s) have the wrong form (e.g. {text[bad].iloc[0]!r})",
            file=file,
            column=column,
            rows=list(values.index[bad.to_numpy()]),
            fix=f"write values like {example}",
        )


_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}


def to_bool(df: pd.DataFrame, column: str, file) -> pd.Series:
    """``df[column]`` as bool: true/false, yes/no, 1/0 (any case); blank is False; anything else raises."""
    raw = df[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(bool)
    text = raw.astype("string").str.strip().str.lower().fillna("")
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} value(s) are not true/false (e.g. {raw[bad].iloc[0]!r})",
            file=file,
            column=column,
            rows=list(df.index[bad.to_numpy()]),
            fix="write True or False",
        )
    return text.isin(_TRUE).astype(bool)


def check_lat_lon(
    df: pd.DataFrame, file, *, lat: str = "lat", lon: str = "lon"
) -> tuple[pd.Series, pd.Series]:
    """Latitude and longitude columns as float, refusing text, blanks, out-of-range and swapped values.

    A row is taken as swapped when ``|lat| > 90`` but ``|lon| ≤ 90``, or when the point lies outside the
    contiguous US but its swap lies inside (a US longitude written as the latitude).
    """
    y, x = to_numeric(df, lat, file, sentinels=()), to_numeric(df, lon, file, sentinels=())
    yv, xv = y.to_numpy(dtype=float), x.to_numpy(dtype=float)
    in_us = _in_conus(yv, xv)
    swapped = ((np.abs(yv) > 90) & (np.abs(xv) <= 90)) | (~in_us & _in_conus(xv, yv))
    if swapped.any():
        k = int(np.flatnonzero(swapped)[0])
        raise InputError(
            f"{int(swapped.sum())} point(s) have latitude and longitude swapped (e.g. {lat} {yv[k]:g}, "
            f"{lon} {xv[k]:g})",
            file=file,
            column=lat,
            rows=list(df.index[swapped]),
            fix=f"swap the two columns: {lat} is degrees north (−90…90), {lon} degrees east (−180…180, "
            "negative in the US)",
        )
    check_range(y, -90.0, 90.0, file, lat, "degrees north", allow_nan=False)
    check_range(x, -180.0, 180.0, file, lon, "degrees east", allow_nan=False)
    return y, x


def _in_conus(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (lat >= CONUS_LAT[0]) & (lat <= CONUS_LAT[1]) & (lon >= CONUS_LON[0]) & (lon <= CONUS_LON[1])


def csv_line_index(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its rows labelled ``line 2``, ``line 3`` … (the CSV header is line 1)."""
    return df.set_axis(pd.Index([f"line {i + 2}" for i in range(len(df))]), axis=0)


def csv_lines(mask: pd.Series) -> list[str]:
    """CSV line labels (``line N``, the header being line 1) of the rows where ``mask`` is true."""
    return [f"line {i + 2}" for i in np.flatnonzero(mask.to_numpy())]


class Problems:
    """Collects the problems of several checks, so that a table reports all of them at once.

    Example::

        problems = Problems()
        values = problems.run(to_numeric, df, "max_it_mw", path)  # None if the check raised
        problems.raise_all("candidate_sites", path)  # one InputError listing every problem
    """

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def run(self, check: Callable, *args, **kwargs):
        """Call ``check``; record an :class:`InputError` it raises and return None instead."""
        try:
            return check(*args, **kwargs)
        except InputError as exc:
            self.errors.append(exc)
            return None

    def raise_all(self, what: str, file) -> None:
        """Raise one :class:`InputError` for every recorded problem (nothing when there is none)."""
        if self.errors:
            raise InputError.combine(self.errors, what, file)


def as_points(df: pd.DataFrame, *, lat: str = "lat", lon: str = "lon") -> gpd.GeoDataFrame:
    """A GeoDataFrame of points in EPSG:4326 from ``lat``/``lon`` columns (geometry kept if present)."""
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df and df.crs is not None:
        return df.to_crs(GEOGRAPHIC_CRS)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df[lon], df[lat]), crs=GEOGRAPHIC_CRS)


def assign_zones(
    points: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame | None,
    *,
    zone_col: str = "zone_id",
    nearest_km: float = 50.0,
) -> pd.Series:
    """Zone of each point by a spatial join to zone polygons (EPSG:5070).

    A point inside a polygon takes its zone; a point outside every polygon (coast, border) takes the zone of
    the nearest polygon within ``nearest_km``; otherwise ``<NA>``. With ``zones=None`` every zone is
    ``<NA>`` (the documented default: assign zones later, e.g. from the nearest substation).
    """
    out = pd.Series(pd.NA, index=points.index, dtype="Int64")
    if zones is None or len(points) == 0:
        return out
    if zone_col not in zones:
        raise InputError(
            "the zones layer has no zone id column", column=zone_col, fix=f"add a '{zone_col}' column"
        )
    if zones.crs is None:
        raise InputError("the zones layer has no CRS", column="geometry", fix="zones.set_crs('EPSG:4326')")
    pts = points[[points.geometry.name]].to_crs(EQUAL_AREA_CRS)
    zp = zones[[zone_col, zones.geometry.name]].to_crs(EQUAL_AREA_CRS)
    joined = gpd.sjoin_nearest(pts, zp, how="left", max_distance=nearest_km * 1000.0, distance_col="_d")
    joined = joined[~joined.index.duplicated(keep="first")]
    return pd.to_numeric(joined[zone_col], errors="coerce").reindex(points.index).astype("Int64")

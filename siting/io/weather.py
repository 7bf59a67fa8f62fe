"""Weather: gridded ERA5 NetCDF and point NSRDB / TMY3 / TMY2 / EPW files → tidy xarray with units.

Internal names (units in the name) used by :mod:`siting.features.hourly`:

=============================  ============  ==========================================================
name                           unit          from
=============================  ============  ==========================================================
``dry_bulb_c``                 °C            ERA5 ``t2m`` (K); TMY/EPW/NSRDB dry-bulb
``dew_point_c``                °C            ERA5 ``d2m`` (K); TMY/EPW/NSRDB dew point
``ghi_w_per_m2``               W m⁻²         ERA5 ``ssrd`` (J m⁻² accumulated over the time step, / Δt);
                                             TMY/EPW/NSRDB GHI (hourly mean)
``wind_speed_100m_m_per_s``    m s⁻¹         ERA5 ``u100``, ``v100`` (√(u² + v²))
``wind_speed_10m_m_per_s``     m s⁻¹         ERA5 ``u10``, ``v10``; TMY/EPW/NSRDB wind speed (10 m)
``relative_humidity_pct``      %             TMY/EPW/NSRDB
=============================  ============  ==========================================================

Time convention: every time label marks the **end** of its hour (ERA5 accumulations and TMY3 already do;
pvlib labels EPW rows by the start of the hour, so the EPW reader adds one hour). Times are UTC. Gridded
data have dims ``(time, lat, lon)`` with latitude ascending and longitude in −180…180 ascending (ERA5's
0–360 longitudes are wrapped and sorted lazily).

ERA5 files may come from the old CDS (NetCDF3 or NetCDF4, dims ``time/latitude/longitude``, packed int16
with ``scale_factor``) or the new CDS (NetCDF4, dim ``valid_time``, an ``expver`` coordinate); both are
read. Every variable must carry a ``units`` attribute (or be given ``units={"t2m": "K"}``): an unknown or
missing unit is an error, never a guess.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from siting.errors import InputError

#: Accepted unit spellings → (scale, offset) to the internal unit (value * scale + offset).
_TEMP_UNITS = {
    "k": (1.0, -273.15),
    "kelvin": (1.0, -273.15),
    "degc": (1.0, 0.0),
    "°c": (1.0, 0.0),
    "c": (1.0, 0.0),
    "celsius": (1.0, 0.0),
}
_WIND_UNITS = {"m s**-1": 1.0, "m s-1": 1.0, "m/s": 1.0, "m s^-1": 1.0, "ms-1": 1.0}
_ENERGY_UNITS = {
    "j m**-2": "J",
    "j m-2": "J",
    "j/m2": "J",
    "j/m^2": "J",
    "w m**-2": "W",
    "w m-2": "W",
    "w/m2": "W",
    "w/m^2": "W",
}

#: Physical ranges of the internal variables (unit in the name).
PHYSICAL_RANGES = {
    "dry_bulb_c": (-90.0, 60.0),
    "dew_point_c": (-100.0, 40.0),
    "ghi_w_per_m2": (0.0, 1500.0),
    "dni_w_per_m2": (0.0, 1500.0),
    "dhi_w_per_m2": (0.0, 1000.0),
    "wind_speed_100m_m_per_s": (0.0, 100.0),
    "wind_speed_10m_m_per_s": (0.0, 80.0),
    "relative_humidity_pct": (0.0, 110.0),
}


def _unit(da: xr.DataArray, name: str, units: Mapping[str, str] | None, file) -> str:
    u = (units or {}).get(name, da.attrs.get("units"))
    if u is None:
        raise InputError(
            "the variable has no units attribute",
            file=file,
            column=name,
            fix=f"add a units attribute or pass units={{'{name}': '...'}} (ERA5: t2m/d2m 'K', ssrd 'J m**-2', u100/v100 'm s**-1')",
        )
    return str(u).strip()


def _convert_temperature(da, name, units, file):
    u = _unit(da, name, units, file)
    if u.lower() not in _TEMP_UNITS:
        raise InputError(
            f"unknown temperature unit {u!r}",
            file=file,
            column=name,
            fix="use K or degC (pass units= to override)",
        )
    scale, offset = _TEMP_UNITS[u.lower()]
    return da * scale + offset


def _convert_wind(da, name, units, file):
    u = _unit(da, name, units, file)
    if u.lower() not in _WIND_UNITS:
        raise InputError(
            f"unknown wind unit {u!r}",
            file=file,
            column=name,
            fix="use m s**-1 (convert knots or km/h first)",
        )
    return da


def _step_seconds(time: xr.DataArray, file) -> float:
    t = time.to_numpy()
    if t.size < 2:
        return 3600.0
    dt = np.diff(t).astype("timedelta64[s]").astype(float)
    if np.any(dt <= 0):
        bad = np.flatnonzero(dt <= 0)
        raise InputError(
            "time stamps are not strictly increasing (duplicates or disorder)",
            file=file,
            column="time",
            rows=[str(t[i + 1]) for i in bad],
            fix="sort by time and drop duplicate time steps (e.g. ds.sortby('time').drop_duplicates('time'))",
        )
    if not np.all(dt == dt[0]):
        bad = np.flatnonzero(dt != dt[0])
        raise InputError(
            f"the time axis has gaps (steps of {sorted(set((dt / 3600).round(2)))} h)",
            file=file,
            column="time",
            rows=[str(t[i]) for i in bad],
            fix="download the missing time steps, or reindex to a regular hourly axis and fill the gaps "
            "with siting.io.fill_weather_gaps",
        )
    return float(dt[0])


def _rename_era5_dims(ds: xr.Dataset) -> xr.Dataset:
    """``valid_time``/``latitude``/``longitude`` → ``time``/``lat``/``lon``; the first valid ``expver``."""
    names = {"valid_time": "time", "latitude": "lat", "longitude": "lon"}
    ds = ds.rename({d: names[str(d).lower()] for d in [*ds.dims, *ds.coords] if str(d).lower() in names})
    if "expver" in ds.dims:  # ERA5 + ERA5T mixed download: take the first non-missing version
        ds = ds.bfill("expver").isel(expver=0)
    return ds.drop_vars([c for c in ("expver", "number") if c in ds.coords and c not in ds.dims])


def _check_grid_dims(ds: xr.Dataset, file) -> None:
    """Raise :class:`InputError` unless ``ds`` has ``time``/``lat``/``lon`` dims with degree coordinates."""
    for dim in ("time", "lat", "lon"):
        if dim not in ds.dims:
            raise InputError(
                f"no '{dim}' dimension (dims are {tuple(ds.dims)})",
                file=file,
                column=dim,
                fix="use ERA5 single-level hourly NetCDF",
            )
    lat, lon = ds["lat"].to_numpy(), ds["lon"].to_numpy()
    if np.abs(lat).max() > 90 or lon.min() < -180 or lon.max() > 360:
        raise InputError(
            "latitude/longitude out of range", file=file, column="lat/lon", fix="coordinates must be degrees"
        )


def _era5_ghi(ds: xr.Dataset, units, file) -> xr.DataArray:
    """GHI (W m⁻²) from ``ssrd``: accumulated energy over the step (J m⁻²) / Δt, or a flux as is."""
    u = _unit(ds["ssrd"], "ssrd", units, file)
    kind = _ENERGY_UNITS.get(u.lower())
    if kind is None:
        raise InputError(
            f"unknown irradiance unit {u!r}",
            file=file,
            column="ssrd",
            fix="use J m**-2 (accumulated) or W m**-2",
        )
    flux = ds["ssrd"] / _step_seconds(ds["time"], file) if kind == "J" else ds["ssrd"]
    return flux.clip(min=0.0)  # tiny negatives from GRIB packing


def _era5_wind_speed(ds: xr.Dataset, height: str, units, file) -> xr.DataArray | None:
    """Wind speed √(u² + v²) (m s⁻¹) at ``height`` m, None without components; one component is an error."""
    u, v = f"u{height}", f"v{height}"
    if u in ds and v in ds:
        return np.hypot(_convert_wind(ds[u], u, units, file), _convert_wind(ds[v], v, units, file))
    if u in ds or v in ds:
        raise InputError(
            f"only one wind component at {height} m",
            file=file,
            column=f"{u}/{v}",
            fix="download both u and v",
        )
    return None


def _era5_variables(ds: xr.Dataset, units, file) -> dict[str, xr.DataArray]:
    """The internal variables (module docstring) found among the ERA5 ones, converted."""
    out = {}
    for era5, name in (("t2m", "dry_bulb_c"), ("d2m", "dew_point_c")):
        if era5 in ds:
            out[name] = _convert_temperature(ds[era5], era5, units, file)
    if "ssrd" in ds:
        out["ghi_w_per_m2"] = _era5_ghi(ds, units, file)
    for h in ("100", "10"):
        speed = _era5_wind_speed(ds, h, units, file)
        if speed is not None:
            out[f"wind_speed_{h}m_m_per_s"] = speed
    if not out:
        raise InputError(
            f"no ERA5 variable found (have {', '.join(map(str, ds.data_vars))})",
            file=file,
            fix="download t2m, d2m, ssrd, u100, v100 from ERA5 hourly single levels",
        )
    return out


def _internal_grid(variables: Mapping[str, xr.DataArray], file) -> xr.Dataset:
    """float32 ``(time, lat, lon)`` dataset with unit attributes, lon in −180…180, lat/lon ascending."""
    res = xr.Dataset({k: v.astype("float32").transpose("time", "lat", "lon") for k, v in variables.items()})
    for k in res:
        res[k].attrs = {"units": _UNIT_LABEL[k]}
    if (res["lon"] > 180).any():
        res = res.assign_coords(lon=((res["lon"] + 180.0) % 360.0) - 180.0)
    res = res.sortby("lon").sortby("lat")
    _step_seconds(res["time"], file)
    res.attrs["source_file"] = str(file) if file else ""
    res.attrs["time_label"] = "end"
    return res


def normalize_era5(ds: xr.Dataset, *, file=None, units: Mapping[str, str] | None = None) -> xr.Dataset:
    """Rename, convert and reorder an ERA5-named dataset to the internal names (lazily).

    Parameters
    ----------
    ds : xarray.Dataset
        Variables among ``t2m, d2m, ssrd, u100, v100, u10, v10`` (K, K, J m⁻², m s⁻¹) on dims
        ``time``/``valid_time``, ``latitude``/``lat``, ``longitude``/``lon`` (0–360 or ±180).
    file : str, optional
        Source name used in error messages.
    units : mapping, optional
        Override or supply the ``units`` of ERA5 variables.

    Returns
    -------
    xarray.Dataset
        Internal variables (module docstring), float32, dims ``(time, lat, lon)``, lat/lon ascending,
        lon in −180…180. Dask-backed input stays lazy.
    """
    file = file or ds.attrs.get("source_file")
    ds = _rename_era5_dims(ds)
    _check_grid_dims(ds, file)
    return _internal_grid(_era5_variables(ds, units, file), file)


_UNIT_LABEL = {
    "dry_bulb_c": "degC",
    "dew_point_c": "degC",
    "ghi_w_per_m2": "W m-2",
    "dni_w_per_m2": "W m-2",
    "dhi_w_per_m2": "W m-2",
    "wind_speed_100m_m_per_s": "m s-1",
    "wind_speed_10m_m_per_s": "m s-1",
    "relative_humidity_pct": "%",
}


def _weather_files(paths) -> list[str]:
    """The files named by one path, a glob pattern or a list; :class:`InputError` if any is missing."""
    if isinstance(paths, (str, Path)) and any(ch in str(paths) for ch in "*?["):
        files = sorted(glob.glob(str(paths)))
    elif isinstance(paths, (str, Path)):
        files = [str(paths)]
    else:
        files = [str(p) for p in paths]
    missing = [f for f in files if not Path(f).exists()]
    if not files or missing:
        raise InputError(
            "weather file not found", file=(missing or [str(paths)])[0], fix="check the path or glob"
        )
    return files


def _open_netcdf(files: Sequence[str], chunks, label: str) -> xr.Dataset:
    """One NetCDF file, or several concatenated along time; unreadable files are an :class:`InputError`."""
    try:
        if len(files) == 1:
            return xr.open_dataset(files[0], chunks=chunks)
        return xr.open_mfdataset(files, chunks=chunks or {}, combine="by_coords")
    except Exception as exc:
        raise InputError(
            f"cannot read the NetCDF ({type(exc).__name__}: {exc})",
            file=label,
            fix="check the file is NetCDF3/4 from the CDS",
        ) from exc


def _subset_bbox(ds: xr.Dataset, bbox: Sequence[float], label: str) -> xr.Dataset:
    """The cells inside ``bbox`` = (lon_min, lat_min, lon_max, lat_max) (degrees); empty is an error."""
    x0, y0, x1, y1 = bbox
    ds = ds.sel(lon=slice(x0, x1), lat=slice(y0, y1))
    if ds.sizes["lon"] == 0 or ds.sizes["lat"] == 0:
        raise InputError(
            f"the bounding box {tuple(bbox)} holds no grid cell",
            file=label,
            fix="check lon/lat order (lon_min, lat_min, lon_max, lat_max)",
        )
    return ds


def read_era5(
    paths,
    *,
    chunks: Mapping[str, int] | str | None = None,
    bbox: Sequence[float] | None = None,
    units: Mapping[str, str] | None = None,
    check: bool | None = None,
) -> xr.Dataset:
    """Open ERA5 hourly single-level NetCDF file(s) as an internal weather dataset.

    Parameters
    ----------
    paths : str, Path or sequence
        One file, a glob pattern, or a list (monthly downloads are concatenated along time).
    chunks : mapping or "auto", optional
        Dask chunks, e.g. ``{"time": -1, "latitude": 40, "longitude": 40}``; with chunks nothing is read
        until computed (larger-than-memory grids). ``None`` reads eagerly.
    bbox : (lon_min, lat_min, lon_max, lat_max), optional
        Subset in −180…180 degrees after normalisation.
    units : mapping, optional
        Unit overrides for ERA5 variables.
    check : bool, optional
        Run :func:`check_weather` (NaN gaps, physical ranges). Default: only for eager (non-dask) data,
        since checking a dask grid reads all of it; check lazily-read data on the sites instead,
        ``check_weather(weather_at_sites(grid, sites))`` (:func:`siting.features.hourly.weather_at_sites`).

    Returns
    -------
    xarray.Dataset
        See :func:`normalize_era5`.
    """
    files = _weather_files(paths)
    label = files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} files)"
    ds = normalize_era5(_open_netcdf(files, chunks, label), file=label, units=units)
    if bbox is not None:
        ds = _subset_bbox(ds, bbox, label)
    if check is None:
        check = chunks is None
    if check:
        check_weather(ds, file=label)
    return ds


def check_weather(ds: xr.Dataset, *, file=None, dim: str = "time") -> None:
    """Raise :class:`InputError` on NaN gaps or values outside :data:`PHYSICAL_RANGES`.

    Works on any dims (``(time, lat, lon)`` grids or ``(site, time)`` tables); computes dask arrays.
    The error names the variable, the first offending positions and the fix.
    """
    file = file or ds.attrs.get("source_file")
    for name, da in ds.data_vars.items():
        if name not in PHYSICAL_RANGES:
            continue
        lo, hi = PHYSICAL_RANGES[name]
        nan = da.isnull()
        bad = (da < lo - 1e-3) | (da > hi + 1e-3)
        counts = xr.Dataset({"nan": nan.sum(), "bad": bad.sum()}).compute()  # one pass over dask data
        n_nan, n_bad = int(counts["nan"]), int(counts["bad"])
        if n_nan:
            raise InputError(
                f"{n_nan} missing value(s) (NaN gaps) in the weather",
                file=file,
                column=name,
                rows=_positions(nan),
                fix="fill short gaps with siting.io.fill_weather_gaps(ds, max_gap_hours=3) or supply the missing hours",
            )
        if n_bad:
            raise InputError(
                f"{n_bad} value(s) outside the physical range [{lo}, {hi}] {_UNIT_LABEL.get(name, '')}",
                file=file,
                column=name,
                rows=_positions(bad),
                fix="check the units (K vs °C, J m-2 vs W m-2) and the missing-value codes",
            )


def _positions(mask: xr.DataArray, n: int = 5) -> list[str]:
    """First ``n`` positions where ``mask`` is true, as 'dim=value' strings."""
    m = mask.to_numpy()
    idx = np.argwhere(m)[:n]
    out = []
    for row in idx:
        parts = []
        for d, i in zip(mask.dims, row, strict=True):
            v = mask[d].to_numpy()[i] if d in mask.coords else i
            parts.append(f"{d}={str(v)[:19]}")
        out.append(" ".join(parts))
    return out + ([f"… {int(m.sum()) - n} more"] if m.sum() > n else [])


def _fill_kernel(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Linear interpolation over interior NaN runs of at most ``max_gap`` steps along the last axis."""
    n = x.shape[-1]
    i = np.arange(n)
    nan = np.isnan(x)
    prev = np.maximum.accumulate(np.where(~nan, i, -1), axis=-1)
    nxt = np.flip(np.minimum.accumulate(np.flip(np.where(~nan, i, n), axis=-1), axis=-1), axis=-1)
    fillable = nan & (prev >= 0) & (nxt < n) & ((nxt - prev - 1) <= max_gap)
    p, q = np.clip(prev, 0, n - 1), np.clip(nxt, 0, n - 1)
    xp, xq = np.take_along_axis(x, p, axis=-1), np.take_along_axis(x, q, axis=-1)
    w = (i - p) / np.maximum(q - p, 1)
    return np.where(fillable, xp + (xq - xp) * w, x)


def fill_weather_gaps(ds: xr.Dataset, *, max_gap_hours: int = 3, dim: str = "time") -> xr.Dataset:
    """Linearly interpolate interior NaN gaps of at most ``max_gap_hours`` along time (vectorised).

    Longer gaps and gaps at the start or end stay NaN; run :func:`check_weather` afterwards to catch them.

    Parameters
    ----------
    ds : xarray.Dataset
        Hourly weather with a ``time`` dimension (for dask data, time is rechunked to one chunk).
    max_gap_hours : int
        Longest gap filled (h, i.e. time steps of an hourly axis).

    Returns
    -------
    xarray.Dataset
        Same variables and dims.
    """
    out = {}
    for name, da in ds.data_vars.items():
        if dim not in da.dims or not np.issubdtype(da.dtype, np.floating):
            out[name] = da
            continue
        if da.chunks is not None:
            da = da.chunk({dim: -1})
        out[name] = (
            xr.apply_ufunc(
                _fill_kernel,
                da,
                kwargs={"max_gap": int(max_gap_hours)},
                input_core_dims=[[dim]],
                output_core_dims=[[dim]],
                dask="parallelized",
                output_dtypes=[da.dtype],
            )
            .transpose(*da.dims)
            .assign_attrs(da.attrs)
        )
    return xr.Dataset(out, attrs=ds.attrs)


# --------------------------------------------------------------------------------------------------------
# point weather (pvlib readers)

_POINT_MAP = {
    "temp_air": "dry_bulb_c",
    "temp_dew": "dew_point_c",
    "ghi": "ghi_w_per_m2",
    "dni": "dni_w_per_m2",
    "dhi": "dhi_w_per_m2",
    "wind_speed": "wind_speed_10m_m_per_s",
    "relative_humidity": "relative_humidity_pct",
}
#: EPW missing-value codes (EnergyPlus Auxiliary Programs, "Missing data" column).
_EPW_MISSING = {
    "temp_air": 99.9,
    "temp_dew": 99.9,
    "relative_humidity": 999.0,
    "ghi": 9999.0,
    "dni": 9999.0,
    "dhi": 9999.0,
    "wind_speed": 999.0,
}


def _detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".epw":
        return "epw"
    if suffix == ".tm2":
        return "tmy2"
    with open(path, encoding="utf-8", errors="replace") as f:
        first = f.readline()
    if first.lower().startswith("source"):
        return "nsrdb"
    if len(first.split(",")) == 7:
        return "tmy3"
    raise InputError(
        "cannot tell the weather file format",
        file=path,
        fix="use an EPW (.epw), TMY3 CSV, TMY2 (.tm2) or NSRDB PSM CSV file, or pass fmt=",
    )


class PointMeta(NamedTuple):
    """Station metadata of a point weather file."""

    lat: float  #: latitude (degrees)
    lon: float  #: longitude (degrees)
    elevation_m: float  #: elevation (m)
    utc_offset_hours: float  #: standard-time offset of the file's local clock from UTC (h)
    name: str | None  #: station name


def _read_epw(path: Path, coerce_year: int) -> tuple[pd.DataFrame, PointMeta]:
    """EPW via pvlib; missing-value codes to NaN, rows relabelled from hour start to hour end."""
    data, meta = pvlib.iotools.read_epw(path, coerce_year=coerce_year)
    for col, code in _EPW_MISSING.items():
        if col in data:
            data[col] = data[col].mask(data[col] >= code)
    data.index = data.index + pd.Timedelta(hours=1)  # pvlib labels EPW by hour start
    return data, PointMeta(
        meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"], meta.get("city")
    )


def _read_tmy3(path: Path, coerce_year: int) -> tuple[pd.DataFrame, PointMeta]:
    """TMY3 CSV via pvlib (hour-ending labels already)."""
    data, meta = pvlib.iotools.read_tmy3(path, coerce_year=coerce_year, map_variables=True)
    return data, PointMeta(
        meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"], meta.get("Name")
    )


#: TMY2 field names → pvlib's names.
_TMY2_NAMES = {
    "GHI": "ghi",
    "DNI": "dni",
    "DHI": "dhi",
    "DryBulb": "temp_air",
    "DewPoint": "temp_dew",
    "RHum": "relative_humidity",
    "Wspd": "wind_speed",
}


def _read_tmy2(path: Path, coerce_year: int) -> tuple[pd.DataFrame, PointMeta]:
    """TMY2 via pvlib; temperatures and wind speed from tenths, rows moved to ``coerce_year``."""
    data, meta = pvlib.iotools.read_tmy2(path)
    data = data.rename(columns=_TMY2_NAMES)
    for c in ("temp_air", "temp_dew", "wind_speed"):  # TMY2 stores tenths
        data[c] = data[c] / 10.0
    data.index = data.index.map(lambda t: t.replace(year=coerce_year))
    return data, PointMeta(
        meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"], meta.get("City")
    )


def _read_psm(path: Path, coerce_year: int) -> tuple[pd.DataFrame, PointMeta]:
    """NSRDB PSM3/PSM4 CSV via pvlib; rows relabelled from interval start to interval end."""
    data, meta = pvlib.iotools.read_nsrdb_psm4(path, map_variables=True)
    step = data.index.to_series().diff().median()
    data.index = data.index + (step if pd.notna(step) else pd.Timedelta(hours=1))
    return data, PointMeta(
        meta.get("latitude", meta.get("Latitude")),
        meta.get("longitude", meta.get("Longitude")),
        meta.get("altitude", meta.get("Elevation")),
        meta.get("Time Zone", meta.get("timezone")),
        meta.get("City"),
    )


#: One reader per point format, each returning pvlib-named columns and the station metadata.
_POINT_READERS = {"epw": _read_epw, "tmy3": _read_tmy3, "tmy2": _read_tmy2, "nsrdb": _read_psm}


def _read_point_file(path: Path, fmt: str, coerce_year: int) -> tuple[pd.DataFrame, PointMeta]:
    """Run the reader of ``fmt``; any failure becomes an :class:`InputError` naming the file."""
    if fmt not in _POINT_READERS:
        raise InputError(f"unknown weather format {fmt!r}", file=path, fix="use epw, tmy3, tmy2 or nsrdb")
    try:
        return _POINT_READERS[fmt](path, coerce_year)
    except Exception as exc:
        raise InputError(
            f"cannot read the {fmt} file ({type(exc).__name__}: {exc})",
            file=path,
            fix=f"check it is a valid {fmt.upper()} file",
        ) from exc


def _point_table(data: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Internal names and numbers; :class:`InputError` without dry-bulb, on gaps or out-of-range values."""
    out = pd.DataFrame(
        {v: pd.to_numeric(data[k], errors="coerce") for k, v in _POINT_MAP.items() if k in data},
        index=data.index,
    )
    if "dry_bulb_c" not in out:
        raise InputError(
            "no dry-bulb temperature column",
            file=path,
            column="temp_air",
            fix="the file must have a dry-bulb field",
        )
    for col in out:
        nan = out[col].isna()
        if nan.any():
            raise InputError(
                f"{int(nan.sum())} missing value(s) (NaN gaps or missing-value codes)",
                file=path,
                column=col,
                rows=[str(t) for t in out.index[nan.to_numpy()]],
                fix="fill the gaps (e.g. df.interpolate(limit=3)) or use a complete typical-year file",
            )
        lo, hi = PHYSICAL_RANGES[col]
        bad = (out[col] < lo) | (out[col] > hi)
        if bad.any():
            raise InputError(
                f"{int(bad.sum())} value(s) outside [{lo}, {hi}] {_UNIT_LABEL[col]}",
                file=path,
                column=col,
                rows=[str(t) for t in out.index[bad.to_numpy()]],
                fix="check the units and missing-value codes",
            )
    return out


def _utc_index(index: pd.DatetimeIndex, typical_year: bool, coerce_year: int) -> pd.DatetimeIndex:
    """UTC hour-ending labels; a typical year is rotated to cover ``coerce_year`` 01-01 01:00 UTC onward."""
    utc = index.tz_convert("UTC") if index.tz is not None else index.tz_localize("UTC")
    if typical_year:
        start = pd.Timestamp(f"{coerce_year}-01-01 01:00", tz="UTC")
        utc = start + ((utc - start) % pd.Timedelta(hours=len(index)))
    return pd.DatetimeIndex(utc, name="time")


def read_point_weather(path, *, fmt: str | None = None, coerce_year: int = 2021) -> pd.DataFrame:
    """Read one station's hourly weather (EPW, TMY3, TMY2, NSRDB PSM3/PSM4 CSV) with pvlib.iotools.

    Parameters
    ----------
    path : str or Path
        The file.
    fmt : {"epw", "tmy3", "tmy2", "nsrdb"}, optional
        Format; detected from the extension / first line when omitted.
    coerce_year : int
        Typical-year files mix years; every row is moved to this (non-leap) year, then the year is
        expressed in UTC and rotated circularly so that it covers ``coerce_year`` 01-01 01:00 to
        ``coerce_year + 1`` 01-01 00:00 UTC (hour-ending labels).

    Returns
    -------
    pandas.DataFrame
        Columns among ``dry_bulb_c, dew_point_c, ghi_w_per_m2, dni_w_per_m2, dhi_w_per_m2,
        wind_speed_10m_m_per_s, relative_humidity_pct``; UTC hour-ending index; ``attrs`` hold ``lat``,
        ``lon``, ``elevation_m``, ``utc_offset_hours``, ``name``, ``source_file``, ``format``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, fix="check the path")
    fmt = fmt or _detect_format(path)
    data, meta = _read_point_file(path, fmt, coerce_year)
    out = _point_table(data, path)
    typical_year = len(out) in (8760, 8784) and fmt in ("epw", "tmy3", "tmy2")
    out.index = _utc_index(out.index, typical_year, coerce_year)
    out = out.sort_index()
    out.attrs.update(
        lat=float(meta.lat),
        lon=float(meta.lon),
        elevation_m=float(meta.elevation_m),
        utc_offset_hours=float(meta.utc_offset_hours),
        name=str(meta.name).strip('"') if meta.name is not None else path.stem,
        source_file=str(path),
        format=fmt,
    )
    return out


def point_weather_dataset(frames: Mapping[str, pd.DataFrame]) -> xr.Dataset:
    """Stack point weather tables (from :func:`read_point_weather`) into a ``(site, time)`` dataset.

    Parameters
    ----------
    frames : mapping of site id → DataFrame
        Tables on the same UTC time axis (typical years coerced to the same year).

    Returns
    -------
    xarray.Dataset
        Common variables, dims ``(site, time)``, coordinates ``lat``/``lon`` per site.
    """
    if not frames:
        raise InputError("no weather tables given", fix="pass at least one site")
    ids = list(frames)
    cols = sorted(set.intersection(*(set(f.columns) for f in frames.values())))
    index = frames[ids[0]].index
    for sid in ids[1:]:
        if not frames[sid].index.equals(index):
            raise InputError(
                "weather tables are on different time axes",
                file=frames[sid].attrs.get("source_file"),
                column="time",
                rows=[sid],
                fix="read every typical year with the same coerce_year, or resample to a common hourly axis",
            )
    data = {c: (("site", "time"), np.stack([frames[s][c].to_numpy(np.float32) for s in ids])) for c in cols}
    ds = xr.Dataset(
        data,
        coords={
            "site": ids,
            "time": index.tz_convert(None) if index.tz is not None else index,
            "lat": ("site", [frames[s].attrs.get("lat", np.nan) for s in ids]),
            "lon": ("site", [frames[s].attrs.get("lon", np.nan) for s in ids]),
        },
    )
    ds.attrs["time_label"] = "end"
    return ds

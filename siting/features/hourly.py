"""Hourly climate features of sites or grid cells, vectorised with xarray (and lazy on dask-chunked data).

* :func:`weather_at_sites` — hourly weather of each site from a gridded dataset (nearest cell);
* :func:`hourly_pue_wue` — hourly PUE and water use from :mod:`siting.features.cooling`;
* :func:`site_climate_features` — temperatures, PUE, WUE and the hourly solar
  (:func:`~siting.features.solar.solar_cf_pvwatts`) and wind
  (:func:`~siting.features.wind.wind_cf_power_curve`) capacity factors;
* :func:`annual_summary` — annual per-site figures.

Every function accepts datasets of any dims that include ``time`` (``(site, time)`` tables or
``(time, lat, lon)`` grids); coordinates ``lat``/``lon`` (degrees) are read where the sun matters. With
dask-backed input the result is a lazy graph: nothing is computed until ``.compute()``. Time labels mark the
end of each hour (UTC), as in ERA5 and TMY3. Representative periods of these features are in
:mod:`siting.features.periods`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siting.errors import InputError

from . import cooling
from .geo import nearest_cell
from .psychrometrics import wet_bulb_c
from .solar import solar_cf_pvwatts
from .wind import wind_cf_power_curve

#: Grid step (degrees) assumed along an axis with a single value (ERA5's 0.25°).
DEFAULT_GRID_STEP_DEG = 0.25


def _grid_step_deg(axis: np.ndarray) -> float:
    """Median spacing (degrees) of a grid axis; :data:`DEFAULT_GRID_STEP_DEG` for a single value."""
    return float(np.abs(np.median(np.diff(axis)))) if axis.size > 1 else DEFAULT_GRID_STEP_DEG


def _chunk_order(first: xr.DataArray, ilat: np.ndarray, ilon: np.ndarray) -> np.ndarray:
    """Order of the sites by the dask chunk of the grid they read, so that the grid streams through memory.

    Each dask task then needs few grid chunks (random order would make every task need every chunk).
    """
    cl = np.cumsum(first.chunksizes["lat"])
    cn = np.cumsum(first.chunksizes["lon"])
    return np.lexsort(
        (ilon, ilat, np.searchsorted(cn, ilon, side="right"), np.searchsorted(cl, ilat, side="right"))
    )


def weather_at_sites(
    weather: xr.Dataset,
    sites: pd.DataFrame,
    *,
    id_column: str = "site_id",
    max_distance_cells: float = 1.0,
    sort_by_chunk: bool = True,
) -> xr.Dataset:
    """Hourly weather of each site from a gridded dataset: nearest cell, vectorised, lazy with dask.

    No value is read: NaN gaps of lazily-read grids surface in :func:`annual_summary` or
    :func:`~siting.features.periods.cluster_periods`; check the sampled sites earlier with
    :func:`siting.io.check_weather`.

    Parameters
    ----------
    weather : xarray.Dataset
        Internal gridded weather (dims ``time, lat, lon``), e.g. from :func:`siting.io.read_era5`.
    sites : DataFrame
        ``site_id``, ``lat``, ``lon`` (degrees).
    id_column : str
        Site id column.
    max_distance_cells : float
        Sites whose nearest cell centre is farther than this many grid steps (the larger of the two axes'
        steps, degrees; :func:`~siting.features.geo.nearest_cell`) are refused, not silently snapped.
    sort_by_chunk : bool
        For dask-backed weather, order the sites by the grid chunk they fall in (select sites by their
        ``site`` label, not position), so that the grid streams through memory.

    Returns
    -------
    xarray.Dataset
        Same variables, dims ``(site, time)``; coordinates ``lat``/``lon`` are the sites' own.
    """
    lat_g, lon_g = weather["lat"].to_numpy(), weather["lon"].to_numpy()
    slat, slon = sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)
    step = max(_grid_step_deg(lat_g), _grid_step_deg(lon_g))
    cells = nearest_cell(lat_g, lon_g, slat, slon, max_offset_deg=max_distance_cells * step)
    if not cells.found.all():
        raise InputError(
            f"{int((~cells.found).sum())} site(s) lie outside the weather grid "
            f"(lat {lat_g.min():.2f}…{lat_g.max():.2f}, lon {lon_g.min():.2f}…{lon_g.max():.2f})",
            file=weather.attrs.get("source_file"),
            column="lat/lon",
            rows=list(sites[id_column].to_numpy()[~cells.found]),
            fix="download weather covering every site, or drop those sites",
        )
    ids = sites[id_column].to_numpy()
    first = next(iter(weather.data_vars.values()))
    chunked = sort_by_chunk and first.chunks is not None
    order = _chunk_order(first, cells.ilat, cells.ilon) if chunked else np.arange(len(ids))
    sel = weather.isel(
        lat=xr.DataArray(cells.ilat[order], dims="site"), lon=xr.DataArray(cells.ilon[order], dims="site")
    )
    sel = sel.drop_vars(["lat", "lon"]).assign_coords(
        site=ids[order], lat=("site", slat[order]), lon=("site", slon[order])
    )
    return sel.transpose("site", "time")


def _weather_wet_bulb(weather: xr.Dataset) -> xr.DataArray:
    """Hourly wet-bulb (°C) of the weather: given, or from dry-bulb and dew point."""
    if "dry_bulb_c" not in weather:
        raise InputError(
            "weather has no dry-bulb temperature", column="dry_bulb_c", fix="provide dry_bulb_c (°C)"
        )
    if "wet_bulb_c" in weather:
        return weather["wet_bulb_c"]
    if "dew_point_c" in weather:
        return wet_bulb_c(weather["dry_bulb_c"], weather["dew_point_c"])
    raise InputError(
        "weather has neither wet-bulb nor dew point",
        column="dew_point_c",
        fix="provide dew_point_c (ERA5 d2m) or wet_bulb_c",
    )


def hourly_pue_wue(
    weather: xr.Dataset,
    cooling_design: cooling.CoolingDesign = "evaporative",
    params: cooling.CoolingParameters = cooling.DEFAULT_PARAMETERS,
) -> xr.Dataset:
    """Hourly PUE and water use from the weather, using :mod:`siting.features.cooling`.

    Parameters
    ----------
    weather : xarray.Dataset
        ``dry_bulb_c`` and ``wet_bulb_c`` or ``dew_point_c`` (°C), any dims.
    cooling_design : {"evaporative", "air", "liquid"}
        Cooling design (see :func:`siting.features.cooling.pue`).
    params : CoolingParameters
        Cooling model parameters.

    Returns
    -------
    xarray.Dataset
        ``wet_bulb_c`` (°C), ``pue`` (–), ``wue_l_per_kwh`` (L per kWh of IT energy), same dims; lazy for
        dask input.
    """
    tw = _weather_wet_bulb(weather)
    if cooling_design not in cooling.COOLING_DESIGNS:
        raise InputError(
            f"unknown cooling design {cooling_design!r}",
            column="cooling",
            fix=f"use one of {', '.join(cooling.COOLING_DESIGNS)}",
        )
    t = weather["dry_bulb_c"]
    kw = {"cooling": cooling_design, "params": params}
    # cooling.* use np.clip, which would pull dask data into memory: run them block-wise instead
    pue = xr.apply_ufunc(cooling.pue, t, tw, kwargs=kw, dask="parallelized", output_dtypes=[float])
    wue = xr.apply_ufunc(cooling.wue_l_per_kwh, t, kwargs=kw, dask="parallelized", output_dtypes=[float])
    return xr.Dataset(
        {
            "wet_bulb_c": tw.astype("float32"),
            "pue": pue.astype("float32"),
            "wue_l_per_kwh": wue.astype("float32"),
        }
    )


def site_climate_features(
    weather: xr.Dataset,
    *,
    cooling_design: cooling.CoolingDesign = "evaporative",
    params: cooling.CoolingParameters = cooling.DEFAULT_PARAMETERS,
    tracking: str = "single_axis",
    hub_height_m: float = 100.0,
) -> xr.Dataset:
    """Hourly climate features of sites (or cells): temperatures, PUE, WUE, solar and wind CF.

    Parameters
    ----------
    weather : xarray.Dataset
        Internal weather (``dry_bulb_c``, ``dew_point_c`` or ``wet_bulb_c``, optionally ``ghi_w_per_m2``,
        ``wind_speed_100m_m_per_s`` / ``wind_speed_10m_m_per_s``), dims include ``time``.
    cooling_design, params :
        See :func:`hourly_pue_wue`.
    tracking : str
        See :func:`~siting.features.solar.solar_cf_pvwatts`.
    hub_height_m : float
        Wind hub height (m).

    Returns
    -------
    xarray.Dataset
        ``dry_bulb_c``, ``wet_bulb_c``, ``pue``, ``wue_l_per_kwh`` and, when the inputs exist,
        ``solar_cf`` (:func:`~siting.features.solar.solar_cf_pvwatts`) and ``wind_cf``
        (:func:`~siting.features.wind.wind_cf_power_curve`, from the 100 m speed, else the 10 m one); lazy
        for dask input.
    """
    out = hourly_pue_wue(weather, cooling_design, params)
    out["dry_bulb_c"] = weather["dry_bulb_c"].astype("float32")
    if "ghi_w_per_m2" in weather:
        wind10 = weather.get("wind_speed_10m_m_per_s", 1.0)
        out["solar_cf"] = solar_cf_pvwatts(
            weather["ghi_w_per_m2"], weather["dry_bulb_c"], wind10, tracking=tracking
        )
    for height in (100, 10):
        if f"wind_speed_{height}m_m_per_s" in weather:
            out["wind_cf"] = wind_cf_power_curve(
                weather[f"wind_speed_{height}m_m_per_s"],
                measurement_height_m=float(height),
                hub_height_m=hub_height_m,
            )
            break
    return out


def _wet_bulb_p99(wet_bulb: xr.DataArray) -> xr.DataArray:
    """99th percentile over time (°C) of each site's wet-bulb (dask data rechunked to one time chunk)."""
    da = wet_bulb.chunk({"time": -1}) if wet_bulb.chunks else wet_bulb
    return da.quantile(0.99, dim="time", skipna=False).drop_vars("quantile")


def annual_summary(features: xr.Dataset, *, file=None) -> pd.DataFrame:
    """Annual per-site figures from hourly features (computes dask input).

    Returns a DataFrame indexed by site with ``pue_annual`` (energy-weighted mean at constant IT load, –),
    ``wue_annual_l_per_kwh``, ``water_m3_per_mw_it_year`` (= WUE × 8,760 h × 1,000 kW / 1,000 L m⁻³),
    ``solar_cf_annual``, ``wind_cf_annual``, ``wet_bulb_p99_c`` (99th percentile, design condition).
    Raises :class:`InputError` if any site's features contain NaN (gaps in the weather).
    """
    wue = features["wue_l_per_kwh"].mean("time", skipna=False)
    s = {
        "pue_annual": features["pue"].mean("time", skipna=False),
        "wue_annual_l_per_kwh": wue,
        "water_m3_per_mw_it_year": wue * features.sizes["time"],
        "wet_bulb_p99_c": _wet_bulb_p99(features["wet_bulb_c"]),
    }
    for v in ("solar_cf", "wind_cf"):
        if v in features:
            s[f"{v}_annual"] = features[v].mean("time", skipna=False)
    ds = xr.Dataset(s).compute()
    df = ds.drop_vars([c for c in ds.coords if c not in ds.dims]).to_dataframe()
    nan = df.isna().any(axis=1)
    if nan.any():
        raise InputError(
            f"{int(nan.sum())} site(s) have NaN climate features (gaps in the weather)",
            file=file or features.attrs.get("source_file"),
            column=", ".join(df.columns[df.isna().any()]),
            rows=list(df.index[nan]),
            fix="fill the weather gaps (siting.io.fill_weather_gaps) or supply complete hourly data",
        )
    return df

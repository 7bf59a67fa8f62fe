"""Climate features per site or grid cell, vectorised with xarray (and lazy on dask-chunked data).

* psychrometrics: relative humidity from dew point (Magnus form, Alduchov & Eskridge 1996) and wet-bulb
  temperature from dry-bulb and relative humidity (Stull 2011);
* hourly typical-year temperatures synthesised from monthly statistics when no hourly data is given
  (:func:`synthesize_hourly_temperature`, method in its docstring; checked against pvlib's TMY3 files);
* hourly PUE and water use from :mod:`siting.features.cooling` (:func:`hourly_pue_wue`);
* hourly solar capacity factor with pvlib (:func:`solar_capacity_factor`) and wind capacity factor from a
  power curve at hub height (:func:`wind_capacity_factor`);
* representative periods with weights via tsam (:func:`representative_periods`).

Every function accepts DataArrays of any dims that include ``time`` (``(site, time)`` tables or
``(time, lat, lon)`` grids); coordinates ``lat``/``lon`` (degrees) are read where the sun matters. With
dask-backed input the result is a lazy graph: nothing is computed until ``.compute()``. There is no Python
loop over sites or cells anywhere. Time labels mark the end of each hour (UTC), as in ERA5 and TMY3.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from siting.errors import InputError

from . import cooling

HOURS_PER_YEAR = 8760

# --------------------------------------------------------------------------------------------------------
# psychrometrics


def saturation_vapour_pressure_hpa(temp_c):
    """Saturation vapour pressure over water (hPa), Magnus form.

    Parameters
    ----------
    temp_c : array-like
        Temperature (°C).

    Returns
    -------
    array-like
        Pressure (hPa).

    References
    ----------
    Alduchov, O. A. & Eskridge, R. E. (1996), J. Appl. Meteor. 35, 601–609 (coefficients 6.1094, 17.625,
    243.04 °C).
    """
    return 6.1094 * np.exp(17.625 * temp_c / (temp_c + 243.04))


def relative_humidity_pct(dry_bulb_c, dew_point_c):
    """Relative humidity (%) from dry-bulb and dew-point temperatures (°C), Magnus form; capped at 100 %."""
    rh = 100.0 * saturation_vapour_pressure_hpa(dew_point_c) / saturation_vapour_pressure_hpa(dry_bulb_c)
    return np.clip(rh, 0.0, 100.0)


def wet_bulb_stull(dry_bulb_c, relative_humidity_pct):
    """Wet-bulb temperature (°C) from dry-bulb (°C) and relative humidity (%), Stull (2011).

    Valid for RH 5–99 % and −20…50 °C at sea-level pressure; the humidity is clipped to 5–99 % and the
    result to ≤ dry-bulb. Error about ±1 °C in that range (Stull 2011, Fig. 2).

    References
    ----------
    Stull, R. (2011), "Wet-Bulb Temperature from Relative Humidity and Air Temperature",
    J. Appl. Meteor. Climatol. 50, 2267–2269, Eq. 1.
    """
    t = dry_bulb_c
    rh = np.clip(relative_humidity_pct, 5.0, 99.0)
    tw = (
        t * np.arctan(0.151977 * np.sqrt(rh + 8.313659))
        + np.arctan(t + rh)
        - np.arctan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh)
        - 4.686035
    )
    return np.minimum(tw, t)


def wet_bulb_c(dry_bulb_c, dew_point_c):
    """Wet-bulb temperature (°C) from dry-bulb and dew point (°C): Magnus RH then Stull (2011).

    The result is bounded to [dew point, dry-bulb], which Stull's fit can leave by a few tenths at the
    extremes of humidity.
    """
    tw = wet_bulb_stull(dry_bulb_c, relative_humidity_pct(dry_bulb_c, dew_point_c))
    return np.minimum(np.maximum(tw, np.minimum(dew_point_c, dry_bulb_c)), dry_bulb_c)


def dew_point_from_wet_bulb(dry_bulb_c, wet_bulb_c_, iterations: int = 30):
    """Dew point (°C) whose Stull wet-bulb at ``dry_bulb_c`` equals ``wet_bulb_c_`` (vectorised bisection).

    Parameters
    ----------
    dry_bulb_c, wet_bulb_c_ : array-like
        Dry-bulb and wet-bulb temperatures (°C).
    iterations : int
        Bisection steps (30 gives < 1e-7 °C).

    Returns
    -------
    numpy.ndarray
        Dew point (°C), ≤ dry-bulb.
    """
    t = np.asarray(dry_bulb_c, dtype=float)
    tw = np.minimum(np.asarray(wet_bulb_c_, dtype=float), t)
    lo, hi = t - 60.0, t.copy()
    for _ in range(iterations):  # fixed number of array-wide steps, not a loop over sites
        mid = 0.5 * (lo + hi)
        too_wet = wet_bulb_c(t, mid) > tw
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------------------------------------
# typical-year temperatures


def _year_axis(year: int) -> pd.DatetimeIndex:
    """8,760 hour-ending UTC labels of a non-leap ``year`` (Jan 1 01:00 … Jan 1 00:00 of the next year)."""
    if pd.Timestamp(year=year, month=1, day=1).is_leap_year:
        raise InputError(
            f"{year} is a leap year", column="year", fix="use a non-leap year for a typical year (e.g. 2021)"
        )
    return pd.date_range(f"{year}-01-01 01:00", periods=HOURS_PER_YEAR, freq="h", name="time")


def _local_offset_hours(da: xr.DataArray | xr.Dataset):
    """Local solar-time offset from UTC (h), round(lon / 15), from the ``lon`` coordinate (0 without)."""
    if "lon" not in da.coords:
        return 0
    return np.round(da["lon"] / 15.0).astype(int)


def _roll_time(da: xr.DataArray, shift) -> xr.DataArray:
    """Circularly roll along ``time`` by ``shift`` steps (``out[k] = da[k - shift]``), per site/cell.

    ``shift`` may be an int or a DataArray over the non-time dims (one shift per site); vectorised
    with ``np.take_along_axis``.
    """
    if not isinstance(shift, xr.DataArray):
        return da.roll(time=int(shift), roll_coords=False)

    def _kernel(x, s):
        n = x.shape[-1]
        idx = (np.arange(n) - np.asarray(s)[..., None]) % n
        return np.take_along_axis(x, np.broadcast_to(idx, x.shape), axis=-1)

    shift = shift.reset_coords(drop=True) if shift.dims else shift
    return xr.apply_ufunc(
        _kernel,
        da,
        shift,
        input_core_dims=[["time"], []],
        output_core_dims=[["time"]],
        dask="parallelized",
        output_dtypes=[da.dtype],
    ).transpose(*da.dims)


def monthly_statistics(hourly: xr.Dataset) -> xr.Dataset:
    """Monthly statistics of an hourly typical year, in the ``climate.nc`` names.

    Parameters
    ----------
    hourly : xarray.Dataset
        ``dry_bulb_c`` (and ``dew_point_c`` or ``wet_bulb_c``), dims ``(..., time)``, 8,760 hour-ending
        UTC labels; ``lon`` coordinate used to cut local solar days (for daily max/min).

    Returns
    -------
    xarray.Dataset
        ``t2m_c`` (monthly mean), ``t2m_max_c`` / ``t2m_min_c`` (monthly mean of daily max / min),
        ``wet_bulb_c`` (monthly mean), dims ``(..., month)``.
    """
    t = hourly["dry_bulb_c"]
    if "wet_bulb_c" in hourly:
        tw = hourly["wet_bulb_c"]
    elif "dew_point_c" in hourly:
        tw = wet_bulb_c(t, hourly["dew_point_c"])
    else:
        raise InputError("need dew_point_c or wet_bulb_c for the monthly wet-bulb", column="dew_point_c")
    month = hourly["time"].dt.month
    out = xr.Dataset({"t2m_c": t.groupby(month).mean(), "wet_bulb_c": tw.groupby(month).mean()})
    # local solar days: rotate the circular typical year by the site's offset, then cut into 365 days
    if t.sizes["time"] != HOURS_PER_YEAR:
        raise InputError(
            "monthly statistics need a typical year of 8,760 hours",
            column="time",
            fix="pass one non-leap year",
        )
    local = _roll_time(t, _local_offset_hours(t))
    days = local.coarsen(time=24).construct(time=("day", "hour"))
    day_month = xr.DataArray(
        pd.date_range("2021-01-01", periods=365, freq="D").month, dims="day", name="month"
    )
    out["t2m_max_c"] = days.max("hour").groupby(day_month).mean()
    out["t2m_min_c"] = days.min("hour").groupby(day_month).mean()
    return out[["t2m_c", "t2m_max_c", "t2m_min_c", "wet_bulb_c"]]


def _daily_from_monthly(monthly: xr.DataArray, days: np.ndarray) -> xr.DataArray:
    """Periodic linear interpolation of 12 monthly values (anchored mid-month) to days of year."""
    mid = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5])
    ext = xr.concat([monthly.isel(month=[11]), monthly, monthly.isel(month=[0])], dim="month")
    ext = ext.assign_coords(month=np.r_[mid[-1] - 365.0, mid, mid[0] + 365.0]).rename(month="doy")
    return ext.interp(doy=days.astype(float))


def synthesize_hourly_temperature(
    monthly: xr.Dataset,
    *,
    year: int = 2021,
    daily_anomaly_std_c: float = 0.0,
    anomaly_lag1: float = 0.7,
    seed: int = 0,
) -> xr.Dataset:
    """Synthesise an hourly typical year of dry-bulb, dew-point and wet-bulb temperature.

    Method (documented, deterministic):

    1. The monthly mean, mean daily maximum and minimum (``t2m_c``, ``t2m_max_c``, ``t2m_min_c``) and the
       monthly mean wet-bulb (``wet_bulb_c``) are interpolated to each day by periodic linear
       interpolation between mid-month anchors.
    2. Each day gets the cosine diurnal cycle of :func:`siting.features.cooling.diurnal_profile`
       (minimum at 05:00, maximum at 15:00 local solar time) and is placed on the UTC axis by rotating by
       round(lon / 15) hours.
    3. Optionally a day-to-day anomaly, AR(1) with lag-1 correlation ``anomaly_lag1`` and standard deviation
       ``daily_anomaly_std_c`` (same draw for every site: a synoptic pattern; default 0 = pure climatology),
       is added to dry-bulb and dew point.
    4. The dew point is held at the value that reproduces the daily-mean wet-bulb at the daily-mean
       dry-bulb (:func:`dew_point_from_wet_bulb`), capped at the hourly dry-bulb; the hourly wet-bulb
       follows from Stull (2011).

    Checked against pvlib's TMY3 files (Greensboro NC, Sand Point AK) in
    ``tests/features/test_climate.py``; figures in ``docs/bring-your-own-data.md``.

    Parameters
    ----------
    monthly : xarray.Dataset
        ``t2m_c``, ``t2m_max_c``, ``t2m_min_c``, ``wet_bulb_c`` (°C) with a ``month`` dim (1–12) and any
        other dims (site or lat/lon); a ``lon`` coordinate (degrees) sets local solar time (else UTC).
    year : int
        Non-leap year of the output time axis.
    daily_anomaly_std_c : float
        Standard deviation of the day-to-day anomaly (°C).
    anomaly_lag1 : float
        Lag-1 autocorrelation of the daily anomaly (–).
    seed : int
        Seed of the anomaly draw.

    Returns
    -------
    xarray.Dataset
        ``dry_bulb_c``, ``dew_point_c``, ``wet_bulb_c`` (°C), dims ``(..., time)`` with 8,760 hour-ending
        UTC labels.
    """
    for v in ("t2m_c", "t2m_max_c", "t2m_min_c", "wet_bulb_c"):
        if v not in monthly:
            raise InputError(
                "monthly climate variable missing",
                column=v,
                fix="provide t2m_c, t2m_max_c, t2m_min_c and wet_bulb_c by month",
            )
    if monthly.sizes.get("month") != 12:
        raise InputError(
            "monthly statistics need 12 months", column="month", fix="give one value per month 1–12"
        )
    times = _year_axis(year)
    days = np.arange(365) + 0.5
    mean = _daily_from_monthly(monthly["t2m_c"], days)
    tmax = _daily_from_monthly(monthly["t2m_max_c"], days)
    tmin = _daily_from_monthly(monthly["t2m_min_c"], days)
    twb = _daily_from_monthly(monthly["wet_bulb_c"], days)
    td_day = xr.apply_ufunc(dew_point_from_wet_bulb, mean, twb, dask="parallelized", output_dtypes=[float])
    if daily_anomaly_std_c > 0:
        rng = np.random.default_rng(seed)
        eps = rng.normal(size=365)
        a = np.empty(365)
        a[0] = eps[0]
        for i in range(1, 365):  # 365-step AR(1) recursion over days (not over sites)
            a[i] = anomaly_lag1 * a[i - 1] + np.sqrt(1 - anomaly_lag1**2) * eps[i]
        anom = xr.DataArray(daily_anomaly_std_c * (a - a.mean()) / a.std(), dims="doy", coords={"doy": days})
        mean, tmax, tmin, td_day = mean + anom, tmax + anom, tmin + anom, td_day + anom
    # step j = 0..23 of a local day is the hour ending at j + 1 o'clock: evaluate the profile at that label
    prof = xr.apply_ufunc(
        cooling.diurnal_profile,
        mean,
        tmax,
        tmin,
        kwargs={"hours": (np.arange(24) + 1) % 24},
        output_core_dims=[["hour"]],
        dask="parallelized",
        output_dtypes=[float],
        dask_gufunc_kwargs={"output_sizes": {"hour": 24}},
    )
    dry_local = prof.stack(time=("doy", "hour")).drop_vars(["time", "doy", "hour"])
    td_local = td_day.broadcast_like(prof).stack(time=("doy", "hour")).drop_vars(["time", "doy", "hour"])
    off = _local_offset_hours(monthly)
    dry = _roll_time(dry_local, -off)  # UTC hour k is local hour k + offset
    td = _roll_time(td_local, -off)
    dry = dry.assign_coords(time=times)
    td = np.minimum(td.assign_coords(time=times), dry)
    out = xr.Dataset({"dry_bulb_c": dry, "dew_point_c": td})
    out["wet_bulb_c"] = wet_bulb_c(out["dry_bulb_c"], out["dew_point_c"])
    order = [d for d in monthly["t2m_c"].dims if d != "month"] + ["time"]
    out = out.transpose(*order)
    out.attrs["method"] = (
        "synthesised from monthly statistics (siting.features.climate.synthesize_hourly_temperature)"
    )
    out.attrs["time_label"] = "end"
    return out


# --------------------------------------------------------------------------------------------------------
# sites


def weather_at_sites(
    weather: xr.Dataset,
    sites: pd.DataFrame,
    *,
    id_column: str = "site_id",
    max_distance_cells: float = 1.0,
    sort_by_chunk: bool = True,
) -> xr.Dataset:
    """Hourly weather of each site from a gridded dataset: nearest cell, vectorised, lazy with dask.

    Parameters
    ----------
    weather : xarray.Dataset
        Internal gridded weather (dims ``time, lat, lon``), e.g. from :func:`siting.io.read_era5`.
    sites : DataFrame
        ``site_id``, ``lat``, ``lon`` (degrees).
    id_column : str
        Site id column.
    max_distance_cells : float
        Sites farther than this many grid steps outside the grid are refused (not silently snapped).
    sort_by_chunk : bool
        For dask-backed weather, order the sites by the grid chunk they fall in (select sites by their
        ``site`` label, not position), so that the grid streams through memory.

    Returns
    -------
    xarray.Dataset
        Same variables, dims ``(site, time)``; coordinates ``lat``/``lon`` are the sites' own.
    """
    lat_g, lon_g = weather["lat"].to_numpy(), weather["lon"].to_numpy()
    dlat = float(np.median(np.diff(lat_g))) if lat_g.size > 1 else 0.25
    dlon = float(np.median(np.diff(lon_g))) if lon_g.size > 1 else 0.25
    slat, slon = sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)
    outside = (
        (slat < lat_g.min() - max_distance_cells * dlat)
        | (slat > lat_g.max() + max_distance_cells * dlat)
        | (slon < lon_g.min() - max_distance_cells * dlon)
        | (slon > lon_g.max() + max_distance_cells * dlon)
    )
    if outside.any():
        raise InputError(
            f"{int(outside.sum())} site(s) lie outside the weather grid "
            f"(lat {lat_g.min():.2f}…{lat_g.max():.2f}, lon {lon_g.min():.2f}…{lon_g.max():.2f})",
            file=weather.attrs.get("source_file"),
            column="lat/lon",
            rows=list(sites[id_column].to_numpy()[outside]),
            fix="download weather covering every site, or drop those sites",
        )
    ilat = (
        np.abs(lat_g[:, None] - slat[None, :]).argmin(axis=0)
        if lat_g.size * slat.size < 5e7
        else np.searchsorted(lat_g, slat).clip(0, lat_g.size - 1)
    )
    ilon = (
        np.abs(lon_g[:, None] - slon[None, :]).argmin(axis=0)
        if lon_g.size * slon.size < 5e7
        else np.searchsorted(lon_g, slon).clip(0, lon_g.size - 1)
    )
    ids = sites[id_column].to_numpy()
    order = np.arange(len(ids))
    first = next(iter(weather.data_vars.values()))
    if sort_by_chunk and first.chunks is not None:
        # group sites by the grid chunk they read: each dask task then needs few grid chunks, so the grid
        # is streamed instead of held in memory (random order would make every task need every chunk)
        cl = np.cumsum(first.chunksizes["lat"])
        cn = np.cumsum(first.chunksizes["lon"])
        order = np.lexsort(
            (ilon, ilat, np.searchsorted(cn, ilon, side="right"), np.searchsorted(cl, ilat, side="right"))
        )
    sel = weather.isel(lat=xr.DataArray(ilat[order], dims="site"), lon=xr.DataArray(ilon[order], dims="site"))
    sel = sel.drop_vars(["lat", "lon"]).assign_coords(
        site=ids[order], lat=("site", slat[order]), lon=("site", slon[order])
    )
    return sel.transpose("site", "time")


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
    if "dry_bulb_c" not in weather:
        raise InputError(
            "weather has no dry-bulb temperature", column="dry_bulb_c", fix="provide dry_bulb_c (°C)"
        )
    t = weather["dry_bulb_c"]
    if "wet_bulb_c" in weather:
        tw = weather["wet_bulb_c"]
    elif "dew_point_c" in weather:
        tw = wet_bulb_c(t, weather["dew_point_c"])
    else:
        raise InputError(
            "weather has neither wet-bulb nor dew point",
            column="dew_point_c",
            fix="provide dew_point_c (ERA5 d2m) or wet_bulb_c",
        )
    if cooling_design not in cooling.COOLING_DESIGNS:
        raise InputError(
            f"unknown cooling design {cooling_design!r}",
            column="cooling",
            fix=f"use one of {', '.join(cooling.COOLING_DESIGNS)}",
        )
    # cooling.* use np.clip, which would pull dask data into memory: run them block-wise instead
    pue = xr.apply_ufunc(
        cooling.pue,
        t,
        tw,
        kwargs={"cooling": cooling_design, "params": params},
        dask="parallelized",
        output_dtypes=[float],
    )
    wue = xr.apply_ufunc(
        cooling.wue_l_per_kwh,
        t,
        kwargs={"cooling": cooling_design, "params": params},
        dask="parallelized",
        output_dtypes=[float],
    )
    return xr.Dataset(
        {
            "wet_bulb_c": tw.astype("float32"),
            "pue": pue.astype("float32"),
            "wue_l_per_kwh": wue.astype("float32"),
        }
    )


# --------------------------------------------------------------------------------------------------------
# solar


def _times_parts(times: np.ndarray, shift_minutes: float) -> tuple[np.ndarray, np.ndarray]:
    t = times.astype("datetime64[s]") - np.timedelta64(int(shift_minutes * 60), "s")
    doy = (t.astype("datetime64[D]") - t.astype("datetime64[Y]")).astype(int) + 1.0
    hour = (t - t.astype("datetime64[D]")).astype(float) / 3600.0
    return doy, hour


def solar_position(times, lat, lon, *, shift_minutes: float = 30.0):
    """Solar zenith and azimuth (degrees), vectorised over sites × times (Spencer 1971 + analytical).

    Parameters
    ----------
    times : array of datetime64
        UTC time labels, shape ``(T,)``.
    lat, lon : array-like
        Latitude, longitude (degrees), shape ``(...)``; the result has shape ``(..., T)``.
    shift_minutes : float
        Minutes subtracted from each label (30 for hour-ending hourly means: the sun at mid-hour).

    Returns
    -------
    zenith, azimuth : numpy.ndarray
        Degrees; azimuth clockwise from north.

    References
    ----------
    pvlib ``solarposition.declination_spencer71``, ``equation_of_time_spencer71``,
    ``solar_zenith_analytical``, ``solar_azimuth_analytical`` (Spencer 1971; Duffie & Beckman 2013); the
    hour angle is 15° × (UTC hour − 12) + longitude + EoT / 4.
    """
    import pvlib

    doy, hour = _times_parts(np.asarray(times), shift_minutes)
    dec = pvlib.solarposition.declination_spencer71(doy)
    eot = pvlib.solarposition.equation_of_time_spencer71(doy)
    lat_r = np.radians(np.asarray(lat, dtype=float))[..., None]
    ha = np.radians(15.0 * (hour - 12.0) + np.asarray(lon, dtype=float)[..., None] + eot / 4.0)
    zen = pvlib.solarposition.solar_zenith_analytical(lat_r, ha, dec)
    azi = pvlib.solarposition.solar_azimuth_analytical(lat_r, ha, dec, zen)
    return np.degrees(zen), np.degrees(azi)


def _solar_kernel(
    ghi,
    temp,
    wind,
    lat,
    lon,
    *,
    times,
    tracking,
    dc_ac_ratio,
    losses,
    gamma_pdc,
    gcr,
    tilt,
    albedo,
    shift_minutes,
):
    """PV AC capacity factor on arrays ``(..., T)``; the chain runs only on daylight points (1-D)."""
    import pvlib

    shape = np.broadcast_shapes(np.shape(ghi), np.shape(temp), np.shape(wind))
    ghi = np.broadcast_to(np.clip(np.nan_to_num(np.asarray(ghi, dtype=float)), 0.0, None), shape)
    nan_in = np.broadcast_to(np.isnan(temp), shape) | np.broadcast_to(np.isnan(np.asarray(ghi)), shape)
    doy, _ = _times_parts(times, shift_minutes)
    zen, azi = solar_position(times, lat, lon, shift_minutes=shift_minutes)
    zen, azi = np.broadcast_to(zen, shape), np.broadcast_to(azi, shape)
    day = (zen < 90.0) & (ghi > 0.0)
    out = np.zeros(shape, dtype=np.float32)
    if day.any():
        g, z, a = ghi[day], zen[day], azi[day]
        t_air = np.broadcast_to(temp, shape)[day]
        ws = np.broadcast_to(wind, shape)[day]
        d = np.broadcast_to(doy, shape)[day]
        split = pvlib.irradiance.erbs(g, z, d)
        dni, dhi = np.nan_to_num(split["dni"]), np.nan_to_num(split["dhi"])
        if tracking == "single_axis":
            trk = pvlib.tracking.singleaxis(
                z, a, axis_tilt=0.0, axis_azimuth=180.0, max_angle=60.0, backtrack=True, gcr=gcr
            )
            s_tilt = np.nan_to_num(trk["surface_tilt"])
            s_azi = np.nan_to_num(trk["surface_azimuth"], nan=90.0)
            aoi = np.nan_to_num(trk["aoi"], nan=90.0)
        else:
            lat_b = np.broadcast_to(np.asarray(lat, dtype=float)[..., None], shape)[day]
            s_tilt = np.abs(lat_b) if tilt is None else np.full_like(z, float(tilt))
            s_azi = np.where(lat_b >= 0, 180.0, 0.0)
            aoi = pvlib.irradiance.aoi(s_tilt, s_azi, z, a)
        cos_aoi = np.clip(np.cos(np.radians(aoi)), 0.0, None)
        dni_extra = pvlib.irradiance.get_extra_radiation(d)
        ratio = cos_aoi / np.maximum(np.cos(np.radians(z)), 0.01745)
        sky = pvlib.irradiance.haydavies(s_tilt, s_azi, dhi, dni, dni_extra, projection_ratio=ratio)
        ground = pvlib.irradiance.get_ground_diffuse(s_tilt, g, albedo=albedo)
        beam = dni * cos_aoi
        poa = beam + np.nan_to_num(sky) + np.nan_to_num(ground)
        effective = (
            beam * np.nan_to_num(pvlib.iam.ashrae(aoi, b=0.05)) + np.nan_to_num(sky) + np.nan_to_num(ground)
        )
        t_cell = pvlib.temperature.sapm_cell(poa, t_air, ws, a=-3.56, b=-0.075, deltaT=3.0)
        pdc = pvlib.pvsystem.pvwatts_dc(effective, t_cell, pdc0=dc_ac_ratio, gamma_pdc=gamma_pdc) * (
            1.0 - losses
        )
        pac = pvlib.inverter.pvwatts(pdc, pdc0=1.0 / 0.96, eta_inv_nom=0.96)
        out[day] = np.clip(np.nan_to_num(pac), 0.0, 1.0)
    out[nan_in] = np.nan  # gaps stay visible
    return out


def solar_capacity_factor(
    ghi_w_per_m2: xr.DataArray,
    dry_bulb_c: xr.DataArray,
    wind_speed_m_per_s: xr.DataArray | float = 1.0,
    *,
    tracking: str = "single_axis",
    dc_ac_ratio: float = 1.3,
    losses: float = 0.14,
    gamma_pdc: float = -0.0037,
    gcr: float = 0.35,
    tilt_deg: float | None = None,
    albedo: float = 0.2,
    time_label: str = "end",
) -> xr.DataArray:
    """Hourly AC capacity factor of utility PV from GHI and air temperature (PVWatts-style, pvlib).

    Chain: solar position at mid-hour → Erbs GHI split → single-axis tracker (N–S axis, ±60°,
    backtracking, ground-coverage ratio ``gcr``) or fixed tilt (``tilt_deg``, default |lat|, facing the
    equator) → Hay–Davies transposition → ASHRAE IAM (b0 = 0.05) on the beam → SAPM cell temperature (open rack,
    glass/polymer) → PVWatts DC with ``gamma_pdc`` → system losses → PVWatts inverter (96 % nominal),
    clipped at the AC rating.

    Parameters
    ----------
    ghi_w_per_m2 : xarray.DataArray
        Global horizontal irradiance, hourly mean (W m⁻²), dims include ``time``; coordinates ``lat`` and
        ``lon`` (degrees) on the other dims.
    dry_bulb_c : xarray.DataArray
        Air temperature (°C), same dims.
    wind_speed_m_per_s : xarray.DataArray or float
        Wind speed at 10 m (m s⁻¹) for cell cooling; default 1 m s⁻¹.
    tracking : {"single_axis", "fixed"}
        Mounting.
    dc_ac_ratio : float
        Inverter loading ratio DC/AC (–), ATB utility PV ≈ 1.3.
    losses : float
        DC system losses (–), PVWatts default 14 %.
    gamma_pdc : float
        Power temperature coefficient (1/°C), PVWatts standard module −0.37 %/°C.
    gcr : float
        Ground-coverage ratio of the tracker rows (–).
    tilt_deg : float, optional
        Fixed tilt (degrees) when ``tracking="fixed"``.
    albedo : float
        Ground reflectance (–).
    time_label : {"end", "start", "instant"}
        What the time labels mark; the sun is evaluated at the middle of the hour.

    Returns
    -------
    xarray.DataArray
        Capacity factor (–, per unit of AC nameplate), float32, same dims, lazy for dask input.

    References
    ----------
    Dobos, A. P. (2014), PVWatts Version 5 Manual, NREL/TP-6A20-62641; Holmgren, Hansen & Mikofski (2018),
    pvlib python, JOSS 3(29), 884.
    """
    if tracking not in ("single_axis", "fixed"):
        raise InputError(
            f"unknown tracking {tracking!r}", column="tracking", fix="use 'single_axis' or 'fixed'"
        )
    shift = {"end": 30.0, "start": -30.0, "instant": 0.0}[time_label]
    if "lat" not in ghi_w_per_m2.coords or "lon" not in ghi_w_per_m2.coords:
        raise InputError(
            "irradiance has no lat/lon coordinates", column="lat/lon", fix="attach site or grid coordinates"
        )
    lat = ghi_w_per_m2["lat"]
    lon = ghi_w_per_m2["lon"]
    if "time" in lat.dims or "time" in lon.dims:
        raise InputError("lat/lon must not vary with time", column="lat/lon")
    if not isinstance(wind_speed_m_per_s, xr.DataArray):
        wind_speed_m_per_s = xr.full_like(ghi_w_per_m2, float(wind_speed_m_per_s))
    ghi = (
        ghi_w_per_m2.drop_vars(["lat", "lon"], errors="ignore")
        if "lat" not in ghi_w_per_m2.dims
        else ghi_w_per_m2
    )
    times = ghi_w_per_m2["time"].to_numpy()
    if ghi.chunks is not None:
        ghi = ghi.chunk({"time": -1})
    out = xr.apply_ufunc(
        _solar_kernel,
        ghi,
        dry_bulb_c.drop_vars(["lat", "lon"], errors="ignore") if "lat" not in dry_bulb_c.dims else dry_bulb_c,
        wind_speed_m_per_s.drop_vars(["lat", "lon"], errors="ignore")
        if "lat" not in wind_speed_m_per_s.dims
        else wind_speed_m_per_s,
        lat.reset_coords(drop=True)
        if "lat" in lat.dims
        else lat.drop_vars([c for c in lat.coords if c not in lat.dims]),
        lon.reset_coords(drop=True)
        if "lon" in lon.dims
        else lon.drop_vars([c for c in lon.coords if c not in lon.dims]),
        input_core_dims=[["time"], ["time"], ["time"], [], []],
        output_core_dims=[["time"]],
        kwargs=dict(
            times=times,
            tracking=tracking,
            dc_ac_ratio=dc_ac_ratio,
            losses=losses,
            gamma_pdc=gamma_pdc,
            gcr=gcr,
            tilt=tilt_deg,
            albedo=albedo,
            shift_minutes=shift,
        ),
        dask="parallelized",
        output_dtypes=[np.float32],
    )
    out = out.assign_coords(lat=lat, lon=lon).transpose(*ghi_w_per_m2.dims)
    out.name = "solar_cf"
    out.attrs["units"] = "1"
    return out


def synthesize_hourly_ghi(ghi_kwh_per_m2_day: xr.DataArray, *, year: int = 2021) -> xr.DataArray:
    """Hourly GHI (W m⁻²) from monthly mean daily GHI: clear-sky shape scaled per month.

    Method: Haurwitz clear-sky GHI (pvlib ``clearsky.haurwitz``) at mid-hour, multiplied in each month by
    the ratio of the given monthly mean daily GHI to the clear-sky one. Day-to-day cloud variability is
    not reproduced (each month is a uniformly scaled clear sky), which overstates PV output in clipping
    hours slightly; use hourly irradiance when available.

    Parameters
    ----------
    ghi_kwh_per_m2_day : xarray.DataArray
        Monthly mean daily GHI (kWh m⁻² day⁻¹), dim ``month`` (12) plus site/grid dims with ``lat``/``lon``
        coordinates.
    year : int
        Non-leap year of the output axis.

    Returns
    -------
    xarray.DataArray
        GHI (W m⁻², hourly mean), dims ``(..., time)``.
    """
    times = _year_axis(year)
    base = ghi_kwh_per_m2_day.isel(month=0, drop=True)
    zen, _ = xr.apply_ufunc(
        solar_position,
        xr.DataArray(times.to_numpy(), dims="time"),
        base["lat"].broadcast_like(base),
        base["lon"].broadcast_like(base),
        input_core_dims=[["time"], [], []],
        output_core_dims=[["time"], ["time"]],
    )
    clear = xr.apply_ufunc(_haurwitz, zen)
    clear = clear.assign_coords(time=times)
    month = clear["time"].dt.month
    clear_daily_kwh = clear.groupby(month).mean() * 24.0 / 1000.0
    ratio = (ghi_kwh_per_m2_day / clear_daily_kwh.where(clear_daily_kwh > 0)).fillna(0.0)
    out = clear * ratio.sel(month=month).drop_vars("month")
    out.name = "ghi_w_per_m2"
    return out.transpose(*base.dims, "time")


def _haurwitz(zenith_deg):
    """Haurwitz (1945) clear-sky GHI (W m⁻²) as in pvlib ``clearsky.haurwitz`` (numpy, any shape)."""
    cz = np.cos(np.radians(zenith_deg))
    return np.where(cz > 0, 1098.0 * cz * np.exp(-0.059 / np.where(cz > 0, cz, 1.0)), 0.0)


# --------------------------------------------------------------------------------------------------------
# wind

#: Vestas V126-3.45 MW power curve (wind speed m/s → kW), from windpowerlib 0.2.2
#: ``data/default_turbine_data/power_curves.csv`` (Open Energy Database turbine library; windpowerlib is
#: MIT-licensed, © oemof developer group). Cut-out at 22.5 m/s as in that curve.
POWER_CURVE_SPEED_M_PER_S = np.array(
    [
        0.0,
        2.5,
        3.0,
        3.5,
        4.0,
        4.5,
        5.0,
        5.5,
        6.0,
        6.5,
        7.0,
        7.5,
        8.0,
        8.5,
        9.0,
        9.5,
        10.0,
        10.5,
        11.0,
        11.5,
        12.0,
        22.5,
    ]
)
POWER_CURVE_KW = np.array(
    [
        0,
        0,
        35,
        101,
        184,
        283,
        404,
        550,
        725,
        932,
        1172,
        1446,
        1760,
        2104,
        2482,
        2865,
        3187,
        3366,
        3433,
        3448,
        3450,
        3450,
    ],
    dtype=float,
)
POWER_CURVE_CUT_OUT_M_PER_S = 22.5


def wind_capacity_factor(
    wind_speed_m_per_s: xr.DataArray,
    *,
    measurement_height_m: float = 100.0,
    hub_height_m: float = 100.0,
    shear_exponent: float = 1.0 / 7.0,
    losses: float = 0.10,
    power_curve_speed_m_per_s: Sequence[float] = POWER_CURVE_SPEED_M_PER_S,
    power_curve_kw: Sequence[float] = POWER_CURVE_KW,
    cut_out_m_per_s: float = POWER_CURVE_CUT_OUT_M_PER_S,
) -> xr.DataArray:
    """Hourly wind capacity factor from wind speed through a turbine power curve at hub height.

    The speed is extrapolated with the power law v_hub = v (h_hub / h_meas)^α (α = 1/7 by default, the
    neutral-stability value), read off the power curve (linear interpolation, zero above cut-out), divided
    by the rated power and reduced by ``losses`` (wake, availability, electrical; ≈10 %). No air-density
    correction.

    Parameters
    ----------
    wind_speed_m_per_s : xarray.DataArray
        Wind speed at ``measurement_height_m`` (m s⁻¹), any dims.
    measurement_height_m, hub_height_m : float
        Heights (m).
    shear_exponent : float
        Power-law exponent α (–).
    losses : float
        Fractional energy losses (–).
    power_curve_speed_m_per_s, power_curve_kw : sequence
        Power curve (default Vestas V126-3.45 MW, windpowerlib/OEDB).
    cut_out_m_per_s : float
        Speed above which the turbine stops (m s⁻¹).

    Returns
    -------
    xarray.DataArray
        Capacity factor (–), float32, same dims; lazy for dask input.
    """
    speeds = np.asarray(power_curve_speed_m_per_s, dtype=float)
    cf = np.asarray(power_curve_kw, dtype=float) / float(np.max(power_curve_kw))
    v_hub = wind_speed_m_per_s * (hub_height_m / measurement_height_m) ** shear_exponent

    def _curve(v):
        out = np.interp(v, speeds, cf, left=0.0, right=0.0) * (1.0 - losses)
        return np.where(v > cut_out_m_per_s, 0.0, out).astype(np.float32)

    out = xr.apply_ufunc(_curve, v_hub, dask="parallelized", output_dtypes=[np.float32])
    out.name = "wind_cf"
    out.attrs["units"] = "1"
    return out


# --------------------------------------------------------------------------------------------------------
# all features, and representative periods


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
        See :func:`solar_capacity_factor`.
    hub_height_m : float
        Wind hub height (m).

    Returns
    -------
    xarray.Dataset
        ``dry_bulb_c``, ``wet_bulb_c``, ``pue``, ``wue_l_per_kwh`` and, when the inputs exist,
        ``solar_cf`` and ``wind_cf``; lazy for dask input.
    """
    out = hourly_pue_wue(weather, cooling_design, params)
    out["dry_bulb_c"] = weather["dry_bulb_c"].astype("float32")
    wind10 = weather.get("wind_speed_10m_m_per_s", 1.0)
    if "ghi_w_per_m2" in weather:
        out["solar_cf"] = solar_capacity_factor(
            weather["ghi_w_per_m2"], weather["dry_bulb_c"], wind10, tracking=tracking
        )
    if "wind_speed_100m_m_per_s" in weather:
        out["wind_cf"] = wind_capacity_factor(
            weather["wind_speed_100m_m_per_s"], measurement_height_m=100.0, hub_height_m=hub_height_m
        )
    elif "wind_speed_10m_m_per_s" in weather:
        out["wind_cf"] = wind_capacity_factor(
            weather["wind_speed_10m_m_per_s"], measurement_height_m=10.0, hub_height_m=hub_height_m
        )
    return out


def annual_summary(features: xr.Dataset, *, file=None) -> pd.DataFrame:
    """Annual per-site figures from hourly features (computes dask input).

    Returns a DataFrame indexed by site with ``pue_annual`` (energy-weighted mean at constant IT load, –),
    ``wue_annual_l_per_kwh``, ``water_m3_per_mw_it_year`` (= WUE × 8,760 h × 1,000 kW / 1,000 L m⁻³),
    ``solar_cf_annual``, ``wind_cf_annual``, ``wet_bulb_p99_c`` (99th percentile, design condition).
    Raises :class:`InputError` if any site's features contain NaN (gaps in the weather).
    """
    hours = features.sizes["time"]
    s = {
        "pue_annual": features["pue"].mean("time", skipna=False),
        "wue_annual_l_per_kwh": features["wue_l_per_kwh"].mean("time", skipna=False),
        "water_m3_per_mw_it_year": features["wue_l_per_kwh"].mean("time", skipna=False) * hours,
        "wet_bulb_p99_c": features["wet_bulb_c"]
        .chunk({"time": -1})
        .quantile(0.99, dim="time", skipna=False)
        .drop_vars("quantile")
        if features["wet_bulb_c"].chunks
        else features["wet_bulb_c"].quantile(0.99, dim="time", skipna=False).drop_vars("quantile"),
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


def cluster_periods(profiles: xr.Dataset, *, n_periods: int = 16, hours_per_period: int = 24) -> dict:
    """Cluster the periods of one year of (small) hourly profiles with tsam; deterministic.

    Parameters
    ----------
    profiles : xarray.Dataset
        Hourly profiles, dims ``(time, …)`` with 8,760 hours, already reduced to a few hundred columns
        (e.g. zone means); computed if lazy.
    n_periods, hours_per_period : int
        Number and length (h) of the representative periods.

    Returns
    -------
    dict
        ``centers`` (index of each representative period in the year), ``weight_hours`` (hours each
        stands for, summing to 8,760), ``assignments`` (representative period of every original period),
        ``hours_per_period``.
    """
    import tsam

    if profiles.sizes.get("time") != HOURS_PER_YEAR:
        raise InputError(
            f"representative periods need one year of hourly data (8,760 h); got {profiles.sizes.get('time')}",
            column="time",
            fix="pass one full (typical) year of hourly features",
        )
    if HOURS_PER_YEAR % hours_per_period:
        raise InputError(
            f"{hours_per_period} h does not divide 8,760 h",
            column="hours_per_period",
            fix="use 24 or 168 … (a divisor of 8,760)",
        )
    n_total = HOURS_PER_YEAR // hours_per_period
    if not 1 <= n_periods <= n_total:
        raise InputError(f"n_periods must be 1…{n_total}", column="n_periods", fix="choose fewer periods")
    frame = profiles.compute().to_array("variable").transpose("time", ...)
    arr = frame.to_numpy().reshape(HOURS_PER_YEAR, -1).astype(float)
    if np.isnan(arr).any():
        raise InputError(
            "NaN in the features to cluster (gaps in the weather)",
            column=", ".join(map(str, profiles.data_vars)),
            fix="fill the weather gaps first",
        )
    keep_cols = np.std(arr, axis=0) > 0  # constant columns carry no information (and upset scaling)
    if not keep_cols.any():
        keep_cols[:] = True
    df = pd.DataFrame(arr[:, keep_cols], index=pd.date_range("2021-01-01", periods=HOURS_PER_YEAR, freq="h"))
    df.columns = [f"c{i}" for i in range(df.shape[1])]
    res = tsam.aggregate(
        df,
        n_periods,
        period_duration=hours_per_period,
        cluster=tsam.ClusterConfig(method="hierarchical", representation="medoid"),
        preserve_column_means=False,
    )
    centers = np.asarray(res.clustering.cluster_centers, dtype=int)
    counts = np.array([res.cluster_counts[k] for k in range(len(centers))], dtype=float)
    return {
        "centers": centers,
        "weight_hours": counts * hours_per_period,
        "assignments": np.asarray(res.cluster_assignments, dtype=int),
        "hours_per_period": hours_per_period,
        "method": f"tsam {tsam.__version__} hierarchical, medoid, {len(centers)} x {hours_per_period} h",
    }


def period_hours(clusters: dict) -> np.ndarray:
    """Hour-of-year indices of the representative periods, shape ``(period, hour)``."""
    h = clusters["hours_per_period"]
    return clusters["centers"][:, None] * h + np.arange(h)[None, :]


def select_periods(
    hourly: xr.Dataset,
    clusters: dict,
    *,
    annual_means: xr.Dataset | None = None,
    preserve_means: Sequence[str] | None = None,
) -> xr.Dataset:
    """Take the representative periods of :func:`cluster_periods` from full-resolution hourly data.

    ``hourly`` may be lazy (only the selected hours are then computed) and may be the *weather*: features
    are hour-by-hour functions, so computing them on the selected hours equals selecting them afterwards.
    Variables in ``preserve_means`` (default the capacity factors and ``wue_l_per_kwh``) are rescaled per
    site so that their weighted mean equals ``annual_means`` (tsam's ``preserve_column_means``);
    capacity factors are capped at 1.

    Returns
    -------
    xarray.Dataset
        Variables on dims ``(period, hour, …)`` plus ``weight_hours``, ``period_start``, ``period_of_day``.
    """
    idx = period_hours(clusters)
    if hourly.sizes["time"] == HOURS_PER_YEAR:
        rep = hourly.isel(time=xr.DataArray(idx, dims=("period", "hour")))
    elif hourly.sizes["time"] == idx.size:  # already the selected hours, in order
        rep = (
            hourly.assign_coords(time=np.arange(idx.size))
            .coarsen(time=idx.shape[1])
            .construct(time=("period", "hour"))
        )
        rep = rep.assign_coords(time=(("period", "hour"), hourly["time"].to_numpy().reshape(idx.shape)))
    else:
        raise InputError("hourly data must cover the year or exactly the selected hours", column="time")
    start = rep["time"].isel(hour=0).to_numpy()
    rep = rep.drop_vars("time").assign_coords(period=np.arange(idx.shape[0]), hour=np.arange(idx.shape[1]))
    rep["weight_hours"] = xr.DataArray(np.asarray(clusters["weight_hours"], dtype=float), dims="period")
    rep["period_start"] = xr.DataArray(start, dims="period")
    rep["period_of_day"] = xr.DataArray(clusters["assignments"], dims="original_period")
    names = (
        preserve_means
        if preserve_means is not None
        else [n for n in rep.data_vars if n.endswith("_cf") or n == "wue_l_per_kwh"]
    )
    names = [v for v in names if v in rep]
    if names and annual_means is not None:
        share = rep["weight_hours"] / HOURS_PER_YEAR
        approx = (rep[names].mean("hour") * share).sum("period")
        for v in names:
            factor = xr.where(approx[v] > 0, annual_means[v] / approx[v], 1.0)
            scaled = rep[v] * factor
            rep[v] = (scaled.clip(0.0, 1.0) if v.endswith("_cf") else scaled).astype(rep[v].dtype)
    rep.attrs["method"] = clusters.get("method", "")
    return rep


def representative_periods(
    features: xr.Dataset,
    *,
    n_periods: int = 16,
    hours_per_period: int = 24,
    variables: Sequence[str] | None = None,
    group: xr.DataArray | None = None,
    max_columns: int = 400,
    preserve_means: Sequence[str] | None = None,
) -> xr.Dataset:
    """Representative periods with weights (tsam hierarchical clustering, medoids).

    Settings (deterministic): periods of ``hours_per_period`` hours (daily by default) are clustered by
    ``tsam.aggregate`` with hierarchical (Ward) clustering and **medoid** representation, columns
    normalised by tsam, no extreme-period handling (:func:`cluster_periods`). To scale to thousands of
    sites the clustering runs on ``group`` means (e.g. by zone) or, when there are more than
    ``max_columns`` site × variable columns, on an evenly spaced subset of sites; the chosen periods are
    then taken from every site's full-resolution profile (:func:`select_periods`), and the capacity
    factors and WUE are rescaled per site to keep their annual means (medoid days alone can miss a site's
    annual solar energy by tens of percent when many sites share few periods).

    Parameters
    ----------
    features : xarray.Dataset
        Hourly features, dims ``(site, time)`` (or only ``time``), 8,760 hours (a leap-year 8,784 loses
        Feb 29).
    n_periods : int
        Number of representative periods.
    hours_per_period : int
        Period length (h); must divide 8,760.
    variables : sequence of str, optional
        Variables to cluster on; default every variable with a ``time`` dim.
    group : xarray.DataArray, optional
        Label per site (e.g. ``zone_id``) whose means are clustered.
    max_columns : int
        Cap on clustered columns.
    preserve_means : sequence of str, optional
        Variables whose annual mean is preserved (default the ``*_cf`` variables and ``wue_l_per_kwh``).

    Returns
    -------
    xarray.Dataset
        The variables on dims ``(period, hour, site…)`` at the representative periods, plus
        ``weight_hours`` (period; the hours of the year each period stands for, summing to 8,760),
        ``period_start`` (period; the time label of the period's first hour) and ``period_of_day``
        (original period → representative period, for chronology).
    """
    ds = features
    times = pd.DatetimeIndex(ds["time"].to_numpy())
    if len(times) == 8784:
        keep = ~((times.month == 2) & (times.day == 29))
        ds = ds.isel(time=np.flatnonzero(keep))
    names = list(variables or [v for v in ds.data_vars if "time" in ds[v].dims])
    sub = ds[names]
    if group is not None:
        sub = sub.groupby(group).mean()
    other = [d for d in sub.dims if d != "time"]
    n_cols = len(names) * int(np.prod([sub.sizes[d] for d in other])) if other else len(names)
    if other and n_cols > max_columns:
        sub = sub.isel({other[0]: slice(None, None, int(np.ceil(n_cols / max_columns)))})
    clusters = cluster_periods(sub, n_periods=n_periods, hours_per_period=hours_per_period)
    wanted = (
        preserve_means
        if preserve_means is not None
        else [n for n in ds.data_vars if n.endswith("_cf") or n == "wue_l_per_kwh"]
    )
    wanted = [v for v in wanted if v in ds and "time" in ds[v].dims]
    annual = ds[wanted].mean("time") if wanted else None
    return select_periods(ds, clusters, annual_means=annual, preserve_means=wanted)

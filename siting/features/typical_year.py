"""Typical-year synthesis: hourly temperatures and irradiance from monthly statistics, and back.

* :func:`monthly_statistics` — monthly mean, mean daily max/min and mean wet-bulb of an hourly year (the
  ``climate.nc`` names);
* :func:`synthesize_hourly_temperature` — an hourly year of dry-bulb, dew point and wet-bulb from those
  statistics (method in its docstring; checked against pvlib's TMY3 files);
* :func:`synthesize_hourly_ghi` — hourly GHI from monthly mean daily GHI (scaled Haurwitz clear sky).

Every function accepts datasets of any dims besides ``month``/``time`` (sites or a lat/lon grid); a ``lon``
coordinate (degrees) sets local solar time. Time labels mark the end of each hour (UTC), as in ERA5 and TMY3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from siting.errors import InputError

from . import cooling
from .psychrometrics import dew_point_from_wet_bulb, wet_bulb_c
from .solar import haurwitz_ghi, solar_position
from .timing import HOURS_PER_YEAR

#: Day of year (days since 1 January 00:00) of the middle of each month of a non-leap year.
MID_MONTH_DAY = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5])
MONTHLY_TEMPERATURE_VARIABLES = ("t2m_c", "t2m_max_c", "t2m_min_c", "wet_bulb_c")


def year_axis(year: int) -> pd.DatetimeIndex:
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


def _roll_kernel(x: np.ndarray, shift) -> np.ndarray:
    """``out[..., k] = x[..., k - shift]`` (circular), one shift per leading index."""
    n = x.shape[-1]
    idx = (np.arange(n) - np.asarray(shift)[..., None]) % n
    return np.take_along_axis(x, np.broadcast_to(idx, x.shape), axis=-1)


def _roll_time(da: xr.DataArray, shift) -> xr.DataArray:
    """Circularly roll along ``time`` by ``shift`` steps (``out[k] = da[k - shift]``), per site/cell.

    ``shift`` may be an int or a DataArray over the non-time dims (one shift per site).
    """
    if not isinstance(shift, xr.DataArray):
        return da.roll(time=int(shift), roll_coords=False)
    shift = shift.reset_coords(drop=True) if shift.dims else shift
    return xr.apply_ufunc(
        _roll_kernel,
        da,
        shift,
        input_core_dims=[["time"], []],
        output_core_dims=[["time"]],
        dask="parallelized",
        output_dtypes=[da.dtype],
    ).transpose(*da.dims)


def _hourly_wet_bulb(hourly: xr.Dataset) -> xr.DataArray:
    """Hourly wet-bulb (°C): given, or from dry-bulb and dew point."""
    if "wet_bulb_c" in hourly:
        return hourly["wet_bulb_c"]
    if "dew_point_c" in hourly:
        return wet_bulb_c(hourly["dry_bulb_c"], hourly["dew_point_c"])
    raise InputError("need dew_point_c or wet_bulb_c for the monthly wet-bulb", column="dew_point_c")


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
    month = hourly["time"].dt.month
    out = xr.Dataset(
        {"t2m_c": t.groupby(month).mean(), "wet_bulb_c": _hourly_wet_bulb(hourly).groupby(month).mean()}
    )
    if t.sizes["time"] != HOURS_PER_YEAR:
        raise InputError(
            "monthly statistics need a typical year of 8,760 hours",
            column="time",
            fix="pass one non-leap year",
        )
    # local solar days: rotate the circular typical year by the site's offset, then cut into 365 days
    days = _roll_time(t, _local_offset_hours(t)).coarsen(time=24).construct(time=("day", "hour"))
    day_month = xr.DataArray(
        pd.date_range("2021-01-01", periods=365, freq="D").month, dims="day", name="month"
    )
    out["t2m_max_c"] = days.max("hour").groupby(day_month).mean()
    out["t2m_min_c"] = days.min("hour").groupby(day_month).mean()
    return out[list(MONTHLY_TEMPERATURE_VARIABLES)]


def _daily_from_monthly(monthly: xr.DataArray, days: np.ndarray) -> xr.DataArray:
    """Periodic linear interpolation of 12 monthly values (anchored mid-month) to days of year."""
    ext = xr.concat([monthly.isel(month=[11]), monthly, monthly.isel(month=[0])], dim="month")
    anchors = np.r_[MID_MONTH_DAY[-1] - 365.0, MID_MONTH_DAY, MID_MONTH_DAY[0] + 365.0]
    ext = ext.assign_coords(month=anchors).rename(month="doy")
    return ext.interp(doy=days.astype(float))


def _check_monthly(monthly: xr.Dataset) -> None:
    """Raise :class:`InputError` unless ``monthly`` has the four temperature variables over 12 months."""
    for v in MONTHLY_TEMPERATURE_VARIABLES:
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


def _daily_anomaly(days: np.ndarray, std_c: float, lag1: float, seed: int) -> xr.DataArray:
    """Day-to-day anomaly (°C): AR(1) with lag-1 correlation ``lag1``, rescaled to mean 0 and ``std_c``."""
    eps = np.random.default_rng(seed).normal(size=days.size)
    a = np.empty(days.size)
    a[0] = eps[0]
    for i in range(1, days.size):  # the AR(1) recursion runs over days
        a[i] = lag1 * a[i - 1] + np.sqrt(1 - lag1**2) * eps[i]
    return xr.DataArray(std_c * (a - a.mean()) / a.std(), dims="doy", coords={"doy": days})


def _local_hours(mean: xr.DataArray, tmax: xr.DataArray, tmin: xr.DataArray) -> xr.DataArray:
    """Dry-bulb of each local hour of each day, dims ``(..., doy, hour)``, from the diurnal cosine.

    Step j = 0..23 of a local day is the hour ending at j + 1 o'clock: the profile is evaluated there.
    """
    return xr.apply_ufunc(
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


def _to_utc_axis(local: xr.DataArray, offset, times: pd.DatetimeIndex) -> xr.DataArray:
    """Flatten ``(doy, hour)`` local days into the UTC ``time`` axis (UTC hour k is local hour k + offset)."""
    flat = local.stack(time=("doy", "hour")).drop_vars(["time", "doy", "hour"])
    return _roll_time(flat, -offset).assign_coords(time=times)


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
       dry-bulb (:func:`~siting.features.psychrometrics.dew_point_from_wet_bulb`), capped at the hourly
       dry-bulb; the hourly wet-bulb follows from Stull (2011).

    Checked against pvlib's TMY3 files (Greensboro NC, Sand Point AK) in ``tests/features/test_climate.py``.

    Parameters
    ----------
    monthly : xarray.Dataset
        ``t2m_c``, ``t2m_max_c``, ``t2m_min_c``, ``wet_bulb_c`` (°C) with a ``month`` dim (1–12) and any
        other dims (site or lat/lon); a ``lon`` coordinate (degrees) sets local solar time (else UTC).
    year : int
        Non-leap year of the output time axis.
    daily_anomaly_std_c, anomaly_lag1, seed :
        Standard deviation (°C), lag-1 autocorrelation (–) and seed of the day-to-day anomaly.

    Returns
    -------
    xarray.Dataset
        ``dry_bulb_c``, ``dew_point_c``, ``wet_bulb_c`` (°C), dims ``(..., time)`` with 8,760 hour-ending
        UTC labels.
    """
    _check_monthly(monthly)
    times = year_axis(year)
    days = np.arange(365) + 0.5
    mean, tmax, tmin, twb = (_daily_from_monthly(monthly[v], days) for v in MONTHLY_TEMPERATURE_VARIABLES)
    td_day = xr.apply_ufunc(dew_point_from_wet_bulb, mean, twb, dask="parallelized", output_dtypes=[float])
    if daily_anomaly_std_c > 0:
        anom = _daily_anomaly(days, daily_anomaly_std_c, anomaly_lag1, seed)
        mean, tmax, tmin, td_day = mean + anom, tmax + anom, tmin + anom, td_day + anom
    local = _local_hours(mean, tmax, tmin)
    offset = _local_offset_hours(monthly)
    dry = _to_utc_axis(local, offset, times)
    td = np.minimum(_to_utc_axis(td_day.broadcast_like(local), offset, times), dry)
    out = xr.Dataset({"dry_bulb_c": dry, "dew_point_c": td})
    out["wet_bulb_c"] = wet_bulb_c(out["dry_bulb_c"], out["dew_point_c"])
    out = out.transpose(*[d for d in monthly["t2m_c"].dims if d != "month"], "time")
    out.attrs["method"] = (
        "synthesised from monthly statistics (siting.features.typical_year.synthesize_hourly_temperature)"
    )
    out.attrs["time_label"] = "end"
    return out


def synthesize_hourly_ghi(ghi_kwh_per_m2_day: xr.DataArray, *, year: int = 2021) -> xr.DataArray:
    """Hourly GHI (W m⁻²) from monthly mean daily GHI: clear-sky shape scaled per month.

    Method: Haurwitz clear-sky GHI (:func:`~siting.features.solar.haurwitz_ghi`, pvlib
    ``clearsky.haurwitz``) at mid-hour, multiplied in each month by the ratio of the given monthly mean daily
    GHI to the clear-sky one. Day-to-day cloud variability is not reproduced (each month is a uniformly
    scaled clear sky), which overstates PV output in clipping hours slightly; use hourly irradiance when
    available.

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
    times = year_axis(year)
    base = ghi_kwh_per_m2_day.isel(month=0, drop=True)
    zen, _ = xr.apply_ufunc(
        solar_position,
        xr.DataArray(times.to_numpy(), dims="time"),
        base["lat"].broadcast_like(base),
        base["lon"].broadcast_like(base),
        input_core_dims=[["time"], [], []],
        output_core_dims=[["time"], ["time"]],
    )
    clear = xr.apply_ufunc(haurwitz_ghi, zen).assign_coords(time=times)
    month = clear["time"].dt.month
    clear_daily_kwh = clear.groupby(month).mean() * 24.0 / 1000.0
    ratio = (ghi_kwh_per_m2_day / clear_daily_kwh.where(clear_daily_kwh > 0)).fillna(0.0)
    out = clear * ratio.sel(month=month).drop_vars("month")
    out.name = "ghi_w_per_m2"
    return out.transpose(*base.dims, "time")

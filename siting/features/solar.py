"""Solar PV capacity factors: one model per time resolution, each under its own name.

=================================  ===========================  ==============================================
function                           input                        used for
=================================  ===========================  ==============================================
:func:`solar_cf_pvwatts`           hourly GHI (W m⁻²), air      hourly features (:mod:`siting.features.hourly`)
                                   temperature, wind speed      and ``representative_days`` scenarios
:func:`solar_cf_from_monthly_ghi`  monthly mean daily GHI       ``monthly`` scenarios (the embedded climate
                                   (kWh m⁻² day⁻¹)              holds monthly statistics only)
=================================  ===========================  ==============================================

Why two models: the PVWatts chain needs hourly irradiance and temperature. The embedded climate has monthly
means only, so representative-day scenarios first synthesise an hourly year (scaled Haurwitz clear sky,
:func:`siting.features.typical_year.synthesize_hourly_ghi`) and run the chain; monthly scenarios use the
linear fit to the NREL ATB capacity-factor classes, which needs no hourly year and keeps the monthly plans
as they were calibrated. Both target the same plant (single-axis tracking, DC/AC ≈ 1.3); how far their
annual means may differ for the same site is pinned by ``tests/features/test_solar_resolutions.py``.

Time labels mark the end of each hour (UTC), as in ERA5 and TMY3; the sun is evaluated at mid-hour.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pvlib
import xarray as xr

from siting.errors import InputError

#: PV AC capacity factor per kWh/m²/day of GHI. Calibrated so that 6.1 kWh/m²/day (US desert SW) gives the
#: NREL ATB 2024 utility-PV class 1 capacity factor of 32 % and 3.9 kWh/m²/day (Pacific NW / Northeast)
#: about class 10, 20 % (domain-figures §6; single-axis tracking, DC/AC 1.34). Unverified linear fit.
SOLAR_CF_PER_GHI_KWH_M2_DAY = 0.0525
#: Upper clip of the monthly fit (–), unverified: caps its extrapolation in the sunniest months
#: (8 kWh/m²/day would give 0.42).
SOLAR_CF_MONTHLY_MAX = 0.4

#: SAPM cell-temperature coefficients ``a``, ``b``, ``deltaT`` of an open-rack glass/polymer module,
#: taken from pvlib's own table (King et al. 2004).
SAPM_OPEN_RACK_GLASS_POLYMER = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][
    "open_rack_glass_polymer"
]
#: Nominal inverter efficiency (–): the default of :func:`pvlib.inverter.pvwatts` (PVWatts v5, Dobos 2014).
PVWATTS_ETA_INV_NOM = inspect.signature(pvlib.inverter.pvwatts).parameters["eta_inv_nom"].default
#: Single-axis tracker geometry: horizontal axis pointing south (azimuth 180°), rotation limit ±60°
#: (design choice; utility trackers are ±50–60°), backtracking on.
TRACKER_AXIS_TILT_DEG, TRACKER_AXIS_AZIMUTH_DEG, TRACKER_MAX_ANGLE_DEG = 0.0, 180.0, 60.0

#: Minutes subtracted from a time label to reach the middle of its hour, by what the label marks.
_MID_HOUR_SHIFT_MINUTES = {"end": 30.0, "start": -30.0, "instant": 0.0}


def solar_cf_from_monthly_ghi(ghi_kwh_per_m2_day):
    """Utility PV AC capacity factor (–) from monthly mean daily GHI (kWh m⁻² day⁻¹): the monthly model.

    ``cf = SOLAR_CF_PER_GHI_KWH_M2_DAY × GHI``, clipped to [0, 0.4]; vectorised over any shape. Used when
    the scenario's ``time_resolution`` is ``monthly``; hourly and representative-day runs use
    :func:`solar_cf_pvwatts` instead (see the module docstring for why there are two).
    """
    cf = SOLAR_CF_PER_GHI_KWH_M2_DAY * np.asarray(ghi_kwh_per_m2_day, dtype=float)
    return np.clip(cf, 0.0, SOLAR_CF_MONTHLY_MAX)


def _times_parts(times: np.ndarray, shift_minutes: float) -> tuple[np.ndarray, np.ndarray]:
    """Day of year (1-based) and UTC hour of day (h, fractional) of ``times`` minus ``shift_minutes``."""
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
    doy, hour = _times_parts(np.asarray(times), shift_minutes)
    dec = pvlib.solarposition.declination_spencer71(doy)
    eot = pvlib.solarposition.equation_of_time_spencer71(doy)
    lat_r = np.radians(np.asarray(lat, dtype=float))[..., None]
    ha = np.radians(15.0 * (hour - 12.0) + np.asarray(lon, dtype=float)[..., None] + eot / 4.0)
    zen = pvlib.solarposition.solar_zenith_analytical(lat_r, ha, dec)
    azi = pvlib.solarposition.solar_azimuth_analytical(lat_r, ha, dec, zen)
    return np.degrees(zen), np.degrees(azi)


def haurwitz_ghi(zenith_deg) -> np.ndarray:
    """Haurwitz (1945) clear-sky GHI (W m⁻²) at solar zenith angles (degrees), any shape.

    Evaluates :func:`pvlib.clearsky.haurwitz` (which takes a Series) on the flattened array.
    """
    z = np.asarray(zenith_deg, dtype=float)
    return pvlib.clearsky.haurwitz(pd.Series(z.ravel()))["ghi"].to_numpy().reshape(z.shape)


def _surface_orientation(zenith, azimuth, lat, *, tracking: str, gcr: float, tilt):
    """Surface tilt and azimuth (degrees) of the modules: single-axis tracker or fixed tilt to the equator."""
    if tracking == "single_axis":
        trk = pvlib.tracking.singleaxis(
            zenith,
            azimuth,
            axis_tilt=TRACKER_AXIS_TILT_DEG,
            axis_azimuth=TRACKER_AXIS_AZIMUTH_DEG,
            max_angle=TRACKER_MAX_ANGLE_DEG,
            backtrack=True,
            gcr=gcr,
        )
        return np.nan_to_num(trk["surface_tilt"]), np.nan_to_num(trk["surface_azimuth"], nan=90.0)
    surface_tilt = np.abs(lat) if tilt is None else np.full_like(zenith, float(tilt))
    return surface_tilt, np.where(lat >= 0, 180.0, 0.0)


def _plane_of_array(ghi, zenith, azimuth, doy, surface_tilt, surface_azimuth, albedo):
    """Total and IAM-weighted (effective) plane-of-array irradiance (W m⁻²): Erbs split, Hay–Davies sky."""
    split = pvlib.irradiance.erbs(ghi, zenith, doy)
    dni, dhi = np.nan_to_num(split["dni"]), np.nan_to_num(split["dhi"])
    aoi = pvlib.irradiance.aoi(surface_tilt, surface_azimuth, zenith, azimuth)
    beam = dni * np.clip(np.cos(np.radians(aoi)), 0.0, None)
    dni_extra = pvlib.irradiance.get_extra_radiation(doy)
    sky = pvlib.irradiance.haydavies(
        surface_tilt, surface_azimuth, dhi, dni, dni_extra, solar_zenith=zenith, solar_azimuth=azimuth
    )
    diffuse = np.nan_to_num(sky) + np.nan_to_num(
        pvlib.irradiance.get_ground_diffuse(surface_tilt, ghi, albedo)
    )
    return beam + diffuse, beam * np.nan_to_num(pvlib.iam.ashrae(aoi)) + diffuse


def _ac_capacity_factor(poa, effective, temp_air, wind_speed, *, dc_ac_ratio, losses, gamma_pdc):
    """AC output per unit of AC nameplate (–): SAPM cell temperature → PVWatts DC → losses → inverter."""
    t_cell = pvlib.temperature.sapm_cell(poa, temp_air, wind_speed, **SAPM_OPEN_RACK_GLASS_POLYMER)
    pdc = pvlib.pvsystem.pvwatts_dc(effective, t_cell, pdc0=dc_ac_ratio, gamma_pdc=gamma_pdc) * (1.0 - losses)
    with np.errstate(over="ignore"):  # pvlib divides by the DC power; near-zero dawn values are clipped below
        pac = pvlib.inverter.pvwatts(pdc, pdc0=1.0 / PVWATTS_ETA_INV_NOM, eta_inv_nom=PVWATTS_ETA_INV_NOM)
    return np.clip(np.nan_to_num(pac), 0.0, 1.0)


def _solar_kernel(ghi, temp, wind, lat, lon, *, times, shift_minutes, tracking, gcr, tilt, albedo, **dc):
    """PV AC capacity factor on arrays ``(..., T)``; the chain runs only on daylight points (1-D)."""
    shape = np.broadcast_shapes(np.shape(ghi), np.shape(temp), np.shape(wind))
    ghi = np.broadcast_to(np.asarray(ghi, dtype=float), shape)
    missing = np.isnan(ghi) | np.broadcast_to(np.isnan(temp), shape)
    ghi = np.clip(np.nan_to_num(ghi), 0.0, None)
    zen, azi = (
        np.broadcast_to(a, shape) for a in solar_position(times, lat, lon, shift_minutes=shift_minutes)
    )
    day = (zen < 90.0) & (ghi > 0.0)
    out = np.zeros(shape, dtype=np.float32)
    if day.any():
        z, a = zen[day], azi[day]
        doy = np.broadcast_to(_times_parts(times, shift_minutes)[0], shape)[day]
        lat_day = np.broadcast_to(np.asarray(lat, dtype=float)[..., None], shape)[day]
        s_tilt, s_azi = _surface_orientation(z, a, lat_day, tracking=tracking, gcr=gcr, tilt=tilt)
        poa, effective = _plane_of_array(ghi[day], z, a, doy, s_tilt, s_azi, albedo)
        t_air, ws = np.broadcast_to(temp, shape)[day], np.broadcast_to(wind, shape)[day]
        out[day] = _ac_capacity_factor(poa, effective, t_air, ws, **dc)
    out[missing] = np.nan  # gaps stay visible
    return out


def _without_latlon(da: xr.DataArray) -> xr.DataArray:
    """``da`` without ``lat``/``lon`` coordinates unless they are dimensions (gridded data keep them)."""
    return da if "lat" in da.dims else da.drop_vars(["lat", "lon"], errors="ignore")


def _only_own_coords(c: xr.DataArray) -> xr.DataArray:
    """A ``lat``/``lon`` coordinate array stripped of the other non-dimension coordinates."""
    return (
        c.reset_coords(drop=True)
        if c.name in c.dims
        else c.drop_vars([k for k in c.coords if k not in c.dims])
    )


def _site_coordinates(ghi: xr.DataArray, tracking: str) -> tuple[xr.DataArray, xr.DataArray]:
    """``lat``/``lon`` (degrees) of irradiance data, after checking them and ``tracking``."""
    if tracking not in ("single_axis", "fixed"):
        raise InputError(
            f"unknown tracking {tracking!r}", column="tracking", fix="use 'single_axis' or 'fixed'"
        )
    if "lat" not in ghi.coords or "lon" not in ghi.coords:
        raise InputError(
            "irradiance has no lat/lon coordinates", column="lat/lon", fix="attach site or grid coordinates"
        )
    if "time" in ghi["lat"].dims or "time" in ghi["lon"].dims:
        raise InputError("lat/lon must not vary with time", column="lat/lon")
    return ghi["lat"], ghi["lon"]


def solar_cf_pvwatts(
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
    albedo: float = pvlib.albedo.SURFACE_ALBEDOS["grass"],
    time_label: str = "end",
) -> xr.DataArray:
    """Hourly AC capacity factor of utility PV from GHI and air temperature (PVWatts chain in pvlib).

    The hourly model (see the module docstring; monthly scenarios use :func:`solar_cf_from_monthly_ghi`).
    Chain: solar position at mid-hour → Erbs GHI split → single-axis tracker (N–S axis, ±60°, backtracking,
    ground-coverage ratio ``gcr``) or fixed tilt (``tilt_deg``, default |lat|, facing the equator) →
    Hay–Davies transposition → ASHRAE IAM (pvlib's default b0 = 0.05) on the beam → SAPM cell temperature
    (pvlib's open-rack glass/polymer parameters) → PVWatts DC with ``gamma_pdc`` → DC losses → PVWatts
    inverter (pvlib's nominal efficiency, 96 %), clipped at the AC rating.

    Parameters
    ----------
    ghi_w_per_m2 : xarray.DataArray
        Global horizontal irradiance, hourly mean (W m⁻²), dims include ``time``; coordinates ``lat`` and
        ``lon`` (degrees) on the other dims. NaN stays NaN in the result.
    dry_bulb_c : xarray.DataArray
        Air temperature (°C), same dims.
    wind_speed_m_per_s : xarray.DataArray or float
        Wind speed at 10 m (m s⁻¹) for cell cooling; default 1 m s⁻¹.
    tracking : {"single_axis", "fixed"}
        Mounting.
    dc_ac_ratio : float
        Inverter loading ratio DC/AC (–), ATB utility PV ≈ 1.3.
    losses : float
        DC system losses (–), PVWatts v5 manual's 14 % (``pvlib.pvsystem.pvwatts_losses()`` gives 14.08 %).
    gamma_pdc : float
        Power temperature coefficient (1/°C), PVWatts v5 standard module −0.37 %/°C.
    gcr, albedo : float
        Ground-coverage ratio of the tracker rows and ground reflectance (–; pvlib's grass value, 0.2).
    tilt_deg : float, optional
        Fixed tilt (degrees) when ``tracking="fixed"``.
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
    lat, lon = _site_coordinates(ghi_w_per_m2, tracking)
    if not isinstance(wind_speed_m_per_s, xr.DataArray):
        wind_speed_m_per_s = xr.full_like(ghi_w_per_m2, float(wind_speed_m_per_s))
    ghi = _without_latlon(ghi_w_per_m2)
    inputs = [ghi.chunk({"time": -1}) if ghi.chunks is not None else ghi]
    inputs += [_without_latlon(dry_bulb_c), _without_latlon(wind_speed_m_per_s)]
    settings = dict(tracking=tracking, gcr=gcr, tilt=tilt_deg, albedo=albedo)
    dc = dict(dc_ac_ratio=dc_ac_ratio, losses=losses, gamma_pdc=gamma_pdc)
    times = dict(times=ghi_w_per_m2["time"].to_numpy(), shift_minutes=_MID_HOUR_SHIFT_MINUTES[time_label])
    out = xr.apply_ufunc(
        _solar_kernel,
        *inputs,
        _only_own_coords(lat),
        _only_own_coords(lon),
        input_core_dims=[["time"], ["time"], ["time"], [], []],
        output_core_dims=[["time"]],
        kwargs={**times, **settings, **dc},
        dask="parallelized",
        output_dtypes=[np.float32],
    )
    out = out.assign_coords(lat=lat, lon=lon).transpose(*ghi_w_per_m2.dims)
    return out.rename("solar_cf").assign_attrs(units="1")

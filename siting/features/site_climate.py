"""Climate of the candidate sites for the model: the monthly climate at each site (nearest cell with data),
its monthly PUE/WUE from a synthesised typical day, and tsam representative hours of the hourly typical year.

Pure functions of an ``xarray`` climate dataset (dims ``month``, ``lat``, ``lon``; the variables of
:data:`CLIMATE_VARIABLES`); :func:`siting.model.prepare.climate_features` chooses between the monthly and
the representative-hours resolution. With a year of real hourly weather (scenario ``data.hourly_weather``),
:func:`site_hourly_weather` and :func:`representative_hours_from_weather` replace the synthesised year.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError
from ..io.weather import check_weather
from .cooling import diurnal_profile, pue, wue_l_per_kwh
from .geo import nearest_cell
from .hourly import hourly_pue_wue, site_climate_features, weather_at_sites
from .periods import representative_periods
from .timing import TYPICAL_DAYS_IN_MONTH
from .typical_year import synthesize_hourly_ghi, synthesize_hourly_temperature
from .wind import wind_cf_rayleigh

#: Variables every climate layer carries (monthly means on a regular lat/lon grid; docs/data-layers.md).
CLIMATE_VARIABLES = (
    "t2m_c",
    "t2m_max_c",
    "t2m_min_c",
    "wet_bulb_c",
    "ghi_kwh_per_m2_day",
    "wind_speed_100m_m_per_s",
)
#: Diurnal wet-bulb swing as a fraction of the dry-bulb swing (moisture is roughly conserved over a day,
#: so wet-bulb varies much less than dry-bulb; ≈0.3–0.4 in the pvlib/diyepw TMY files). Unverified.
WET_BULB_DIURNAL_FRACTION = 0.35


def site_monthly_climate(climate: xr.Dataset, lat, lon, file=None, max_offset_deg: float = 0.5) -> xr.Dataset:
    """Monthly climate at points, dims (``site``, ``month``), from the nearest grid cell that has data.

    Coastal points often fall in an ocean or lake cell (NaN); they take the nearest cell with data within
    ``max_offset_deg`` (degrees, the rule of :func:`~siting.features.geo.nearest_cell`), otherwise an
    InputError.
    """
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    fields = CLIMATE_VARIABLES
    valid = np.ones((climate.sizes["lat"], climate.sizes["lon"]), dtype=bool)
    for var in fields:
        valid &= climate[var].notnull().all("month").transpose("lat", "lon").to_numpy()
    if not valid.any():
        raise InputError("climate grid has no cell with data", file=file, fix="check the climate file")
    glat, glon = climate["lat"].to_numpy(), climate["lon"].to_numpy()
    cells = nearest_cell(glat, glon, lat, lon, valid=valid, max_offset_deg=max_offset_deg)
    bad = np.flatnonzero(~cells.found)
    if bad.size:
        raise InputError(
            f"climate has no data within {max_offset_deg}° of {bad.size} site(s), e.g. lat {lat[bad[0]]:.3f} "
            f"lon {lon[bad[0]]:.3f}",
            file=file,
            column=fields[0],
            rows=[int(b) for b in bad],
            fix="extend the climate grid to cover the sites (or move the sites onto land cells)",
        )
    return climate[list(fields)].isel(
        lat=xr.DataArray(cells.ilat, dims="site"), lon=xr.DataArray(cells.ilon, dims="site")
    )


def monthly_pue_wue(pts: xr.Dataset, cooling: str) -> dict[str, np.ndarray]:
    """Monthly mean PUE, WUE and the design-peak PUE of each site.

    A typical day per month is synthesised with :func:`~siting.features.cooling.diurnal_profile`
    (dry-bulb between the monthly mean daily minimum and maximum; wet-bulb around its monthly mean with
    :data:`WET_BULB_DIURNAL_FRACTION` of the dry-bulb swing); PUE and WUE are evaluated hourly and
    averaged. The peak PUE is that of the hottest synthesised hour (used to size the power supply).

    The design day is the synthesised day of the month with the highest hourly PUE: its swing
    (peak − minimum PUE) bounds what a battery can shave, and the hours in which its PUE is above the
    day's mean are the peak window a battery must cover (:func:`battery_firm_inputs`).

    Returns
    -------
    dict of arrays: ``pue`` (site, 12), ``wue`` (site, 12) in L/kWh, ``pue_peak``, ``pue_swing`` and
    ``peak_window_hours`` (site,)
    """
    t_mean, t_max, t_min = (
        pts[v].transpose("site", "month").to_numpy() for v in ("t2m_c", "t2m_max_c", "t2m_min_c")
    )
    wb_mean = pts["wet_bulb_c"].transpose("site", "month").to_numpy()
    db = diurnal_profile(t_mean, t_max, t_min)
    half = 0.5 * WET_BULB_DIURNAL_FRACTION * (t_max - t_min)
    wb = diurnal_profile(wb_mean, wb_mean + half, wb_mean - half)
    wb = np.minimum(wb, db)
    p = pue(db, wb, cooling)
    w = wue_l_per_kwh(db, cooling)
    design = p[np.arange(p.shape[0]), p.max(axis=-1).argmax(axis=-1)]  # (site, hour)
    above = design > design.mean(axis=-1, keepdims=True) + 1e-9
    return {
        "pue": p.mean(axis=-1),
        "wue": w.mean(axis=-1),
        "pue_peak": p.max(axis=(-1, -2)),
        "pue_swing": design.max(axis=-1) - design.min(axis=-1),
        "peak_window_hours": above.sum(axis=-1).astype(float),
    }


def _add_design_features(feats: xr.Dataset, weather: xr.Dataset, designs: Sequence[str]) -> list[str]:
    """Add hourly ``pue_<design>`` and ``wue_l_per_kwh_<design>`` of ``designs`` to ``feats`` (in place);
    return their names."""
    names = []
    for c in designs:
        hourly = hourly_pue_wue(weather, c)
        feats[f"pue_{c}"] = hourly["pue"].transpose(*feats["pue"].dims)
        feats[f"wue_l_per_kwh_{c}"] = hourly["wue_l_per_kwh"].transpose(*feats["pue"].dims)
        names += [f"pue_{c}", f"wue_l_per_kwh_{c}"]
    return names


def _by_design(flat, feats: xr.Dataset, cooling: str, others: Sequence[str]) -> dict:
    """``pue_by_design``, ``wue_by_design`` (site × representative hour) and ``pue_peak_by_design`` (site,;
    over all 8,760 h) of ``cooling`` and ``others``; empty without ``others``."""
    if not others:
        return {}
    suffix = {cooling: "", **{o: f"_{o}" for o in others}}
    return {
        "pue_by_design": {c: flat(f"pue{x}") for c, x in suffix.items()},
        "wue_by_design": {c: flat(f"wue_l_per_kwh{x}") for c, x in suffix.items()},
        "pue_peak_by_design": {c: feats[f"pue{x}"].max("time").to_numpy() for c, x in suffix.items()},
    }


def _cluster_days(
    feats: xr.Dataset, weather: xr.Dataset, other_designs: Sequence[str], n_days: int
) -> tuple[xr.Dataset, xr.Dataset]:
    """The hourly features to cluster (PUE, WUE, solar and wind CF, and every other design's PUE and WUE),
    loaded as float64, and their ``n_days`` representative days (tsam, keeping the annual means of the
    capacity factors and water use)."""
    names = ["pue", "wue_l_per_kwh", "solar_cf", "wind_cf"] + _add_design_features(
        feats, weather, other_designs
    )
    feats = feats[names].astype("float64").load()
    wue_names = [n for n in names if n.startswith("wue_l_per_kwh")]
    rep = representative_periods(feats, n_periods=n_days, preserve_means=["solar_cf", "wind_cf", *wue_names])
    return feats, rep


def representative_hours(
    pts: xr.Dataset, cooling: str, n_days: int, other_designs: Sequence[str] = ()
) -> dict:
    """Hourly features of the sites, clustered into ``n_days`` representative days (tsam).

    The hourly typical year is synthesised from the monthly climate
    (:func:`~siting.features.typical_year.synthesize_hourly_temperature`, GHI from a scaled clear sky),
    hourly PUE/WUE and PV capacity factors (:func:`~siting.features.solar.solar_cf_pvwatts`) follow from
    :func:`~siting.features.hourly.site_climate_features`; wind keeps the monthly Rayleigh capacity factor
    (:func:`~siting.features.wind.wind_cf_rayleigh`) in every hour of the month (the embedded climate has
    no hourly wind; a year of hourly weather goes through :func:`representative_hours_from_weather`). The design-peak PUE is the maximum over all 8,760
    hours, not only the representative ones.

    Returns
    -------
    dict with ``periods`` (DataFrame: ``hours`` weight per representative hour, summing to 8,760, ``day``
    and ``hour``), ``month_hours`` (period × 12: hours of each calendar month the period stands for),
    ``pue``, ``wue``, ``solar_cf``, ``wind_cf`` (arrays site × period) and ``pue_peak`` (site,).
    With ``other_designs`` (a per-site choice of cooling) their hourly PUE and WUE are clustered too, and
    ``pue_by_design``, ``wue_by_design`` and ``pue_peak_by_design`` map every design (``cooling`` first)
    to its arrays on the same representative hours.
    """
    monthly = pts[["t2m_c", "t2m_max_c", "t2m_min_c", "wet_bulb_c"]]
    weather = synthesize_hourly_temperature(monthly)
    weather["ghi_w_per_m2"] = synthesize_hourly_ghi(pts["ghi_kwh_per_m2_day"]).transpose(
        *weather["dry_bulb_c"].dims
    )
    feats = site_climate_features(weather, cooling_design=cooling)
    wind_month = xr.DataArray(
        wind_cf_rayleigh(pts["wind_speed_100m_m_per_s"].transpose("site", "month").to_numpy()),
        dims=("site", "month"),
        coords={"month": pts["month"]},
    )
    feats["wind_cf"] = (
        wind_month.sel(month=feats["time"].dt.month).drop_vars("month").transpose("site", "time")
    )
    feats, rep = _cluster_days(feats, weather, other_designs, n_days)
    n_per, n_hour = rep.sizes["period"], rep.sizes["hour"]
    # which calendar month each original day falls in (typical 365-day year), per representative day
    day_month = np.repeat(np.arange(12), TYPICAL_DAYS_IN_MONTH)
    assign = rep["period_of_day"].to_numpy()[: day_month.size]
    days_in = np.zeros((n_per, 12))
    np.add.at(days_in, (assign, day_month[: assign.size]), 1.0)
    return _representative_arrays(
        rep, feats, cooling, other_designs, np.repeat(days_in, n_hour, axis=0) * (24.0 / n_hour)
    )


def _representative_arrays(
    rep: xr.Dataset, feats: xr.Dataset, cooling: str, other_designs: Sequence[str], month_hours: np.ndarray
) -> dict:
    """The result of :func:`representative_hours` from the clustered ``rep`` of the hourly ``feats``."""
    n_per, n_hour = rep.sizes["period"], rep.sizes["hour"]
    weight = np.repeat(rep["weight_hours"].to_numpy() / n_hour, n_hour)

    def flat(name):
        return rep[name].transpose("site", "period", "hour").to_numpy().reshape(-1, n_per * n_hour)

    return {
        **_by_design(flat, feats, cooling, other_designs),
        "periods": pd.DataFrame(
            {
                "hours": weight,
                "day": np.repeat(np.arange(n_per), n_hour),
                "hour": np.tile(np.arange(n_hour), n_per),
            },
            index=pd.Index(np.arange(1, n_per * n_hour + 1), name="period"),
        ),
        "month_hours": month_hours,
        "pue": flat("pue"),
        "wue": flat("wue_l_per_kwh"),
        "solar_cf": flat("solar_cf"),
        "wind_cf": flat("wind_cf"),
        "pue_peak": feats["pue"].max("time").to_numpy(),
    }


#: Hourly weather variables the representative days use (:func:`representative_hours_from_weather`).
HOURLY_WEATHER_USED = ("dry_bulb_c", "dew_point_c", "wet_bulb_c", "ghi_w_per_m2", "wind_speed_100m_m_per_s")


def site_hourly_weather(grid: xr.Dataset, lat, lon, site_ids=None) -> xr.Dataset:
    """Hourly weather of points (dims ``site``, ``time``) from a gridded year: nearest cell, read and checked.

    :func:`~siting.features.hourly.weather_at_sites` picks the nearest cell (a site more than one grid step
    beyond the grid is an InputError naming it); only those cells are read. Gaps (NaN) and values outside
    physical ranges are an InputError (:func:`siting.io.weather.check_weather`). The sites keep the order of
    ``lat``/``lon``; their own ``lat``/``lon`` are coordinates (the sun's position for PV).
    """
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    ids = np.arange(lat.size) if site_ids is None else np.asarray(site_ids)
    sites = pd.DataFrame({"site_id": ids, "lat": lat, "lon": lon})
    weather = weather_at_sites(grid, sites).sel(site=ids)
    weather = weather[[v for v in HOURLY_WEATHER_USED if v in weather]].load()
    check_weather(weather, file=grid.attrs.get("source_file"))
    return weather


def _start_at_midnight(weather: xr.Dataset) -> xr.Dataset:
    """The year rotated so that its first hour starts at 00:00 UTC (time labels mark the end of the hour):
    representative days then run 00:00–24:00 UTC, as in the synthesised year. At most 23 hours move from the
    end of the year to its start; the labels move with them."""
    start_hour = (pd.DatetimeIndex(weather["time"].to_numpy()) - pd.Timedelta(hours=1)).hour
    first = int(np.argmax(start_hour == 0))
    n = weather.sizes["time"]
    return weather.isel(time=np.r_[first:n, 0:first])


def design_day_figures(pue_hourly: np.ndarray) -> dict[str, np.ndarray]:
    """Design-day figures of hourly PUE (site × 8,760 h, whole days from 00:00): the day holding each site's
    highest hourly PUE is its design day; ``pue_swing`` is that day's maximum − minimum PUE and
    ``peak_window_hours`` the number of its hours above the day's mean (as :func:`monthly_pue_wue` does on
    the synthesised days); ``pue_peak`` is the maximum over all hours."""
    days = pue_hourly.reshape(pue_hourly.shape[0], -1, 24)
    day = days.max(axis=-1).argmax(axis=-1)
    design = days[np.arange(days.shape[0]), day]  # (site, hour)
    above = design > design.mean(axis=-1, keepdims=True) + 1e-9
    return {
        "pue_peak": pue_hourly.max(axis=-1),
        "pue_swing": design.max(axis=-1) - design.min(axis=-1),
        "peak_window_hours": above.sum(axis=-1).astype(float),
    }


def representative_hours_from_weather(
    weather: xr.Dataset, cooling: str, n_days: int, other_designs: Sequence[str] = ()
) -> dict:
    """:func:`representative_hours` on a year of real hourly weather at the sites (no synthesis).

    ``weather`` (dims ``site``, ``time``; 8,760 hours, labels at the end of the hour, UTC; from
    :func:`site_hourly_weather`) gives hourly PUE/WUE of every design, PV capacity factors
    (:func:`~siting.features.solar.solar_cf_pvwatts`) and wind capacity factors from the hourly 100 m speed
    (:func:`~siting.features.wind.wind_cf_power_curve`) via :func:`~siting.features.hourly.site_climate_features`;
    the year starts at 00:00 UTC (:func:`_start_at_midnight`) and is clustered into ``n_days`` days (tsam,
    annual means of the capacity factors and WUE preserved). ``month_hours`` counts, for each representative
    day, the hours of every calendar month (of the hours' start times) among the days it stands for.
    ``pue_peak``, ``pue_swing`` and ``peak_window_hours`` (and their ``*_by_design``) come from all 8,760
    hours (:func:`design_day_figures`).

    Returns
    -------
    dict
        The keys of :func:`representative_hours` plus ``pue_swing`` and ``peak_window_hours`` (site,), and
        with ``other_designs`` also ``pue_swing_by_design`` and ``peak_window_hours_by_design``.
    """
    weather = _start_at_midnight(weather)
    feats = site_climate_features(weather, cooling_design=cooling)
    feats, rep = _cluster_days(feats, weather, other_designs, n_days)
    n_per, n_hour = rep.sizes["period"], rep.sizes["hour"]
    month = (pd.DatetimeIndex(feats["time"].to_numpy()) - pd.Timedelta(hours=1)).month.to_numpy() - 1
    assign = np.repeat(rep["period_of_day"].to_numpy(), n_hour)[: month.size]
    hours_in = np.zeros((n_per, 12))
    np.add.at(hours_in, (assign, month[: assign.size]), 1.0)
    out = _representative_arrays(
        rep, feats, cooling, other_designs, np.repeat(hours_in / n_hour, n_hour, axis=0)
    )
    suffix = {cooling: "", **{o: f"_{o}" for o in other_designs}}
    by_design = {
        c: design_day_figures(feats[f"pue{x}"].transpose("site", "time").to_numpy())
        for c, x in suffix.items()
    }
    out.update({k: by_design[cooling][k] for k in ("pue_peak", "pue_swing", "peak_window_hours")})
    if other_designs:
        for k in ("pue_peak", "pue_swing", "peak_window_hours"):
            out[f"{k}_by_design"] = {c: f[k] for c, f in by_design.items()}
    return out

"""Climate of the candidate sites for the model: the monthly climate at each site (nearest cell with data),
its monthly PUE/WUE from a synthesised typical day, and tsam representative hours of the hourly typical year.

Pure functions of an ``xarray`` climate dataset (dims ``month``, ``lat``, ``lon``; the variables of
:data:`CLIMATE_VARIABLES`); :func:`siting.model.prepare.climate_features` chooses between the monthly and
the representative-hours resolution.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError
from .cooling import diurnal_profile, pue, wue_l_per_kwh
from .geo import nearest_cell
from .hourly import hourly_pue_wue, site_climate_features
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


def representative_hours(
    pts: xr.Dataset, cooling: str, n_days: int, other_designs: Sequence[str] = ()
) -> dict:
    """Hourly features of the sites, clustered into ``n_days`` representative days (tsam).

    The hourly typical year is synthesised from the monthly climate
    (:func:`~siting.features.typical_year.synthesize_hourly_temperature`, GHI from a scaled clear sky),
    hourly PUE/WUE and PV capacity factors (:func:`~siting.features.solar.solar_cf_pvwatts`) follow from
    :func:`~siting.features.hourly.site_climate_features`; wind keeps the monthly Rayleigh capacity factor
    (:func:`~siting.features.wind.wind_cf_rayleigh`) in every hour of the month (the embedded climate has
    no hourly wind). The design-peak PUE is the maximum over all 8,760
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
    names = ["pue", "wue_l_per_kwh", "solar_cf", "wind_cf"] + _add_design_features(
        feats, weather, other_designs
    )
    feats = feats[names].astype("float64").load()
    wue_names = [n for n in names if n.startswith("wue_l_per_kwh")]
    rep = representative_periods(feats, n_periods=n_days, preserve_means=["solar_cf", "wind_cf", *wue_names])
    n_per, n_hour = rep.sizes["period"], rep.sizes["hour"]
    weight = np.repeat(rep["weight_hours"].to_numpy() / n_hour, n_hour)

    def flat(name):
        return rep[name].transpose("site", "period", "hour").to_numpy().reshape(-1, n_per * n_hour)

    # which calendar month each original day falls in (typical 365-day year), per representative day
    day_month = np.repeat(np.arange(12), TYPICAL_DAYS_IN_MONTH)
    assign = rep["period_of_day"].to_numpy()[: day_month.size]
    days_in = np.zeros((n_per, 12))
    np.add.at(days_in, (assign, day_month[: assign.size]), 1.0)
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
        "month_hours": np.repeat(days_in, n_hour, axis=0) * (24.0 / n_hour),
        "pue": flat("pue"),
        "wue": flat("wue_l_per_kwh"),
        "solar_cf": flat("solar_cf"),
        "wind_cf": flat("wind_cf"),
        "pue_peak": feats["pue"].max("time").to_numpy(),
    }

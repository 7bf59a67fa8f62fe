"""Cooling model: PUE and water use of a data center from the weather.

Hourly power usage effectiveness is modelled as

    PUE = 1 + f_elec + f_cool(T)

where ``f_elec`` is the electrical overhead (UPS, transformers, lighting; 0.04–0.07 per the reference
sheet) and ``f_cool`` is the cooling overhead, which depends on the cooling design and the outdoor air:

``evaporative`` (water-side economiser with evaporative cooling towers, the common hyperscale design)
    driven by the **wet-bulb** temperature: full economiser (``f_cool = f_econ``) below ``wb_econ_c``,
    full chiller (``f_cool = f_chiller``) above ``wb_chiller_c``, linear in between.
``air`` (air-side economiser with air-cooled chillers, no water)
    driven by the **dry-bulb** temperature with the thresholds ``db_econ_c`` and ``db_chiller_c``.
``liquid`` (warm-water direct liquid cooling, GB200 class, dry coolers with trim chillers)
    driven by the dry-bulb temperature; dry coolers carry the load up to ``db_liquid_econ_c`` because the
    supply water is at 30–45 °C.

All thresholds and overheads are **unverified** engineering defaults (no source gives them); they are
calibrated so that annual PUE lands at ≈1.05–1.12 in the cool North/Midwest and ≈1.15–1.30 in the hot
South-east, Texas and Phoenix (domain-figures §2: Uptime 2022–23 surveys, LBNL 2024, Google Ohio 1.04–1.06,
Kim et al. 2024 for the economiser/evaporative regimes). ``tests/features/test_cooling.py`` pins those
calibration points.

Water use effectiveness (WUE, litres per kWh of IT energy) follows the same regimes: ≈0 for dry designs
(air, liquid), and for evaporative designs it rises with the dry-bulb temperature from ≈0.2 L/kWh in cool
weather to ≈1.5 L/kWh in hot-dry weather (domain-figures §2, vendor explainers S27, LBNL fleet 0.36–0.38).

Every function here is pure and vectorised: it accepts scalars, NumPy arrays or xarray DataArrays (any
shape) and returns the same kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

CoolingDesign = Literal["evaporative", "air", "liquid"]
COOLING_DESIGNS: tuple[str, ...] = ("evaporative", "air", "liquid")


@dataclass(frozen=True)
class CoolingParameters:
    """Parameters of the PUE/WUE model (all unverified defaults, calibrated as the module explains).

    Attributes
    ----------
    f_elec : float
        Electrical overhead as a fraction of IT load (–).
    f_econ : float
        Cooling overhead in full economiser mode (–).
    f_chiller : float
        Cooling overhead in full mechanical (chiller) mode (–).
    wb_econ_c, wb_chiller_c : float
        Wet-bulb thresholds of the evaporative design (°C).
    db_econ_c, db_chiller_c : float
        Dry-bulb thresholds of the air-cooled design (°C).
    db_liquid_econ_c, db_liquid_chiller_c : float
        Dry-bulb thresholds of warm-water liquid cooling (°C).
    f_chiller_liquid : float
        Overhead of liquid cooling when trim chillers run fully (–).
    wue_evap_min_l_per_kwh, wue_evap_max_l_per_kwh : float
        Evaporative WUE at or below ``wue_db_low_c`` and at or above ``wue_db_high_c`` (L/kWh of IT energy).
    wue_db_low_c, wue_db_high_c : float
        Dry-bulb range over which evaporative WUE ramps (°C).
    """

    f_elec: float = 0.045
    f_econ: float = 0.025
    f_chiller: float = 0.30
    wb_econ_c: float = 15.0
    wb_chiller_c: float = 26.0
    db_econ_c: float = 18.0
    db_chiller_c: float = 32.0
    db_liquid_econ_c: float = 30.0
    db_liquid_chiller_c: float = 42.0
    f_chiller_liquid: float = 0.10
    wue_evap_min_l_per_kwh: float = 0.2
    wue_evap_max_l_per_kwh: float = 1.5
    wue_db_low_c: float = 10.0
    wue_db_high_c: float = 35.0


DEFAULT_PARAMETERS = CoolingParameters()


def _ramp(x, lo: float, hi: float):
    """Linear ramp: 0 at or below ``lo``, 1 at or above ``hi`` (vectorised; ufuncs keep dask arrays lazy)."""
    return np.minimum(np.maximum((x - lo) / (hi - lo), 0.0), 1.0)


def pue(
    dry_bulb_c,
    wet_bulb_c,
    cooling: CoolingDesign = "evaporative",
    params: CoolingParameters = DEFAULT_PARAMETERS,
):
    """Instantaneous power usage effectiveness.

    Parameters
    ----------
    dry_bulb_c : array-like
        Outdoor dry-bulb air temperature (°C).
    wet_bulb_c : array-like
        Outdoor wet-bulb temperature (°C), same shape as ``dry_bulb_c`` (ignored by ``air``/``liquid``).
    cooling : {"evaporative", "air", "liquid"}
        Cooling design.
    params : CoolingParameters
        Model parameters.

    Returns
    -------
    array-like
        PUE (–), ≥ 1, same shape as the inputs.
    """
    if cooling == "evaporative":
        f_cool = params.f_econ + (params.f_chiller - params.f_econ) * _ramp(
            wet_bulb_c, params.wb_econ_c, params.wb_chiller_c
        )
    elif cooling == "air":
        f_cool = params.f_econ + (params.f_chiller - params.f_econ) * _ramp(
            dry_bulb_c, params.db_econ_c, params.db_chiller_c
        )
    elif cooling == "liquid":
        f_cool = params.f_econ + (params.f_chiller_liquid - params.f_econ) * _ramp(
            dry_bulb_c, params.db_liquid_econ_c, params.db_liquid_chiller_c
        )
    else:
        raise ValueError(f"unknown cooling design {cooling!r}; use one of {', '.join(COOLING_DESIGNS)}")
    return 1.0 + params.f_elec + f_cool


def wue_l_per_kwh(
    dry_bulb_c,
    cooling: CoolingDesign = "evaporative",
    params: CoolingParameters = DEFAULT_PARAMETERS,
):
    """Site water use effectiveness (litres of water per kWh of IT energy).

    Parameters
    ----------
    dry_bulb_c : array-like
        Outdoor dry-bulb temperature (°C).
    cooling : {"evaporative", "air", "liquid"}
        Cooling design; dry designs use no water.
    params : CoolingParameters
        Model parameters.

    Returns
    -------
    array-like
        WUE (L/kWh), same shape as ``dry_bulb_c``.
    """
    if cooling == "evaporative":
        return params.wue_evap_min_l_per_kwh + (
            params.wue_evap_max_l_per_kwh - params.wue_evap_min_l_per_kwh
        ) * _ramp(dry_bulb_c, params.wue_db_low_c, params.wue_db_high_c)
    if cooling in ("air", "liquid"):
        return dry_bulb_c * 0.0
    raise ValueError(f"unknown cooling design {cooling!r}; use one of {', '.join(COOLING_DESIGNS)}")


def diurnal_profile(mean_c, max_c, min_c, hours=None):
    """Synthesise a typical day of temperatures from monthly statistics.

    A cosine between the mean daily minimum (at 05:00) and the mean daily maximum (at 15:00 local solar
    time), shifted so that its daily mean equals ``mean_c`` (the standard two-point diurnal model, e.g.
    Parton & Logan 1981, simplified to a single cosine).

    Parameters
    ----------
    mean_c, max_c, min_c : array-like
        Monthly mean, mean daily maximum and mean daily minimum temperature (°C).
    hours : array-like, optional
        Hours of the day (0–23); default all 24.

    Returns
    -------
    numpy.ndarray
        Temperatures (°C) with a trailing ``hour`` axis of length ``len(hours)``.
    """
    hours = np.arange(24) if hours is None else np.asarray(hours)
    amp = 0.5 * (np.asarray(max_c, dtype=float) - np.asarray(min_c, dtype=float))
    shape = np.cos(2.0 * np.pi * (hours - 15.0) / 24.0)
    return np.asarray(mean_c, dtype=float)[..., None] + amp[..., None] * shape

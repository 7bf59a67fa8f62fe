"""Psychrometrics: relative humidity, wet-bulb temperature and dew point (°C, %), vectorised.

Relative humidity from dew point uses the Magnus form (Alduchov & Eskridge 1996); the wet-bulb temperature
from dry-bulb and relative humidity is Stull's (2011) fit. Every function accepts scalars, NumPy arrays or
xarray DataArrays of any shape and returns the same kind (ufuncs keep dask arrays lazy), except
:func:`dew_point_from_wet_bulb`, which returns a NumPy array.
"""

from __future__ import annotations

import numpy as np


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
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        too_wet = wet_bulb_c(t, mid) > tw
        hi = np.where(too_wet, mid, hi)
        lo = np.where(too_wet, lo, mid)
    return 0.5 * (lo + hi)

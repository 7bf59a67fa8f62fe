"""Renewable capacity factors from monthly climate statistics (the default, monthly resolution).

These are the coarse estimators used with the embedded monthly climate. Hourly profiles from irradiance
and wind time series (pvlib, power curves) live in :mod:`siting.features.climate`.
"""

from __future__ import annotations

import numpy as np

#: PV AC capacity factor per kWh/m²/day of GHI. Calibrated so that 6.1 kWh/m²/day (US desert SW) gives the
#: NREL ATB 2024 utility-PV class 1 capacity factor of 32 % and 3.9 kWh/m²/day (Pacific NW / Northeast)
#: about class 10, 20 % (domain-figures §6; single-axis tracking, DC/AC 1.34). Unverified linear fit.
SOLAR_CF_PER_GHI_KWH_M2_DAY = 0.0525

#: Generic 3–4 MW class onshore turbine at 100 m hub height: cut-in, rated and cut-out speeds (m/s).
#: Representative of the IEC class II/III curves in windpowerlib's turbine library (e.g. V126-3.45).
WIND_CUT_IN_M_S, WIND_RATED_M_S, WIND_CUT_OUT_M_S = 3.0, 10.5, 25.0
#: Wake, availability and electrical losses (–), NREL ATB default range 15–17 %.
WIND_LOSSES = 0.15


def solar_capacity_factor(ghi_kwh_per_m2_day):
    """Utility PV AC capacity factor (–) from mean global horizontal irradiance (kWh/m²/day).

    ``cf = SOLAR_CF_PER_GHI_KWH_M2_DAY × GHI``, clipped to [0, 0.4]. Vectorised.
    """
    return np.clip(SOLAR_CF_PER_GHI_KWH_M2_DAY * np.asarray(ghi_kwh_per_m2_day, dtype=float), 0.0, 0.4)


def wind_power_curve(speed_m_s):
    """Normalised power (0–1) of the generic turbine at hub-height wind speed (m/s); cubic ramp."""
    v = np.asarray(speed_m_s, dtype=float)
    ramp = (v**3 - WIND_CUT_IN_M_S**3) / (WIND_RATED_M_S**3 - WIND_CUT_IN_M_S**3)
    p = np.where(v < WIND_CUT_IN_M_S, 0.0, np.where(v < WIND_RATED_M_S, ramp, 1.0))
    return np.where(v >= WIND_CUT_OUT_M_S, 0.0, p)


def wind_capacity_factor(mean_speed_m_s):
    """Net wind capacity factor (–) from the mean hub-height wind speed (m/s).

    Integrates :func:`wind_power_curve` over a Rayleigh (Weibull k=2) speed distribution with the given
    mean (the standard assumption when only the mean is known; e.g. Manwell et al., *Wind Energy
    Explained*, §2.4), then removes :data:`WIND_LOSSES`. Vectorised over any input shape.
    """
    mean = np.asarray(mean_speed_m_s, dtype=float)
    v = np.linspace(0.0, 30.0, 301)
    dv = v[1] - v[0]
    # Rayleigh with mean m: f(v) = (pi/2) v / m^2 exp(-(pi/4) (v/m)^2).
    pdf = (
        (np.pi / 2.0)
        * v
        / np.maximum(mean, 1e-6)[..., None] ** 2
        * np.exp(-(np.pi / 4.0) * (v / np.maximum(mean, 1e-6)[..., None]) ** 2)
    )
    cf = (pdf * wind_power_curve(v)).sum(axis=-1) * dv
    return (1.0 - WIND_LOSSES) * cf

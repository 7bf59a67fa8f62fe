"""Wind capacity factors: one model per time resolution, each under its own name.

================================  ==========================  ==================================================
function                          input                       used for
================================  ==========================  ==================================================
:func:`wind_cf_power_curve`       hourly wind speed (m s⁻¹)   hourly features (:mod:`siting.features.hourly`)
                                                              from weather with hourly wind
:func:`wind_cf_rayleigh`          monthly mean hub-height     every scenario on the embedded climate (monthly
                                  speed (m s⁻¹)               and representative days: it has no hourly wind)
================================  ==========================  ==================================================

Why two models: an hourly speed can be read off a real turbine's power curve (:data:`V126_POWER_CURVE`); a
monthly mean cannot, so the monthly model integrates a generic cubic curve (:func:`cubic_power_curve`) over
the Rayleigh speed distribution with that mean, with the ATB loss allowance. Representative-day scenarios on
the embedded climate use the monthly model in every hour of the month, so changing the time resolution does
not change the wind model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

#: Generic 3–4 MW class onshore turbine at 100 m hub height: cut-in, rated and cut-out speeds (m/s).
#: Representative of the IEC class II/III curves in windpowerlib's turbine library (e.g. V126-3.45).
WIND_CUT_IN_M_S, WIND_RATED_M_S, WIND_CUT_OUT_M_S = 3.0, 10.5, 25.0
#: Wake, availability and electrical losses of the monthly model (–), NREL ATB default range 15–17 %.
WIND_LOSSES = 0.15

# fmt: off
_V126_POWER_KW = [0, 0, 35, 101, 184, 283, 404, 550, 725, 932, 1172, 1446, 1760, 2104, 2482, 2865, 3187, 3366,
                  3433, 3448, 3450, 3450]
# fmt: on
#: Vestas V126-3.45 MW power curve: wind speed (m/s) → power (kW), from windpowerlib 0.2.2
#: ``data/default_turbine_data/power_curves.csv`` (Open Energy Database turbine library; windpowerlib is
#: MIT-licensed, © oemof developer group). Speeds 0, 2.5, 3.0, …, 12.0 (0.5 steps) and 22.5 m/s.
V126_POWER_CURVE = {
    "speed_m_per_s": np.r_[0.0, np.arange(2.5, 12.01, 0.5), 22.5],
    "power_kw": np.array(_V126_POWER_KW, dtype=float),
    "cut_out_m_per_s": 22.5,
}


def cubic_power_curve(speed_m_s):
    """Normalised power (0–1) of the generic turbine at hub-height wind speed (m/s); cubic ramp."""
    v = np.asarray(speed_m_s, dtype=float)
    ramp = (v**3 - WIND_CUT_IN_M_S**3) / (WIND_RATED_M_S**3 - WIND_CUT_IN_M_S**3)
    p = np.where(v < WIND_CUT_IN_M_S, 0.0, np.where(v < WIND_RATED_M_S, ramp, 1.0))
    return np.where(v >= WIND_CUT_OUT_M_S, 0.0, p)


def wind_cf_rayleigh(mean_speed_m_s):
    """Net wind capacity factor (–) from the mean hub-height wind speed (m/s): the monthly model.

    Integrates :func:`cubic_power_curve` over a Rayleigh (Weibull k=2) speed distribution with the given
    mean (the standard assumption when only the mean is known; e.g. Manwell et al., *Wind Energy
    Explained*, §2.4), then removes :data:`WIND_LOSSES`. Vectorised over any input shape. Hourly speeds go
    through :func:`wind_cf_power_curve` instead (module docstring).
    """
    mean = np.maximum(np.asarray(mean_speed_m_s, dtype=float), 1e-6)[..., None]
    v = np.linspace(0.0, 30.0, 301)
    dv = v[1] - v[0]
    # Rayleigh with mean m: f(v) = (pi/2) v / m^2 exp(-(pi/4) (v/m)^2).
    pdf = (np.pi / 2.0) * v / mean**2 * np.exp(-(np.pi / 4.0) * (v / mean) ** 2)
    cf = (pdf * cubic_power_curve(v)).sum(axis=-1) * dv
    return (1.0 - WIND_LOSSES) * cf


def wind_cf_power_curve(
    wind_speed_m_per_s: xr.DataArray,
    *,
    measurement_height_m: float = 100.0,
    hub_height_m: float = 100.0,
    shear_exponent: float = 1.0 / 7.0,
    losses: float = 0.10,
    power_curve_speed_m_per_s: Sequence[float] = V126_POWER_CURVE["speed_m_per_s"],
    power_curve_kw: Sequence[float] = V126_POWER_CURVE["power_kw"],
    cut_out_m_per_s: float = V126_POWER_CURVE["cut_out_m_per_s"],
) -> xr.DataArray:
    """Hourly wind capacity factor from wind speed through a turbine power curve at hub height.

    The hourly model (monthly means use :func:`wind_cf_rayleigh`). The speed is extrapolated with the power
    law v_hub = v (h_hub / h_meas)^α (α = 1/7 by default, the neutral-stability value), read off the power
    curve (linear interpolation, zero above cut-out), divided by the rated power and reduced by ``losses``
    (wake, availability, electrical; ≈10 %). No air-density correction.

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
        Power curve (default :data:`V126_POWER_CURVE`).
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

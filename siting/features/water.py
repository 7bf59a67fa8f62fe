"""A crude water-stress indicator of a site from the embedded monthly climate (reported, never constraining).

The embedded climate layer has no precipitation, runoff or withdrawals, so real basin water stress (WRI
Aqueduct's baseline water stress: withdrawals / renewable supply, "high" 40–80 %, "extremely high" > 80 %;
domain-figures §7) cannot be computed from it. What it has is how dry the air is: the annual mean
**wet-bulb depression** (dry-bulb − wet-bulb, °C), which is large in arid climates (Phoenix ≈ 10.8 °C,
Las Vegas ≈ 10.2, Reno ≈ 6.0, Denver ≈ 5.4 in ``data/climate.nc``) and small in humid ones (Memphis ≈ 3.3,
Columbus ≈ 2.6). :func:`water_stress_proxy` ramps it linearly between :data:`DRY_DEPRESSION_LOW_C` and
:data:`DRY_DEPRESSION_HIGH_C` to a 0–1 score. The thresholds are **unverified** choices (they put the
CONUS median cell, 3.6 °C, near 0.1 and the desert South-west at 1); the score is a dryness proxy, **not**
WRI Aqueduct, and the plan labels it so. Pure and vectorised.
"""

from __future__ import annotations

import numpy as np

#: Annual mean wet-bulb depression (°C) at or below which the proxy is 0 (humid). Unverified.
DRY_DEPRESSION_LOW_C = 3.0
#: Annual mean wet-bulb depression (°C) at or above which the proxy is 1 (arid). Unverified.
DRY_DEPRESSION_HIGH_C = 9.0
#: Class labels of the proxy: below 1/3 ``low``, below 2/3 ``medium``, else ``high``.
STRESS_CLASSES = ("low", "medium", "high")
#: How plan.json and the sites table describe the proxy.
STRESS_PROXY_NOTE = (
    "water_stress_proxy: annual mean wet-bulb depression of the embedded climate ramped 3–9 °C to 0–1 "
    "(a crude dryness proxy, unverified; NOT WRI Aqueduct water stress)"
)


def water_stress_proxy(t2m_c, wet_bulb_c):
    """Dryness proxy of water stress (–, 0 humid … 1 arid) from monthly climate.

    Parameters
    ----------
    t2m_c, wet_bulb_c : array-like, shape (..., 12)
        Monthly mean dry-bulb and wet-bulb temperature (°C), months on the last axis.

    Returns
    -------
    numpy.ndarray
        ``clip((mean(t2m − wet_bulb) − 3 °C) / (9 °C − 3 °C), 0, 1)``, shape (...).
    """
    depression = np.mean(np.asarray(t2m_c, dtype=float) - np.asarray(wet_bulb_c, dtype=float), axis=-1)
    span = DRY_DEPRESSION_HIGH_C - DRY_DEPRESSION_LOW_C
    return np.clip((depression - DRY_DEPRESSION_LOW_C) / span, 0.0, 1.0)


def water_stress_class(proxy) -> np.ndarray:
    """``low`` / ``medium`` / ``high`` of :func:`water_stress_proxy` values (thirds of 0–1)."""
    idx = np.minimum((np.asarray(proxy, dtype=float) * 3.0).astype(int), 2)
    return np.asarray(STRESS_CLASSES, dtype=object)[idx]

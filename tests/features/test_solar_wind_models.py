"""The named capacity-factor models of siting.features.solar and siting.features.wind, on hand-derived values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from siting.features.solar import solar_cf_from_monthly_ghi
from siting.features.wind import WIND_LOSSES, cubic_power_curve, wind_cf_rayleigh


def test_monthly_solar_fit():
    """0.0525 × GHI: 4 kWh/m²/day → 0.21, 6.1 → 0.32025 (ATB class 1); 10 is clipped to 0.4, −1 to 0."""
    np.testing.assert_allclose(solar_cf_from_monthly_ghi([4.0, 6.1, 10.0, -1.0]), [0.21, 0.32025, 0.4, 0.0])


def test_cubic_power_curve():
    """Below cut-in 3 m/s: 0. At 6.75 m/s: (6.75³ − 3³) / (10.5³ − 3³) = 280.546875 / 1130.625 = 0.248134.
    Rated from 10.5 m/s; 0 from cut-out 25 m/s."""
    np.testing.assert_allclose(
        cubic_power_curve([2.9, 6.75, 10.5, 24.9, 25.0]), [0.0, 280.546875 / 1130.625, 1.0, 1.0, 0.0]
    )


@pytest.mark.parametrize("mean_m_s", [4.0, 7.5, 10.0])
def test_rayleigh_cf_matches_the_integral(mean_m_s):
    """(1 − 0.15) ∫ P(v) f(v) dv with the Rayleigh density f(v) = (π/2) v/m² exp(−(π/4)(v/m)²) of mean m,
    integrated by adaptive quadrature over the curve's pieces (0–3–10.5–25 m/s); the 0.1 m/s Riemann sum of
    ``wind_cf_rayleigh`` must agree to 1e-3."""

    def density(v):
        return (np.pi / 2) * v / mean_m_s**2 * np.exp(-(np.pi / 4) * (v / mean_m_s) ** 2)

    ramp, _ = quad(lambda v: float(cubic_power_curve(v)) * density(v), 3.0, 10.5)
    rated, _ = quad(density, 10.5, 25.0)
    assert float(wind_cf_rayleigh(mean_m_s)) == pytest.approx((1 - WIND_LOSSES) * (ramp + rated), abs=1e-3)

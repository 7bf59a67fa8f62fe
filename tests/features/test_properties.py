"""Properties of the pure feature functions, checked on many generated inputs (hypothesis)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from siting.features.cooling import COOLING_DESIGNS, pue, wue_l_per_kwh
from siting.features.geo import great_circle_km
from siting.features.timing import first_online_year

temps = st.floats(min_value=-40, max_value=55, allow_nan=False)


@given(temps, temps, st.sampled_from(COOLING_DESIGNS))
def test_pue_is_bounded_and_monotone_in_temperature(t1, t2, design):
    lo, hi = sorted((t1, t2))
    p_lo, p_hi = pue(lo, lo - 2.0, design), pue(hi, hi - 2.0, design)
    assert 1.0 < p_lo <= p_hi + 1e-12
    assert p_hi <= 1.0 + 0.045 + 0.30 + 1e-12
    assert 0.0 <= wue_l_per_kwh(lo, design) <= wue_l_per_kwh(hi, design) + 1e-12


@given(st.integers(2000, 2100), st.floats(0, 15, allow_nan=False), st.floats(0, 15, allow_nan=False))
def test_first_online_year_is_monotone_and_never_early(year, a, b):
    lo, hi = sorted((a, b))
    assert first_online_year(year, lo) <= first_online_year(year, hi)
    assert first_online_year(year, hi) >= year + hi - 1e-6


@given(
    st.floats(25, 49, allow_nan=False),
    st.floats(-124, -67, allow_nan=False),
    st.floats(25, 49, allow_nan=False),
    st.floats(-124, -67, allow_nan=False),
)
def test_great_circle_is_a_symmetric_distance(lat1, lon1, lat2, lon2):
    d12 = great_circle_km(lat1, lon1, lat2, lon2)
    assert np.isclose(d12, great_circle_km(lat2, lon2, lat1, lon1))
    assert 0.0 <= d12 <= 6000.0  # the CONUS bounding box diagonal is about 5,800 km

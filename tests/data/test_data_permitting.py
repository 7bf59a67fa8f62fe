"""Permitting lead time: smooth in density, documented end points, state/county base table."""

import numpy as np
import pytest

from siting.data.load import load_permitting
from siting.features.permitting import (
    HALF_DENSITY_PER_KM2,
    MAJOR_SOURCE_NOX_T_PER_YEAR,
    NATIONAL_BASE_PERMITTING_MONTHS,
    air_permit_months,
    base_months_for,
    density_weight,
    permitting_lead_time_months,
    site_permitting_months,
)

D50 = 1000.0 / 2.589988110336  # 1,000 people per square mile in people/km²


def test_documented_constants():
    assert NATIONAL_BASE_PERMITTING_MONTHS == 9.0  # midpoint of greenfield 6–12 months
    assert HALF_DENSITY_PER_KM2 == pytest.approx(386.102, abs=1e-3)
    assert MAJOR_SOURCE_NOX_T_PER_YEAR == pytest.approx(90.718, abs=1e-3)  # 100 short tons


def test_end_points_by_hand():
    # base at zero density, 1.5 × base at the Census urban-core density, → 2 × base in dense cores
    assert permitting_lead_time_months(9.0, 0.0) == pytest.approx(9.0)
    assert permitting_lead_time_months(9.0, D50) == pytest.approx(13.5)
    assert permitting_lead_time_months(9.0, 1e9) == pytest.approx(18.0, rel=1e-6)
    # typical greenfield county 50 /km²: 9 × (1 + 50 / 436.102) = 10.0319
    assert permitting_lead_time_months(9.0, 50.0) == pytest.approx(9.0 * (1 + 50 / (50 + D50)))
    assert permitting_lead_time_months(9.0, 50.0) == pytest.approx(10.0319, abs=1e-4)
    # NaN / negative density means empty land
    assert permitting_lead_time_months(9.0, [np.nan, -3.0]).tolist() == [9.0, 9.0]
    # the sourced ranges: greenfield 6–12 months, dense 12–24 months
    for base in (6.0, 9.0, 12.0):
        assert 6.0 <= permitting_lead_time_months(base, 0.0) <= 12.0
        assert 12.0 - 1e-3 <= permitting_lead_time_months(base, 1e9) <= 24.0


def test_continuous_and_monotone_no_cliff():
    d = np.linspace(0.0, 5000.0, 500_001)  # steps of 0.01 /km²
    m = permitting_lead_time_months(9.0, d)
    step = np.diff(m)
    assert (step > 0).all()  # strictly increasing
    assert step.max() < 9.0 * 0.01 / D50 + 1e-12  # Lipschitz: slope ≤ base / d50 months per /km²
    # neighbours 10 /km² apart never differ by more than a quarter of a month
    assert (
        np.abs(
            permitting_lead_time_months(9.0, d[1000:]) - permitting_lead_time_months(9.0, d[1000:] - 10)
        ).max()
        < 0.25
    )


def test_emptiest_county_does_not_win_by_half_a_year():
    empty, typical = permitting_lead_time_months(9.0, [1.0, 50.0])
    assert typical - empty < 1.1  # about one month, not six


def test_density_weight_is_half_at_d50():
    assert density_weight(D50) == pytest.approx(0.5)
    assert density_weight(0.0) == 0.0


def test_base_months_county_state_national():
    table = load_permitting_table()
    base = base_months_for(["TX", "VA", "VA", "OH", "tx"], ["48001", "51107", "51059", "39049", None], table)
    assert base.tolist() == [6.0, 12.0, 9.0, 9.0, 6.0]  # Loudoun county row; other VA → national
    assert base_months_for(["TX"], None, None).tolist() == [9.0]
    months = site_permitting_months(["TX", "OH"], [0.0, D50], None, table)
    assert months.tolist() == pytest.approx([6.0, 13.5])


def load_permitting_table():
    from siting.data.load import default_data_dir

    return load_permitting(default_data_dir() / "permitting.csv")


def test_air_permit_months_threshold():
    assert air_permit_months([0.0, 90.0, 90.72, 500.0]).tolist() == [6.0, 6.0, 12.0, 12.0]

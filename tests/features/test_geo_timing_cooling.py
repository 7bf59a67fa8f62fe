"""Features: projected distances, lead-time arithmetic and the PUE model's calibration points."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from siting.data.load import default_data_dir, load_climate
from siting.features.cooling import pue, wue_l_per_kwh
from siting.features.geo import great_circle_km, nearest_candidates
from siting.features.site_climate import monthly_pue_wue, site_monthly_climate
from siting.features.timing import HOURS_PER_YEAR, first_online_year, year_fraction_to_date
from siting.features.timing import TYPICAL_DAYS_IN_MONTH as DAYS_IN_MONTH


def _points(ids, lats, lons):
    return gpd.GeoDataFrame(index=pd.Index(ids), geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326")


def test_great_circle_matches_a_known_distance():
    # Memphis (35.1495, -90.0490) to Nashville (36.1627, -86.7816): 322 km great-circle (haversine, R=6371 km)
    assert great_circle_km(35.1495, -90.0490, 36.1627, -86.7816) == pytest.approx(315.6, abs=1.0)


@pytest.mark.parametrize(
    ("lat2", "lon2"),
    [(35.1495 + 0.2, -90.0490), (35.1495, -90.0490 + 0.3), (35.5, -89.6), (40.0, -105.0)],
)
def test_projected_distance_agrees_with_great_circle(lat2, lon2):
    site = _points(["s"], [35.1495], [-90.0490])
    sub = _points([1], [lat2], [lon2])
    out = nearest_candidates(site, sub, k=1, max_distance_km=5000)
    gc = great_circle_km(35.1495, -90.0490, lat2, lon2)
    # EPSG:5070 (CONUS Albers) keeps distances within ~1 % of the great circle over these ranges
    assert out["distance_km"].iloc[0] == pytest.approx(gc, rel=0.012)


def test_nearest_candidates_respects_k_and_radius():
    sites = _points(["a", "b"], [35.0, 45.0], [-90.0, -100.0])
    subs = _points([1, 2, 3], [35.01, 35.1, 35.5], [-90.0, -90.0, -90.0])
    out = nearest_candidates(sites, subs, k=2, max_distance_km=20)
    assert list(out["site_id"]) == ["a", "a"]
    assert list(out["target_id"]) == [1, 2]
    assert out["distance_km"].is_monotonic_increasing


def test_lead_time_arithmetic():
    assert first_online_year(2026, 0.0) == 2026
    assert first_online_year(2026, 1.0) == 2027
    assert first_online_year(2026, 1.25) == 2028
    assert first_online_year(2026, 2.5 + 1e-12) == 2029
    assert list(first_online_year(2026, np.array([0.5, 3.0, 4.0]))) == [2027, 2029, 2030]
    assert year_fraction_to_date(2026.5) == dt.date(2026, 7, 2)
    assert year_fraction_to_date(2027.0) == dt.date(2027, 1, 1)


def test_pue_regimes():
    assert pue(5.0, 3.0, "evaporative") == pytest.approx(1.07)
    assert pue(40.0, 30.0, "evaporative") == pytest.approx(1.345)
    assert pue(10.0, 8.0, "air") == pytest.approx(1.07)
    assert pue(25.0, 20.0, "liquid") == pytest.approx(1.07)
    assert pue(45.0, 25.0, "liquid") == pytest.approx(1.145)
    assert float(wue_l_per_kwh(5.0, "air")) == 0.0
    assert wue_l_per_kwh(40.0, "evaporative") == pytest.approx(1.5)
    with pytest.raises(ValueError, match="unknown cooling design"):
        pue(20.0, 15.0, "immersion")


# Calibration anchors (domain-figures §2): ≈1.05–1.12 cool North/Midwest, ≈1.15–1.30 hot South-east,
# Texas and Phoenix, for the evaporative design with the embedded ERA5/GLDAS climate.
CITIES = {
    "Seattle": (47.61, -122.33, 1.05, 1.12),
    "Chicago": (41.88, -87.63, 1.05, 1.12),
    "Ashburn": (39.04, -77.49, 1.07, 1.15),
    "Dallas": (32.78, -96.80, 1.12, 1.30),
    "Phoenix": (33.45, -112.07, 1.10, 1.30),
    "Memphis": (35.15, -90.05, 1.10, 1.25),
}


@pytest.fixture(scope="module")
def annual_pue():
    climate = load_climate(default_data_dir() / "climate.nc")
    lat = [v[0] for v in CITIES.values()]
    lon = [v[1] for v in CITIES.values()]
    pts = site_monthly_climate(climate, lat, lon)
    out = monthly_pue_wue(pts, "evaporative")
    pue_m, peak = out["pue"], out["pue_peak"]
    annual = (pue_m * DAYS_IN_MONTH * 24).sum(axis=1) / HOURS_PER_YEAR
    return dict(zip(CITIES, annual, strict=True)), dict(zip(CITIES, peak, strict=True))


@pytest.mark.parametrize("city", list(CITIES))
def test_pue_calibration_points(annual_pue, city):
    lo, hi = CITIES[city][2:]
    annual, peak = annual_pue[0][city], annual_pue[1][city]
    assert lo <= annual <= hi, f"{city} annual PUE {annual:.3f} outside [{lo}, {hi}]"
    assert annual <= peak <= 1.4


def test_hot_climates_need_more_cooling(annual_pue):
    a = annual_pue[0]
    assert a["Phoenix"] > a["Chicago"] and a["Dallas"] > a["Seattle"]


def test_design_day_swing_and_peak_window():
    """The design day (hottest synthesised day) of Phoenix swings by more than Seattle's, and its load is
    above its own mean for a part of the day: the window a battery must cover (between 1 and 23 h)."""
    climate = load_climate(default_data_dir() / "climate.nc")
    pts = site_monthly_climate(
        climate, [CITIES["Phoenix"][0], CITIES["Seattle"][0]], [CITIES["Phoenix"][1], CITIES["Seattle"][1]]
    )
    out = monthly_pue_wue(pts, "evaporative")
    assert out["pue_swing"][0] > out["pue_swing"][1] >= 0.0
    assert ((out["peak_window_hours"] >= 1) & (out["peak_window_hours"] <= 23)).all()
    assert (out["pue_peak"] - out["pue_swing"] >= 1.0).all()

"""distance_to_nearest_km against hand-computed distances (EPSG:5070)."""

import numpy as np
import pandas as pd
import pytest

from siting.features.geo import distance_to_nearest_km, great_circle_km


def test_one_degree_of_latitude_on_the_central_meridian():
    # 1° of latitude at 38.5 °N on the WGS84 ellipsoid: 111.04 km (meridian arc, by hand); EPSG:5070
    # (central meridian −96°, standard parallels 29.5/45.5) keeps scale error below 1 % over CONUS
    sites = pd.DataFrame({"lat": [38.0], "lon": [-96.0]})
    pts = pd.DataFrame({"lat": [39.0, 45.0], "lon": [-96.0, -96.0]})
    d = distance_to_nearest_km(sites, pts)
    assert d.shape == (1,)
    assert d[0] == pytest.approx(111.04, rel=0.01)


def test_picks_the_nearest_and_is_vectorised():
    sites = pd.DataFrame({"lat": [35.0, 40.0, 35.0], "lon": [-90.0, -100.0, -90.0]})
    pts = pd.DataFrame({"lat": [35.0, 40.0, 35.5], "lon": [-90.0, -99.0, -90.0]})
    d = distance_to_nearest_km(sites, pts)
    assert d[0] == pytest.approx(0.0, abs=1e-6) and d[2] == d[0]
    hand = great_circle_km(40.0, -100.0, 40.0, -99.0)  # 85.2 km on the sphere
    assert d[1] == pytest.approx(hand, rel=0.01)


def test_empty_points_give_nan():
    sites = pd.DataFrame({"lat": [35.0], "lon": [-90.0]})
    assert np.isnan(distance_to_nearest_km(sites, pd.DataFrame({"lat": [], "lon": []}))).all()
    assert distance_to_nearest_km(sites.iloc[:0], sites).shape == (0,)

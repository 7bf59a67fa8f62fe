"""The one point → grid-cell lookup (siting.features.geo.nearest_cell) and its users."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from siting.errors import InputError
from siting.features.geo import nearest_cell
from siting.features.hourly import weather_at_sites


def test_nearest_row_and_column():
    """Grid lat 0, 1, 2 and lon 10, 11: (1.4, 10.6) is nearest to (1, 11) → indices (1, 1); (1.6, 10.4) to
    (2, 10) → (2, 0); lat 0.5 lies halfway between rows 0 and 1 and goes to the lower one."""
    cells = nearest_cell([0.0, 1.0, 2.0], [10.0, 11.0], [1.4, 1.6, 0.5], [10.6, 10.4, 10.0])
    assert list(cells.ilat) == [1, 2, 0]
    assert list(cells.ilon) == [1, 0, 0]
    assert cells.found.all()


def test_descending_axis():
    """Latitudes stored north to south (2, 1, 0): 1.4 is nearest to 1 (index 1), 0.2 to 0 (index 2)."""
    cells = nearest_cell([2.0, 1.0, 0.0], [10.0], [1.4, 0.2], [10.0, 10.0])
    assert list(cells.ilat) == [1, 2]


def test_offset_and_max_offset_rule():
    """The offset is √(Δlat² + (cos φ · Δlon)²) at the point's latitude φ: point (1.2, 10.9) against cell
    (1, 11) gives √(0.04 + (cos 1.2° × 0.1)²) = √0.049996 = 0.22360 degrees. The point (5, 10) is 3° from the grid's
    top row, beyond a 1° max offset: not found."""
    cells = nearest_cell([0.0, 1.0, 2.0], [10.0, 11.0], [1.2, 5.0], [10.9, 10.0], max_offset_deg=1.0)
    expected = np.hypot(0.2, np.cos(np.radians(1.2)) * 0.1)
    assert cells.offset_deg[0] == pytest.approx(expected, rel=1e-12)
    assert cells.offset_deg[0] == pytest.approx(0.22360, abs=1e-5)
    assert list(cells.found) == [True, False]


def test_nearest_valid_cell_uses_cos_latitude():
    """Only cells (61°, 10°) and (60°, 11.8°) hold data. From (60°, 10.3°) the first is 1° of latitude away
    (√(1² + (0.5 × 0.3)²) = 1.011°), the second 1.5° of longitude at cos 60° = 0.5, i.e. 0.75°: the second
    is nearer (an unscaled degree distance would pick the first)."""
    valid = np.zeros((3, 2), dtype=bool)
    valid[2, 0] = valid[1, 1] = True
    cells = nearest_cell([59.0, 60.0, 61.0], [10.0, 11.8], [60.0], [10.3], valid=valid)
    assert (cells.ilat[0], cells.ilon[0]) == (1, 1)
    assert cells.offset_deg[0] == pytest.approx(0.75, rel=1e-12)


def test_weather_at_sites_takes_the_nearest_cell_on_large_grids():
    """Regression: with ≥ 5e7 grid rows × sites the old lookup switched to ``searchsorted``, which returns
    the next row up. Rows are 0.001° apart; every site sits 0.0002° north of row i, so row i is nearest
    (0.0002° against 0.0008°) and the sampled value (the row's latitude) must be that of row i."""
    lat_g = 30.0 + 0.001 * np.arange(10_000)
    grid = xr.Dataset(
        {"dry_bulb_c": (("time", "lat", "lon"), np.broadcast_to(lat_g[None, :, None], (1, lat_g.size, 1)))},
        coords={"time": pd.date_range("2021-01-01 01:00", periods=1, freq="h"), "lat": lat_g, "lon": [-90.0]},
    )
    rows = np.arange(0, 10_000, 2)  # 5,000 sites
    sites = pd.DataFrame({"site_id": rows, "lat": lat_g[rows] + 0.0002, "lon": -90.0})
    w = weather_at_sites(grid, sites)
    np.testing.assert_array_equal(w["dry_bulb_c"].isel(time=0).to_numpy(), lat_g[rows])


def test_weather_at_sites_max_distance_rule():
    """Grid rows 35.5, 36.0, 36.5 and columns −80.5, −80.0 (0.5° steps): a site at 36.9° N is 0.4° from the
    top row, within one grid step, and takes that row; one at 37.3° N is 0.8° away and is refused."""
    grid = xr.Dataset(
        {"dry_bulb_c": (("time", "lat", "lon"), np.arange(6.0).reshape(1, 3, 2))},
        coords={
            "time": pd.date_range("2021-01-01 01:00", periods=1, freq="h"),
            "lat": [35.5, 36.0, 36.5],
            "lon": [-80.5, -80.0],
        },
    )
    near = pd.DataFrame({"site_id": ["n"], "lat": [36.9], "lon": [-80.0]})
    assert float(weather_at_sites(grid, near)["dry_bulb_c"].item()) == 5.0  # row 2, column 1
    far = pd.DataFrame({"site_id": ["f"], "lat": [37.3], "lon": [-80.0]})
    with pytest.raises(InputError, match="outside the weather grid") as e:
        weather_at_sites(grid, far)
    assert e.value.rows == ["f"]

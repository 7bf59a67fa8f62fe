"""Benchmark (not a test): feature preparation for a synthetic continental study.

Generates, without any download:

* a year of hourly ERA5-named weather (``t2m``, ``d2m``, ``ssrd``, ``u100``, ``v100`` in K, J m-2, m s-1,
  longitudes 0–360, latitudes descending) on the 0.25° CONUS grid (24–50 °N, 125–66 °W: 104 × 236 cells ×
  8,760 h × 5 variables ≈ 4.3 GB as float32), **lazily** with dask: it is never held in memory;
* ~3,000 substations, ~600 lines and zones, and 10,000 candidate sites from
  :func:`siting.features.candidates.generate_candidates` on a grid over the same region;

then runs feature preparation end to end: ERA5 normalisation → weather at the sites → hourly PUE, WUE,
solar and wind capacity factors for every site (one streaming pass that reduces to annual figures and zone
means) → tsam representative days → the features of every site on those days (only the selected hours are
computed). It reports wall time and peak memory (``resource.getrusage`` max RSS of the process).

Run::

    python benchmarks/bench_features.py [--sites 10000] [--periods 16] [--workers 2] [--batches 4]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import dask
import dask.array as da
import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from shapely.geometry import LineString

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from siting.features.candidates import generate_candidates  # noqa: E402
from siting.features.hourly import site_climate_features, weather_at_sites  # noqa: E402
from siting.features.periods import cluster_periods, select_periods  # noqa: E402
from siting.io import normalize_era5  # noqa: E402

BBOX = (-125.0, 24.0, -66.0, 50.0)


def synthetic_era5(year: int = 2021, chunk_cells: int = 8) -> xr.Dataset:
    """Lazy ERA5-like hourly dataset on the 0.25° CONUS grid (ERA5 names, units and orientation)."""
    lat = np.arange(BBOX[3] - 0.25, BBOX[1] - 0.01, -0.25)  # descending, as ERA5
    lon = np.arange(BBOX[0], BBOX[2], 0.25) % 360.0  # 0–360, as ERA5
    time = pd.date_range(f"{year}-01-01 01:00", periods=8760, freq="h")
    nt, ny, nx = len(time), len(lat), len(lon)
    chunks = (nt, chunk_cells, chunk_cells)
    hour = da.from_array(np.asarray(time.hour, dtype="float32"), chunks=nt)[:, None, None]
    doy = da.from_array(np.asarray(time.dayofyear, dtype="float32"), chunks=nt)[:, None, None]
    la = da.from_array(lat.astype("float32"), chunks=chunk_cells)[None, :, None]
    lo = da.from_array(((lon + 180) % 360 - 180).astype("float32"), chunks=chunk_cells)[None, None, :]
    season = da.cos(2 * np.pi * (doy - 200) / 365)
    solar_hour = (hour + lo / 15.0) % 24
    rng = da.random.default_rng(42)
    noise = rng.standard_normal((nt, ny, nx), chunks=chunks, dtype="float32")
    t2m = (
        288.0
        + 0.6 * (38 - la)
        + (10 + 0.2 * (la - 24)) * season
        + 5 * da.cos(2 * np.pi * (solar_hour - 15) / 24)
        + 2 * noise
    )
    d2m = t2m - 6.0 - 3.0 * da.cos(2 * np.pi * (solar_hour - 15) / 24) + 0.5 * noise
    sun = da.clip(
        da.cos(2 * np.pi * (solar_hour - 12.5) / 24) - 0.2 * da.cos(2 * np.pi * (doy - 172) / 365) * 0 - 0.1,
        0,
        None,
    )
    ssrd = 3600.0 * 1000.0 * sun * (0.75 + 0.15 * season) * da.clip(0.8 + 0.2 * noise, 0, 1.2)
    u100 = 5.0 + 0.05 * (lo + 100) ** 2 / 25 + 2.5 * noise
    v100 = 3.0 + 2.0 * rng.standard_normal((nt, ny, nx), chunks=chunks, dtype="float32")
    dims = ("time", "latitude", "longitude")
    units = {"t2m": "K", "d2m": "K", "ssrd": "J m**-2", "u100": "m s**-1", "v100": "m s**-1"}
    data = {"t2m": t2m, "d2m": d2m, "ssrd": ssrd, "u100": u100, "v100": v100}
    return xr.Dataset(
        {k: (dims, v.astype("float32"), {"units": units[k]}) for k, v in data.items()},
        coords={"time": time, "latitude": lat, "longitude": lon},
    )


def synthetic_grid(seed: int = 0):
    """Random substations (115–500 kV), lines between nearby ones, and 76 zones (rectangles)."""
    rng = np.random.default_rng(seed)
    n = 3000
    subs = pd.DataFrame(
        {
            "substation_id": np.arange(1, n + 1),
            "name": [f"S{i}" for i in range(n)],
            "lat": rng.uniform(BBOX[1] + 1, BBOX[3] - 1, n),
            "lon": rng.uniform(BBOX[0] + 1, BBOX[2] - 1, n),
            "max_voltage_kv": rng.choice(
                [115.0, 138.0, 230.0, 345.0, 500.0], n, p=[0.3, 0.25, 0.25, 0.15, 0.05]
            ),
        }
    )
    zx = np.linspace(BBOX[0], BBOX[2], 20)
    zy = np.linspace(BBOX[1], BBOX[3], 5)
    boxes = [
        (x0, y0, x1, y1)
        for x0, x1 in zip(zx[:-1], zx[1:], strict=True)
        for y0, y1 in zip(zy[:-1], zy[1:], strict=True)
    ]
    from shapely.geometry import box

    zones = gpd.GeoDataFrame(
        {"zone_id": np.arange(1, len(boxes) + 1)}, geometry=[box(*b) for b in boxes], crs="EPSG:4326"
    )
    subs["zone_id"] = 1 + (np.searchsorted(zx, subs["lon"]) - 1) * 4 + (np.searchsorted(zy, subs["lat"]) - 1)
    a = rng.integers(0, n, 600)
    b = np.clip(a + rng.integers(1, 20, 600), 0, n - 1)
    lines = gpd.GeoDataFrame(
        {
            "line_id": np.arange(600),
            "voltage_kv": np.minimum(
                subs["max_voltage_kv"].to_numpy()[a], subs["max_voltage_kv"].to_numpy()[b]
            ),
        },
        geometry=[
            LineString([(subs.lon[i], subs.lat[i]), (subs.lon[j], subs.lat[j])])
            for i, j in zip(a, b, strict=True)
        ],
        crs="EPSG:4326",
    )
    return subs, lines, zones


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=10_000)
    ap.add_argument("--periods", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--site-chunk", type=int, default=250)
    ap.add_argument(
        "--batches", type=int, default=4, help="spatial batches of sites computed one after another"
    )
    args = ap.parse_args(argv)
    dask.config.set(scheduler="threads", num_workers=args.workers)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    # 1. candidates from land: a cell size that gives a little over the requested number of sites
    subs, lines, zones = synthetic_grid()
    t = time.perf_counter()
    cands = generate_candidates(
        BBOX, subs, lines, zones=zones, cell_km=27.0, max_population_density_per_km2=1e9
    )
    cands = cands.iloc[: args.sites].reset_index(drop=True)
    timings["candidates"] = time.perf_counter() - t

    # 2. weather: lazy ERA5 grid, normalised exactly as read_era5 does for a file
    t = time.perf_counter()
    grid = normalize_era5(synthetic_era5(), file="synthetic ERA5")
    gigabytes = sum(v.nbytes for v in grid.data_vars.values()) / 1e9
    w = weather_at_sites(grid, cands).chunk({"site": args.site_chunk, "time": -1})

    # 3. one streaming pass over all sites and hours: annual figures, zone means for clustering, and the
    #    hourly features kept in memory as float16 (10,000 sites x 8,760 h x 4 variables ≈ 0.7 GB)
    feats = site_climate_features(w)
    keep_vars = ["pue", "wue_l_per_kwh", "solar_cf", "wind_cf"]
    zone = (
        pd.Series(cands["zone_id"].astype(int).to_numpy(), index=cands["site_id"])
        .loc[w["site"].to_numpy()]
        .to_numpy()
    )
    codes, zone_index = np.unique(zone, return_inverse=True)
    member = np.zeros((codes.size, zone.size), dtype="float32")
    member[zone_index, np.arange(zone.size)] = 1.0
    member /= member.sum(axis=1, keepdims=True)
    membership = xr.DataArray(member, dims=("zone", "site"), coords={"zone": codes})
    cluster_vars = ["pue", "solar_cf", "wind_cf"]
    hourly = {v: np.empty(feats[v].shape, dtype="float16") for v in keep_vars}
    # sites come sorted by grid chunk, so contiguous batches of sites are spatial batches: each grid chunk
    # is read (here: generated) once overall, and only one batch of site weather is in memory at a time
    n = feats.sizes["site"]
    edges = np.linspace(0, n, args.batches + 1).astype(int)
    zone_parts, annual_parts = [], []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):  # a few batches, not sites
        part = feats.isel(site=slice(lo, hi))
        zm = xr.Dataset(
            {v: xr.dot(membership.isel(site=slice(lo, hi)), part[v], dim="site") for v in cluster_vars}
        )
        an = xr.Dataset({v: part[v].mean("time") for v in keep_vars})
        stores = da.store(
            [part[v].data.astype("float16") for v in keep_vars],
            [hourly[v][lo:hi] for v in keep_vars],
            compute=False,
            lock=False,
        )
        zm, an, _ = dask.compute(zm, an, stores)
        zone_parts.append(zm)
        annual_parts.append(an)
    zone_means = sum(zone_parts[1:], zone_parts[0])
    annual = xr.concat(annual_parts, dim="site")
    timings["hourly features, all sites (streamed)"] = time.perf_counter() - t

    # 4. representative days from the zone profiles, then every site's features on those days
    t = time.perf_counter()
    clusters = cluster_periods(zone_means, n_periods=args.periods)
    in_memory = xr.Dataset(
        {v: (("site", "time"), hourly[v]) for v in keep_vars}, coords={"site": w["site"], "time": w["time"]}
    )
    rep = select_periods(in_memory, clusters, annual_means=annual).astype("float32")
    timings["representative periods"] = time.perf_counter() - t
    wall = time.perf_counter() - t0

    report = {
        "sites": int(cands.shape[0]),
        "grid cells": int(grid.sizes["lat"] * grid.sizes["lon"]),
        "weather size (GB, lazy)": round(gigabytes, 2),
        "representative hours": int(rep.sizes["period"] * rep.sizes["hour"]),
        "weights sum (h)": float(rep["weight_hours"].sum()),
        "annual PUE range": (round(float(annual["pue"].min()), 3), round(float(annual["pue"].max()), 3)),
        "annual solar CF range": (
            round(float(annual["solar_cf"].min()), 3),
            round(float(annual["solar_cf"].max()), 3),
        ),
        "annual wind CF range": (
            round(float(annual["wind_cf"].min()), 3),
            round(float(annual["wind_cf"].max()), 3),
        ),
        **{f"time: {k} (s)": round(v, 1) for k, v in timings.items()},
        "wall time (s)": round(wall, 1),
        "peak memory (GiB, max RSS)": round(peak_rss_gib(), 2),
    }
    for k, v in report.items():
        print(f"{k:45s} {v}")
    return report


if __name__ == "__main__":
    main()

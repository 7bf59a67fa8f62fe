"""Candidate sites spread over the contiguous US, for the scale benchmark (``bench_scale.py``).

:func:`scale_sites` draws ``n`` points uniformly by area (in the equal-area EPSG:5070) inside the embedded
state outlines (``data/states.geojson``: the 48 contiguous states and DC), puts a square parcel of
:data:`PARCEL_ACRES` acres around each, and hands the parcels to the package's own candidate generator
(:func:`siting.features.candidates.generate_candidates`, the function behind a scenario's
``candidates: {generate: …}`` block) with the embedded layers: substations and lines (distances, the zone
of the nearest substation), the MODIS land cover of ``data/climate.nc`` (parcels in water, wetland, urban
or snow cells are dropped), the permitting table and the gas-plant points (``dist_gas_km``). As the
scenario loader does for generated candidates, the state comes from the outlines and the name and county
density from the nearest town of ``data/candidate_sites.csv`` (within 60 km). Parcels that the land cover
removes, or with no climate cell with data within 0.5° (the rule of
:func:`siting.features.site_climate.site_monthly_climate`), are replaced by the next points drawn, so the
result has exactly ``n`` sites, the same ones for the same seed.

:func:`write_scale_case` writes them as a user ``candidate_sites`` layer (CSV, the columns of
``docs/data-layers.md``) with a scenario based on ``models/us_1gw_2030.yaml`` that uses them
(``data: {candidate_sites: sites.csv}``).

Run ``python benchmarks/scale_sites.py 1000 --seed 0 --out /tmp/scale_1000`` to write one case.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from siting.data.layers import load_towns  # noqa: E402
from siting.data.load import Dataset, load_dataset  # noqa: E402
from siting.data.paths import DEFAULT_FILES, default_data_dir  # noqa: E402
from siting.features.candidates import (  # noqa: E402
    CANDIDATE_COLUMNS,
    fill_state_from_outlines,
    generate_candidates,
    name_after_nearest_town,
)
from siting.features.geo import nearest_cell  # noqa: E402
from siting.features.site_climate import CLIMATE_VARIABLES  # noqa: E402
from siting.io._validate import EQUAL_AREA_CRS, GEOGRAPHIC_CRS  # noqa: E402
from siting.scenario import load_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The scenario the scale cases are based on.
BASE_SCENARIO = ROOT / "models" / "us_1gw_2030.yaml"
#: Land of one candidate parcel (acres): the largest parcel of the embedded candidate list (3,000 acres).
PARCEL_ACRES = 3000.0
SQ_M_PER_ACRE = 4046.8564224
#: Smallest parcel kept after the land-cover exclusion (acres): 0.75 acres/MW × the base scenario's
#: 100 MW minimum site, rounded up.
MIN_BUILDABLE_ACRES = 100.0
#: Cap on IT MW per site (MW), as in the embedded candidate list.
MAX_IT_MW = 2000.0
#: Study region handed to the generator (lon_min, lat_min, lon_max, lat_max; degrees): the parcels
#: already lie in the outlines, and clipping them to a box is much faster than to the outlines.
CONUS_BBOX = (-125.0, 24.0, -66.0, 50.0)
#: Points drawn per wanted site in one round (the land cover and the climate grid drop about 3 % of
#: the parcels; changing it changes the sites drawn for a seed).
OVERSAMPLE = 1.5
#: Years of the scale scenario's horizon (2027–2036).
HORIZON_YEARS = 10


def load_layers(data_dir: Path | None = None) -> Dataset:
    """The embedded layers (validated by the package's loaders), from ``data_dir`` or ``data/``."""
    return load_dataset(load_scenario(BASE_SCENARIO), data_dir)


def contiguous_us(states: gpd.GeoDataFrame) -> shapely.Geometry:
    """The union of the state outlines in EPSG:5070 (metres), prepared for point-in-polygon tests."""
    outline = shapely.make_valid(states.to_crs(EQUAL_AREA_CRS).union_all())
    shapely.prepare(outline)
    return outline


def random_points(outline: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points (x, y in EPSG:5070 metres) uniform by area inside ``outline`` (rejection sampling)."""
    x0, y0, x1, y1 = outline.bounds
    out: list[np.ndarray] = []
    found = 0
    while found < n:
        xy = rng.uniform((x0, y0), (x1, y1), size=(2 * (n - found) + 16, 2))
        xy = xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]
        out.append(xy)
        found += len(xy)
    return np.concatenate(out)[:n]


def square_parcels(xy: np.ndarray, ids: list[str], acres: float = PARCEL_ACRES) -> gpd.GeoDataFrame:
    """Squares of ``acres`` acres centred on ``xy`` (EPSG:5070 metres), one per id."""
    half = np.sqrt(acres * SQ_M_PER_ACRE) / 2.0
    boxes = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    return gpd.GeoDataFrame({"site_id": ids}, geometry=boxes, crs=EQUAL_AREA_CRS)


def _has_climate(ds: Dataset, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where a climate cell with every monthly field lies within 0.5° (degrees) of the point."""
    clim = ds.climate
    valid = np.ones((clim.sizes["lat"], clim.sizes["lon"]), dtype=bool)
    for var in CLIMATE_VARIABLES:
        valid &= clim[var].notnull().all("month").transpose("lat", "lon").to_numpy()
    cells = nearest_cell(
        clim["lat"].to_numpy(), clim["lon"].to_numpy(), lat, lon, valid=valid, max_offset_deg=0.5
    )
    return np.asarray(cells.found, dtype=bool)


def _generate_round(ds: Dataset, parcels: gpd.GeoDataFrame, towns: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """The package's candidate generation on ``parcels``, completed as the scenario loader does."""
    gen = generate_candidates(
        CONUS_BBOX,
        ds.substations.reset_index(drop=True),
        ds.transmission_lines,
        parcels=parcels,
        land_cover=ds.climate["land_cover_igbp"],
        min_buildable_acres=MIN_BUILDABLE_ACRES,
        max_it_mw=MAX_IT_MW,
        permitting=ds.permitting,
        gas_points=ds.gas_points,
    )
    gen = fill_state_from_outlines(gen, ds.states)
    if towns is not None:
        gen = name_after_nearest_town(gen, towns, permitting=ds.permitting)
    ok = gen["state"].notna() & gen["zone_id"].notna()
    ok &= _has_climate(ds, gen["lat"].to_numpy(), gen["lon"].to_numpy())
    return gen[ok.to_numpy()]


def scale_sites(n: int, seed: int = 0, dataset: Dataset | None = None) -> gpd.GeoDataFrame:
    """``n`` candidate sites spread over the contiguous US, the same for the same ``seed``.

    Parameters
    ----------
    n : int
        Number of sites (≥ 1).
    seed : int
        Seed of the point draws (``numpy.random.default_rng``).
    dataset : Dataset, optional
        The embedded layers (:func:`load_layers`); loaded when not given.

    Returns
    -------
    geopandas.GeoDataFrame
        ``n`` rows in draw order with the candidate-sites columns (``CANDIDATE_COLUMNS``: lat/lon in
        degrees, ``buildable_acres`` acres, ``land_cost_usd_per_acre`` USD/acre, ``max_it_mw`` MW,
        ``permitting_lead_time_months`` months …), ``dist_gas_km`` (km), ``dist_substation_km`` (km) and
        points in EPSG:4326. Site ids are ``us<seed>-<draw number>``.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    ds = dataset if dataset is not None else load_layers()
    outline = contiguous_us(ds.states)
    towns = load_towns(default_data_dir() / DEFAULT_FILES["candidate_sites"])
    rng = np.random.default_rng(seed)
    kept: list[gpd.GeoDataFrame] = []
    drawn = have = 0
    while have < n:
        k = int(np.ceil(OVERSAMPLE * (n - have))) + 8
        ids = [f"us{seed}-{i:06d}" for i in range(drawn, drawn + k)]
        batch = _generate_round(ds, square_parcels(random_points(outline, k, rng), ids), towns)
        drawn += k
        kept.append(batch)
        have += len(batch)
    sites = pd.concat(kept, ignore_index=True).sort_values("site_id", kind="stable").head(n)
    return gpd.GeoDataFrame(sites.reset_index(drop=True), geometry="geometry", crs=GEOGRAPHIC_CRS)


def scale_scenario(n: int, time_limit_seconds: float, sites_file: str = "sites.csv") -> dict:
    """The scale scenario: ``models/us_1gw_2030.yaml`` over :data:`HORIZON_YEARS` years (2027–2036), the
    default monthly time resolution, the candidate sites of ``sites_file`` and a solve time limit (s)."""
    scen = yaml.safe_load(BASE_SCENARIO.read_text())
    first = int(scen["horizon"]["first_year"])
    scen["name"] = f"scale_{n}"
    scen["description"] = f"{scen['description'].strip()} Scale benchmark: {n} generated candidate sites."
    scen["horizon"] = {"first_year": first, "last_year": first + HORIZON_YEARS - 1}
    scen["solver"] = {**scen["solver"], "time_limit_seconds": float(time_limit_seconds)}
    scen["data"] = {**(scen.get("data") or {}), "candidate_sites": sites_file}
    return scen


def write_scale_case(
    n: int,
    out_dir: str | Path,
    seed: int = 0,
    time_limit_seconds: float = 600.0,
    dataset: Dataset | None = None,
) -> Path:
    """Write ``sites.csv`` (``n`` sites, :func:`scale_sites`) and ``scenario.yaml`` (:func:`scale_scenario`)
    into ``out_dir``; return the scenario's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sites = scale_sites(n, seed, dataset)
    columns = [c for c in CANDIDATE_COLUMNS if c != "permitting_lead_time_years"]
    columns += ["dist_gas_km", "dist_substation_km"]
    sites[columns].to_csv(out / "sites.csv", index=False)
    path = out / "scenario.yaml"
    path.write_text(yaml.safe_dump(scale_scenario(n, time_limit_seconds), sort_keys=False))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of candidate sites")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="directory (default: scale_<n>)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="solve time limit (s)")
    args = parser.parse_args(argv)
    path = write_scale_case(args.n, args.out or f"scale_{args.n}", args.seed, args.time_limit)
    print(path)


if __name__ == "__main__":
    main()

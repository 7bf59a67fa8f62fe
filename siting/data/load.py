"""Read the data layers (embedded defaults or user files) into a validated :class:`Dataset`.

This is the only module that reads input files. The model never reads files; it receives tables built
from a :class:`Dataset` by :mod:`siting.features.inputs`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from ..errors import InputError
from ..scenario import DATA_LAYERS, Scenario
from .schemas import REQUIRED_COSTS, validate

DEFAULT_FILES = {
    "zones": "zones.csv",
    "substations": "substations.csv",
    "transmission_lines": "transmission_lines.geojson",
    "candidate_sites": "candidate_sites.csv",
    "climate": "climate.nc",
    "power_options": "power_options.csv",
    "costs": "costs.csv",
    "line_costs": "line_costs.csv",
    "states": "states.geojson",
}

CLIMATE_VARIABLES = (
    "t2m_c",
    "t2m_max_c",
    "t2m_min_c",
    "wet_bulb_c",
    "ghi_kwh_per_m2_day",
    "wind_speed_100m_m_per_s",
)


def default_data_dir() -> Path:
    """Directory of the embedded default data (``data/`` in a checkout, packaged in a wheel)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_default_data", here.parent / "data"):
        if (candidate / "zones.csv").exists():
            return candidate
    raise InputError(
        "embedded default data not found",
        file=str(here.parent / "data"),
        fix="reinstall siting, or set every layer in the scenario's `data:` section",
    )


def default_models_dir() -> Path:
    """Directory of the shipped scenarios (``models/``)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_default_models", here.parent / "models"):
        if candidate.exists():
            return candidate
    raise InputError("shipped scenarios not found", file=str(here.parent / "models"))


def sha256_file(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Dataset:
    """All input layers, validated, with units in column names (see docs/data-layers.md)."""

    zones: pd.DataFrame
    substations: gpd.GeoDataFrame
    transmission_lines: gpd.GeoDataFrame
    candidate_sites: gpd.GeoDataFrame
    climate: xr.Dataset
    power_options: pd.DataFrame
    costs: dict[str, float]
    line_costs: pd.DataFrame
    states: gpd.GeoDataFrame
    files: dict[str, Path] = field(default_factory=dict)

    def cost(self, name: str) -> float:
        return float(self.costs[name])

    def sha256(self) -> dict[str, str]:
        """SHA-256 of every input file, keyed by layer name and file name."""
        return {f"{layer}:{p.name}": sha256_file(p) for layer, p in sorted(self.files.items())}


def _read_csv(path: Path, layer: str) -> pd.DataFrame:
    if not path.exists():
        raise InputError(
            f"{layer} file not found", file=path, fix="check the path in the scenario's data: section"
        )
    try:
        return pd.read_csv(path)
    except Exception as exc:  # pandas raises many types for malformed CSV
        raise InputError(
            f"cannot read {layer} as CSV: {exc}", file=path, fix="save the table as UTF-8 CSV"
        ) from None


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def _read_vector(path: Path, layer: str) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError(
            f"{layer} file not found", file=path, fix="check the path in the scenario's data: section"
        )
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:
        raise InputError(
            f"cannot read {layer}: {exc}", file=path, fix="use GeoJSON, GeoPackage or Shapefile"
        ) from None
    if gdf.crs is None:
        raise InputError(
            f"{layer} has no coordinate reference system",
            file=path,
            fix="write the file with its CRS (e.g. EPSG:4326); siting reprojects any CRS it is given",
        )
    gdf = gdf.to_crs("EPSG:4326")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        raise InputError(
            f"{layer} has {int(empty.sum())} empty geometries",
            file=path,
            column="geometry",
            rows=[int(i) for i in np.flatnonzero(empty.to_numpy())],
            fix="remove those features or give them a geometry",
        )
    return gdf


def load_zones(path: Path) -> pd.DataFrame:
    return validate(_read_csv(path, "zones"), "zones", path).set_index("zone_id", drop=False).sort_index()


def load_substations(path: Path) -> gpd.GeoDataFrame:
    df = validate(_read_csv(path, "substations"), "substations", path)
    return _points(df).set_index("substation_id", drop=False).sort_index()


def load_candidate_sites(path: Path) -> gpd.GeoDataFrame:
    df = validate(_read_csv(path, "candidate_sites"), "candidate_sites", path)
    return _points(df).set_index("site_id", drop=False).sort_index()


def load_power_options(path: Path) -> pd.DataFrame:
    df = validate(_read_csv(path, "power_options"), "power_options", path)
    no_lead = (df["kind"] != "utility_tariff") & df["lead_time_years"].isna()
    if no_lead.any():
        raise InputError(
            "power options other than the utility tariff need a lead time",
            file=path,
            column="lead_time_years",
            rows=[f"line {i + 2}" for i in np.flatnonzero(no_lead.to_numpy())],
            fix="give lead_time_years (years from decision to first power) for every PPA, gas and battery row",
        )
    return df.set_index("option_id", drop=False)


def load_costs(path: Path) -> dict[str, float]:
    df = validate(_read_csv(path, "costs"), "costs", path)
    costs = dict(zip(df["parameter"], df["value"].astype(float), strict=True))
    missing = sorted(set(REQUIRED_COSTS) - set(costs))
    if missing:
        raise InputError(
            f"costs table lacks parameters {missing}",
            file=path,
            column="parameter",
            fix="add one row per parameter with its value and unit: "
            + ", ".join(f"{k} [{REQUIRED_COSTS[k]}]" for k in missing),
        )
    return costs


def load_line_costs(path: Path) -> pd.DataFrame:
    return validate(_read_csv(path, "line_costs"), "line_costs", path)


def load_climate(path: Path) -> xr.Dataset:
    if not path.exists():
        raise InputError(
            "climate file not found", file=path, fix="check the path in the scenario's data: section"
        )
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except Exception as exc:
        raise InputError(
            f"cannot read climate NetCDF: {exc}", file=path, fix="write NetCDF4 (HDF5)"
        ) from None
    missing = [v for v in CLIMATE_VARIABLES if v not in ds]
    if missing or not {"lat", "lon", "month"} <= set(ds.dims):
        raise InputError(
            f"climate dataset lacks variables {missing} or dims (month, lat, lon)",
            file=path,
            column=(missing or ["month/lat/lon"])[0],
            fix="see the climate layer in docs/data-layers.md (monthly fields on a regular lat/lon grid)",
        )
    ds = ds.load()
    ds.close()
    return ds.sortby(["lat", "lon"])


def load_dataset(scenario: Scenario | None = None, data_dir: Path | None = None) -> Dataset:
    """Load every layer: defaults from ``data_dir`` (the embedded data) unless the scenario replaces them.

    Parameters
    ----------
    scenario : Scenario, optional
        Its ``data`` section may point any layer to a user file (relative to the scenario file).
    data_dir : Path, optional
        Directory holding the default files (``DEFAULT_FILES``); default :func:`default_data_dir`.
    """
    files: dict[str, Path] = {}
    base = None
    for layer in DATA_LAYERS:
        user = scenario.resolve(getattr(scenario.data, layer)) if scenario is not None else None
        if user is not None:
            files[layer] = Path(user)
        else:
            if base is None:
                base = Path(data_dir) if data_dir is not None else default_data_dir()
            files[layer] = base / DEFAULT_FILES[layer]
    substations = load_substations(files["substations"])
    lines = _read_vector(files["transmission_lines"], "transmission_lines")
    climate = load_climate(files["climate"])
    states = _read_vector(files["states"], "states")
    if scenario is not None and scenario.candidates is not None:
        sites = generated_candidates(scenario, substations, lines, climate, states)
        files.pop("candidate_sites")
    else:
        sites = load_candidate_sites(files["candidate_sites"])
    ds = Dataset(
        zones=load_zones(files["zones"]),
        substations=substations,
        transmission_lines=lines,
        candidate_sites=sites,
        climate=climate,
        power_options=load_power_options(files["power_options"]),
        costs=load_costs(files["costs"]),
        line_costs=load_line_costs(files["line_costs"]),
        states=states,
        files=files,
    )
    _check_references(ds)
    return ds


def generated_candidates(
    scenario: Scenario,
    substations: gpd.GeoDataFrame,
    lines: gpd.GeoDataFrame,
    climate: xr.Dataset,
    states: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Candidate sites generated from land data by the scenario's ``candidates.generate`` block.

    The embedded MODIS land cover of the climate layer (``land_cover_igbp``) excludes water, wetland, urban
    and snow cells unless the block brings its own exclusions; see
    :func:`siting.features.candidates.generate_candidates`.
    """
    from ..features.candidates import candidates_from_config

    base = scenario.source_path.parent if scenario.source_path is not None else Path.cwd()
    land_cover = climate["land_cover_igbp"] if "land_cover_igbp" in climate else None
    gen = candidates_from_config(
        scenario.candidates,
        substations=substations.reset_index(drop=True),
        lines=lines,
        base_dir=base,
        land_cover=land_cover,
    )
    if gen["state"].isna().any() and "state" in states:  # no counties layer: state from the outlines
        pts = gen[["geometry"]].to_crs(states.crs)
        hit = gpd.sjoin(pts, states[["state", "geometry"]], predicate="within", how="left")
        hit = hit[~hit.index.duplicated(keep="first")]
        gen["state"] = gen["state"].fillna(hit["state"])
    gen = _name_after_nearest_town(gen)
    where = f"candidates.generate of scenario {scenario.name}"
    df = validate(pd.DataFrame(gen.drop(columns="geometry")), "candidate_sites", where)
    return _points(df).set_index("site_id", drop=False).sort_index()


def _name_after_nearest_town(gen: gpd.GeoDataFrame, max_km: float = 60.0) -> gpd.GeoDataFrame:
    """Borrow from the nearest town of the embedded candidate list (nearest-neighbour join in EPSG:5070,
    within ``max_km``): its name ("cell c10km_3_7 near Denton, TX") and, where the generator had no
    population density (no counties layer), its county's density, from which the land-cost and
    permitting proxies of :mod:`siting.features.candidates` are recomputed."""
    from ..features.candidates import land_cost_proxy_usd_per_acre, permitting_lead_time_proxy_years

    try:
        towns = pd.read_csv(
            default_data_dir() / DEFAULT_FILES["candidate_sites"],
            usecols=["name", "lat", "lon", "population_density_per_km2"],
        )
    except (InputError, OSError, ValueError):
        return gen
    towns = _points(towns).to_crs("EPSG:5070")
    near = gpd.sjoin_nearest(
        gen[["geometry"]].to_crs("EPSG:5070"),
        towns[["name", "population_density_per_km2", "geometry"]],
        how="left",
        max_distance=max_km * 1000.0,
    )
    near = near[~near.index.duplicated(keep="first")]
    out = gen.copy()
    named = near["name"].notna()
    out.loc[named, "name"] = (
        out.loc[named, "name"].astype(str) + " near " + near.loc[named, "name"].astype(str)
    )
    if "population_density_per_km2" in out:
        unknown = out["population_density_per_km2"].isna() & near["population_density_per_km2"].notna()
        if unknown.any():
            dens = near.loc[unknown, "population_density_per_km2"].astype(float)
            out.loc[unknown, "population_density_per_km2"] = dens
            out.loc[unknown, "land_cost_usd_per_acre"] = land_cost_proxy_usd_per_acre(dens.to_numpy())
            out.loc[unknown, "permitting_lead_time_years"] = permitting_lead_time_proxy_years(dens.to_numpy())
    return out


def _check_references(ds: Dataset) -> None:
    """Every zone id used by sites and substations exists in the zones table."""
    for layer, table in (("candidate_sites", ds.candidate_sites), ("substations", ds.substations)):
        unknown = ~table["zone_id"].isin(ds.zones.index)
        if unknown.any():
            raise InputError(
                f"{layer} refer to zone ids missing from the zones table: "
                f"{sorted(table.loc[unknown, 'zone_id'].unique().tolist())[:10]}",
                file=ds.files.get(layer),
                column="zone_id",
                rows=table.index[unknown].tolist(),
                fix="add those zones to the zones table or correct zone_id",
            )
    regions = set(ds.zones["line_cost_region"])
    missing = regions - set(ds.line_costs["line_cost_region"])
    if missing:
        raise InputError(
            f"line_costs has no rows for regions {sorted(missing)} used by zones",
            file=ds.files.get("line_costs"),
            column="line_cost_region",
            fix="add line costs for those regions",
        )

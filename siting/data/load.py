"""Read the data layers (embedded defaults or user files) into a validated :class:`Dataset`.

This is the only module that reads input files. The model never reads files; it receives tables built
from a :class:`Dataset` by :mod:`siting.model.prepare`.
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
from ..features.candidates import fill_state_from_outlines, generate_candidates, name_after_nearest_town
from ..features.grid_carbon import HOURS_PER_DAY, hourly_profile_from_table
from ..features.permitting import national_default_permitting
from ..features.site_climate import CLIMATE_VARIABLES
from ..features.tariffs import (
    FALLBACK_PRICE_BASE_YEAR,
    FALLBACK_STANDBY_CHARGE_USD_PER_KW_MONTH,
    TARIFF_NUMERIC_COLUMNS,
    fallback_tariffs,
    is_fallback,
)
from ..features.timing import HOURS_PER_YEAR, MONTHS_PER_YEAR
from ..io._validate import check_crs, check_range, csv_line_index, csv_lines, read_vector, to_numeric
from ..scenario import DATA_LAYERS, Scenario
from .layers import load_candidate_layers, load_towns
from .paths import DEFAULT_FILES, default_data_dir, default_models_dir  # noqa: F401 (re-exported)
from .schemas import HOURLY_WEATHER_REQUIRED, HOURLY_WEATHER_VARIABLES, REQUIRED_COSTS, validate

#: Layers that may be absent (then their documented default applies): tariffs → EIA fallback rule for
#: every zone; permitting → national default row; gas_points → none (no ``dist_gas_km``);
#: supply_chain → no delivery caps.
OPTIONAL_LAYERS = ("tariffs", "permitting", "gas_points", "supply_chain")

#: Lead-time columns converted between months and years: layer → column stems (``{stem}_months``).
LEAD_TIME_STEMS = {
    "zones": "interconnection_lead_time",
    "candidate_sites": "permitting_lead_time",
    "power_options": "lead_time",
}


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
    #: Tariff of every zone (indexed by zone_id; see :func:`load_tariffs`); None = EIA fallback rule.
    tariffs: pd.DataFrame | None = None
    #: Permitting table (state / county base months; see :func:`load_permitting`).
    permitting: pd.DataFrame = field(default_factory=national_default_permitting)
    #: Gas-access proxy points (existing gas-fired plants); None when the layer is absent.
    gas_points: gpd.GeoDataFrame | None = None
    #: National caps on new deliveries per option and year; empty = no caps.
    supply_chain: pd.DataFrame = field(default_factory=lambda: empty_supply_chain())
    #: Demand regions (see :func:`load_demand_regions`); None unless the scenario has a ``latency`` section.
    demand_regions: pd.DataFrame | None = None
    #: Explicit site × region latency and serving cost (:func:`load_site_region_links`); None: computed.
    site_region_links: pd.DataFrame | None = None
    #: Month × hour-of-day grid CO2 profile of ``scenario.grid_carbon.hourly_file`` (index zone_id, month,
    #: hour; ``co2_t_per_mwh``, t/MWh; :func:`load_grid_co2_hourly`); None: annual rates only.
    grid_co2_hourly: pd.DataFrame | None = None
    #: Water available per site or per state (:func:`load_water_availability`); None: no limit.
    water_availability: pd.DataFrame | None = None
    #: One year (8,760 h) of gridded hourly weather of ``data.hourly_weather`` (:func:`load_hourly_weather`;
    #: dims ``time, lat, lon``, read lazily); None: representative days are synthesised from ``climate``.
    hourly_weather: xr.Dataset | None = None

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
    """A vector layer (:func:`siting.io._validate.read_vector`) in EPSG:4326 with no empty geometry."""
    if not path.exists():
        raise InputError(
            f"{layer} file not found", file=path, fix="check the path in the scenario's data: section"
        )
    gdf = check_crs(
        read_vector(path, name=layer), path
    )  # refuses no CRS and projected metres labelled as degrees
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


def _numeric(series: pd.Series, file, column: str) -> pd.Series:
    """``series`` as float; text that is not a number raises :class:`InputError` naming the CSV lines."""
    lines = csv_line_index(series.to_frame(column))
    return to_numeric(lines, column, file, sentinels=()).set_axis(series.index)


def lead_time_in_months(df: pd.DataFrame, stem: str, file, *, layer: str = "") -> pd.DataFrame:
    """Return ``df`` with ``{stem}_months`` and the legacy ``{stem}_years`` (= months / 12) columns.

    Accepts either column: ``{stem}_months`` as is, or a legacy ``{stem}_years`` × 12. If both are given
    they must agree (months = 12 × years), else :class:`InputError` names the rows. Neither → error.
    """
    m, y = f"{stem}_months", f"{stem}_years"
    out = df.copy()
    if m in out.columns:
        months = _numeric(out[m], file, m)
        if y in out.columns:
            years = _numeric(out[y], file, y)
            clash = months.notna() & years.notna() & ~np.isclose(months, years * MONTHS_PER_YEAR, atol=1e-6)
            if clash.any():
                raise InputError(
                    f"{layer or 'table'} gives both {m} and {y} and they disagree",
                    file=file,
                    column=m,
                    rows=csv_lines(clash),
                    fix=f"keep only {m} (months), or make {m} = 12 x {y}",
                )
    elif y in out.columns:
        months = _numeric(out[y], file, y) * MONTHS_PER_YEAR
    else:
        raise InputError(
            f"{layer or 'table'} table lacks the lead-time column {m}",
            file=file,
            column=m,
            fix=f"add {m} (months; a legacy {y} column in years is also accepted)",
        )
    out[m] = months
    out[y] = months / MONTHS_PER_YEAR
    return out


def load_zones(path: Path) -> pd.DataFrame:
    """Zones table indexed by ``zone_id``, with ``interconnection_lead_time_months`` (and legacy ``_years``)."""
    df = lead_time_in_months(_read_csv(path, "zones"), LEAD_TIME_STEMS["zones"], path, layer="zones")
    return validate(df, "zones", path).set_index("zone_id", drop=False).sort_index()


def load_substations(path: Path) -> gpd.GeoDataFrame:
    df = validate(_read_csv(path, "substations"), "substations", path)
    return _points(df).set_index("substation_id", drop=False).sort_index()


def load_candidate_sites(path: Path) -> gpd.GeoDataFrame:
    """Candidate sites indexed by ``site_id``, with ``permitting_lead_time_months`` (and legacy ``_years``)."""
    raw = _read_csv(path, "candidate_sites")
    df = lead_time_in_months(raw, LEAD_TIME_STEMS["candidate_sites"], path, layer="candidate_sites")
    df = validate(df, "candidate_sites", path)
    return _points(df).set_index("site_id", drop=False).sort_index()


def load_power_options(path: Path) -> pd.DataFrame:
    """Supply options indexed by ``option_id``, with ``lead_time_months`` (and legacy ``lead_time_years``)."""
    raw = _read_csv(path, "power_options")
    df = lead_time_in_months(raw, LEAD_TIME_STEMS["power_options"], path, layer="power_options")
    df = validate(df, "power_options", path)
    no_lead = (df["kind"] != "utility_tariff") & df["lead_time_months"].isna()
    if no_lead.any():
        raise InputError(
            "power options other than the utility tariff need a lead time",
            file=path,
            column="lead_time_months",
            rows=csv_lines(no_lead),
            fix="give lead_time_months (months from decision to first power) for every PPA, gas and battery row",
        )
    return df.set_index("option_id", drop=False)


def _costs_lead_time(costs: dict[str, float], path: Path) -> dict[str, float]:
    """Add ``construction_lead_time_months`` / ``_years`` to a costs dict from whichever one it has."""
    m, y = "construction_lead_time_months", "construction_lead_time_years"
    out = dict(costs)
    if m in out and y in out and not np.isclose(out[m], MONTHS_PER_YEAR * out[y], atol=1e-6):
        raise InputError(
            f"costs gives both {m} = {out[m]:g} and {y} = {out[y]:g} and they disagree",
            file=path,
            column="parameter",
            rows=[m, y],
            fix=f"keep only {m} (months), or make it 12 x {y}",
        )
    if m in out:
        out[y] = out[m] / MONTHS_PER_YEAR
    elif y in out:
        out[m] = out[y] * MONTHS_PER_YEAR
    return out


def load_costs(path: Path) -> dict[str, float]:
    """Scalar costs ``{parameter: value}``; ``construction_lead_time_months`` and ``_years`` both present."""
    df = validate(_read_csv(path, "costs"), "costs", path)
    costs = _costs_lead_time(dict(zip(df["parameter"], df["value"].astype(float), strict=True)), path)
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


def load_tariffs(path: Path, zones: pd.DataFrame) -> pd.DataFrame:
    """Tariff of every zone, indexed by ``zone_id`` (order of ``zones``).

    Required columns: ``zone_id``, ``energy_charge_usd_per_mwh``, ``demand_charge_usd_per_kw_month``;
    optional (defaults): ``min_take_fraction`` (0), ``min_take_years`` (0),
    ``standby_charge_usd_per_kw_month`` (4.0, placeholder), ``price_escalation_per_year`` (0),
    ``price_base_year`` (2023), ``utility``, ``source``, ``flag``. Every value is checked (non-negative,
    fractions in [0, 1], unique zone ids that exist in ``zones``). Zones the file lacks get the EIA
    fallback rule (:func:`siting.features.tariffs.fallback_tariffs`), flagged
    ``derived (fallback: zone missing from <file>)``.

    Returns
    -------
    DataFrame
        Columns of :data:`~siting.features.tariffs.TARIFF_NUMERIC_COLUMNS`, ``utility``, ``source``,
        ``flag``, ``fallback`` (bool: the row is the EIA fallback).
    """
    df = validate(_read_csv(path, "tariffs"), "tariffs", path)
    known = set(zones["zone_id"] if "zone_id" in zones else zones.index)
    unknown = ~df["zone_id"].isin(known)
    if unknown.any():
        raise InputError(
            f"tariffs refer to zone ids missing from the zones table: {sorted(df.loc[unknown, 'zone_id'])[:10]}",
            file=path,
            column="zone_id",
            rows=csv_lines(unknown),
            fix="use the zone ids of zones.csv (one row per zone) or delete those rows",
        )
    defaults = {
        "min_take_fraction": 0.0,
        "min_take_years": 0.0,
        "standby_charge_usd_per_kw_month": FALLBACK_STANDBY_CHARGE_USD_PER_KW_MONTH,
        "price_escalation_per_year": 0.0,
        "price_base_year": FALLBACK_PRICE_BASE_YEAR,
        "utility": "user tariff",
        "source": "",
        "flag": "",
    }
    for col, value in defaults.items():
        df[col] = df[col].fillna(value) if col in df else value
    given = df.set_index(df["zone_id"].astype(int).rename("zone_id"))
    fb = fallback_tariffs(zones)
    missing = fb.index.difference(given.index)
    fb.loc[missing, "flag"] = f"derived (fallback: zone missing from {Path(path).name})"
    cols = [*TARIFF_NUMERIC_COLUMNS, "utility", "source", "flag"]
    out = pd.concat([given[cols], fb.loc[missing, cols]]).reindex(fb.index)
    for col in TARIFF_NUMERIC_COLUMNS:
        out[col] = out[col].astype(float)
    out["price_base_year"] = out["price_base_year"].astype(int)
    out["fallback"] = is_fallback(out["utility"])
    return out


def default_tariffs(zones: pd.DataFrame) -> pd.DataFrame:
    """Tariffs when no tariffs file exists: the EIA fallback rule for every zone (``fallback`` True)."""
    fb = fallback_tariffs(zones)
    fb["fallback"] = True
    return fb


def load_permitting(path: Path) -> pd.DataFrame:
    """Permitting table: ``state`` (2-letter, ``US`` = national default), optional ``county_fips``
    (5-digit; a county row overrides its state), ``base_permitting_months``, ``by_right_industrial``,
    ``state_siting_board``, ``source``, ``flag``. A national ``US`` row is added if the file has none."""
    df = validate(_read_csv(path, "permitting"), "permitting", path)
    df["state"] = df["state"].str.upper()
    if "county_fips" in df:
        fips = df["county_fips"].astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
        df["county_fips"] = fips.where(fips.notna() & (fips != ""), pd.NA).str.zfill(5)
    else:
        df["county_fips"] = pd.Series(pd.NA, index=df.index, dtype="string")
    for col in ("by_right_industrial", "state_siting_board"):
        if col not in df:
            df[col] = False
    for col in ("source", "flag"):
        if col not in df:
            df[col] = ""
    key = df["state"] + "/" + df["county_fips"].fillna("")
    dup = key.duplicated(keep=False)
    refuse_duplicates(
        dup,
        path,
        column="state",
        message=f"permitting has duplicate state/county rows: {sorted(set(key[dup]))[:5]}",
        fix="keep one row per state (and per county_fips for county overrides)",
    )
    if not ((df["state"] == "US") & df["county_fips"].isna()).any():
        df = pd.concat([df, national_default_permitting()], ignore_index=True)
    return df.reset_index(drop=True)


def load_gas_points(path: Path) -> gpd.GeoDataFrame:
    """Gas-access proxy points (``lat``, ``lon``, ``kind``, ``capacity_mw``, ``source``) as points (EPSG:4326)."""
    df = validate(_read_csv(path, "gas_points"), "gas_points", path)
    if len(df) == 0:
        raise InputError("gas_points has no rows", file=path, fix="add points or drop the layer")
    return _points(df)


def empty_supply_chain() -> pd.DataFrame:
    """An empty supply-chain table (no delivery caps)."""
    return pd.DataFrame(
        {
            "option_id": pd.Series(dtype=str),
            "year": pd.Series(dtype=int),
            "max_new_mw_per_year": pd.Series(dtype=float),
            "source": pd.Series(dtype=str),
            "flag": pd.Series(dtype=str),
        }
    )


def refuse_duplicates(dup: pd.Series, path: Path, column: str, message: str, fix: str) -> None:
    """Raise :class:`InputError` naming the CSV lines of ``dup`` (rows that share a key) when there are any."""
    if dup.any():
        raise InputError(message, file=path, column=column, rows=csv_lines(dup), fix=fix)


def load_supply_chain(path: Path, power_options: pd.DataFrame | None = None) -> pd.DataFrame:
    """National caps on new deliveries: ``option_id``, ``year``, ``max_new_mw_per_year`` (MW/yr), ``source``,
    ``flag``; one row per option and year (an option or year without a row is uncapped)."""
    df = validate(_read_csv(path, "supply_chain"), "supply_chain", path)
    dup = df.duplicated(["option_id", "year"], keep=False)
    refuse_duplicates(
        dup,
        path,
        column="year",
        message="supply_chain has more than one row for the same option and year",
        fix="keep one row per (option_id, year)",
    )
    if power_options is not None:
        unknown = ~df["option_id"].isin(set(power_options["option_id"]))
        if unknown.any():
            raise InputError(
                f"supply_chain refers to options missing from power_options: {sorted(set(df.loc[unknown, 'option_id']))}",
                file=path,
                column="option_id",
                rows=csv_lines(unknown),
                fix="use option_id values of power_options.csv or delete those rows",
            )
    for col in ("source", "flag"):
        if col not in df:
            df[col] = ""
    return df.sort_values(["option_id", "year"]).reset_index(drop=True)


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
    layers = tuple(DATA_LAYERS) + tuple(name for name in OPTIONAL_LAYERS if name not in DATA_LAYERS)
    for layer in layers:
        # getattr(..., None): works whether or not the scenario's DataPaths knows the optional layers yet
        user_path = getattr(scenario.data, layer, None) if scenario is not None else None
        user = scenario.resolve(Path(user_path)) if user_path is not None else None
        if user is not None:
            files[layer] = Path(user)
        else:
            if base is None:
                base = Path(data_dir) if data_dir is not None else default_data_dir()
            default = base / DEFAULT_FILES[layer]
            if layer in OPTIONAL_LAYERS and not default.exists():
                continue  # optional layer absent: its documented default applies
            files[layer] = default
    zones = load_zones(files["zones"])
    permitting = (
        load_permitting(files["permitting"]) if "permitting" in files else national_default_permitting()
    )
    gas_points = load_gas_points(files["gas_points"]) if "gas_points" in files else None
    substations = load_substations(files["substations"])
    lines = _read_vector(files["transmission_lines"], "transmission_lines")
    climate = load_climate(files["climate"])
    states = _read_vector(files["states"], "states")
    if scenario is not None and scenario.candidates is not None:
        sites = generated_candidates(
            scenario, substations, lines, climate, states, permitting=permitting, gas_points=gas_points
        )
        files.pop("candidate_sites")
    else:
        sites = load_candidate_sites(files["candidate_sites"])
    power_options = load_power_options(files["power_options"])
    ds = Dataset(
        zones=zones,
        substations=substations,
        transmission_lines=lines,
        candidate_sites=sites,
        climate=climate,
        power_options=power_options,
        costs=load_costs(files["costs"]),
        line_costs=load_line_costs(files["line_costs"]),
        states=states,
        files=files,
        tariffs=load_tariffs(files["tariffs"], zones) if "tariffs" in files else default_tariffs(zones),
        permitting=permitting,
        gas_points=gas_points,
        supply_chain=(
            load_supply_chain(files["supply_chain"], power_options)
            if "supply_chain" in files
            else empty_supply_chain()
        ),
    )
    _check_references(ds)
    if scenario is not None and getattr(scenario, "grid_carbon", None) is not None:
        _add_grid_co2_hourly(ds, scenario)
    if scenario is not None and getattr(scenario, "latency", None) is not None:
        _add_demand_layers(ds, scenario, data_dir)
    water = getattr(scenario, "water", None) if scenario is not None else None
    if water is not None and water.availability_file is not None:
        wpath = Path(scenario.resolve(Path(water.availability_file)))
        ds.water_availability = load_water_availability(wpath, ds.candidate_sites)
        ds.files["water_availability"] = wpath
    hourly = getattr(scenario.data, "hourly_weather", None) if scenario is not None else None
    if hourly is not None:
        hpath = Path(scenario.resolve(Path(hourly)))
        ds.hourly_weather = load_hourly_weather(hpath)
        ds.files["hourly_weather"] = hpath
    return ds


def load_water_availability(path: Path, sites: pd.DataFrame) -> pd.DataFrame:
    """Water available per site or per state: a CSV with ``water_available_m3_per_year`` (m3/year, ≥ 0) and
    either ``site_id`` (one site each; ids of candidate_sites) or ``state`` (2-letter; the amount is shared
    by all sites of the state). Returns the table indexed by ``water_basin`` (the site id or the upper-case
    state) with ``level`` (``site`` or ``state``) and ``water_available_m3_per_year``; each basin once."""
    raw = _read_csv(path, "water_availability")
    keys = [c for c in ("site_id", "state") if c in raw.columns]
    if len(keys) != 1:
        raise InputError(
            "water_availability needs exactly one of the columns site_id and state"
            + ("; it has both" if len(keys) == 2 else f"; it has {', '.join(map(str, raw.columns))}"),
            file=path,
            column="site_id",
            fix="give water_available_m3_per_year per site (column site_id) or per state (column state)",
        )
    df = validate(raw, "water_availability", path)
    key = keys[0]
    basin = df[key].astype(str).str.strip()
    if key == "state":
        basin = basin.str.upper()
        known = set(sites["state"].astype(str).str.upper())
    else:
        known = set(sites.index.astype(str)) | set(sites.get("site_id", pd.Series(dtype=str)).astype(str))
    unknown = ~basin.isin(known)
    if unknown.any():
        raise InputError(
            f"water_availability refers to {key} values without candidate sites: "
            f"{sorted(set(basin[unknown]))[:10]}",
            file=path,
            column=key,
            rows=csv_lines(unknown),
            fix=f"use {key} values of candidate_sites or delete those rows",
        )
    dup = basin.duplicated(keep=False)
    refuse_duplicates(
        dup,
        path,
        column=key,
        message=f"water_availability has more than one row for the same {key}",
        fix=f"keep one row per {key}",
    )
    return pd.DataFrame(
        {
            "level": "site" if key == "site_id" else "state",
            "water_available_m3_per_year": df["water_available_m3_per_year"].to_numpy(dtype=float),
        },
        index=pd.Index(basin.to_numpy(), name="water_basin"),
    )


#: Prefix of the optional columns of demand_regions giving latency-bound inference MW by year (wide form).
INFERENCE_MW_PREFIX = "inference_mw_"


def load_demand_regions(path: Path) -> pd.DataFrame:
    """Demand regions indexed by ``region_id``: ``name``, ``lat``, ``lon``, ``population`` (people) and
    optional ``inference_mw_<year>`` columns (latency-bound IT MW the region needs from 1 January of that
    year on, MW); every such column must name a year and hold a number ≥ 0 in every row."""
    raw = _read_csv(path, "demand_regions")
    df = validate(raw, "demand_regions", path)
    lines = csv_line_index(raw)
    for col in [c for c in raw.columns if str(c).startswith(INFERENCE_MW_PREFIX)]:
        year = str(col)[len(INFERENCE_MW_PREFIX) :]
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise InputError(
                f"demand_regions column {col!r} does not end in a year",
                file=path,
                column=str(col),
                fix=f"name the inference columns {INFERENCE_MW_PREFIX}<year>, e.g. {INFERENCE_MW_PREFIX}2030",
            )
        values = to_numeric(lines, col, path, sentinels=())
        check_range(values, 0.0, None, path, str(col), "MW", allow_nan=False)
        df[col] = values.to_numpy()
    return df.set_index("region_id", drop=False)


def load_site_region_links(path: Path, sites: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Explicit site × region pairs (``site_id``, ``region_id``, ``latency_ms`` (ms round trip),
    ``serving_cost_usd_per_mw_year`` (USD/MW-year)); ids must exist and each pair appear once."""
    df = validate(_read_csv(path, "site_region_links"), "site_region_links", path)
    for col, known, layer in (
        ("site_id", sites.index, "candidate_sites"),
        ("region_id", regions.index, "demand_regions"),
    ):
        unknown = ~df[col].isin(set(known))
        if unknown.any():
            raise InputError(
                f"site_region_links refers to {col} values missing from {layer}: "
                f"{sorted(set(df.loc[unknown, col]))[:10]}",
                file=path,
                column=col,
                rows=csv_lines(unknown),
                fix=f"use {col} values of {layer} or delete those rows",
            )
    dup = df.duplicated(["site_id", "region_id"], keep=False)
    refuse_duplicates(
        dup,
        path,
        column="region_id",
        message="site_region_links has more than one row for the same site and region",
        fix="keep one row per (site_id, region_id)",
    )
    return df.set_index(["site_id", "region_id"]).sort_index()


def _add_demand_layers(ds: Dataset, scenario: Scenario, data_dir: Path | None) -> None:
    """Load ``demand_regions`` (scenario file or the embedded default) and the optional
    ``site_region_links`` into ``ds`` (only for scenarios with a ``latency`` section)."""
    user = scenario.data.demand_regions
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    path = Path(scenario.resolve(Path(user))) if user is not None else base / DEFAULT_FILES["demand_regions"]
    ds.demand_regions = load_demand_regions(path)
    ds.files["demand_regions"] = path
    links = scenario.data.site_region_links
    if links is not None:
        lpath = Path(scenario.resolve(Path(links)))
        ds.site_region_links = load_site_region_links(lpath, ds.candidate_sites, ds.demand_regions)
        ds.files["site_region_links"] = lpath


def generated_candidates(
    scenario: Scenario,
    substations: gpd.GeoDataFrame,
    lines: gpd.GeoDataFrame,
    climate: xr.Dataset,
    states: gpd.GeoDataFrame,
    *,
    permitting: pd.DataFrame | None = None,
    gas_points: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Candidate sites generated from land data by the scenario's ``candidates.generate`` block.

    ``permitting`` (the permitting table) sets each site's base permitting months by state/county;
    ``gas_points`` adds ``dist_gas_km`` (distance to the nearest gas-access proxy point).

    The embedded MODIS land cover of the climate layer (``land_cover_igbp``) excludes water, wetland, urban
    and snow cells unless the block brings its own exclusions; see
    :func:`siting.features.candidates.generate_candidates`. The block's files are read by
    :func:`siting.data.layers.load_candidate_layers`.
    """
    base = scenario.source_path.parent if scenario.source_path is not None else Path.cwd()
    layers = load_candidate_layers(scenario.candidates, base)
    land_cover = climate["land_cover_igbp"] if "land_cover_igbp" in climate else None
    gen = generate_candidates(
        layers.region,
        substations.reset_index(drop=True),
        lines,
        land_cover=land_cover,
        permitting=permitting,
        gas_points=gas_points,
        **layers.arguments(),
    )
    gen = fill_state_from_outlines(gen, states)  # no counties layer: state from the outlines
    gen = _name_after_nearest_town(gen, permitting=permitting)
    where = f"candidates.generate of scenario {scenario.name}"
    df = validate(pd.DataFrame(gen.drop(columns="geometry")), "candidate_sites", where)
    return _points(df).set_index("site_id", drop=False).sort_index()


def _name_after_nearest_town(
    gen: gpd.GeoDataFrame, max_km: float = 60.0, permitting: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Name generated candidates after the nearest town of the embedded candidate list, within ``max_km``
    (km), borrowing its county's density where the generator had none
    (:func:`siting.features.candidates.name_after_nearest_town`); unchanged without the embedded list."""
    try:
        towns = load_towns(default_data_dir() / DEFAULT_FILES["candidate_sites"])
    except InputError:
        towns = None
    if towns is None:
        return gen
    return name_after_nearest_town(gen, towns, max_km=max_km, permitting=permitting)


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


# --------------------------------------------------------------------------------------------------------
# hourly grid CO2 factors (scenario.grid_carbon.hourly_file; formats in siting.features.grid_carbon)

#: Time columns of each form of the hourly grid CO2 file → its schema (first match wins).
GRID_CO2_FORMS = (
    (("hour_of_year",), "grid_co2_hour_of_year"),
    (("timestamp",), "grid_co2_timestamp"),
    (("month", "hour"), "grid_co2_month_hour"),
)
#: Rows per zone of each form (a timestamp year may be a leap year).
GRID_CO2_ROWS_PER_ZONE = {
    "grid_co2_hour_of_year": (HOURS_PER_YEAR,),
    "grid_co2_timestamp": (HOURS_PER_YEAR, HOURS_PER_YEAR + 24),
    "grid_co2_month_hour": (12 * HOURS_PER_DAY,),
}


def _grid_co2_form(raw: pd.DataFrame, path: Path) -> str:
    """Schema name of the hourly grid CO2 file's form, from its time columns."""
    for columns, form in GRID_CO2_FORMS:
        if all(c in raw.columns for c in columns):
            return form
    raise InputError(
        "grid CO2 hourly file has no time columns",
        file=path,
        column="hour",
        fix="give month (1-12) and hour (0-23, UTC), or hour_of_year (0-8759), or timestamp (start of the "
        f"hour), with zone_id and co2_t_per_mwh; the file has {', '.join(map(str, raw.columns))}",
    )


def _grid_co2_timestamps(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``timestamp`` parsed to UTC (naive text taken as UTC); text that is not a date-time raises."""
    ts = pd.to_datetime(df["timestamp"], utc=True, errors="coerce", format="mixed")
    bad = ts.isna()
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} timestamp(s) are not date-times (e.g. {df.loc[bad, 'timestamp'].iloc[0]!r})",
            file=path,
            column="timestamp",
            rows=csv_lines(bad),
            fix="write ISO date-times such as 2022-07-01T14:00:00-05:00 (start of the hour; no offset = UTC)",
        )
    return df.assign(timestamp=ts)


def _check_grid_co2_keys(df: pd.DataFrame, form: str, zones: pd.DataFrame, path: Path) -> None:
    """Known zone ids, one row per zone and hour, and every hour of every zone present."""
    unknown = ~df["zone_id"].isin(set(zones.index))
    if unknown.any():
        raise InputError(
            f"grid CO2 hourly file refers to zone ids missing from the zones table: "
            f"{sorted(set(df.loc[unknown, 'zone_id']))[:10]}",
            file=path,
            column="zone_id",
            rows=csv_lines(unknown),
            fix="use zone_id values of zones.csv or delete those rows",
        )
    keys = ["zone_id", *next(c for c, f in GRID_CO2_FORMS if f == form)]
    dup = df.duplicated(keys, keep=False)
    refuse_duplicates(
        dup,
        path,
        column=keys[-1],
        message=f"grid CO2 hourly file has more than one row for the same {' and '.join(keys)}",
        fix=f"keep one row per ({', '.join(keys)})",
    )
    counts = df.groupby("zone_id").size()
    allowed = GRID_CO2_ROWS_PER_ZONE[form]
    short = counts[~counts.isin(allowed)]
    if len(short):
        raise InputError(
            f"grid CO2 hourly file: zone(s) {', '.join(map(str, short.index[:10]))} have "
            f"{', '.join(map(str, short.to_numpy()[:10]))} rows, not {' or '.join(f'{n:,}' for n in allowed)}"
            + _first_missing_hour(df, form, short.index[0]),
            file=path,
            column=keys[-1],
            fix="give every zone all 288 month × hour rows (12 months × 24 hours) or all 8,760 hours of a year; "
            "leave a zone out entirely to keep its annual rate",
        )


def _first_missing_hour(df: pd.DataFrame, form: str, zone_id) -> str:
    """`` (missing e.g. month 3, hour 7)`` for a month × hour or hour-of-year table; "" otherwise."""
    rows = df[df["zone_id"] == zone_id]
    if form == "grid_co2_month_hour":
        have = set(zip(rows["month"], rows["hour"], strict=True))
        gap = next(((m, h) for m in range(1, 13) for h in range(HOURS_PER_DAY) if (m, h) not in have), None)
        return "" if gap is None else f" (missing e.g. month {gap[0]}, hour {gap[1]})"
    if form == "grid_co2_hour_of_year":
        gaps = np.setdiff1d(np.arange(HOURS_PER_YEAR), rows["hour_of_year"].to_numpy())
        return f" (missing e.g. hour_of_year {gaps[0]})" if len(gaps) else ""
    return ""


def load_grid_co2_hourly(path: Path, zones: pd.DataFrame) -> pd.DataFrame:
    """Hourly grid CO2 factors of ``scenario.grid_carbon.hourly_file`` as a month × hour-of-day profile.

    The CSV has ``zone_id`` (of zones.csv), ``co2_t_per_mwh`` (t CO2/MWh, 0–2) and either ``month`` (1–12)
    and ``hour`` (0–23, UTC), 288 rows per zone; or ``hour_of_year`` (0–8,759) or ``timestamp`` (start of
    the hour; UTC unless it has an offset), one year of hours per zone. Zones left out keep their annual
    rate. Checked: columns, numbers, ranges, blanks, unknown zones, duplicates and missing hours.

    Returns
    -------
    DataFrame
        :func:`siting.features.grid_carbon.hourly_profile_from_table`: index (``zone_id``, ``month``,
        ``hour``), column ``co2_t_per_mwh`` (t/MWh).
    """
    raw = _read_csv(path, "grid_co2_hourly")
    form = _grid_co2_form(raw, path)
    df = validate(raw, form, path)
    if form == "grid_co2_timestamp":
        df = _grid_co2_timestamps(df, path)
    _check_grid_co2_keys(df, form, zones, path)
    profile = hourly_profile_from_table(df)
    months = profile.groupby(level="zone_id").size()
    gaps = months[months != 12 * HOURS_PER_DAY]
    if len(gaps):
        raise InputError(
            f"grid CO2 hourly file: the timestamps of zone(s) {', '.join(map(str, gaps.index[:10]))} miss "
            "some month × hour of day",
            file=path,
            column="timestamp",
            fix="give one full year of consecutive hours per zone",
        )
    return profile


def _add_grid_co2_hourly(ds: Dataset, scenario: Scenario) -> None:
    """Read ``scenario.grid_carbon.hourly_file`` (relative to the scenario file) into ``ds``, if given."""
    given = scenario.grid_carbon.hourly_file
    if given is None:
        return
    path = Path(scenario.resolve(Path(given)))
    ds.grid_co2_hourly = load_grid_co2_hourly(path, ds.zones)
    ds.files["grid_co2_hourly"] = path


#: Cells per side of the dask chunks the hourly weather is read in: only the chunks of the sites' cells are
#: read (a year of 32 × 32 cells is 36 MB per float32 variable).
HOURLY_WEATHER_CHUNK_CELLS = 32
_WEATHER_FIX = (
    "save one year of hourly weather from siting.io.read_era5(...).to_netcdf(path) (variables and units in "
    "docs/bring-your-own-data.md#hourly-weather-in-the-solve)"
)


def _check_hourly_weather_variables(ds: xr.Dataset, path: Path) -> list[str]:
    """The weather variables the solve uses (:data:`HOURLY_WEATHER_REQUIRED`); InputError if one is missing,
    not on dims (time, lat, lon) or in another unit than its name's."""
    for options in HOURLY_WEATHER_REQUIRED:
        if not any(v in ds for v in options):
            raise InputError(
                f"hourly weather lacks {' or '.join(options)} (has {', '.join(map(str, ds.data_vars)) or 'none'})",
                file=path,
                column=options[0],
                fix=_WEATHER_FIX,
            )
    names = [v for v in HOURLY_WEATHER_VARIABLES if v in ds]
    for v in names:
        if set(ds[v].dims) != {"time", "lat", "lon"}:
            raise InputError(
                f"hourly weather variable {v} has dims {ds[v].dims}, not (time, lat, lon)",
                file=path,
                column=v,
                fix="rename the dims to time, lat, lon (degrees) as read_era5 does",
            )
        unit, accepted = HOURLY_WEATHER_VARIABLES[v]
        given = str(ds[v].attrs.get("units", "")).strip().lower()
        if given and given not in accepted:
            raise InputError(
                f"hourly weather variable {v} is in {ds[v].attrs['units']!r}, expected {unit}",
                file=path,
                column=v,
                fix=f"convert to {unit} (siting.io.read_era5 converts ERA5 units)",
            )
    return names


def _hourly_weather_year(ds: xr.Dataset, path: Path) -> xr.Dataset:
    """The 8,760 consecutive hours of the file; a leap year (8,784 h) loses 29 February (the 24 hours that
    start on it; time labels mark the end of the hour) with a note in ``attrs["note"]``."""
    if "time" not in ds.dims or not np.issubdtype(ds["time"].dtype, np.datetime64):
        raise InputError(
            "hourly weather has no datetime time axis", file=path, column="time", fix=_WEATHER_FIX
        )
    t = pd.DatetimeIndex(ds["time"].to_numpy())
    gap = np.flatnonzero(np.diff(t.asi8) != 3_600_000_000_000)
    if gap.size:
        raise InputError(
            f"hourly weather time steps are not consecutive hours (first break after {t[gap[0]]})",
            file=path,
            column="time",
            fix="give one year of consecutive hourly time steps (UTC, labelled by the end of the hour)",
        )
    start = t - pd.Timedelta(hours=1)
    feb29 = (start.month == 2) & (start.day == 29)
    if len(t) == HOURS_PER_YEAR + 24 and feb29.sum() == 24:
        ds = ds.isel(time=np.flatnonzero(~feb29))
        ds.attrs["note"] = f"hourly weather {path.name}: 29 February dropped (leap year) to keep 8,760 h"
    if ds.sizes["time"] != HOURS_PER_YEAR:
        raise InputError(
            f"hourly weather must hold one year of hourly data (8,760 h, or 8,784 h of a leap year); got "
            f"{ds.sizes['time']:,} h ({t[0]} … {t[-1]})",
            file=path,
            column="time",
            fix="give exactly one year of hourly time steps (e.g. 2023-01-01 01:00 … 2024-01-01 00:00 UTC)",
        )
    return ds


def load_hourly_weather(path: Path) -> xr.Dataset:
    """Gridded hourly weather of ``data.hourly_weather`` for the representative days, read lazily.

    The NetCDF holds, on dims ``(time, lat, lon)`` (degrees; lon −180…180 or 0…360), ``dry_bulb_c`` (°C),
    ``dew_point_c`` or ``wet_bulb_c`` (°C), ``ghi_w_per_m2`` (W m⁻², mean of the hour) and
    ``wind_speed_100m_m_per_s`` (m s⁻¹), e.g. :func:`siting.io.weather.read_era5` saved with ``to_netcdf``.
    Time labels mark the end of each hour (UTC); one year: 8,760 consecutive hours (8,784 in a leap year:
    29 February is dropped with a note). Values (gaps, physical ranges) are checked at the sites only, when
    the model inputs are prepared (:func:`siting.features.site_climate.site_hourly_weather`).

    Returns
    -------
    xarray.Dataset
        The used variables, float32, dims ``(time, lat, lon)``, lat/lon ascending, dask chunks of
        :data:`HOURLY_WEATHER_CHUNK_CELLS`; ``attrs["source_file"]`` and, if a day was dropped,
        ``attrs["note"]``.
    """
    if not path.exists():
        raise InputError(
            "hourly weather file not found", file=path, fix="check the path of data.hourly_weather"
        )
    try:
        ds = xr.open_dataset(path)
    except Exception as exc:
        raise InputError(
            f"cannot read the hourly weather NetCDF ({type(exc).__name__}: {exc})",
            file=path,
            fix=_WEATHER_FIX,
        ) from None
    names = _check_hourly_weather_variables(ds, path)
    ds = _hourly_weather_year(ds[names], path)
    note = ds.attrs.get("note", "")
    if (ds["lon"] > 180).any():
        ds = ds.assign_coords(lon=((ds["lon"] + 180.0) % 360.0) - 180.0)
    ds = ds.sortby("lat").sortby("lon")
    chunks = {"time": -1, "lat": HOURLY_WEATHER_CHUNK_CELLS, "lon": HOURLY_WEATHER_CHUNK_CELLS}
    ds = ds.astype("float32").chunk(chunks)
    ds.attrs = {"source_file": str(path), **({"note": note} if note else {})}
    return ds

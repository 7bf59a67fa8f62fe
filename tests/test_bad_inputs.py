"""Bad inputs, one table: every case runs ``siting validate`` (or a reader of a public format) and checks
that the message says what is wrong, where (file, column or field, rows) and the fix, with no traceback.

The base dataset is the tiny one of ``tests/tinydata.py`` with every layer (also the optional ones)
written once; each case writes one bad file or one bad scenario and points the scenario at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import xarray as xr
import yaml
from shapely.geometry import Point, box
from tinydata import write_tiny_data
from typer.testing import CliRunner

from siting.cli import app
from siting.data.paths import DEFAULT_FILES as LAYER_FILES
from siting.errors import InputError
from siting.io import read_eia860_plants, read_hifld_lines, read_hifld_substations, read_point_weather

SITES = [
    {"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "permitting_lead_time_years": 0.5},
    {"site_id": "b", "name": "B", "lat": 35.5, "lon": -89.5, "permitting_lead_time_years": 0.5},
]
SUBS = [
    {"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500},
    {"substation_id": 2, "lat": 35.5, "lon": -89.5, "headroom_mw": 500},
]
#: Decision 2026-01-01; sites ready after 6 months of permitting + 12 of construction (2027-07-01).
SCENARIO = {
    "name": "bad",
    "decision_date": "2026-01-01",
    "horizon": {"first_year": 2026, "last_year": 2029},
    "targets_it_mw": {2029: 50},
    "power_options": ["utility_tariff", "onsite_gas", "battery"],
}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The tiny dataset with every layer, the optional ones included (written once per module)."""
    d = write_tiny_data(tmp_path_factory.mktemp("base"), SITES, SUBS)
    pd.DataFrame({"state": ["TN", "US"], "base_permitting_months": [6.0, 9.0]}).to_csv(
        d / "permitting.csv", index=False
    )
    pd.DataFrame({"lat": [35.1], "lon": [-90.1], "kind": ["gas_plant"], "capacity_mw": [500.0]}).to_csv(
        d / "gas_points.csv", index=False
    )
    pd.DataFrame({"option_id": ["recip"], "year": [2027], "max_new_mw_per_year": [1000.0]}).to_csv(
        d / "supply_chain.csv", index=False
    )
    return d


@dataclass
class Case:
    """One bad input: scenario changes (a dict merged into :data:`SCENARIO`, or raw YAML text), bad
    layer files (layer → writer of the file into the case directory), and what the output must say."""

    id: str
    expect: list[str]
    scenario: dict | str | Callable[[Path], dict] = field(default_factory=dict)
    layers: dict[str, Callable[[Path, Path], Path]] = field(default_factory=dict)
    exit_code: int = 2


def csv(layer: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> dict:
    """Writer of ``layer``'s CSV with ``change`` applied to the base table."""

    def write(base: Path, out: Path) -> Path:
        path = out / LAYER_FILES[layer]
        change(pd.read_csv(base / LAYER_FILES[layer])).to_csv(path, index=False)
        return path

    return {layer: write}


def text(layer: str, content: str | bytes, name: str | None = None) -> dict:
    """Writer of ``layer``'s file with literal content (empty, corrupt, …)."""

    def write(base: Path, out: Path) -> Path:
        path = out / (name or LAYER_FILES[layer])
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    return {layer: write}


def setv(**cells) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Set ``column=(row, value)`` cells (row 0 is CSV line 2)."""

    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        for col, (row, value) in cells.items():
            if (
                col in df
                and pd.api.types.is_integer_dtype(df[col])
                and isinstance(value, float)
                and not value.is_integer()
            ):
                df[col] = df[col].astype(float)
            if col in df and pd.api.types.is_numeric_dtype(df[col]) and isinstance(value, str):
                df[col] = df[col].astype(object)
            df.loc[row, col] = value
        return df

    return change


def climate(change: Callable[[xr.Dataset], xr.Dataset]) -> dict:
    def write(base: Path, out: Path) -> Path:
        path = out / "climate.nc"
        with xr.open_dataset(base / "climate.nc", engine="h5netcdf") as ds:
            change(ds.load()).to_netcdf(path, engine="h5netcdf")
        return path

    return {"climate": write}


def states_in_metres(base: Path, out: Path) -> Path:
    """State outlines in EPSG:5070 metres but labelled EPSG:4326 (a wrong CRS)."""
    g = gpd.read_file(base / "states.geojson").to_crs("EPSG:5070").set_crs("EPSG:4326", allow_override=True)
    path = out / "states.geojson"
    g.to_file(path, driver="GeoJSON")
    return path


def _parcels(out: Path, dup: bool) -> Path:
    g = gpd.GeoDataFrame(
        {"parcel_id": ["p1", "p1" if dup else "p2"]},
        geometry=[box(-90.1, 34.9, -90.0, 35.0), box(-89.6, 35.4, -89.5, 35.5)],
        crs="EPSG:4326",
    )
    g.to_file(out / "parcels.geojson", driver="GeoJSON")
    return out / "parcels.geojson"


def generate(extra: dict | None = None, **files: Callable[[Path], Path]) -> Callable[[Path], dict]:
    """A ``candidates.generate`` block whose files are written by ``files`` (key → writer)."""

    def block(out: Path) -> dict:
        cfg = {"region": [-90.5, 34.5, -89.0, 36.0], "cell_km": 20, **(extra or {})}
        for key, writer in files.items():
            cfg[key] = str(writer(out)) if key != "exclusions" else [writer(out)]
        return {"candidates": {"generate": cfg}}

    return block


def exclusion_without_crs(out: Path) -> dict:
    """An exclusion polygon in a Shapefile whose .prj is missing."""
    g = gpd.GeoDataFrame({"kind": ["water"]}, geometry=[Point(-90.0, 35.0).buffer(0.05)], crs="EPSG:4326")
    g.to_file(out / "water.shp")
    (out / "water.prj").unlink()
    return {"file": str(out / "water.shp"), "kind": "water"}


def drop(*columns: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda df: df.drop(columns=list(columns))


CASES = [
    # ------------------------------------------------------------------ scenario fields
    Case(
        "unknown key suggests the field",
        ["carbon_cap: unknown field; did you mean 'carbon_cap_tco2_per_year'?", "s.yaml", "fix:"],
        {"carbon_cap": 5},
    ),
    Case(
        "hourly clean matching needs representative days",
        ["clean_energy.matching: hourly needs hours", "representative_days"],
        {"clean_energy": {"matching": "hourly"}},
    ),
    Case(
        "a clean target needs a clean contract",
        ["clean_energy.target_fraction = 0.9 needs a clean contract", "solar_ppa"],
        {"clean_energy": {"target_fraction": 0.9}, "power_options": ["utility_tariff", "onsite_gas"]},
    ),
    Case(
        "a clean target after the horizon",
        ["clean_energy.start_year = 2099 is after the horizon's last year"],
        {"clean_energy": {"target_fraction": 0.5, "start_year": 2099}},
    ),
    Case(
        "nested unknown key",
        ["interconnection.max_distance: unknown field; did you mean 'max_distance_km'?"],
        {"interconnection": {"max_distance": 3}},
    ),
    Case(
        "unknown data layer key",
        ["data.zone: unknown field; did you mean 'zones'?"],
        {"data_extra": {"zone": "z.csv"}},
    ),
    Case(
        "unknown on-site limit key",
        ["onsite_limits.recip.max_mw: unknown field; did you mean 'max_mw_per_site' or 'max_mw_total'?"],
        {"onsite_limits": {"recip": {"max_mw": 10}}},
    ),
    Case("non-numeric field", ["phase_mw", "valid number", "(got 'fifty')"], {"phase_mw": "fifty"}),
    Case(
        "negative field",
        ["discount_rate", "greater than or equal to 0", "(got -0.1)"],
        {"discount_rate": -0.1},
    ),
    Case(
        "horizon reversed",
        ["horizon", "horizon.last_year must be ≥ horizon.first_year"],
        {"horizon": {"first_year": 2029, "last_year": 2026}},
    ),
    Case(
        "target key not a date",
        ["targets_it_mw", "neither a year (2030) nor an ISO date"],
        {"targets_it_mw": {"soon": 5}},
    ),
    Case(
        "target outside the horizon",
        [
            "targets_it_mw: target dates ['2035-01-01'] fall outside the modelled period 2026-01-01 – 2029-12-31"
        ],
        {"targets_it_mw": {2035: 50}},
    ),
    Case(
        "default named in a cross-field error",
        ["site_min_it_mw = 2000 must be ≤ site_max_it_mw = 1000 (site_max_it_mw not set: default 1000)"],
        {"site_min_it_mw": 2000},
    ),
    Case(
        "field and cross-field errors at once",
        ["2 problems", "phase_mw: Input should be greater than 0", "site_min_it_mw = 2000 must be ≤"],
        {"phase_mw": -5, "site_min_it_mw": 2000},
    ),
    Case(
        "max_sites below the default min_sites",
        ["max_sites = 2 must be ≥ min_sites = 3"],
        {"max_sites": 2, "min_sites": 3},
    ),
    Case("required field missing", ["horizon: required field is missing"], {"horizon": None}),
    Case(
        "no decision date",
        ["decision_date: give decision_date (e.g. 2026-01-01) or decision_year"],
        {"decision_date": None},
    ),
    Case(
        "no energy supply",
        ["power_options needs utility_tariff or onsite_gas: nothing else supplies energy"],
        {"power_options": ["solar_ppa"]},
    ),
    Case(
        "unknown power kind",
        ["unknown power option kinds ['nuclear_smr']"],
        {"power_options": ["utility_tariff", "nuclear_smr"]},
    ),
    Case(
        "corrupt scenario YAML",
        [
            "not valid YAML at line 3, column 1",
            "flow mapping that starts at line 2",
            "fix:   fix the YAML syntax",
        ],
        "name: bad\nhorizon: {first_year: 2026\n",
    ),
    Case("empty scenario file", ["a scenario must be a YAML mapping of fields", "fix:"], ""),
    Case(
        "unknown state",
        ["unknown state code(s) ['XX'] in the region", "field 'region.states'", "fix:   use 2-letter codes"],
        {"region": {"states": ["XX"]}},
    ),
    Case(
        "state by its name",
        ["unknown state code(s) ['TENNESSEE']", "did you mean 'TN'?"],
        {"region": {"states": ["Tennessee"]}},
    ),
    # ------------------------------------------------------------------ infeasible combinations
    Case(
        "min_sites above the candidates",
        ["min_sites = 5 but only 2 candidate site(s) qualify", "lower min_sites"],
        {"min_sites": 5},
    ),
    Case(
        "region circle holds no site",
        ["no candidate site lies in the scenario's region", "widen region.radius_km"],
        {"region": {"center_lat": 40.0, "center_lon": -100.0, "radius_km": 10}},
    ),
    Case(
        "no site holds the minimum size",
        ["no candidate site can hold the minimum site size", "lower site_min_it_mw"],
        {"site_min_it_mw": 800, "site_max_it_mw": 900},
    ),
    Case(
        "target before anything can be built",
        [
            "nothing can be online by 2027-01-01 (target 50 MW)",
            "earliest feasible date for 50 MW is 2027-07-01",
        ],
        {"targets_it_mw": {2027: 50}, "time_steps": {"monthly_months": 0, "quarterly_months": 24}},
        exit_code=0,
    ),
    Case(
        "target above what can ever be delivered",
        ["5,000 MW cannot be online within the horizon (at most 1,000 MW"],
        {"targets_it_mw": {2029: 5000}},
        exit_code=0,
    ),
    # ------------------------------------------------------------------ zones
    Case(
        "zones file missing",
        ["zones file not found", "nothere.csv", "fix:"],
        {"data_extra": {"zones": "nothere.csv"}},
    ),
    Case(
        "zones missing column",
        ["zones table lacks required columns ['line_cost_region']", "zones.csv", "column 'line_cost_region'"],
        layers=csv("zones", drop("line_cost_region")),
    ),
    Case(
        "zones duplicate ids",
        ["1 duplicate id(s): 1", "column 'zone_id'", "rows line 2, line 3", "unique id"],
        layers=csv("zones", setv(zone_id=(1, 1))),
    ),
    Case(
        "zones unknown region with suggestion",
        [
            "unknown value(s) (e.g. 'Southeest'); did you mean 'Southeast'?",
            "column 'line_cost_region'",
            "line 3",
        ],
        layers=csv("zones", setv(line_cost_region=(1, "Southeest"))),
    ),
    # ------------------------------------------------------------------ substations
    Case(
        "substations non-numeric",
        [
            "not numbers (e.g. 'lots')",
            "substations.csv",
            "column 'headroom_mw'",
            "rows line 2",
            "plain numbers",
        ],
        layers=csv("substations", setv(headroom_mw=(0, "lots"))),
    ),
    Case(
        "substations latitude out of range",
        ["out of the physical range [-90, 90] degrees north", "column 'lat'", "line 3"],
        layers=csv("substations", setv(lat=(1, 95.0), lon=(1, -190.0))),
    ),
    Case(
        "substations lat/lon swapped",
        [
            "latitude and longitude swapped (e.g. lat -90, lon 35)",
            "column 'lat'",
            "rows line 2",
            "swap the two columns",
        ],
        layers=csv("substations", setv(lat=(0, -90.0), lon=(0, 35.0))),
    ),
    Case(
        "substations NaN voltage",
        ["value(s) are missing", "column 'max_voltage_kv'", "line 3", "fill the missing values"],
        layers=csv("substations", setv(max_voltage_kv=(1, float("nan")))),
    ),
    Case(
        "substations unknown zone",
        ["substations refer to zone ids missing from the zones table: [99]", "column 'zone_id'"],
        layers=csv("substations", setv(zone_id=(0, 99))),
    ),
    # ------------------------------------------------------------------ candidate sites
    Case(
        "sites negative acres",
        [
            "out of the physical range ≥ 0 acres (e.g. -5)",
            "candidate_sites.csv",
            "column 'buildable_acres'",
            "line 2",
        ],
        layers=csv("candidate_sites", setv(buildable_acres=(0, -5.0))),
    ),
    Case(
        "sites duplicate ids",
        ["duplicate id(s): a", "column 'site_id'", "rows line 2, line 3"],
        layers=csv("candidate_sites", setv(site_id=(1, "a"))),
    ),
    Case(
        "sites all problems at once",
        [
            "candidate_sites table: 3 problems",
            "column 'max_it_mw'",
            "value(s) are missing",
            "duplicate id(s): a",
            "column 'zone_id'; rows line 3",
        ],
        layers=csv("candidate_sites", setv(site_id=(1, "a"), max_it_mw=(0, float("nan")), zone_id=(1, 1.5))),
    ),
    Case(
        "sites empty file",
        ["cannot read candidate_sites as CSV", "candidate_sites.csv", "fix:"],
        layers=text("candidate_sites", ""),
    ),
    Case(
        "sites header only",
        ["the file has no candidate_sites rows", "candidate_sites.csv"],
        layers=csv("candidate_sites", lambda df: df.iloc[0:0]),
    ),
    Case(
        "sites outside the climate grid",
        ["climate has no data within 0.5° of 1 site(s)", "climate.nc", "extend the climate grid"],
        layers=csv("candidate_sites", setv(lat=(1, 45.0))),
    ),
    # ------------------------------------------------------------------ power options, costs, line costs
    Case(
        "power kind typo",
        ["(e.g. 'onsite-gas'); did you mean 'onsite_gas'?", "power_options.csv", "column 'kind'", "line 3"],
        layers=csv("power_options", setv(kind=(1, "onsite-gas"))),
    ),
    Case(
        "power option without lead time",
        ["need a lead time", "column 'lead_time_months'", "line 3"],
        layers=csv("power_options", setv(lead_time_years=(1, float("nan")))),
    ),
    Case(
        "costs missing parameter",
        ["costs table lacks parameters ['acres_per_mw_it']", "costs.csv", "acres_per_mw_it [acre/MW]"],
        layers=csv("costs", lambda df: df[df["parameter"] != "acres_per_mw_it"]),
    ),
    Case(
        "costs value not a number",
        ["not numbers (e.g. 'ten')", "costs.csv", "column 'value'", "line 2"],
        layers=csv("costs", setv(value=(0, "ten"))),
    ),
    Case(
        "line costs lack a region",
        ["line_costs has no rows for regions ['Southeast']", "column 'line_cost_region'"],
        layers=csv("line_costs", setv(line_cost_region=(slice(None), "MISO"))),
    ),
    Case(
        "line costs negative capacity",
        ["out of the physical range ≥ 0 MW", "line_costs.csv", "column 'line_capacity_mw'", "line 4"],
        layers=csv("line_costs", setv(line_capacity_mw=(2, -1.0))),
    ),
    # ------------------------------------------------------------------ tariffs, permitting, gas, supply chain
    Case(
        "tariff fraction above 1",
        ["out of the physical range [0, 1]", "tariffs.csv", "column 'min_take_fraction'", "line 2"],
        layers=csv("tariffs", setv(min_take_fraction=(0, 1.5))),
    ),
    Case(
        "tariff for an unknown zone",
        ["tariffs refer to zone ids missing from the zones table: [999]", "column 'zone_id'", "line 3"],
        layers=csv("tariffs", setv(zone_id=(1, 999))),
    ),
    Case(
        "permitting state code form",
        ["wrong form (e.g. 'Tenn')", "permitting.csv", "column 'state'", "TX or US"],
        layers=csv("permitting", setv(state=(0, "Tenn"))),
    ),
    Case(
        "permitting duplicate rows",
        ["permitting has duplicate state/county rows", "rows line 2, line 3"],
        layers=csv("permitting", setv(state=(1, "TN"))),
    ),
    Case(
        "gas point longitude out of range",
        ["out of the physical range [-180, 180] degrees east", "gas_points.csv", "column 'lon'"],
        layers=csv("gas_points", setv(lon=(0, -200.0))),
    ),
    Case(
        "supply chain unknown option",
        ["supply_chain refers to options missing from power_options: ['nuclear']", "column 'option_id'"],
        layers=csv("supply_chain", setv(option_id=(0, "nuclear"))),
    ),
    Case(
        "supply chain year out of range",
        ["out of the physical range [2000, 2100] calendar year", "column 'year'"],
        layers=csv("supply_chain", setv(year=(0, 1900))),
    ),
    # ------------------------------------------------------------------ climate and vector layers
    Case(
        "climate corrupt file",
        ["cannot read climate NetCDF", "climate.nc", "NetCDF4"],
        layers=text("climate", b"\x89HDF garbage"),
    ),
    Case(
        "climate missing variable",
        ["climate dataset lacks variables ['wet_bulb_c']", "column 'wet_bulb_c'"],
        layers=climate(lambda ds: ds.drop_vars("wet_bulb_c")),
    ),
    Case(
        "states in the wrong CRS",
        [
            "outside the longitude/latitude range of the declared CRS EPSG:4326",
            "states.geojson",
            "column 'geometry'",
        ],
        layers={"states": states_in_metres},
    ),
    Case(
        "transmission lines corrupt",
        ["cannot read transmission_lines", "transmission_lines.geojson", "fix:"],
        layers=text("transmission_lines", '{"type": "FeatureCollection", "features": [{'),
    ),
    # ------------------------------------------------------------------ io readers through candidates.generate
    Case(
        "generate block key typo",
        ["unknown key(s) cell_size in candidates.generate; did you mean 'cell_km'?"],
        generate({"cell_size": 5}),
    ),
    Case(
        "parcels with duplicate ids",
        ["duplicate id(s): p1", "parcels.geojson", "column 'parcel_id'", "rows 0, 1"],
        generate(parcels=lambda out: _parcels(out, dup=True)),
    ),
    Case(
        "exclusion layer without CRS",
        ["the layer has no coordinate reference system", "water.shp", "set_crs"],
        generate(exclusions=exclusion_without_crs),
    ),
]


def run_case(case: Case, base: Path, out: Path):
    """Write the case's files and scenario; run ``siting validate`` on it."""
    data = {layer: str(base / name) for layer, name in LAYER_FILES.items()}
    for layer, writer in case.layers.items():
        data[layer] = str(writer(base, out))
    path = out / "s.yaml"
    if isinstance(case.scenario, str):
        path.write_text(case.scenario)
    else:
        changes = case.scenario(out) if callable(case.scenario) else dict(case.scenario)
        data.update(changes.pop("data_extra", {}))
        doc = {**SCENARIO, **changes, "data": data}
        if "candidates" in doc:
            del doc["data"]["candidate_sites"]
        path.write_text(yaml.safe_dump({k: v for k, v in doc.items() if v is not None}, sort_keys=False))
    return CliRunner().invoke(app, ["validate", str(path)])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_explained(case, base, tmp_path):
    """Exit code 2 (0 for a note), the expected words, no traceback and the standard what/where/fix form."""
    result = run_case(case, base, tmp_path)
    out = result.output
    assert "Traceback" not in out and (
        result.exception is None or isinstance(result.exception, SystemExit)
    ), (
        out,
        result.exception,
    )
    assert result.exit_code == case.exit_code, out
    for words in case.expect:
        assert words in out, f"{words!r} not in:\n{out}"
    if case.exit_code == 2:
        assert out.startswith("error: ") and ("where: file " in out or "in:    scenario " in out)
    else:
        assert "note: " in out and "✓ bad" in out


def test_there_are_at_least_40_cases():
    assert len({c.id for c in CASES}) == len(CASES) >= 40


# ---------------------------------------------------------------------- readers of public formats (API)


def _subs_file(tmp_path: Path, **change) -> Path:
    g = gpd.GeoDataFrame(
        {"ID": ["1", "2"], "NAME": ["N", "S"], "STATUS": ["IN SERVICE"] * 2, "MAX_VOLT": [345.0, 230.0]},
        geometry=[Point(-90.0, 35.0), Point(-89.5, 35.5)],
        crs="EPSG:4326",
    )
    for col, value in change.items():
        g[col] = value
    path = tmp_path / "subs.geojson"
    g.to_file(path, driver="GeoJSON")
    return path


def _no_crs_subs(tmp_path: Path) -> Path:
    path = _subs_file(tmp_path)
    g = gpd.read_file(path)
    g.to_file(tmp_path / "subs.shp")
    (tmp_path / "subs.prj").unlink()
    return tmp_path / "subs.shp"


READER_CASES = [
    (
        "hifld substations without CRS",
        lambda p: read_hifld_substations(_no_crs_subs(p)),
        ["no coordinate reference system", "subs.shp", "column 'geometry'", "Fix:"],
    ),
    (
        "hifld substations voltage in volts",
        lambda p: read_hifld_substations(_subs_file(p, MAX_VOLT=[345000.0, 230.0])),
        ["out of the physical range", "subs.geojson", "column 'MAX_VOLT'", "rows 0", "kV"],
    ),
    (
        "hifld lines empty file",
        lambda p: read_hifld_lines(_write(p / "lines.geojson", "")),
        ["cannot read the file as a vector layer", "lines.geojson", "Fix:"],
    ),
    (
        "eia860 missing technology column",
        lambda p: read_eia860_plants(_write(p / "p.csv", "plant_code,lat,lon,nameplate_mw\n1,35,-90,100\n")),
        ["no technology column", "p.csv", "Fix: add a column named one of"],
    ),
    (
        "point weather of unknown format",
        lambda p: read_point_weather(_write(p / "w.csv", "a,b\n1,2\n")),
        ["cannot tell the weather file format", "w.csv"],
    ),
]


def _write(path: Path, content: str) -> Path:
    path.write_text(content)
    return path


@pytest.mark.parametrize(
    ("reader", "expect"), [c[1:] for c in READER_CASES], ids=[c[0] for c in READER_CASES]
)
def test_bad_public_format_is_explained(reader, expect, tmp_path):
    with pytest.raises(InputError) as e:
        reader(tmp_path)
    for words in expect:
        assert words in str(e.value), f"{words!r} not in {e.value}"


def test_cli_error_keeps_bracketed_where_and_prints_no_markup(base, tmp_path):
    """The where-part ``[file …; column …]`` survived as plain text (it used to be eaten as console markup)."""
    case = Case("x", [], layers=csv("zones", setv(zone_id=(1, 1))))
    out = run_case(case, base, tmp_path).output
    path = str(tmp_path / "zones.csv")
    assert f"where: file {path}; column 'zone_id'; rows line 2, line 3" in out


def test_base_dataset_is_valid(base, tmp_path):
    """The unchanged base validates: 2 sites, target 50 MW by 2029 deliverable from 2027-07-01 (6 months
    permitting + 12 months construction after 2026-01-01; engines arrive after 6 months)."""
    result = run_case(Case("ok", [], exit_code=0), base, tmp_path)
    assert result.exit_code == 0, result.output
    assert "✓ bad: scenario and data valid; 2 of 2 candidate sites usable" in result.output
    assert "2029-01-01" in result.output and "2027-07-01" in result.output

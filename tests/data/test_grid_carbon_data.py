"""Grid carbon by hour through the data boundary and prepare: the hourly file (scenario.grid_carbon),
average vs marginal basis, ``ModelInputs.zone_periods``, and bad files explained (``siting validate``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tinydata import write_tiny_data, zone
from typer.testing import CliRunner

import siting
from siting.cli import app
from siting.data.load import load_dataset
from siting.data.paths import DEFAULT_FILES
from siting.errors import InputError
from siting.model.prepare import prepare_inputs

SITES = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "zone_id": 1}]
SUBS = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]
#: zone 1 (the site's) 500 kg/MWh average; zone 2 423.2 kg/MWh, unused by any site
ZONES = [zone(1, "Alpha", 1.0), zone(2, "Beta", 1.0, grid_co2_kg_per_mwh=423.2)]
SCENARIO = {
    "name": "gc",
    "decision_date": "2026-01-01",
    "horizon": {"first_year": 2026, "last_year": 2027},
    "targets_it_mw": {2027: 50},
    "min_sites": 0,
    "power_options": ["utility_tariff"],
}


def month_hour_rows(zone_id: int = 1) -> pd.DataFrame:
    """288 rows of a zone: 0.1 + 0.01 × month (t/MWh), the same every hour."""
    m, h = np.meshgrid(np.arange(1, 13), np.arange(24), indexing="ij")
    return pd.DataFrame(
        {"zone_id": zone_id, "month": m.ravel(), "hour": h.ravel(), "co2_t_per_mwh": 0.1 + 0.01 * m.ravel()}
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """The tiny dataset with the optional layers too (so that no embedded default is read)."""
    d = write_tiny_data(tmp_path_factory.mktemp("gc"), SITES, SUBS, zones=ZONES)
    pd.DataFrame({"state": ["US"], "base_permitting_months": [6.0]}).to_csv(d / "permitting.csv", index=False)
    pd.DataFrame({"lat": [35.1], "lon": [-90.1]}).to_csv(d / "gas_points.csv", index=False)
    pd.DataFrame(columns=["option_id", "year", "max_new_mw_per_year"]).to_csv(
        d / "supply_chain.csv", index=False
    )
    return d


def inputs(data: Path, **grid_carbon):
    sc = siting.Scenario(**SCENARIO, grid_carbon=grid_carbon)
    return prepare_inputs(load_dataset(sc, data_dir=data), sc)


def test_without_a_file_every_period_has_the_annual_rate(data):
    """No file, average basis: zone 1's 500 kg/MWh = 0.5 t/MWh in each of the 12 monthly periods."""
    d = inputs(data)
    assert d.grid_carbon_basis == "average"
    zp = d.zone_periods["grid_co2_t_per_mwh"]
    assert list(d.zone_periods.index.names) == ["zone_id", "period"]
    assert zp.index.get_level_values("zone_id").unique().tolist() == [1]
    assert zp.to_numpy() == pytest.approx(np.full(12, 0.5))


def test_the_file_gives_the_monthly_factors(data, tmp_path):
    """Monthly periods take the month's mean over its 24 hours: 0.1 + 0.01 × month (0.11 … 0.22)."""
    month_hour_rows().to_csv(tmp_path / "co2.csv", index=False)
    d = inputs(data, hourly_file=str(tmp_path / "co2.csv"))
    zp = d.zone_periods["grid_co2_t_per_mwh"].loc[1]
    assert zp.to_numpy() == pytest.approx(0.1 + 0.01 * np.arange(1, 13))
    assert d.zones.loc[1, "grid_co2_t_per_mwh"] == pytest.approx(0.5)  # the annual figure is unchanged


def test_a_zone_missing_from_the_file_keeps_its_annual_rate_with_a_note(data, tmp_path):
    month_hour_rows(zone_id=2).to_csv(tmp_path / "co2.csv", index=False)
    d = inputs(data, hourly_file=str(tmp_path / "co2.csv"))
    assert d.zone_periods["grid_co2_t_per_mwh"].to_numpy() == pytest.approx(np.full(12, 0.5))
    assert any("not in the hourly file" in n for n in d.notes)


def test_marginal_needs_marginal_factors(data, tmp_path):
    """No marginal rate is embedded: marginal without a file or zones column is refused, never replaced by
    the average; with a zones column of 700 kg/MWh the factor is 0.7 t/MWh."""
    with pytest.raises(InputError, match="no marginal emission factor") as err:
        inputs(data, basis="marginal")
    assert "grid_marginal_co2_kg_per_mwh" in str(err.value) and "basis: average" in str(err.value)
    zones = pd.read_csv(data / "zones.csv").assign(grid_marginal_co2_kg_per_mwh=[700.0, np.nan])
    zones.to_csv(tmp_path / "zones.csv", index=False)
    sc = siting.Scenario(
        **SCENARIO, grid_carbon={"basis": "marginal"}, data={"zones": str(tmp_path / "zones.csv")}
    )
    d = prepare_inputs(load_dataset(sc, data_dir=data), sc)
    assert d.grid_carbon_basis == "marginal"
    assert d.zone_periods["grid_co2_t_per_mwh"].to_numpy() == pytest.approx(np.full(12, 0.7))


def test_the_path_is_relative_to_the_scenario_file(data, tmp_path):
    month_hour_rows().to_csv(tmp_path / "co2.csv", index=False)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, "grid_carbon": {"hourly_file": "co2.csv"}}))
    sc = siting.load_scenario(path)
    ds = load_dataset(sc, data_dir=data)
    assert ds.files["grid_co2_hourly"] == tmp_path / "co2.csv"
    assert ds.grid_co2_hourly.loc[(1, 3, 0), "co2_t_per_mwh"] == pytest.approx(0.13)


# ---------------------------------------------------------------------------------------- bad files


def hour_of_year_rows(zone_id: int = 1, n: int = 8760) -> pd.DataFrame:
    return pd.DataFrame({"zone_id": zone_id, "hour_of_year": np.arange(n), "co2_t_per_mwh": 0.4})


def setv(df: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    df = df.copy().astype({column: object})
    df.loc[row, column] = value
    return df


BAD = [
    (
        "unknown zone",
        month_hour_rows(zone_id=9),
        ["zone ids missing from the zones table: [9]", "column 'zone_id'", "line 2"],
    ),
    (
        "month out of range",
        setv(month_hour_rows(), 0, "month", 13),
        ["out of the physical range", "column 'month'", "line 2"],
    ),
    (
        "hour out of range",
        setv(month_hour_rows(), 5, "hour", 24),
        ["out of the physical range", "column 'hour'", "line 7"],
    ),
    (
        "negative factor",
        setv(month_hour_rows(), 3, "co2_t_per_mwh", -0.1),
        ["out of the physical range", "column 'co2_t_per_mwh'", "line 5"],
    ),
    (
        "kg given as t",
        setv(month_hour_rows(), 3, "co2_t_per_mwh", 450.0),
        ["out of the physical range", "t CO2/MWh"],
    ),
    (
        "blank factor",
        setv(month_hour_rows(), 2, "co2_t_per_mwh", np.nan),
        ["missing (NaN or blank)", "column 'co2_t_per_mwh'", "line 4"],
    ),
    (
        "missing month-hours",
        month_hour_rows().iloc[:-1],
        ["zone(s) 1 have 287 rows, not 288 (missing e.g. month 12, hour 23)", "fix"],
    ),
    (
        "duplicate month-hour",
        pd.concat([month_hour_rows(), month_hour_rows().iloc[:1]]),
        ["more than one row", "line 2", "line 290"],
    ),
    (
        "missing hours of the year",
        hour_of_year_rows(n=8000),
        ["have 8000 rows, not 8,760 (missing e.g. hour_of_year 8000)", "8,760 hours"],
    ),
    (
        "no time columns",
        month_hour_rows().drop(columns=["month", "hour"]),
        ["no time columns", "hour_of_year"],
    ),
    (
        "not a timestamp",
        pd.DataFrame({"zone_id": [1], "timestamp": ["soon"], "co2_t_per_mwh": [0.4]}),
        ["not date-times", "'soon'", "line 2"],
    ),
]


@pytest.mark.parametrize(("table", "expect"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_hourly_file_is_explained(data, tmp_path, table, expect):
    """``siting validate`` exits 2 with what, where (file, column, line) and fix, no traceback."""
    table.to_csv(tmp_path / "co2.csv", index=False)
    layers = {k: str(data / v) for k, v in DEFAULT_FILES.items() if (data / v).exists()}
    doc = {**SCENARIO, "grid_carbon": {"hourly_file": "co2.csv"}, "data": layers}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc))
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "s.yaml")])
    out = result.output
    assert result.exit_code == 2, out
    assert "Traceback" not in out and out.startswith("error: ") and "co2.csv" in out
    for words in expect:
        assert words in out, f"{words!r} not in:\n{out}"


def test_representative_hours_take_the_factor_of_their_utc_hour(data, tmp_path):
    """With representative days each period is one UTC hour of day; a profile of 0.3 + 0.01 × hour in every
    month gives each period exactly 0.3 + 0.01 × its hour, whatever its month weights (e.g. hour 0 → 0.30,
    hour 23 → 0.53)."""
    rows = month_hour_rows().assign(co2_t_per_mwh=lambda df: 0.3 + 0.01 * df["hour"])
    rows.to_csv(tmp_path / "co2.csv", index=False)
    sc = siting.Scenario(
        **SCENARIO,
        grid_carbon={"hourly_file": str(tmp_path / "co2.csv")},
        time_resolution={"kind": "representative_days", "n_days": 2},
    )
    d = prepare_inputs(load_dataset(sc, data_dir=data), sc)
    hour = d.periods["hour"].to_numpy()
    assert len(hour) == 48
    assert d.zone_periods["grid_co2_t_per_mwh"].loc[1].to_numpy() == pytest.approx(0.3 + 0.01 * hour)


def test_timestamps_are_read_with_their_offset(data, tmp_path):
    """A year of Central Standard Time hours (UTC−6), factor 0.01 × local hour: UTC hour 20 is local 14
    (0.14) in every month; a leap year's 8,784 hours are accepted."""
    local = pd.date_range("2024-01-01 00:00", periods=8784, freq="h", tz="Etc/GMT+6")
    table = pd.DataFrame(
        {"zone_id": 1, "timestamp": local.strftime("%Y-%m-%dT%H:%M:%S%z"), "co2_t_per_mwh": 0.01 * local.hour}
    )
    table.to_csv(tmp_path / "co2.csv", index=False)
    sc = siting.Scenario(**SCENARIO, grid_carbon={"hourly_file": str(tmp_path / "co2.csv")})
    prof = load_dataset(sc, data_dir=data).grid_co2_hourly["co2_t_per_mwh"]
    assert prof.xs(20, level="hour").to_numpy() == pytest.approx(np.full(12, 0.14))

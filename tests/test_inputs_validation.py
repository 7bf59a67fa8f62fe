"""Bad scenarios and bad data layers fail at the boundary with file, column, rows and a fix."""

import pandas as pd
import pytest

import siting
from siting.errors import InfeasibleScenarioError, InputError

SITES = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0}]
SUBS = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]


def write(tmp_path, text):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def test_scenario_errors_name_the_field(tmp_path):
    bad = write(
        tmp_path,
        "name: x\ndecision_year: 2026\nhorizon: {first_year: 2027, last_year: 2026}\ntargets_it_mw: {2027: 10}\n",
    )
    with pytest.raises(InputError, match=r"horizon.*last_year") as e:
        siting.load_scenario(bad)
    assert "s.yaml" in str(e.value)
    bad = write(
        tmp_path,
        "name: x\ndecision_year: 2026\nhorizon: {first_year: 2027, last_year: 2030}\n"
        "targets_it_mw: {2027: 10}\npower_options: [nuclear_smr]\n",
    )
    with pytest.raises(InputError, match="unknown power option kinds"):
        siting.load_scenario(bad)
    bad = write(
        tmp_path,
        "name: x\ndecision_year: 2026\nhorizon: {first_year: 2027, last_year: 2030}\n"
        "targets_it_mw: {2027: 10}\nphase_mw_typo: 5\n",
    )
    with pytest.raises(InputError, match="phase_mw_typo"):
        siting.load_scenario(bad)
    with pytest.raises(InputError, match="not found"):
        siting.load_scenario(tmp_path / "missing.yaml")


def test_bad_data_values_name_file_column_and_rows(tiny):
    data = tiny(SITES, SUBS)
    subs = pd.read_csv(data / "substations.csv")
    subs.loc[0, "headroom_mw"] = -5
    subs.to_csv(data / "substations.csv", index=False)
    with pytest.raises(InputError) as e:
        siting.load_dataset(data_dir=data)
    msg = str(e.value)
    assert "substations.csv" in msg and "headroom_mw" in msg and "line 2" in msg and "Fix:" in msg


def test_missing_column_and_unknown_zone(tiny):
    data = tiny(SITES, SUBS)
    sites = pd.read_csv(data / "candidate_sites.csv").drop(columns=["max_it_mw"])
    sites.to_csv(data / "candidate_sites.csv", index=False)
    with pytest.raises(InputError, match="max_it_mw"):
        siting.load_dataset(data_dir=data)
    data = tiny(SITES, [dict(SUBS[0], zone_id=99)])
    with pytest.raises(InputError, match="zone ids missing"):
        siting.load_dataset(data_dir=data)


def test_user_layer_replaces_default(tiny, tmp_path):
    data = tiny(SITES, SUBS)
    custom = tmp_path / "my_sites.csv"
    pd.read_csv(data / "candidate_sites.csv").assign(name="Mine").to_csv(custom, index=False)
    sc = siting.Scenario(
        name="u",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2028},
        targets_it_mw={2028: 50},
        data={"candidate_sites": custom},
    )
    ds = siting.load_dataset(sc, data_dir=data)
    assert list(ds.candidate_sites["name"]) == ["Mine"]
    assert ds.files["candidate_sites"] == custom


def test_infeasible_scenario_is_explained(tiny):
    data = tiny(SITES, SUBS)
    sc = siting.Scenario(
        name="inf",
        decision_year=2026,
        horizon={"first_year": 2027, "last_year": 2028},
        targets_it_mw={2028: 50},
        min_sites=1,
        budget_usd=1e6,
        power_options=["utility_tariff"],
    )
    with pytest.raises(InfeasibleScenarioError, match="budget_usd"):
        siting.solve(sc, data_dir=data)
    sc = sc.model_copy(update={"min_sites": 3, "budget_usd": None})
    with pytest.raises(InfeasibleScenarioError, match="min_sites = 3"):
        siting.solve(sc, data_dir=data)

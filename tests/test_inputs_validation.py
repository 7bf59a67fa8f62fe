"""Bad scenarios and bad data layers fail at the boundary with file, column, rows and a fix."""

import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import siting
from siting import cli
from siting.errors import InfeasibleScenarioError, InputError, did_you_mean
from siting.model.precheck import _grid_mw

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


# ------------------------------------------------------------------ did you mean, summary width, bound


def test_did_you_mean_prefers_prefix_then_close_matches():
    """``carbon_cap`` is a prefix of the field (difflib's ratio alone, 2·10/34 = 0.59, is below 0.6)."""
    fields = ["carbon_cap_tco2_per_year", "carbon_price_usd_per_tco2", "budget_usd"]
    assert did_you_mean("carbon_cap", fields) == "; did you mean 'carbon_cap_tco2_per_year'?"
    assert did_you_mean("zone", ["zones", "substations"]) == "; did you mean 'zones'?"
    assert did_you_mean("xyz", ["zones"]) == ""


def test_scenario_defaults_are_named_and_all_problems_reported_together(tmp_path):
    bad = write(
        tmp_path,
        "name: x\ndecision_year: 2026\nhorizon: {first_year: 2027, last_year: 2030}\n"
        "targets_it_mw: {2027: 10}\nsite_min_it_mw: 1500\nphase_mw: -1\ncarbon_cap: 3\n",
    )
    with pytest.raises(InputError) as e:
        siting.load_scenario(bad)
    assert e.value.message == "invalid scenario: 3 problems" and e.value.field == "phase_mw"
    assert e.value.problems == [
        "phase_mw: Input should be greater than 0 (got -1)",
        "carbon_cap: unknown field; did you mean 'carbon_cap_tco2_per_year'?",
        "site_min_it_mw: site_min_it_mw = 1500 must be ≤ site_max_it_mw = 1000 "
        "(site_max_it_mw not set: default 1000)",
    ]


class _FakePlan:
    """What the CLI summary reads of a plan, with numbers of seven digits."""

    meta = {
        "scenario": "wide[bold]",
        "status": "optimal",
        "objective_usd": 1.254123e15,
        "currency_year": 2024,
        "mip_gap": 0.001,
        "solve_seconds": 1.0,
        "steps": [{"start": "2030-01-01", "it_mw_online": 1254123.0, "shortfall_it_mw": 1254123.0}],
        "target_dates_it_mw": {"2030-01-01": 2508246.0},
        "costs_usd": {"construction": 1.254123e12},
        "notes": [],
    }

    def summary(self):
        big = 1254123.0
        return pd.DataFrame(
            {
                "target_it_mw": [big],
                "it_mw_online": [big],
                "shortfall_it_mw": [big],
                "sites_online": [12],
                "grid_mw": [big],
                "onsite_mw": [big],
                "emissions_tco2": [big * 1000],
            },
            index=[2030],
        )

    sites = pd.DataFrame(
        {
            "site_id": ["tx_a_very_long_site_identifier"],
            "name": ["Seguin TX, an industrial park by the river [east]"],
            "it_mw": [1254123.0],
            "first_online_date": ["2028-04-01"],
            "substation_ids": ["123456, 234567, 345678"],
        }
    )


def test_summary_tables_never_truncate_numbers_at_80_columns(monkeypatch, tmp_path):
    """Every seven-digit number (1,254,123) appears whole at 80 columns, no cell ends in '…', and text in
    square brackets is printed as is (not eaten as console markup)."""
    buf = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=buf, width=80, color_system=None))
    cli._print_summary(_FakePlan(), tmp_path / "plan[1]")
    out = buf.getvalue()
    assert "…" not in out
    assert out.count("1,254,123") == 11  # objective 1, dated table 2, yearly 6, sites 1, costs 1
    assert "wide[bold]" in out and "[east]" in out and f"plan written to {tmp_path / 'plan[1]'}" in out
    assert max(len(line) for line in out.splitlines() if not line.startswith("plan written")) <= 80


SITE = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "permitting_lead_time_years": 0.5}]
SUB100 = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 100}]


def _bound_scenario(**kw) -> siting.Scenario:
    return siting.Scenario(
        name="bound",
        decision_date="2026-01-01",
        horizon={"first_year": 2026, "last_year": 2029},
        **kw,
    )


def test_deliverable_bound_and_earliest_date_by_hand(tiny):
    """Site a: 6 months permitting + 12 of construction → ready 2027-07-01; 500 MW of land and max_it_mw.
    PUE is 1.07 everywhere (tinydata), with no daily swing.

    * grid only, 100 MW of substation headroom: 100 / 1.07 = 93.5 MW IT → one 50 MW phase;
    * plus engines (6-month lead time, firm fraction 1, per-site cap = the facility's 500 × 1.07 = 535 MW)
      under a 100 MW air permit: (100 + 100) / 1.07 = 186.9 → three phases, 150 MW.
    A 50 MW target on 2027-01-01 is before the site is ready: bound 0, earliest 2027-07-01 (a quarter start).
    """
    data = tiny(SITE, SUB100)
    grid = _bound_scenario(targets_it_mw={2027: 50, 2029: 200}, power_options=["utility_tariff"])
    r = siting.validate(grid, data_dir=data)
    t = r.targets
    assert (
        t.loc["2027-01-01", "deliverable_it_mw"] == 0.0
        and t.loc["2027-01-01", "earliest_date"] == "2027-07-01"
    )
    assert t.loc["2029-01-01", "deliverable_it_mw"] == 50.0 and t.loc["2029-01-01", "earliest_date"] is None
    assert any("nothing can be online by 2027-01-01" in n for n in r.notes)
    assert any("200 MW cannot be online within the horizon (at most 50 MW" in n for n in r.notes)
    gas = _bound_scenario(
        targets_it_mw={2027: 50, 2029: 200},
        power_options=["utility_tariff", "onsite_gas"],
        air_permit={"max_gas_mw_per_site": 100},
    )
    assert siting.validate(gas, data_dir=data).targets.loc["2029-01-01", "deliverable_it_mw"] == 150.0


def test_solve_notes_a_target_before_anything_can_be_built(tiny):
    """The same 50 MW by 2027-01-01: the plan shows the 50 MW shortfall and says when it could be met."""
    data = tiny(SITE, SUB100)
    sc = _bound_scenario(targets_it_mw={2027: 50}, power_options=["utility_tariff"])
    plan = siting.solve(sc, data_dir=data)
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(50.0)
    assert any("earliest feasible date for 50 MW is 2027-07-01" in n for n in plan.meta["notes"])


def test_validate_refuses_unknown_states_and_notes_empty_ones(tiny):
    data = tiny(SITE, SUB100)
    with pytest.raises(InputError, match=r"unknown state code\(s\) \['XX'\]") as e:
        siting.validate(
            _bound_scenario(targets_it_mw={2029: 50}, region={"states": ["TN", "XX"]}), data_dir=data
        )
    assert e.value.field == "region.states"


def test_grid_bound_takes_the_largest_connections_energized_by_each_step():
    """At most 2 connections per site. Site a: 100 MW ready at step 0, 200 MW at step 1, 300 MW at step 2
    → 100, 100 + 200 = 300, then the two largest 300 + 200 = 500. Site b: 50 MW from step 1 → 0, 50, 50."""
    d = SimpleNamespace(
        sites=pd.DataFrame(index=pd.Index(["a", "b"], name="site_id")),
        connections=pd.DataFrame(
            {"max_mw": [100.0, 200.0, 300.0, 50.0], "first_step": [0, 1, 2, 1]},
            index=pd.MultiIndex.from_tuples(
                [("a", 1), ("a", 2), ("a", 3), ("b", 4)], names=["site_id", "substation_id"]
            ),
        ),
        grid_allowed=True,
        max_connections_per_site=2,
    )
    assert _grid_mw(d, np.array([0, 1, 2])).tolist() == [[100.0, 300.0, 500.0], [0.0, 50.0, 50.0]]

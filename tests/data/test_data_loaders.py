"""Loaders: legacy year columns, months columns, the new optional layers and their error messages."""

import numpy as np
import pandas as pd
import pytest

import siting
from siting.data.load import (
    OPTIONAL_LAYERS,
    default_data_dir,
    load_costs,
    load_permitting,
    load_power_options,
    load_supply_chain,
    load_tariffs,
    load_zones,
)
from siting.errors import InputError

SITES = [{"site_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "permitting_lead_time_years": 0.5}]
SUBS = [{"substation_id": 1, "lat": 35.0, "lon": -90.0, "headroom_mw": 500}]


def test_tiny_legacy_years_become_months(tiny):
    data = tiny(SITES, SUBS)  # tinydata writes *_years columns only
    for name in OPTIONAL_LAYERS:  # the optional layers absent: their documented defaults apply
        (data / f"{name}.csv").unlink(missing_ok=True)
    ds = siting.load_dataset(data_dir=data)
    assert ds.zones["interconnection_lead_time_months"].tolist() == [12.0, 48.0]
    assert ds.zones["interconnection_lead_time_years"].tolist() == [1.0, 4.0]
    assert ds.candidate_sites["permitting_lead_time_months"].tolist() == [6.0]
    assert ds.candidate_sites["permitting_lead_time_years"].tolist() == [0.5]
    po = ds.power_options
    assert po.loc["recip", "lead_time_months"] == 6.0 and po.loc["recip", "lead_time_years"] == 0.5
    assert (
        ds.costs["construction_lead_time_months"] == 12.0 and ds.costs["construction_lead_time_years"] == 1.0
    )
    # optional layers absent: documented defaults
    assert ds.tariffs["fallback"].all() and ds.tariffs.index.tolist() == [1, 2]
    assert ds.tariffs.loc[1, "energy_charge_usd_per_mwh"] == pytest.approx(
        60.0 - 14.57 * 12000 / 7008, abs=0.01
    )
    assert ds.permitting["state"].tolist() == ["US"] and ds.gas_points is None and len(ds.supply_chain) == 0
    assert not set(OPTIONAL_LAYERS) & set(ds.files)


def test_shipped_data_in_months_with_every_new_layer():
    ds = siting.load_dataset()
    assert {"tariffs", "permitting", "gas_points", "supply_chain"} <= set(ds.files)
    assert len(ds.tariffs) == len(ds.zones) == 76
    assert not ds.tariffs["fallback"].all() and ds.tariffs.loc[29, "min_take_fraction"] == 0.85
    assert ds.tariffs.loc[29, "min_take_years"] == 12.0
    c = ds.candidate_sites
    assert np.allclose(c["permitting_lead_time_years"] * 12, c["permitting_lead_time_months"])
    assert c["permitting_lead_time_months"].between(6, 18).all() and c["dist_gas_km"].ge(0).all()
    assert ds.power_options.loc["gas_ct", "lead_time_months"] == 60.0
    bat = ds.power_options.loc["battery_4h"]
    assert bat["energy_capex_usd_per_kwh"] == pytest.approx(375.6 * 313.689 / 292.655, abs=0.1)
    assert bat["capex_usd_per_kw"] == pytest.approx(497.7 * 313.689 / 292.655, abs=0.1)
    assert bat["round_trip_efficiency"] == 0.85
    assert ds.costs["air_permit_major_source_nox_t_per_year"] == pytest.approx(90.7)


def test_months_and_years_must_agree(tmp_path):
    z = pd.read_csv(default_data_dir() / "zones.csv")
    z["interconnection_lead_time_years"] = z["interconnection_lead_time_months"] / 12
    z.loc[3, "interconnection_lead_time_years"] = 99.0
    z.to_csv(tmp_path / "zones.csv", index=False)
    with pytest.raises(InputError, match="disagree") as e:
        load_zones(tmp_path / "zones.csv")
    assert e.value.column == "interconnection_lead_time_months" and e.value.rows == ["line 5"]
    assert "zones.csv" in str(e.value)
    z.drop(columns=["interconnection_lead_time_years", "interconnection_lead_time_months"]).to_csv(
        tmp_path / "zones.csv", index=False
    )
    with pytest.raises(InputError, match="interconnection_lead_time_months"):
        load_zones(tmp_path / "zones.csv")


def test_bad_lead_time_names_file_column_row(tmp_path):
    po = pd.read_csv(default_data_dir() / "power_options.csv")
    po = po.rename(columns={"lead_time_months": "lead_time_years"})
    po["lead_time_years"] = po["lead_time_years"] / 12
    po["lead_time_years"] = po["lead_time_years"].astype(object)
    po.loc[4, "lead_time_years"] = "soon"
    po.to_csv(tmp_path / "po.csv", index=False)
    with pytest.raises(InputError) as e:
        load_power_options(tmp_path / "po.csv")
    assert e.value.column == "lead_time_years" and e.value.rows == ["line 6"] and "po.csv" in e.value.file
    po.loc[4, "lead_time_years"] = -1.0
    po["lead_time_years"] = po["lead_time_years"].astype(float)
    po.to_csv(tmp_path / "po.csv", index=False)
    with pytest.raises(InputError, match="lead_time_months") as e:
        load_power_options(tmp_path / "po.csv")
    assert e.value.rows == ["line 6"]


def test_costs_accept_years_or_months(tmp_path):
    c = pd.read_csv(default_data_dir() / "costs.csv")
    c.loc[c.parameter == "construction_lead_time_months", ["parameter", "value"]] = [
        "construction_lead_time_years",
        2.0,
    ]
    c.to_csv(tmp_path / "costs.csv", index=False)
    costs = load_costs(tmp_path / "costs.csv")
    assert costs["construction_lead_time_months"] == 24.0 and costs["construction_lead_time_years"] == 2.0


def _tariffs(tmp_path, changes):
    t = pd.read_csv(default_data_dir() / "tariffs.csv")
    for (row, col), value in changes.items():
        t.loc[row, col] = value
    t.to_csv(tmp_path / "tariffs.csv", index=False)
    return tmp_path / "tariffs.csv"


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        (2, "energy_charge_usd_per_mwh", -1.0),
        (7, "min_take_fraction", 1.5),
        (0, "demand_charge_usd_per_kw_month", -3.0),
    ],
)
def test_bad_tariff_values_name_file_column_row(tmp_path, row, column, value):
    zones = load_zones(default_data_dir() / "zones.csv")
    path = _tariffs(tmp_path, {(row, column): value})
    with pytest.raises(InputError) as e:
        load_tariffs(path, zones)
    assert e.value.column == column and e.value.rows == [f"line {row + 2}"] and "tariffs.csv" in e.value.file


def test_tariff_unknown_zone_and_missing_zones(tmp_path):
    zones = load_zones(default_data_dir() / "zones.csv")
    with pytest.raises(InputError, match="zone ids missing") as e:
        load_tariffs(_tariffs(tmp_path, {(0, "zone_id"): 999}), zones)
    assert e.value.column == "zone_id" and e.value.rows == ["line 2"]
    # a user file with only three zones: the others are filled by the EIA fallback rule, flagged
    t = pd.DataFrame(
        {
            "zone_id": [29, 15, 302],
            "energy_charge_usd_per_mwh": [40.0, 50.0, 30.0],
            "demand_charge_usd_per_kw_month": [10.0, 12.0, 8.0],
        }
    )
    t.to_csv(tmp_path / "mine.csv", index=False)
    tab = load_tariffs(tmp_path / "mine.csv", zones)
    assert len(tab) == 76 and (~tab["fallback"]).sum() == 3
    assert tab.loc[302, "energy_charge_usd_per_mwh"] == 30.0 and tab.loc[302, "min_take_fraction"] == 0.0
    assert tab.loc[1, "flag"] == "derived (fallback: zone missing from mine.csv)"
    e1 = tab.loc[1, "energy_charge_usd_per_mwh"] + tab.loc[1, "demand_charge_usd_per_kw_month"] * 12000 / 7008
    assert e1 == pytest.approx(zones.loc[1, "industrial_price_usd_per_mwh"], abs=0.01)


def test_permitting_loader(tmp_path):
    pd.DataFrame({"state": ["TX", "TX"], "base_permitting_months": [6.0, 7.0]}).to_csv(
        tmp_path / "p.csv", index=False
    )
    with pytest.raises(InputError, match="duplicate") as e:
        load_permitting(tmp_path / "p.csv")
    assert e.value.rows == ["line 2", "line 3"]
    pd.DataFrame({"state": ["TX"], "base_permitting_months": [-6.0]}).to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(InputError) as e:
        load_permitting(tmp_path / "p.csv")
    assert e.value.column == "base_permitting_months"
    pd.DataFrame({"state": ["tx"], "base_permitting_months": [6.0]}).to_csv(tmp_path / "p.csv", index=False)
    p = load_permitting(tmp_path / "p.csv")
    assert p["state"].tolist() == ["TX", "US"]  # national default row added


def test_supply_chain_loader(tmp_path):
    po = load_power_options(default_data_dir() / "power_options.csv")
    pd.DataFrame(
        {"option_id": ["gas_ct", "nuclear"], "year": [2030, 2030], "max_new_mw_per_year": [1, 2]}
    ).to_csv(tmp_path / "sc.csv", index=False)
    with pytest.raises(InputError, match="nuclear") as e:
        load_supply_chain(tmp_path / "sc.csv", po)
    assert e.value.column == "option_id" and e.value.rows == ["line 3"]
    pd.DataFrame(
        {"option_id": ["gas_ct", "gas_ct"], "year": [2030, 2030], "max_new_mw_per_year": [1, 2]}
    ).to_csv(tmp_path / "sc.csv", index=False)
    with pytest.raises(InputError, match="more than one row"):
        load_supply_chain(tmp_path / "sc.csv", po)

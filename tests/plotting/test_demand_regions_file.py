"""``demand_regions.csv``: the plan's own demand regions, so that a reloaded plan draws the same map.

The plan is the latency case of ``tests/plotting/test_demand_map.py``: a cheap site at (35°N, 90°W) and a
dear one 0.5° east; region west at the cheap site, region east at 89°W, 1,000 people each; 100 MW due from
2027, half latency-bound, so 25 MW per region (0.5 × 100 × 1000 / 2000). With a 0.7 ms bound at route
factor 1, cheap serves west and dear serves east, 25 MW each: nothing unserved. Yearly steps 2027–2030:
the serving step is the 2030 step, starting 2030-01-01.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import types

import pandas as pd
import pytest
from tinydata import (
    LATENCY_REGIONS,
    LATENCY_SITES,
    LATENCY_SUBS,
    LATENCY_ZONES,
    latency_scenario,
    write_tiny_data,
)

import siting
from siting import plotting
from siting.plotting import save_figure
from siting.plotting._layers import CONTEXT_LAYERS, demand_regions_table, map_layers, serving_layers
from siting.plotting.maps import GeoJsonLayer, _regions_layer
from siting.results.check import check_plan
from siting.results.extract import DEMAND_REGION_COLUMNS, serving_step

LATENCY = {
    "latency_bound_share": 0.5,
    "max_rtt_ms": 0.7,
    "route_factor": 1.0,
    "serving_cost_usd_per_mw_year_per_1000_km": 1e5,
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = write_tiny_data(
        tmp_path_factory.mktemp("latency") / "data", LATENCY_SITES, LATENCY_SUBS, zones=LATENCY_ZONES
    )
    LATENCY_REGIONS.to_csv(data / "demand_regions.csv", index=False)
    return data


@pytest.fixture(scope="module")
def saved(data_dir, tmp_path_factory):
    """The two-site plan (about 1 s), saved, and the plan loaded back from its directory."""
    plan = siting.solve(latency_scenario(latency=LATENCY), data_dir=data_dir)
    out = plan.save(tmp_path_factory.mktemp("plan") / "p")
    return plan, siting.BuildPlan.load(out), out


def _region_layer(m) -> list:
    """Features of the ``siting-regions`` layer of a folium map, or of a list of layers."""
    els = m if isinstance(m, list) else m._children.values()
    layers = {el.pane: el for el in els if isinstance(el, GeoJsonLayer)}
    return json.loads(layers["siting-regions"].data_js)["features"]


def test_demand_regions_csv_by_hand(saved):
    """One row per region, sorted by id: east and west at (35, -89) and (35, -90), 1,000 people, in the
    2030 step (2030-01-01): demand 25 MW, served 25 MW, unserved 0; listed in files_sha256; check passes."""
    fresh, _, out = saved
    rg = pd.read_csv(out / "demand_regions.csv")
    assert list(rg.columns) == DEMAND_REGION_COLUMNS
    assert rg["region_id"].tolist() == ["east", "west"]
    assert rg[["lat", "lon"]].values.tolist() == [[35.0, -89.0], [35.0, -90.0]]
    assert rg["population"].tolist() == [1000, 1000]
    assert set(rg["year"]) == {2030} and set(rg["step_start"]) == {"2030-01-01"}
    assert rg["demand_mw"].tolist() == pytest.approx([25.0, 25.0], abs=1e-6)
    assert rg["served_mw"].tolist() == pytest.approx([25.0, 25.0], abs=1e-6)
    assert rg["unserved_mw"].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    meta = json.loads((out / "plan.json").read_text())
    assert "demand_regions.csv" in meta["files_sha256"]
    assert check_plan(out) == []
    assert fresh.demand_regions["region_id"].tolist() == ["east", "west"]


def test_plain_plan_writes_no_demand_regions_csv(data_dir, tmp_path):
    """Without a latency section: no table, no file (like serving.csv)."""
    plan = siting.solve(latency_scenario(), data_dir=data_dir)
    assert plan.demand_regions.empty
    out = plan.save(tmp_path / "p")
    assert not (out / "demand_regions.csv").exists() and not (out / "serving.csv").exists()
    assert check_plan(out) == []


def test_reloaded_plan_draws_the_same_map(saved, tmp_path):
    """Fresh and reloaded plan over the same context layers (the reloaded one without the dataset's
    regions): the same region and serving layers, the same HTML region layer and the same static SVG."""
    fresh, loaded, _ = saved
    loaded.context = {k: fresh.context[k] for k in CONTEXT_LAYERS}
    assert "demand_regions" not in loaded.context
    a, b = map_layers(fresh), map_layers(loaded)
    assert a.bounds == b.bounds and a.serving_year == b.serving_year == 2030
    pd.testing.assert_frame_equal(a.regions, b.regions, check_dtype=False)
    pd.testing.assert_frame_equal(a.serving, b.serving, check_dtype=False)
    assert b.regions["region_id"].tolist() == ["east", "west"] and len(b.serving) == 2
    assert _region_layer(plotting.explore(fresh)) == _region_layer(plotting.explore(loaded))
    svg_a = save_figure(plotting.plot_map(fresh), tmp_path / "a.svg").read_bytes()
    svg_b = save_figure(plotting.plot_map(loaded), tmp_path / "b.svg").read_bytes()
    assert b'id="demand-regions"' in svg_a and b'id="serving"' in svg_a
    assert svg_a == svg_b


def test_check_catches_inconsistent_demand_regions(saved, tmp_path):
    """served_mw 30 > demand 25 for east; a serving.csv region missing from the file; both reported."""
    _, _, out = saved
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in out.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    rg = pd.read_csv(bad / "demand_regions.csv")
    rg.loc[rg["region_id"] == "east", "served_mw"] = 30.0
    rg[rg["region_id"] == "east"].to_csv(bad / "demand_regions.csv", index=False)
    problems = check_plan(bad)
    assert any("demand_regions.csv was changed" in p for p in problems)
    assert any("east is served 30 MW, more than its demand 25 MW" in p for p in problems)
    assert any("serving.csv region west not in demand_regions.csv" in p for p in problems)
    assert any("east served_mw 30 != 25 MW in serving.csv" in p for p in problems)


def test_unserved_region_by_hand(tiny, tmp_path):
    """The case of tests/model/test_latency.py::test_a_missing_mw_is_lost_once_not_twice: only the cheap
    site (80 MW, 10 MW phases); east (0.91 ms away, beyond 0.7 ms) has no site in reach: demand 25 MW,
    served 0, unserved 25; west is served its 25 MW. Σ unserved_mw = 25 = the 2030 shortfall_it_mw
    (max(100 − 80, 25)). The reloaded plan's map shows east grey with "25.0 MW unserved"."""
    data = tiny([dict(LATENCY_SITES[0], max_it_mw=80)], LATENCY_SUBS[:1], zones=LATENCY_ZONES[:1])
    LATENCY_REGIONS.to_csv(data / "demand_regions.csv", index=False)
    latency = {"latency_bound_share": 0.5, "max_rtt_ms": 0.7, "route_factor": 1.0}
    plan = siting.solve(latency_scenario(latency=latency, phase_mw=10), data_dir=data)
    out = plan.save(tmp_path / "p")
    rg = pd.read_csv(out / "demand_regions.csv").set_index("region_id")
    assert rg.loc["east", ["demand_mw", "served_mw", "unserved_mw"]].tolist() == pytest.approx([25, 0, 25])
    assert rg.loc["west", ["demand_mw", "served_mw", "unserved_mw"]].tolist() == pytest.approx([25, 25, 0])
    assert rg["unserved_mw"].sum() == pytest.approx(plan.meta["shortfall_it_mw"]["2030"])
    assert check_plan(out) == []
    loaded = siting.BuildPlan.load(out)
    loaded.context = {k: plan.context[k] for k in CONTEXT_LAYERS}
    L = map_layers(loaded)
    assert L.regions["region_id"].tolist() == ["west"]  # east (-89°) is unserved and outside -90.5…-89.5
    regions, _ = serving_layers(loaded, demand_regions_table(loaded))
    assert regions.set_index("region_id")["unserved_mw"].to_dict() == pytest.approx({"east": 25, "west": 0})
    tips = [
        f["properties"]["t"] for f in _region_layer(_regions_layer(dataclasses.replace(L, regions=regions)))
    ]
    assert "not served within the latency bound in 2030<br>25.0 MW unserved" in tips[0]  # east
    assert "25.0 MW served in 2030 by Cheap" in tips[1] and "unserved" not in tips[1]  # west


def test_serving_step_is_the_last_step_of_the_last_horizon_year():
    """Steps of years 2029, 2030, 2030 (quarters, say) in a 2027–2030 horizon: step 2; steps running past
    the horizon (2030, 2031): step 0."""
    d = types.SimpleNamespace(
        years=[2027, 2028, 2029, 2030], steps=pd.DataFrame({"year": [2029, 2030, 2030]})
    )
    assert serving_step(d) == 2
    d.steps = pd.DataFrame({"year": [2030, 2031]})
    assert serving_step(d) == 0


def test_old_plan_without_the_file_still_loads(saved, tmp_path):
    """A plan directory without demand_regions.csv (written before it existed) loads with an empty table
    and draws regions only from ``context=``."""
    _, _, out = saved
    old = tmp_path / "old"
    old.mkdir()
    for f in out.iterdir():
        if f.name != "demand_regions.csv":
            (old / f.name).write_bytes(f.read_bytes())
    loaded = siting.BuildPlan.load(old)
    assert loaded.demand_regions.empty
    ctx = copy.copy(saved[0].context)
    assert map_layers(loaded, context={k: ctx[k] for k in CONTEXT_LAYERS}).regions.empty

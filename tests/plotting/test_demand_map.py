"""Demand regions and serving lines on the maps (issue 8 point 5).

The plan is the latency case of ``tests/model/test_latency.py``: a cheap site at (35°N, 90°W) and a dear
one 0.5° east; region west at the cheap site, region east 0.5° east of the dear one; 100 MW due from 2027,
half latency-bound, equal populations, so 25 MW per region. With a 0.7 ms bound at route factor 1, east
(91.1 km = 0.91 ms from cheap) is in reach of the dear site only: one 50 MW phase at each site, cheap
serves west (0 km, 0 ms) and dear serves east (0.5° × 111.195 km × cos 35° = 45.5 km,
2 × 45.5 / 199.86 = 0.46 ms), 25 MW each in every year 2027–2030.
"""

from __future__ import annotations

import copy
import json
import types

import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
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
from siting.plotting._layers import map_layers, serving_layers
from siting.plotting.maps import GeoJsonLayer

SITES, SUBS, ZONES, REGIONS = LATENCY_SITES, LATENCY_SUBS, LATENCY_ZONES, LATENCY_REGIONS
LATENCY = {
    "latency_bound_share": 0.5,
    "max_rtt_ms": 0.7,
    "route_factor": 1.0,
    "serving_cost_usd_per_mw_year_per_1000_km": 1e5,
}


_scenario = latency_scenario


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = write_tiny_data(tmp_path_factory.mktemp("latency") / "data", SITES, SUBS, zones=ZONES)
    REGIONS.to_csv(data / "demand_regions.csv", index=False)
    return data


@pytest.fixture(scope="module")
def served_plan(data_dir):
    """The two-site plan with a serving table (about 1 s)."""
    return siting.solve(_scenario(latency=LATENCY), data_dir=data_dir)


@pytest.fixture(scope="module")
def plain_plan(data_dir):
    """The same data without a latency section: 100 MW at the cheap site, no serving table."""
    return siting.solve(_scenario(), data_dir=data_dir)


def _layers(m) -> dict[str, GeoJsonLayer]:
    return {el.pane: el for el in m._children.values() if isinstance(el, GeoJsonLayer)}


def test_plan_context_holds_the_regions_only_with_latency(served_plan, plain_plan):
    """``assemble_plan`` adds the regions the scenario read (2 rows) to the map context; without a latency
    section none are read."""
    assert list(served_plan.context["demand_regions"]["region_id"]) == ["west", "east"]
    assert "demand_regions" not in plain_plan.context
    assert plain_plan.serving.empty


def test_html_map_has_both_regions_and_the_two_serving_lines(served_plan, tmp_path):
    """Region layer: West and East, each served 25 MW in 2030 (the last horizon year). Serving layer: Cheap →
    West 25 MW, 0 ms, 0 km and Dear → East 25 MW, 0.46 ms, 45.5 km; equal MW give the full 10 px width
    (2 + 8 × 25/25). The saved page holds the same tooltips and the legend rows."""
    layers = _layers(plotting.explore(served_plan))
    regions = json.loads(layers["siting-regions"].data_js)["features"]
    tips = [f["properties"]["t"] for f in regions]
    assert [t.split("</b>")[0] for t in tips] == ["<b>East", "<b>West"]  # sorted by region_id
    assert "25.0 MW served in 2030 by Dear" in tips[0] and "25.0 MW served in 2030 by Cheap" in tips[1]
    assert [f["geometry"]["coordinates"] for f in regions] == [[-89.0, 35.0], [-90.0, 35.0]]
    lines = json.loads(layers["siting-serving"].data_js)["features"]
    tips = [f["properties"]["t"] for f in lines]
    assert tips[0] == "<b>Cheap → West</b>: 25.0 MW · RTT 0.00 ms · 0.0 km (2030)"
    assert tips[1] == "<b>Dear → East</b>: 25.0 MW · RTT 0.46 ms · 45.5 km (2030)"
    assert [f["properties"]["w"] for f in lines] == [10.0, 10.0]
    assert lines[1]["geometry"]["coordinates"] == [[-89.5, 35.0], [-89.0, 35.0]]
    page = plotting.save_map_html(served_plan, tmp_path / "map.html").read_text()
    for text in [*tips, "Demand regions (size ∝ population)", "Serving in 2030 (width ∝ MW)"]:
        assert json.dumps(text)[1:-1].replace("</", "<\\/") in page or text in page, text
    assert "site serves region in 2030 (50 MW IT; width ∝ MW)" in page
    assert "demand region (size ∝ population" in page


def test_static_map_draws_regions_and_serving_lines(served_plan, tmp_path):
    """Two region circles (gid demand-regions), two serving segments of equal width 1 + 5 × 25/25 = 6 pt
    (gid serving) labelled 25 MW, both in the legend; the SVG carries both groups and the labels."""
    fig = plotting.plot_map(served_plan)
    ax = fig.axes[0]
    serving = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "serving"]
    assert len(serving) == 1
    segs = [seg.tolist() for seg in serving[0].get_segments()]
    assert segs == [[[-90.0, 35.0], [-90.0, 35.0]], [[-89.5, 35.0], [-89.0, 35.0]]]
    assert list(serving[0].get_linewidths()) == [6.0, 6.0]
    regions = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_gid() == "demand-regions"]
    assert len(regions) == 1 and regions[0].get_offsets().tolist() == [[-89.0, 35.0], [-90.0, 35.0]]
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("25 MW") == 2 and "West" in texts and "East" in texts
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "site serves region in 2030 (width ∝ MW; largest 25 MW)" in legend
    assert any(t.startswith("demand region") for t in legend)
    svg = save_figure(fig, tmp_path / "map.svg").read_text()
    assert 'id="serving"' in svg and 'id="demand-regions"' in svg
    assert "<!-- 25 MW -->" in svg and "<!-- West -->" in svg


def test_plan_without_serving_has_no_region_layer(plain_plan):
    """No latency section: no region or serving layer in either map, nothing in the legend."""
    layers = _layers(plotting.explore(plain_plan))
    assert "siting-regions" not in layers and "siting-serving" not in layers
    assert "Demand regions" not in plotting.explore(plain_plan).get_root().render()
    ax = plotting.plot_map(plain_plan).axes[0]
    assert not [c for c in ax.collections if c.get_gid() in ("serving", "demand-regions")]
    assert not any("region" in t.get_text() for t in ax.get_legend().get_texts())


def test_regions_come_from_the_context_argument_when_the_plan_has_none(served_plan):
    """A plan written before ``demand_regions.csv`` existed, loaded from disk, carries no regions: no region
    layer, unless ``context`` gives them."""
    loaded = copy.copy(served_plan)
    loaded.context = {k: v for k, v in served_plan.context.items() if k != "demand_regions"}
    loaded.demand_regions = pd.DataFrame()
    assert map_layers(loaded).regions.empty
    L = map_layers(loaded, context={"demand_regions": REGIONS.set_index("region_id")})
    assert list(L.regions["region_id"]) == ["east", "west"] and len(L.serving) == 2


def test_serving_layers_take_the_last_step_of_the_last_horizon_year():
    """Serving rows in 2029 (40 MW) and in two 2030 steps (July 10 MW, October 30 MW); horizon 2027–2030:
    only the October 2030 step is drawn, region a served 30 MW, region b (not served then) 0 MW."""
    sites = pd.DataFrame({"site_id": ["s"], "name": ["S"], "lat": [35.0], "lon": [-90.0]})
    serving = pd.DataFrame(
        {
            "site_id": ["s", "s", "s", "s"],
            "region_id": ["a", "a", "b", "a"],
            "year": [2029, 2030, 2030, 2030],
            "step_start": ["2029-01-01", "2030-07-01", "2030-07-01", "2030-10-01"],
            "mw": [40.0, 10.0, 5.0, 30.0],
            "rtt_ms": [1.0, 1.0, 2.0, 1.0],
            "distance_km": [50.0, 50.0, 100.0, 50.0],
        }
    )
    regions = pd.DataFrame(
        {"region_id": ["a", "b"], "name": ["A", "B"], "lat": [35.5, 36.0], "lon": [-90.0, -90.0]}
    ).assign(population=[10, 20])
    plan = types.SimpleNamespace(
        sites=sites,
        candidates=sites,
        serving=serving,
        meta={"targets_it_mw": {str(y): 1.0 for y in range(2027, 2031)}},
    )
    reg, pairs = serving_layers(plan, regions)
    assert pairs[["region_id", "year", "mw"]].values.tolist() == [["a", 2030, 30.0]]
    assert pairs[["region_lon", "region_lat"]].values.tolist() == [[-90.0, 35.5]]
    assert dict(zip(reg["region_id"], reg["served_mw"], strict=True)) == {"a": 30.0, "b": 0.0}
    plan.serving = pd.DataFrame()  # a plan without latency
    assert all(df.empty for df in serving_layers(plan, regions))

"""Latency-bound demand regions (issue 8 point 3): the fiber latency formula, a hand-derived assignment,
a capacitated facility-location problem written as data files only, and bad inputs of the new layers."""

import itertools
import math
import types

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.optimize import linprog
from tinydata import LATENCY_REGIONS, LATENCY_SITES, LATENCY_SUBS, LATENCY_ZONES, latency_scenario, zone

import siting
from siting.data.load import load_dataset, load_demand_regions, load_site_region_links
from siting.errors import InputError
from siting.features.latency import FIBER_KM_PER_MS, fiber_rtt_ms, pair_rtt_ms, serving_cost_usd_per_mw_year
from siting.model.prepare import latency_tables, time_grid
from siting.results.check import check_plan

PUE = 1.0 + 0.045 + 0.025  # economiser-mode PUE of the evaporative design (constant 5 °C tiny climate)
R = 0.07
KM_PER_DEG = 6371.0088 * math.pi / 180.0  # great circle along a meridian or the equator (km per degree)


def crf(r, n):
    return r / (1 - (1 + r) ** -n)


# ------------------------------------------------------------------------------------------ (a) formula
def test_fiber_rtt_by_hand():
    """1,000 km at route factor 1.5: 2 × 1,500 km / (299,792.458 km/s × 2/3 = 199.862 km/ms) = 15.010 ms;
    plus 2 ms of equipment = 17.010 ms."""
    assert FIBER_KM_PER_MS == pytest.approx(199.8616, abs=1e-4)
    assert fiber_rtt_ms(1000.0, 1.5) == pytest.approx(15.0104, abs=1e-4)
    assert fiber_rtt_ms(1000.0, 1.5, equipment_ms=2.0) == pytest.approx(17.0104, abs=1e-4)


def test_pair_rtt_is_sites_by_regions():
    """Two sites on the equator at lon 0 and 1, one region at lon 0: distances 0 and 111.195 km (1° of a
    sphere of radius 6,371.0088 km); at route factor 1, RTT 0 and 2 × 111.195 / 199.862 = 1.1127 ms."""
    rtt = pair_rtt_ms([0.0, 0.0], [0.0, 1.0], [0.0], [0.0], route_factor=1.0)
    assert rtt.shape == (2, 1)
    assert rtt[:, 0] == pytest.approx([0.0, 2 * KM_PER_DEG / FIBER_KM_PER_MS], abs=1e-9)
    assert rtt[1, 0] == pytest.approx(1.1127, abs=1e-4)
    # serving cost: 1e5 USD/(MW·yr·1000 km) × 1.5 × 111.195 km / 1000 = 16,679 USD/MW-yr
    assert serving_cost_usd_per_mw_year(KM_PER_DEG, 1.5, 1e5) == pytest.approx(16_679.3, abs=0.1)


# ------------------------------------------------------------------------------------------ (b) assignment
SITES, SUBS, ZONES, REGIONS = LATENCY_SITES, LATENCY_SUBS, LATENCY_ZONES, LATENCY_REGIONS
TIE_IN_USD = 1.0 / 1.609344 * 1.0e6  # 1 km minimum tie-in at 1 M$/mile, route factor 1


small_scenario = latency_scenario


def test_region_out_of_reach_of_the_cheap_site_is_served_by_the_dear_one(tiny, tmp_path):
    """Latency-bound share 0.5 of 100 MW, equal populations: 25 MW per region. At route factor 1 and a
    0.7 ms bound, west (0 km from cheap, 45.6 km = 0.46 ms from dear) is in reach of both, east (91.1 km =
    0.91 ms from cheap, 45.6 km from dear) only of the dear site. Without latency the plan is 100 MW at the
    cheap site; with it, one 50 MW phase at each: cheap serves west (0 km: free), dear serves east at
    1e5 × 45.56 / 1000 = 4,556 USD/MW-yr. By hand, per year 2027–2030: construction annuity
    crf(7 %, 20) × (10,000 + 12,000) $/kW × 50 MW, O&M 100 $/kW-yr × 100 MW, energy 100 MW × PUE × 8,760 h
    × 60 $/MWh, two 1 km tie-ins, and the serving cost 25 MW × 4,556 USD/MW-yr."""
    data = tiny(SITES, SUBS, zones=ZONES)
    REGIONS.to_csv(data / "demand_regions.csv", index=False)
    plain = siting.solve(small_scenario(), data_dir=data)
    assert list(plain.sites["site_id"]) == ["cheap"]
    assert "serving" not in plain.meta["costs_usd"] and plain.serving.empty  # off unless asked for
    latency = {
        "latency_bound_share": 0.5,
        "max_rtt_ms": 0.7,
        "route_factor": 1.0,
        "serving_cost_usd_per_mw_year_per_1000_km": 1e5,
    }
    plan = siting.solve(small_scenario(latency=latency), data_dir=data)
    assert plan.status == "optimal"
    assert sorted(plan.sites["site_id"]) == ["cheap", "dear"]
    assert dict(zip(plan.sites["site_id"], plan.sites["it_mw"], strict=True)) == {"cheap": 50.0, "dear": 50.0}
    sv = plan.serving
    assert set(zip(sv["site_id"], sv["region_id"], strict=True)) == {("cheap", "west"), ("dear", "east")}
    assert sv["mw"].to_numpy() == pytest.approx(np.full(len(sv), 25.0))
    assert sorted(sv["year"].unique()) == [2027, 2028, 2029, 2030]
    assert sv.loc[sv["site_id"] == "dear", "rtt_ms"].iloc[0] == pytest.approx(0.456, abs=1e-3)
    d_km = 0.5 * KM_PER_DEG * math.cos(math.radians(35.0))  # ≈ 45.56 km (haversine differs by < 1e-4 km)
    serving = 25.0 * 1e5 * d_km / 1000.0
    annual = (
        crf(R, 20) * (10_000e3 + 12_000e3) * 50
        + 100e3 * 100
        + 100 * PUE * 8760.0 * 60.0
        + 2 * crf(R, 20) * TIE_IN_USD
        + serving
    )
    df = [(1 + R) ** -(y - 2026) for y in range(2027, 2031)]
    assert plan.meta["costs_usd"]["serving"] == pytest.approx(sum(df) * serving, rel=1e-4)
    assert plan.objective_usd == pytest.approx(sum(df) * annual, rel=1e-6)
    out = plan.save(tmp_path / "plan")
    assert (out / "serving.csv").exists() and check_plan(out) == []
    edited = pd.read_csv(out / "serving.csv")
    edited.loc[edited["site_id"] == "dear", "mw"] = 75.0  # more than the dear site's 50 MW of IT
    edited.to_csv(out / "serving.csv", index=False)
    problems = check_plan(out)
    assert any("serving.csv was changed" in p for p in problems)
    assert any("dear serves 75 MW" in p and "more than its IT MW" in p for p in problems)


def test_a_missing_mw_is_lost_once_not_twice(tiny):
    """Only the cheap site, 80 MW at most, 10 MW phases; 100 MW due from 2027, half of it latency-bound:
    west (at the site) and east (0.91 ms away, beyond the 0.7 ms bound) 25 MW each. Each MW costs about
    1.9 M USD/yr, below the 10 M USD/MW-yr of lost compute, so all 80 MW are built (70 MW would lose 30).
    The compute lost is max(target − IT online = 20 MW, east's unserved 25 MW) = 25 MW a year (80 MW can
    serve west's 25 and the 50 MW that are not latency-bound: 5 MW idle), not 20 + 25 = 45:
    shortfall_penalty = 25 MW × 10 M USD × Σ 1.07^-k, k = 1…4."""
    data = tiny([dict(SITES[0], max_it_mw=80)], SUBS[:1], zones=ZONES[:1])
    REGIONS.to_csv(data / "demand_regions.csv", index=False)
    latency = {"latency_bound_share": 0.5, "max_rtt_ms": 0.7, "route_factor": 1.0}
    plan = siting.solve(small_scenario(latency=latency, phase_mw=10), data_dir=data)
    assert plan.meta["it_mw_online"]["2027"] == pytest.approx(80.0)
    assert plan.meta["shortfall_it_mw"]["2027"] == pytest.approx(25.0)
    assert plan.serving["mw"].to_numpy() == pytest.approx(np.full(len(plan.serving), 25.0))
    assert set(plan.serving["region_id"]) == {"west"}
    df = sum((1 + R) ** -(y - 2026) for y in range(2027, 2031))
    assert plan.meta["costs_usd"]["shortfall_penalty"] == pytest.approx(25.0 * 1e7 * df, rel=1e-6)


def test_inference_mw_by_year_is_held_until_the_next_column():
    """Regions a, b with inference_mw_2028 = (10, 0) and inference_mw_2030 = (20, 5), yearly steps
    2027–2031: a needs 0, 10, 10, 20, 20 MW and b 0, 0, 0, 5, 5 (0 before the first column); without the
    columns, share 0.5 of a 100 MW target split 3:1 by population gives 37.5 and 12.5 MW."""
    regions = pd.DataFrame(
        {
            "region_id": ["a", "b"],
            "name": ["A", "B"],
            "lat": [35.0, 36.0],
            "lon": [-90.0, -89.0],
            "population": [3, 1],
            "inference_mw_2028": [10.0, 0.0],
            "inference_mw_2030": [20.0, 5.0],
        }
    )
    sc = small_scenario(horizon={"first_year": 2027, "last_year": 2031}, latency={"latency_bound_share": 0.5})
    steps = time_grid(sc)
    sites = pd.DataFrame({"lat": [35.0], "lon": [-90.0]}, index=pd.Index(["s"], name="site_id"))
    ds = types.SimpleNamespace(demand_regions=regions, site_region_links=None)
    _, region_steps, links = latency_tables(ds, sc, sites, steps, [])
    demand = region_steps["demand_mw"].unstack("region_id")
    assert list(steps["year"]) == [2027, 2028, 2029, 2030, 2031]
    assert demand["a"].tolist() == [0.0, 10.0, 10.0, 20.0, 20.0]
    assert demand["b"].tolist() == [0.0, 0.0, 0.0, 5.0, 5.0]
    # b is 141 km away: 2 × 1.5 × 141 / 199.86 = 2.1 ms, within the default 20 ms bound
    assert list(links.index) == [("s", "a"), ("s", "b")]
    ds.demand_regions = regions.drop(columns=["inference_mw_2028", "inference_mw_2030"])
    _, region_steps, _ = latency_tables(ds, sc, sites, steps, [])
    by_region = region_steps["demand_mw"].unstack("region_id")
    assert by_region.loc[steps["target_it_mw"] == 100].to_numpy().tolist()[0] == [37.5, 12.5]


# ------------------------------------------------------------------------------------------ (c) facility location
FL_OPEN = {"s1": 100e3, "s2": 120e3, "s3": 90e3}  # opening cost, USD/year
FL_CAP = {"s1": 30, "s2": 40, "s3": 20}  # capacity, MW
FL_DEMAND = {"r1": 10, "r2": 20, "r3": 10, "r4": 20}  # MW
FL_COST = {  # serving cost, USD/MW-year; s1–r4 is out of reach (60 ms > 10 ms bound)
    "s1": {"r1": 1e3, "r2": 4e3, "r3": 6e3, "r4": 9e3},
    "s2": {"r1": 5e3, "r2": 2e3, "r3": 3e3, "r4": 4e3},
    "s3": {"r1": 7e3, "r2": 8e3, "r3": 2e3, "r4": 2e3},
}
FL_LATENCY = {("s1", "r4"): 60.0}


def transport_cost(open_sites):
    """Min serving cost of the demand from ``open_sites`` (LP over the reachable pairs); inf if infeasible."""
    pairs = [(s, r) for s in open_sites for r in FL_DEMAND if FL_LATENCY.get((s, r), 1.0) <= 10.0]
    if not pairs:
        return math.inf
    c = [FL_COST[s][r] for s, r in pairs]
    a_eq = [[1.0 if p[1] == r else 0.0 for p in pairs] for r in FL_DEMAND]
    a_ub = [[1.0 if p[0] == s else 0.0 for p in pairs] for s in open_sites]
    res = linprog(
        c, A_ub=a_ub, b_ub=[FL_CAP[s] for s in open_sites], A_eq=a_eq, b_eq=list(FL_DEMAND.values())
    )
    return res.fun if res.status == 0 else math.inf


def brute_force():
    """Every subset of open sites: Σ opening cost + its transportation optimum; sorted, best first."""
    out = []
    for k in range(1, 4):
        for subset in itertools.combinations(FL_OPEN, k):
            out.append((sum(FL_OPEN[s] for s in subset) + transport_cost(subset), subset))
    return sorted(out)


def write_facility_location(tiny, tmp_path):
    """The instance as data files: candidate sites (capacity = max_it_mw, opening_cost_usd_per_year),
    demand regions (inference_mw_2027), site_region_links (latency_ms, serving cost) and a scenario whose
    other costs are zero (construction, O&M, land, energy, lines) and lead times zero."""
    sites = [
        {"site_id": s, "name": s, "lat": 35.0, "lon": -90.0 + i, "max_it_mw": FL_CAP[s],
         "opening_cost_usd_per_year": FL_OPEN[s]}
        for i, s in enumerate(FL_OPEN)
    ]  # fmt: skip
    subs = [{"substation_id": i + 1, "lat": 35.0, "lon": -90.0 + i, "headroom_mw": 500} for i in range(3)]
    costs = {
        "construction_capex_usd_per_kw_it": (0.0, "USD/kW"),
        "datacenter_fixed_om_usd_per_kw_it_year": (0.0, "USD/kW-year"),
        "construction_lead_time_years": (0.0, "years"),
    }
    lines = [
        {"voltage_kv": kv, "line_cost_region": "Southeast", "line_cost_usd_per_mile": 0.0,
         "substation_upgrade_usd": 0.0, "new_substation_usd": 0.0, "line_capacity_mw": 2000.0}
        for kv in (138.0, 230.0, 345.0, 500.0)
    ]  # fmt: skip
    data = tiny(
        sites,
        subs,
        zones=[zone(1, "Z", 0.0, industrial_price_usd_per_mwh=0.0)],
        costs=costs,
        line_costs=lines,
    )
    pd.DataFrame(
        {
            "region_id": list(FL_DEMAND),
            "name": list(FL_DEMAND),
            "lat": 36.0,
            "lon": -89.0,
            "population": 1,
            "inference_mw_2027": list(FL_DEMAND.values()),
        }
    ).to_csv(data / "regions.csv", index=False)
    pd.DataFrame(
        [
            {"site_id": s, "region_id": r, "latency_ms": FL_LATENCY.get((s, r), 1.0),
             "serving_cost_usd_per_mw_year": FL_COST[s][r]}
            for s in FL_OPEN
            for r in FL_DEMAND
        ]
    ).to_csv(data / "links.csv", index=False)  # fmt: skip
    scenario = {
        "name": "facility_location",
        "decision_date": "2027-01-01",
        "horizon": {"first_year": 2027, "last_year": 2027},
        "phase_mw": 10,
        "targets_it_mw": {2027: sum(FL_DEMAND.values())},
        "min_sites": 0,
        "power_options": ["utility_tariff"],
        "time_steps": {"quarterly_months": 0},
        "solver": {"mip_gap": 1e-9, "time_limit_seconds": 60, "warm_start_sites": 0},
        "latency": {"max_rtt_ms": 10.0},
        "data": {"demand_regions": "regions.csv", "site_region_links": "links.csv"},
    }
    path = data / "facility_location.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path, data


def test_capacitated_facility_location_from_data_files(tiny, tmp_path):
    """3 sites × 4 regions; the brute force over the 7 open-site subsets (transportation LP each) gives the
    optimum, which siting.solve reproduces: same open sites, objective = opening + serving cost (one
    yearly step starting on the decision date: discount factor 1, length 1 year)."""
    best = brute_force()
    (cost, subset), runner_up = best[0], best[1][0]
    assert runner_up > cost + 1.0  # a unique optimum
    path, data = write_facility_location(tiny, tmp_path)
    plan = siting.solve(path, data_dir=data)
    assert plan.status == "optimal"
    assert sorted(plan.sites["site_id"]) == sorted(subset)
    assert plan.objective_usd == pytest.approx(cost, rel=1e-6)
    assert plan.meta["costs_usd"]["serving"] + plan.meta["costs_usd"]["construction"] == pytest.approx(
        cost, rel=1e-6
    )
    served = plan.serving.groupby("region_id")["mw"].sum()
    assert served.to_dict() == pytest.approx({k: float(v) for k, v in FL_DEMAND.items()})
    assert not ((plan.serving["site_id"] == "s1") & (plan.serving["region_id"] == "r4")).any()


# ------------------------------------------------------------------------------------------ (d) bad inputs
def write(tmp_path, name, rows):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


GOOD = {"region_id": "a", "name": "A", "lat": 35.0, "lon": -90.0, "population": 10}


@pytest.mark.parametrize(
    ("rows", "expect"),
    [
        ([{k: v for k, v in GOOD.items() if k != "population"}], ["population", "lacks required columns"]),
        ([GOOD, {**GOOD, "name": "B"}], ["region_id", "duplicate"]),
        ([{**GOOD, "population": -5}], ["population", "line 2", "≥ 0"]),
        ([{**GOOD, "inference_mw_next": 3}], ["inference_mw_next", "inference_mw_2030"]),
        ([{**GOOD, "inference_mw_2030": -1}], ["inference_mw_2030", "line 2", "≥ 0 MW"]),
        ([{**GOOD, "lat": -90.0, "lon": 35.0}], ["swap", "lat"]),
    ],
    ids=["no population", "duplicate id", "negative population", "bad year column", "negative MW", "swapped"],
)
def test_bad_demand_regions_are_explained(tmp_path, rows, expect):
    path = write(tmp_path, "regions.csv", rows)
    with pytest.raises(InputError) as err:
        load_demand_regions(path)
    text = str(err.value)
    assert "regions.csv" in text
    for e in expect:
        assert e in text


@pytest.mark.parametrize(
    ("rows", "expect"),
    [
        ([{"site_id": "x", "region_id": "a", "latency_ms": 1, "serving_cost_usd_per_mw_year": 1}],
         ["site_id", "line 2", "candidate_sites"]),
        ([{"site_id": "s", "region_id": "zz", "latency_ms": 1, "serving_cost_usd_per_mw_year": 1}],
         ["region_id", "demand_regions"]),
        ([{"site_id": "s", "region_id": "a", "latency_ms": 1, "serving_cost_usd_per_mw_year": 1}] * 2,
         ["more than one row", "line 2, line 3"]),
        ([{"site_id": "s", "region_id": "a", "latency_ms": "fast", "serving_cost_usd_per_mw_year": 1}],
         ["latency_ms", "not numbers"]),
    ],
    ids=["unknown site", "unknown region", "duplicate pair", "text latency"],
)  # fmt: skip
def test_bad_site_region_links_are_explained(tmp_path, rows, expect):
    path = write(tmp_path, "links.csv", rows)
    sites = pd.DataFrame(index=pd.Index(["s"], name="site_id"))
    regions = pd.DataFrame(index=pd.Index(["a"], name="region_id"))
    with pytest.raises(InputError) as err:
        load_site_region_links(path, sites, regions)
    text = str(err.value)
    assert "links.csv" in text
    for e in expect:
        assert e in text


def test_demand_layers_load_only_with_a_latency_section(tiny, tmp_path):
    """Without ``latency`` the regions file is neither read nor hashed (a broken one does no harm); with
    it, a scenario's ``data.demand_regions`` replaces the default and is hashed into the plan inputs."""
    data = tiny(SITES, SUBS, zones=ZONES)
    (data / "demand_regions.csv").write_text("not,a,regions\nfile,,\n")
    ds = load_dataset(small_scenario(), data_dir=data)
    assert ds.demand_regions is None and "demand_regions" not in ds.files
    with pytest.raises(InputError, match="demand_regions"):
        load_dataset(small_scenario(latency={}), data_dir=data)
    mine = write(tmp_path, "mine.csv", [GOOD])
    ds = load_dataset(small_scenario(latency={}, data={"demand_regions": str(mine)}), data_dir=data)
    assert list(ds.demand_regions.index) == ["a"] and ds.files["demand_regions"] == mine


def test_shipped_demand_regions_are_valid():
    """The embedded default: 50 regions, ids r01…r50, largest first (New York City's cluster)."""
    regions = load_demand_regions(siting.data.paths.default_data_dir() / "demand_regions.csv")
    assert len(regions) == 50 and regions.index[0] == "r01"
    assert regions["population"].is_monotonic_decreasing
    assert regions["name"].iloc[0].startswith("New York")

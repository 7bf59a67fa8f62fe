"""The warm-start pass (issue 9, speed): the short list of sites, and that it never changes the optimum.

The short list comes from a screening proxy (USD per MW-year of IT, ``siting.model.screen``); the full
solve that follows still ranges over every site, so a short list that misses the best site only costs
time.
"""

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from test_hand_derived import EARLY_LATE_SITES, EARLY_LATE_SUBS, ZONES, scenario

import siting
from siting.cli import progress_text
from siting.model.screen import site_cost_proxy_usd_per_mw_year, warm_start_sites
from siting.model.solve import SolveProgress


def _inputs() -> SimpleNamespace:
    """Five sites with round numbers; annuity factors 0.1, IT utilisation 0.5, 50 MW phases.

    By hand (USD per MW-year; capital + energy + demand + grid):
    - a: 1e6 × 0.1 + 1.0 × 8760 × 0.5 × 60 + 0 + (1e6 + 1e4 × 100) × 0.1 / 100 = 100,000 + 262,800 + 2,000
      = 364,800; its grid is ready at step 4.
    - b: (1e6 + 1e6) × 0.1 + 1e4 + 1.2 × 8760 × 0.5 × 40 + 1.5 × 2 × 12 × 1000 + min(2e6 × 0.1 / 200,
      1e5 × 200 × 0.1 / 200) = 210,000 + 210,240 + 36,000 + 1,000 = 457,240; ready at step 2.
    - f: like a with 2e6 construction: 464,800; ready at step 9.
    - e: 1e8 × 0.1 + 262,800 + (1e6 + 1e4 × 100) × 0.1 / 100 = 10,264,800; ready at step 0.
    - c: no connection option: inf.
    """
    sites = pd.DataFrame(
        {
            "zone_id": [1, 2, 1, 1, 1],
            "land_usd_per_mw": [0.0, 1e6, 0.0, 0.0, 0.0],
            "construction_usd_per_mw": [1e6, 1e6, 1e6, 1e8, 2e6],
            "dc_fixed_om_usd_per_mw_year": [0.0, 1e4, 0.0, 0.0, 0.0],
            "pue_annual": [1.0, 1.2, 1.0, 1.0, 1.0],
            "pue_peak": [1.0, 1.5, 1.0, 1.0, 1.0],
            "max_phases": [2, 4, 2, 2, 2],
        },
        index=pd.Index(["a", "b", "c", "e", "f"], name="site_id"),
    )
    zones = pd.DataFrame(
        {"tariff_usd_per_mwh": [60.0, 40.0], "demand_charge_usd_per_kw_month": [0.0, 2.0]},
        index=pd.Index([1, 2], name="zone_id"),
    )
    connections = pd.DataFrame(
        {
            "fixed_cost_usd": [1e6, 2e6, 0.0, 1e6, 1e6],
            "cost_usd_per_mw": [1e4, 0.0, 1e5, 1e4, 1e4],
            "first_step": [4, 6, 2, 0, 9],
        },
        index=pd.MultiIndex.from_tuples(
            [("a", 1), ("b", 1), ("b", 2), ("e", 3), ("f", 4)], names=["site_id", "substation_id"]
        ),
    )
    return SimpleNamespace(
        sites=sites,
        zones=zones,
        connections=connections,
        crf_land=0.1,
        crf_datacenter=0.1,
        crf_interconnection=0.1,
        it_utilization=0.5,
        phase_mw=50.0,
    )


def test_site_cost_proxy_by_hand():
    proxy = site_cost_proxy_usd_per_mw_year(_inputs())
    assert proxy["a"] == pytest.approx(364_800.0)
    assert proxy["b"] == pytest.approx(457_240.0)
    assert proxy["f"] == pytest.approx(464_800.0)
    assert proxy["e"] == pytest.approx(10_264_800.0)
    assert math.isinf(proxy["c"])


def test_short_list_takes_the_cheapest_and_the_earliest_grid():
    """Four of five: the 3 lowest proxies (a, b, f), then the earliest grid among the rest (e at step 0,
    before c, which has no connection); one or two: the lowest proxies only; five: every site."""
    d = _inputs()
    assert warm_start_sites(d, 4) == ["a", "b", "e", "f"]
    assert warm_start_sites(d, 2) == ["a", "b"]
    assert warm_start_sites(d, 1) == ["a"]
    assert warm_start_sites(d, 5) == ["a", "b", "c", "e", "f"]


def test_a_short_list_without_the_best_site_still_gives_the_optimum(tiny):
    """The proxy prefers the late site (10,000 vs 12,000 $/kW construction, same energy), so a short list
    of one holds it alone: that warm start is short 100 MW in 2027–2029 at 10 M$/MW-yr. The full solve
    still finds the early site, with the hand-derived optimum of test_hand_derived (and the same
    objective as without a warm start)."""
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    cold = siting.solve(scenario(), data_dir=data)
    seen: list[SolveProgress] = []
    warm = siting.solve(
        scenario(solver={"warm_start_sites": 1, "mip_gap": 1e-6}), data_dir=data, progress=seen.append
    )
    assert list(warm.sites["site_id"]) == ["early"]
    assert warm.objective_usd == pytest.approx(cold.objective_usd, rel=1e-9)
    assert warm.meta["solver"]["warm_start_sites"] == 1
    assert cold.meta["solver"]["warm_start_sites"] == 0
    assert warm.meta["solver"]["warm_start_objective_usd"] > warm.objective_usd + 3 * 1e6 * 100 * 0.5
    assert {p.stage for p in seen} <= {"warm start", "bound (periods averaged)", "full model"}
    assert warm.meta["solver"]["bound_pass"]["proved"] is False  # a poor warm start: the full model decides


def test_progress_line():
    line = progress_text(SolveProgress("full model", 96.4, 10.316e9, 10.28e9, 0.0035, 0))
    assert line == "full model, 96 s · best 10,316 M USD · bound 10,280 M USD · gap 0.35 %"
    line = progress_text(SolveProgress("warm start", 3.0, math.nan, math.nan, math.nan, 1200))
    assert line == "warm start, 3 s · LP iteration 1,200"

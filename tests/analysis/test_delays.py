"""Monte Carlo of interconnection delays on a plan (siting.analysis.delays), on plans built by hand.

The hand plan: decision 2026-01-01, three yearly steps 2029–2031 (1 year each), 80 MW of IT due in each;
site ``s`` (zone 1) serves 80 MW IT at peak PUE 1.25 (100 MW facility) from a 100 MW grid connection
energized 2029-01-01 (lead time 36 months) plus 40 MW of firm on-site plant. Discount rate 7 %, value of
lost compute 1 M USD per MW-year.
"""

import calendar
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from typer.testing import CliRunner

import siting
from siting.analysis.delays import evaluate_delays
from siting.cli import app
from siting.data.delays import delay_distributions_by_zone, load_interconnection_delays
from siting.data.load import load_zones
from siting.data.paths import default_data_dir
from siting.errors import InputError

STARTS = ["2029-01-01", "2030-01-01", "2031-01-01"]
VOLC = 1.0e6
R = 0.07


def _site_steps(site: str, it: float, grid: float, onsite_firm: float, pue: float = 1.25) -> list[dict]:
    return [
        {
            "site_id": site,
            "step": k,
            "step_start": s,
            "it_mw": it,
            "facility_mw": it * pue,
            "grid_mw": grid,
            "firm_supply_mw": grid + onsite_firm,
        }
        for k, s in enumerate(STARTS)
    ]


def hand_plan(sites=None, connections=None, steps=None) -> siting.BuildPlan:
    """The module's one-site plan, or the given site rows, ``capacity_steps`` rows and connections."""
    sites = sites or [{"site_id": "s", "zone": 1}]
    steps = steps or _site_steps("s", 80.0, 100.0, 40.0)
    connections = connections or [
        {"site_id": "s", "capacity_mw": 100.0, "energization_date": "2029-01-01", "lead_time_months": 36.0}
    ]
    meta = {
        "scenario": "hand",
        "decision_date": "2026-01-01",
        "discount_rate": R,
        "costs_usd": {"shortfall_penalty": 0.0},
        "steps": [
            {"start": s, "end": e, "years": 1.0, "target_it_mw": 80.0, "shortfall_it_mw": 0.0}
            for s, e in zip(STARTS, [*STARTS[1:], "2032-01-01"], strict=True)
        ],
    }
    site_df = gpd.GeoDataFrame(sites, geometry=[Point(-90, 35)] * len(sites), crs="EPSG:4326")
    empty = pd.DataFrame(columns=["site_id"])  # a header only, so that a saved plan loads back
    return siting.BuildPlan(
        meta=meta,
        sites=site_df,
        capacity=empty,
        interconnections=pd.DataFrame(connections),
        contracts=empty,
        timeline=empty,
        costs_by_year=empty,
        candidates=empty,
        capacity_steps=pd.DataFrame(steps),
    )


def dists(p50: float, p90: float, zones=(1,)) -> pd.DataFrame:
    return pd.DataFrame(
        {"iso": "X", "distribution": "lognormal", "p50_months": p50, "p90_months": p90},
        index=pd.Index(list(zones), name="zone_id"),
    )


def test_fixed_48_month_lead_time_loses_the_first_year_of_grid():
    """Lead time 48 months (P50 = P90) instead of the planned 36: the connection is energized 2030-01-01,
    so in 2029 the site's firm supply is its 40 MW on-site only and serves 40 / 1.25 = 32 MW of IT:
    48 MW short for 1 year = 48 MW-years, 48 M USD, PV 48 M / 1.07^3 = 39.18 M USD (2029 is 3 years after
    the decision). Grid energized 2030-01-01 (12 months late: 365 days / 30.4375 = 11.99 months); the site
    is partly online on 2029-01-01 and fully on 2030-01-01, always late."""
    r = evaluate_delays(
        hand_plan(), n=7, seed=0, distributions=dists(48, 48), value_of_lost_compute_usd_per_mw_year=VOLC
    )
    assert r.samples["extra_shortfall_mw_years"].to_numpy() == pytest.approx([48.0] * 7)
    assert r.samples["extra_cost_usd"].to_numpy() == pytest.approx([48e6] * 7)
    assert r.summary.at["extra_cost_pv_usd", "p90"] == pytest.approx(48e6 / 1.07**3)
    assert r.summary.at["shortfall_mw_years", "planned"] == pytest.approx(0.0)
    s = r.site_summary.loc["s"]
    assert s["grid_energization_planned"] == pd.Timestamp("2029-01-01")
    assert s["grid_energization_p50"] == s["grid_energization_p90"] == pd.Timestamp("2030-01-01")
    assert s["first_online_p90"] == pd.Timestamp("2029-01-01")
    assert s["full_online_p50"] == pd.Timestamp("2030-01-01")
    assert s["p_late"] == 1.0 and s["p_grid_late"] == 1.0
    assert r.sites["delay_months"].to_numpy() == pytest.approx([365 / 30.4375] * 7)


def test_lognormal_lead_time_shortfall_and_dates_match_the_normal_distribution():
    """Lognormal lead time L, P50 30 and P90 40.5 months (σ = ln(1.35) / 1.28155 = 0.2342), planned 36.
    Each month 2029-01 + k (k = 0…35) whose start comes before the energization loses 80 − 32 = 48 MW
    for its days / 365 years; that happens when L > 36 + k, so
    E[extra] = 48 Σ_k days_k / 365 × P(Z > ln((36 + k) / 30) / σ) = 5.16 MW-years. P(extra = 0) =
    P(L ≤ 36) = 0.782, so P50 = 0; the P90 sample has L ≈ 40.5, energized 2029-05-16, January to May lost:
    P90 = 48 × 151 / 365 = 19.86 MW-years. Energization: P50 = planned
    2029-01-01, P90 = 2026-01-01 + 40.5 months = 2029-05-16 (± sampling noise, 4 days s.d. at n = 20,000)."""
    r = evaluate_delays(
        hand_plan(),
        n=20_000,
        seed=3,
        distributions=dists(30, 40.5),
        value_of_lost_compute_usd_per_mw_year=VOLC,
    )
    sigma = math.log(1.35) / 1.2815515655446004
    late = [0.5 * math.erfc(math.log((36 + k) / 30) / sigma / math.sqrt(2)) for k in range(36)]
    days = [calendar.monthrange(2029 + k // 12, k % 12 + 1)[1] for k in range(36)]
    assert late[0] == pytest.approx(0.218, abs=1e-3)
    expected = 48 * sum(p * d / 365 for p, d in zip(late, days, strict=True))
    assert expected == pytest.approx(5.16, abs=0.01)
    summary = r.summary.loc["extra_shortfall_mw_years"]
    assert summary["mean"] == pytest.approx(expected, abs=0.4)  # 4 s.d. of the sample mean (0.094)
    assert summary["p50"] == 0.0
    assert summary["p90"] == pytest.approx(48 * 151 / 365)
    s = r.site_summary.loc["s"]
    assert s["grid_energization_p50"] == pd.Timestamp("2029-01-01")
    assert abs((s["grid_energization_p90"] - pd.Timestamp("2029-05-16")).days) <= 15
    assert s["full_online_p90"] == pd.Timestamp("2029-06-01")
    assert s["p_grid_late"] == pytest.approx(late[0], abs=0.015)


def test_same_seed_same_numbers_other_seed_other_numbers():
    """A fixed seed reproduces every table exactly; another seed draws other lead times."""
    kw = dict(n=500, distributions=dists(36, 63), value_of_lost_compute_usd_per_mw_year=VOLC)
    a, b, c = (evaluate_delays(hand_plan(), seed=s, **kw) for s in (1, 1, 2))
    pd.testing.assert_frame_equal(a.samples, b.samples)
    pd.testing.assert_frame_equal(a.sites, b.sites)
    pd.testing.assert_frame_equal(a.site_summary, b.site_summary)
    assert not np.array_equal(a.sites["grid_energization_date"], c.sites["grid_energization_date"])
    assert (
        a.summary.at["extra_shortfall_mw_years", "mean"] != c.summary.at["extra_shortfall_mw_years", "mean"]
    )


def test_zero_spread_at_the_planned_lead_time_reproduces_the_plan():
    """P50 = P90 = 36 months, the plan's lead time, on a plan with two grid sites and one on-site-only site:
    ``a`` has two connections (2029-01-01 and one energized later than it could be, 2030-01-01: its slack
    absorbs the lead time), ``b`` one in zone 2, ``c`` none. Every sampled date is the planned one, the
    extra shortfall is 0 in every sample, and the planned shortfall is the plan's (target 80 × 3 steps,
    served 60 + 20 = 80 from 2030 but 20 short in 2029 = 20 MW-years)."""
    steps = (
        _site_steps("a", 40.0, 30.0, 20.0)[:1]
        + _site_steps("a", 60.0, 50.0, 25.0)[1:]
        + _site_steps("b", 20.0, 25.0, 0.0)
        + _site_steps("c", 0.0, 0.0, 0.0)
    )
    connections = [
        {"site_id": "a", "capacity_mw": 30.0, "energization_date": "2029-01-01", "lead_time_months": 36.0},
        {"site_id": "a", "capacity_mw": 20.0, "energization_date": "2030-01-01", "lead_time_months": 36.0},
        {"site_id": "b", "capacity_mw": 25.0, "energization_date": "2029-01-01", "lead_time_months": 36.0},
    ]
    sites = [{"site_id": "a", "zone": 1}, {"site_id": "b", "zone": 2}, {"site_id": "c", "zone": 1}]
    plan = hand_plan(sites, connections, steps)
    r = evaluate_delays(
        plan,
        n=50,
        seed=0,
        distributions=dists(36, 36, zones=(1, 2)),
        value_of_lost_compute_usd_per_mw_year=VOLC,
    )
    assert (r.samples["extra_shortfall_mw_years"] == 0).all() and (r.samples["extra_cost_pv_usd"] == 0).all()
    assert r.summary.at["shortfall_mw_years", "p90"] == pytest.approx(20.0)
    ss = r.site_summary
    for stem in ("grid_energization", "first_online", "full_online"):
        planned = ss[f"{stem}_planned"]
        pd.testing.assert_series_equal(ss[f"{stem}_p50"], planned, check_names=False)
        pd.testing.assert_series_equal(ss[f"{stem}_p90"], planned, check_names=False)
    assert ss.at["a", "grid_energization_planned"] == pd.Timestamp("2029-01-01")
    assert ss.at["a", "full_online_planned"] == pd.Timestamp("2030-01-01")
    assert pd.isna(ss.at["c", "grid_energization_planned"]) and pd.isna(ss.at["c", "first_online_p50"])
    assert (ss["p_late"] == 0).all() and (ss["p_grid_late"] == 0).all()


def test_value_of_lost_compute_is_recovered_from_the_plans_penalty():
    """A plan 10 MW short in 2029 with a shortfall penalty of 10 × 1 year × 2 M USD / 1.07^3 was solved
    with 2 M USD per MW-year; that is the default price of the extra shortfall."""
    plan = hand_plan()
    plan.meta["steps"][0]["shortfall_it_mw"] = 10.0
    plan.meta["costs_usd"]["shortfall_penalty"] = 10 * 2e6 / 1.07**3
    r = evaluate_delays(plan, n=3, seed=0, distributions=dists(48, 48))
    assert r.meta["value_of_lost_compute_usd_per_mw_year"] == pytest.approx(2e6)
    assert r.summary.at["extra_cost_usd", "mean"] == pytest.approx(48 * 2e6)


def test_a_zone_without_a_distribution_is_an_input_error():
    """The site's zone 1 is not in a table for zone 2 only: InputError naming the zone."""
    with pytest.raises(InputError, match=r"zones \[1\]"):
        evaluate_delays(hand_plan(), n=3, distributions=dists(36, 36, zones=(2,)))


def test_default_table_covers_every_zone_and_its_median_is_the_models_lead_time():
    """Every zone of zones.csv gets a distribution; its P50 is the zone's interconnection lead time (so the
    median sample is on plan) and its P90 is 1.75 × P50 (the Dominion spread, data/SOURCES.md)."""
    zones = load_zones(default_data_dir() / "zones.csv")
    table = delay_distributions_by_zone()
    assert list(table.index) == list(zones.index)
    assert table["p50_months"].to_numpy() == pytest.approx(
        zones["interconnection_lead_time_months"].to_numpy()
    )
    assert table["p90_months"].to_numpy() == pytest.approx(1.75 * table["p50_months"].to_numpy())
    assert table.at[15, "p50_months"] == 84.0  # Virginia Tidewater's own row


def test_a_bad_row_names_its_csv_line(tmp_path):
    """P90 below P50 on the second data row (CSV line 3) is refused with that line."""
    path = tmp_path / "d.csv"
    path.write_text(
        "iso,zone_id,distribution,p50_months,p90_months,source,flag\n"
        "ERCOT,,lognormal,36,63,x,unverified\nSPP,,lognormal,48,40,x,unverified\n"
    )
    with pytest.raises(InputError) as err:
        load_interconnection_delays(path)
    assert err.value.rows == [3]


def test_cli_prints_the_summary_untruncated(tmp_path):
    """`siting delays DIR --samples 200 --seed 1` on the hand plan saved to disk, with the default table
    (zone 1 is Maine, ISO-NE: P50 60, P90 105 months): prints the metrics and the planned 2029-01-01
    energization, no cell cut short (no ellipsis), and the same output twice."""
    hand_plan().save(tmp_path / "p")
    args = ["delays", str(tmp_path / "p"), "--samples", "200", "--seed", "1"]
    first, second = (CliRunner().invoke(app, args) for _ in range(2))
    assert first.exit_code == 0, first.output
    assert "extra shortfall (MW-years)" in first.output and "2029-01-01" in first.output
    assert "…" not in first.output
    assert first.output == second.output

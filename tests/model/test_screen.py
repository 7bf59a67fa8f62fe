"""The screen of large candidate sets (issue 9, scale): ``solver.screen_sites`` keeps a short list of
sites before the model is built. Unlike the warm start it changes which plans are allowed, so a screen
that drops the best site gives a worse plan, and the plan must say so.
"""

from pathlib import Path

import pandas as pd
import pytest
from test_hand_derived import EARLY_LATE_SITES, EARLY_LATE_SUBS, HOURS, PUE, ZONES, R, crf, df, scenario
from test_hand_derived import TIE_IN_USD as TIE_IN
from test_warm_start import _inputs
from tinydata import LATENCY_REGIONS, LATENCY_SITES, LATENCY_SUBS, LATENCY_ZONES, latency_scenario
from typer.testing import CliRunner

import siting
from siting import api, cli
from siting.errors import InputError, SitingError
from siting.model.precheck import size_notes
from siting.model.screen import SITE_TABLES, restrict_to_sites, screened_sites

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_screen_keeps_a_site_in_reach_of_every_latency_region():
    """By the hand-derived proxies of test_warm_start (a 364,800 < b 457,240 < f 464,800 < e 10.26 M < c
    inf USD/MW-yr): a screen to two keeps a and b. Region r1 can be served only by c or e: e, the cheaper,
    is added; region r2 by a or f: a is already kept."""
    d = _inputs()
    d.serve_links = pd.DataFrame(
        {"rtt_ms": [5.0, 6.0, 1.0, 2.0]},
        index=pd.MultiIndex.from_tuples(
            [("c", "r1"), ("e", "r1"), ("a", "r2"), ("f", "r2")], names=["site_id", "region_id"]
        ),
    )
    assert screened_sites(d, 2) == ["a", "b", "e"]
    d.serve_links = d.serve_links.iloc[:0]
    assert screened_sites(d, 2) == ["a", "b"]


def test_restrict_to_sites_cuts_every_site_table(tiny):
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    d = siting.validate(scenario(), data_dir=data).inputs
    cut = restrict_to_sites(d, ["late"], note="screened")
    for name in SITE_TABLES:
        table = getattr(cut, name)
        if len(getattr(d, name)):
            assert set(table.index.get_level_values("site_id")) == {"late"}, name
    assert list(cut.substations.index) == [2]  # the late site's substation only
    assert cut.notes[-1] == "screened" and "screened" not in d.notes
    assert list(d.sites.index) == ["early", "late"]  # the original is unchanged
    with pytest.raises(KeyError, match="nowhere"):
        restrict_to_sites(d, ["nowhere"])


def test_a_screen_that_drops_the_best_site_gives_the_worse_plan_and_says_so(tiny):
    """The proxy prefers the late site (10,000 vs 12,000 USD/kW construction, same energy), so a screen to
    one site keeps it alone. Unlike the warm start (test_warm_start), the early site is then not in the
    model: the plan opens the late site, short 100 MW in 2027–2029 at the default 10 M USD/MW-yr, with the
    objective derived by hand as in test_hand_derived, and its notes and solver section say it was
    screened."""
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    full = siting.solve(scenario(), data_dir=data)
    plan = siting.solve(scenario(solver={"screen_sites": 1, "mip_gap": 1e-6}), data_dir=data)
    assert list(full.sites["site_id"]) == ["early"]
    assert list(plan.sites["site_id"]) == ["late"]
    annual_2030 = crf(R, 20) * 10_000e3 * 100 + 100e3 * 100 + 100 * PUE * HOURS * 60.0 + crf(R, 20) * TIE_IN
    expected = df(2030) * annual_2030 + sum(df(t) * 10e6 * 100 for t in (2027, 2028, 2029))
    assert plan.objective_usd == pytest.approx(expected, rel=1e-6)
    assert plan.objective_usd > full.objective_usd
    assert plan.meta["solver"]["candidate_sites"] == 2 and plan.meta["solver"]["screened_sites"] == 1
    assert full.meta["solver"]["screened_sites"] == 0
    assert any(
        n.startswith("screened: the model holds 1 of the 2 candidate sites") for n in plan.meta["notes"]
    )
    # a screen at least as long as the candidate list changes nothing
    same = siting.solve(scenario(solver={"screen_sites": 2, "mip_gap": 1e-6}), data_dir=data)
    assert same.objective_usd == pytest.approx(full.objective_usd, rel=1e-9)
    assert same.meta["solver"]["screened_sites"] == 0


def test_a_screen_shorter_than_min_sites_is_refused(tiny):
    with pytest.raises(ValueError, match="screen_sites = 1 keeps fewer sites than min_sites = 2"):
        scenario(min_sites=2, solver={"screen_sites": 1})
    data = tiny(EARLY_LATE_SITES, EARLY_LATE_SUBS, zones=ZONES)
    with pytest.raises(InputError, match="set screen_sites ≥ 2"):  # an override skips the scenario check
        siting.solve(scenario(min_sites=2), data_dir=data, screen_sites=1)


def test_a_large_candidate_set_without_a_screen_gets_a_size_note():
    """5,000 sites × 662 variables = 3,310,000; 3.57 GiB + 5,000 × 1.92 GiB per 1,000 sites = 13.17 ≈ 13
    GiB. No note at 1,000 sites or fewer, nor with a screen shorter than the candidate list."""
    (note,) = size_notes(5000, 0)
    assert note.startswith("5,000 candidate sites: the full model has about 3,310,000 variables")
    assert "about 13 GiB" in note and "solver.screen_sites" in note
    assert size_notes(1000, 0) == [] and size_notes(5000, 300) == []
    assert size_notes(5000, 5000) != []  # a screen as long as the list cuts nothing


def test_cli_screen_sites_reaches_the_solve(monkeypatch, tmp_path):
    """``siting solve … --screen-sites 7`` passes ``screen_sites=7`` to ``siting.solve`` (which fails here on
    purpose, so nothing is solved)."""
    seen = {}

    def fake_solve(scenario, **kw):
        seen.update(kw)
        raise SitingError("stopped by the test")

    monkeypatch.setattr(api, "solve", fake_solve)
    args = [
        "solve",
        str(MODELS / "tennessee_small.yaml"),
        "--out",
        str(tmp_path / "o"),
        "--screen-sites",
        "7",
    ]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2 and "stopped by the test" in result.output
    assert seen["screen_sites"] == 7


def test_a_screen_keeps_the_only_site_in_reach_of_a_region(tiny):
    """The latency case of test_latency (region east in reach of the dear site only): a screen to one site
    keeps the cheap site by its proxy, and the dear one as the only site in reach of east, so nothing is
    screened out and the plan is the unscreened optimum (one 50 MW phase at each site)."""
    data = tiny(LATENCY_SITES, LATENCY_SUBS, zones=LATENCY_ZONES)
    LATENCY_REGIONS.to_csv(data / "demand_regions.csv", index=False)
    latency = {"latency_bound_share": 0.5, "max_rtt_ms": 0.7, "route_factor": 1.0}
    full = siting.solve(latency_scenario(latency=latency), data_dir=data)
    screened = siting.solve(latency_scenario(latency=latency), data_dir=data, screen_sites=1)
    assert sorted(screened.sites["site_id"]) == ["cheap", "dear"]
    assert screened.objective_usd == pytest.approx(full.objective_usd, rel=1e-9)
    assert screened.meta["solver"]["screened_sites"] == 0
    assert not any(n.startswith("screened") for n in screened.meta["notes"])


def test_solver_overrides_keep_what_was_given():
    """Options left out (None) do not override the scenario; a given 0 does (0 turns the screen off)."""
    assert cli.solver_overrides(time_limit_seconds=60.0, mip_gap=None, screen_sites=0) == {
        "time_limit_seconds": 60.0,
        "screen_sites": 0,
    }

"""plot_hourly_supply: supply by source over the representative days (or months) of one site and year."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from dispatch_case import GAS_MW, GRID_MW, LOAD_MW, REP_DAYS, scenario, write_data

import siting
from siting import plotting
from siting.errors import InputError
from siting.plotting.charts import default_site_year, supply_profile


@pytest.fixture(scope="module", params=[0, REP_DAYS], ids=["monthly", "representative_days"])
def case(request, tmp_path_factory):
    """tests/dispatch_case.py solved at one resolution: (plan, representative days or 0)."""
    data = write_data(tmp_path_factory.mktemp(f"hourly{request.param}") / "data")
    return siting.solve(scenario(request.param), data_dir=data), request.param


def _collections(ax) -> dict[str, object]:
    return {c.get_label(): c for c in ax.collections if not c.get_label().startswith("_")}


def _lines(ax) -> dict[str, object]:
    return {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}


def test_chart_series_and_axis_of_the_solved_case(case):
    """Grid (matched by the PPA in the same period, and not) and engines stacked (no battery), facility load at 107 MW and the PPA dashed; 12 month ticks,
    or one tick per representative day whose weights add up to the 365 days of 2027 with a dotted
    separator between days."""
    plan, days = case
    fig = plan.plot_hourly_supply()
    ax = fig.axes[0]
    # the solar PPA covers part of the grid purchases in the same period: the grid area is split
    assert set(_collections(ax)) == {"grid, matched by clean contracts", "grid, not matched", "recip"}
    dp = plan.dispatch
    assert (dp["clean_matched_mw"] <= dp["grid_mw"] + 1e-6).all() and dp["clean_matched_mw"].max() > 0
    lines = _lines(ax)
    assert set(lines) == {"facility load", "contracted clean output (PPA)"}
    assert lines["contracted clean output (PPA)"].get_linestyle() == "--"
    assert lines["facility load"].get_ydata() == pytest.approx(
        [LOAD_MW] * len(lines["facility load"].get_ydata())
    )
    labels = [t.get_text() for t in ax.get_xticklabels()]
    if days:
        assert len(labels) == days and all(lbl.startswith("day ") for lbl in labels)
        assert sum(float(lbl.split("\n")[1].removesuffix(" d")) for lbl in labels) == pytest.approx(
            365, abs=2
        )
        separators = [
            ln for ln in ax.get_lines() if ln.get_label().startswith("_") and ln.get_linestyle() == ":"
        ]
        assert len(separators) == days - 1
        assert f"{days} representative days" in ax.get_title()
    else:
        assert labels == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        assert "monthly resolution" in ax.get_title()
    assert "at m in 2027" in ax.get_title()


def test_stack_top_is_grid_plus_engines(case):
    """The top of the stack is 74.7284 + 32.2716 = 107 MW (the facility load) in every period."""
    plan, _ = case
    prof = supply_profile(plan.dispatch, "m", 2027)
    assert prof["grid_mw"].to_numpy() == pytest.approx([GRID_MW] * len(prof), rel=1e-5)
    assert (prof["grid_mw"] + prof["onsite_recip_mw"]).to_numpy() == pytest.approx([LOAD_MW] * len(prof))
    assert prof["onsite_recip_mw"].to_numpy() == pytest.approx([GAS_MW] * len(prof), rel=1e-5)


def test_hourly_supply_svg_is_written_and_reproducible(case, tmp_path):
    """figure_writers writes hourly_supply.svg; two writes give the same bytes."""
    plan, _ = case
    write = plotting.figure_writers(plan)["hourly_supply.svg"]
    write(tmp_path / "a.svg")
    write(tmp_path / "b.svg")
    a = (tmp_path / "a.svg").read_bytes()
    assert a == (tmp_path / "b.svg").read_bytes() and b"<dc:date>" not in a


def _dispatch(rows: list[tuple]) -> pd.DataFrame:
    cols = ["site_id", "step", "year", "period", "day", "hour", "hours", "facility_load_mw", "grid_mw",
            "onsite_mw", "onsite_ct_mw", "battery_discharge_mw", "battery_charge_mw", "ppa_clean_mw"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).assign(clean_matched_mw=0.0)


def test_profile_is_hours_weighted_over_the_years_steps():
    """Period 1 of 2027 in two steps: 100 h at 10 MW grid and 300 h at 20 MW → (1,000 + 6,000) / 400 =
    17.5 MW over 400 h, so Σ hours × MW keeps the year's 7,000 MWh; 2028 rows are left out."""
    dp = _dispatch(
        [
            ("a", 0, 2027, 1, 0, 0, 100.0, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            ("a", 1, 2027, 1, 0, 0, 300.0, 20.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            ("a", 2, 2028, 1, 0, 0, 8760.0, 99.0, 99.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        ]
    )
    prof = supply_profile(dp, "a", 2027)
    assert len(prof) == 1 and prof.at[0, "hours"] == 400.0 and prof.at[0, "grid_mw"] == pytest.approx(17.5)


def test_battery_charging_is_drawn_below_zero_and_the_largest_site_is_the_default():
    """Site b (80 MW IT in 2028, the last year) beats a (50 MW): one day of two hours, b charges 5 MW in
    hour 0 and discharges 4 MW in hour 1; gas (ct) 20 MW; no PPA line when nothing is contracted."""
    dp = _dispatch(
        [
            ("a", 0, 2028, 1, 0, 0, 4380.0, 50.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            ("b", 0, 2028, 1, 0, 0, 4380.0, 80.0, 65.0, 20.0, 20.0, 0.0, 5.0, 0.0),
            ("b", 0, 2028, 2, 0, 1, 4380.0, 80.0, 56.0, 20.0, 20.0, 4.0, 0.0, 0.0),
        ]
    )
    cap = pd.DataFrame({"site_id": ["a", "b"], "year": [2028, 2028], "it_mw": [50.0, 80.0]})
    plan = SimpleNamespace(dispatch=dp, capacity=cap, meta={"scenario": "synthetic"})
    assert default_site_year(plan) == ("b", 2028)
    ax = plotting.plot_hourly_supply(plan).axes[0]
    coll = _collections(ax)
    assert set(coll) == {"grid", "ct", "battery discharge", "battery charging"}
    assert coll["battery charging"].get_paths()[0].vertices[:, 1].min() == pytest.approx(-5.0)
    assert set(_lines(ax)) == {"facility load"}
    assert "at b in 2028" in ax.get_title()


def test_unknown_site_or_an_empty_plan():
    """A site without rows is an InputError naming the sites there are; a plan without dispatch rows
    (nothing built, or written before dispatch.csv) gives an empty chart that says so."""
    dp = _dispatch([("a", 0, 2028, 1, -1, -1, 744.0, 50.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0)])
    plan = SimpleNamespace(dispatch=dp, capacity=pd.DataFrame(), meta={})
    with pytest.raises(InputError, match="no dispatch rows for site 'zz'.*sites: \\['a'\\]"):
        plotting.plot_hourly_supply(plan, site_id="zz")
    empty = SimpleNamespace(dispatch=pd.DataFrame(), capacity=pd.DataFrame(), meta={})
    ax = plotting.plot_hourly_supply(empty).axes[0]
    assert "no dispatch" in ax.texts[0].get_text()

"""Maps and charts on real solved plans: expected artists, offline HTML, all files written."""

from __future__ import annotations

import re

import matplotlib
import pytest
from matplotlib.figure import Figure

from siting import plotting
from siting.data.layers import load_map_context, map_context
from siting.data.load import default_data_dir
from siting.errors import InputError
from siting.plotting.charts import gantt_rows, gantt_tasks
from siting.plotting.maps import SITE_COLOR, leaflet_inline_html
from siting.results.plan import BuildPlan

EXPECTED_FILES = {
    "map.html",
    "map.png",
    "map.svg",
    "timeline.png",
    "costs.png",
    "capacity.png",
    "hourly_supply.svg",
}


def _labels(ax) -> list[str]:
    return [h.get_label() for h in ax.get_legend_handles_labels()[0]]


# --------------------------------------------------------------------------- charts
def test_timeline_one_row_per_phase_group_and_target_line(tn_plan):
    """Phases with identical task dates share a row (gantt_rows); each row draws its lead phase's tasks."""
    fig = plotting.plot_timeline(tn_plan)
    assert isinstance(fig, Figure)
    ax, ax2 = fig.axes[:2]
    tasks = gantt_tasks(tn_plan.timeline)
    rows = gantt_rows(tasks)
    assert len(ax.get_yticks()) == len(rows) > 0
    labels = [t.get_text() for t in ax.get_yticklabels()]
    sites = tn_plan.timeline["site_id"].unique()
    assert all(any(lbl.startswith(s) for lbl in labels) for s in sites)
    # every phase is in exactly one row
    assert sum(len(p) for p in rows["phases"]) == tn_plan.timeline["phase"].nunique()
    target = [ln for ln in ax2.get_lines() if ln.get_label() == "IT MW target"]
    assert len(target) == 1
    assert max(target[0].get_ydata()) == pytest.approx(max(s["target_it_mw"] for s in tn_plan.meta["steps"]))


def test_costs_bars_per_category(tn_plan):
    fig = plotting.plot_costs(tn_plan)
    ax, ax2 = fig.axes[:2]
    cats = list(tn_plan.meta["costs_usd"])
    assert len(ax.containers[0].patches) == len(cats)
    widths = [p.get_width() for p in ax.containers[0].patches]
    for w, c in zip(widths, cats, strict=True):
        v = tn_plan.meta["costs_usd"][c]
        assert w == pytest.approx(v / 1e6 if abs(v) >= 1 else 0.0)
    # NPV by year: stacked bars, one container per non-zero category, one bar per year
    years = tn_plan.costs_by_year["year"].nunique()
    assert ax2.containers and all(len(c.patches) == years for c in ax2.containers)


def test_capacity_stacked_by_site_with_target_and_shortfall(tn_plan):
    fig = plotting.plot_capacity(tn_plan)
    ax = fig.axes[0]
    labels = _labels(ax)
    assert "IT MW target" in labels
    for name in tn_plan.sites["name"]:
        assert name in labels
    short = {int(k): v for k, v in tn_plan.meta["shortfall_it_mw"].items()}
    if any(v > 0 for v in short.values()):
        assert "shortfall" in labels
        sc = [c for c in ax.containers if c.get_label() == "shortfall"][0]
        assert sum(p.get_height() for p in sc.patches) == pytest.approx(
            sum(v for v in short.values() if v > 0)
        )


def test_static_map(tn_plan, grid_plan, tmp_path):
    for plan in (tn_plan, grid_plan):
        fig = plotting.plot_map(plan)
        ax = fig.axes[0]
        assert "MW IT" in ax.get_title()
        assert ax.get_legend() is not None
        assert any(t.get_text().endswith(" km") for t in ax.texts), "scale bar label"
        site_rgba = matplotlib.colors.to_rgba(SITE_COLOR)
        assert any(
            len(c.get_facecolors()) and tuple(c.get_facecolors()[0][:3]) == pytest.approx(site_rgba[:3])
            for c in ax.collections
        )
        fig.savefig(tmp_path / "m.svg")
        assert (tmp_path / "m.svg").stat().st_size > 10_000
    ax = plotting.plot_map(grid_plan).axes[0]
    assert "interconnection" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_existing_axes(tn_plan):
    fig = Figure()
    ax = fig.add_subplot()
    assert plotting.plot_map(tn_plan, ax=ax) is fig


# --------------------------------------------------------------------------- html map
def test_html_is_self_contained(tn_map):
    html = tn_map.read_text()
    # no external script, stylesheet, image or font reference
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html, re.I)
    assert "cdn." not in html and "code.jquery.com" not in html and "bootstrap" not in html.lower()
    assert "url(images/" not in html and "sourceMappingURL" not in html
    assert leaflet_inline_html() in html
    assert "tile.openstreetmap" not in html
    assert SITE_COLOR in html
    assert tn_map.stat().st_size < 2_000_000


def test_html_popup_contents(grid_plan, tmp_path):
    path = plotting.save_map_html(grid_plan, tmp_path / "map.html")
    html = path.read_text()
    site = grid_plan.sites.iloc[0]
    ic = grid_plan.interconnections.iloc[0]
    for text in (site["name"], "first online", "IT MW", "Interconnections", str(ic["substation_name"])):
        assert text in html, text
    assert "Zones: electricity price" in html and "Zones: grid carbon intensity" in html


def test_tiles_are_optional(tn_plan):
    m = plotting.explore(tn_plan, tiles="OpenStreetMap")
    assert "tile.openstreetmap.org" in m.get_root().render()


def test_explore_returns_folium_map(tn_plan):
    import folium

    m = plotting.explore(tn_plan)
    assert isinstance(m, folium.Map)
    assert m._repr_html_()  # notebook display renders without network either


# --------------------------------------------------------------------------- files
def test_figure_writers_write_every_file(tn_plan, tmp_path):
    writers = plotting.figure_writers(tn_plan)
    assert set(writers) == EXPECTED_FILES
    out = tn_plan.save(tmp_path / "plan", extra_files=writers)
    for name in EXPECTED_FILES:
        f = out / name
        assert f.exists() and f.stat().st_size > 5_000, name
    assert (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "map.svg").read_text()[:200].lstrip().startswith("<?xml")


def test_loaded_plan_without_context(tn_plan, tmp_path):
    """A plan read back from disk has no context layers: plotting reads none itself and says what to pass;
    the caller reads the embedded defaults with ``map_context`` (the plan's methods do it for you)."""
    tn_plan.save(tmp_path / "p")
    loaded = BuildPlan.load(tmp_path / "p")
    assert not loaded.context
    with pytest.raises(InputError, match="context layers substations, transmission_lines, states, zones"):
        plotting.plot_map(loaded)
    writers = plotting.figure_writers(loaded, context=map_context(loaded.context, default_data_dir()))
    for name, w in writers.items():
        w(tmp_path / name)
        assert (tmp_path / name).stat().st_size > 5_000
    assert "MW IT" in loaded.plot_map().axes[0].get_title()
    assert "State outlines" in loaded.explore().get_root().render()


def test_map_context_reads_only_missing_layers(tn_plan):
    """A complete plan context is returned as is, so the data directory is never opened (a directory that
    does not exist raises nothing); a missing layer alone is read from the directory."""
    full = map_context(tn_plan.context, "/nonexistent/siting-data")
    assert all(
        full[k] is tn_plan.context[k] for k in ("substations", "transmission_lines", "states", "zones")
    )
    partial = {k: v for k, v in tn_plan.context.items() if k != "states"}
    filled = map_context(partial, default_data_dir())
    assert filled["substations"] is tn_plan.context["substations"]
    assert filled["states"] is load_map_context(default_data_dir())["states"]


def test_empty_plan_does_not_crash(tn_plan):
    empty = BuildPlan(
        meta={**tn_plan.meta},
        sites=tn_plan.sites.iloc[:0],
        capacity=tn_plan.capacity.iloc[:0],
        interconnections=tn_plan.interconnections.iloc[:0],
        contracts=tn_plan.contracts.iloc[:0],
        timeline=tn_plan.timeline.iloc[:0],
        costs_by_year=tn_plan.costs_by_year.iloc[:0],
        candidates=tn_plan.candidates,
        context=tn_plan.context,
    )
    for fn in (plotting.plot_timeline, plotting.plot_costs, plotting.plot_capacity, plotting.plot_map):
        assert isinstance(fn(empty), Figure)
    assert plotting.explore(empty)

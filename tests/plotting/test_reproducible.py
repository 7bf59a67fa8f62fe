"""Figure files are reproducible: the same figure or map gives the same bytes (issue 10, point 2)."""

from __future__ import annotations

import matplotlib as mpl
from branca.element import Element, Figure
from matplotlib.figure import Figure as MplFigure

from siting import plotting
from siting.plotting import SVG_HASH_SALT, save_figure, stable_ids


def _chart() -> MplFigure:
    fig = MplFigure(figsize=(3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [1, 0], label="line")
    ax.scatter([0.5], [0.5], label="point")
    ax.legend()
    return fig


def test_save_figure_svg_has_no_date_and_fixed_ids(tmp_path):
    """Two saves of the same figure are identical SVG with no <dc:date>; the global salt stays unset."""
    before = mpl.rcParams["svg.hashsalt"]
    a = save_figure(_chart(), tmp_path / "a.svg").read_bytes()
    b = save_figure(_chart(), tmp_path / "b.svg").read_bytes()
    assert a == b
    assert b"<dc:date>" not in a and a.lstrip().startswith(b"<?xml")
    assert mpl.rcParams["svg.hashsalt"] == before != SVG_HASH_SALT


def test_save_figure_png(tmp_path):
    """PNG (the format comes from the suffix): identical bytes, 3 × 2 in at 150 dpi = 450 × 300 px."""
    a = save_figure(_chart(), tmp_path / "a.png").read_bytes()
    assert a == save_figure(_chart(), tmp_path / "b.png").read_bytes()
    assert a[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(a[16:20], "big") == 450 and int.from_bytes(a[20:24], "big") == 300


def test_stable_ids_numbers_the_tree_depth_first():
    """Figure(0) → child a(1) → grandchild b(2), then the Figure's header(3) with its <meta> element(4),
    html(5) and script(6); children keyed by their old name are re-keyed, named ones keep their name."""
    root, a, b = Figure(), Element(), Element()
    a.add_child(b)
    root.add_child(a)
    assert stable_ids(root) is root
    ids = [root, a, b, root.header, root.header._children["meta_http"], root.html, root.script]
    assert [el._id for el in ids] == [f"{i:012x}" for i in range(7)]
    assert list(root._children) == ["element_000000000001"]
    assert list(a._children) == ["element_000000000002"]


def test_map_html_is_byte_identical(tn_plan, tmp_path):
    """Two saves of the same plan's map give the same page; the map (the page's first child) is id 1."""
    a = plotting.save_map_html(tn_plan, tmp_path / "a.html").read_bytes()
    b = plotting.save_map_html(tn_plan, tmp_path / "b.html").read_bytes()
    assert a == b
    assert b'id="map_000000000001"' in a

"""The saved ``map.html`` in a real headless browser (Debian chromium) with networking disabled.

Checks:

1. no failed network request, and every request the page makes is ``file:`` or ``data:`` (nothing
   would have gone to the network even if it were up; DNS and proxy are also blocked by the flags);
2. no console error, no uncaught JavaScript exception and no browser log entry of level error;
3. Leaflet is defined (the inlined copy, version 1.9.4), exactly one map exists, every chosen site is a
   circle marker in the site pane at the plan's coordinates, and all overlay layers are listed;
4. the screenshot shows the site colour: ≥50 % of the pixels within the inner 60 % of each site marker's
   radius are the site fill colour (±35 per RGB channel), and that colour is (almost) absent elsewhere
   (outside the markers and the legend's swatch).

Skipped when ``/usr/bin/chromium`` is missing, unless ``SITING_REQUIRE_BROWSER=1`` (then it fails).
"""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from headless import CHROMIUM, Chromium

from siting.plotting.maps import SITE_COLOR

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("SITING_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"SITING_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} not installed", allow_module_level=True)

PROBE = r"""
new Promise(function (resolve) {
  requestAnimationFrame(function () { requestAnimationFrame(function () { setTimeout(function () {
    var names = Object.keys(window).filter(function (k) {
      try { return window[k] instanceof L.Map; } catch (e) { return false; }
    });
    var m = window[names[0]], sites = [];
    m.eachLayer(function (l) {
      if (l instanceof L.CircleMarker && l.options.pane === 'siting-sites') {
        var p = m.latLngToContainerPoint(l.getLatLng()), ll = l.getLatLng();
        sites.push({x: p.x, y: p.y, r: l.getRadius(), lat: ll.lat, lon: ll.lng});
      }
    });
    var box = m.getContainer().getBoundingClientRect();
    resolve(JSON.stringify({
      leaflet: (typeof L === 'undefined') ? null : L.version,
      maps: names.length,
      sites: sites,
      left: box.left, top: box.top,
      legend: (function (r) { return [r.left, r.top, r.right, r.bottom]; })(
        document.querySelector('.siting-legend').getBoundingClientRect()),
      overlays: Array.prototype.map.call(
        document.querySelectorAll('.leaflet-control-layers-overlays label span'),
        function (s) { return s.textContent.trim(); }),
      resources: performance.getEntriesByType('resource').map(function (e) { return e.name; })
    }));
  }, 300); }); });
})
"""


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


@pytest.fixture(scope="module")
def browser_run(tn_map, tmp_path_factory):
    with Chromium(tmp_path_factory.mktemp("chromium-profile")) as chrome:
        chrome.open_page()
        chrome.navigate(tn_map.resolve().as_uri())
        probe = json.loads(chrome.evaluate(PROBE, await_promise=True))
        png = chrome.screenshot()
        return chrome, probe, png


def test_no_failed_or_network_requests(browser_run, tn_map):
    chrome, probe, _ = browser_run
    assert chrome.failed == [], f"failed requests: {chrome.failed}"
    assert chrome.requests, "the page load itself should be recorded"
    remote = [u for u in chrome.requests + probe["resources"] if not u.startswith(("file:", "data:"))]
    assert remote == [], f"requests that would need the network: {remote}"
    assert chrome.requests[0] == tn_map.resolve().as_uri()


def test_no_console_errors(browser_run):
    chrome, _, _ = browser_run
    assert chrome.console_errors == []
    assert chrome.exceptions == []
    assert chrome.log_errors == []


def test_leaflet_map_and_layers(browser_run, tn_plan):
    _, probe, _ = browser_run
    assert probe["leaflet"] == "1.9.4"
    assert probe["maps"] == 1
    assert len(probe["sites"]) == len(tn_plan.sites) > 0
    # markers at the plan's coordinates, to 1e-3° (the map writes rounded coordinates, so compare with a
    # tolerance: rounding both sides to 3 decimals flips on a coordinate like -89.6465)
    got = sorted((s["lat"], s["lon"]) for s in probe["sites"])
    want = sorted(zip(tn_plan.sites["lat"], tn_plan.sites["lon"], strict=True))
    assert [c for pair in got for c in pair] == pytest.approx([c for pair in want for c in pair], abs=1e-3)
    for name in (
        "State outlines",
        "Candidate sites",
        "Substations",
        "Transmission corridors",
        "Chosen sites",
    ):
        assert any(o.startswith(name) for o in probe["overlays"]), (name, probe["overlays"])


def test_screenshot_shows_site_markers(browser_run, tmp_path_factory):
    import matplotlib.image as mpimg

    _, probe, png = browser_run
    (tmp_path_factory.mktemp("shot") / "map.png").write_bytes(png)  # kept for inspection on failure
    img = mpimg.imread(io.BytesIO(png), format="png")[..., :3] * 255.0
    h, w, _ = img.shape
    assert (w, h) == (1280, 800)
    target = _rgb(SITE_COLOR)
    is_site = np.all(np.abs(img - target) <= 35.0, axis=-1)
    yy, xx = np.mgrid[0:h, 0:w]
    near_any = np.zeros((h, w), dtype=bool)
    for s in probe["sites"]:
        cx, cy, r = s["x"] + probe["left"], s["y"] + probe["top"], s["r"]
        assert 0 <= cx < w and 0 <= cy < h, "site marker outside the viewport"
        d2 = (xx - cx) ** 2 + (yy - cy) ** 2
        inner = d2 <= (0.6 * r) ** 2
        assert is_site[inner].mean() >= 0.5, (
            f"site colour covers only {is_site[inner].mean():.0%} of marker at {cx, cy}"
        )
        near_any |= d2 <= (r + 3) ** 2
    lx0, ly0, lx1, ly1 = probe["legend"]  # the legend shows a site swatch on purpose
    near_any |= (xx >= lx0) & (xx <= lx1) & (yy >= ly0) & (yy <= ly1)
    stray = int(is_site[~near_any].sum())
    assert stray <= 0.02 * int(near_any.sum()) + 50, (
        f"{stray} site-coloured pixels away from the site markers"
    )

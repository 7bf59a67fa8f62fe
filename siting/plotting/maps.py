"""Interactive, offline map of a build plan (Leaflet through folium).

The page is self-contained: Leaflet's JavaScript and CSS (vendored from the npm package ``leaflet@1.9.4``,
see ``vendor/README.md``) are inlined, folium's default CDN links (jQuery, Bootstrap, Font Awesome,
awesome-markers) are removed, every layer is inline GeoJSON drawn as vectors (circle markers, lines,
polygons) and the base layer is the embedded state outlines. No tiles are loaded unless asked for.
"""

from __future__ import annotations

import base64
import functools
import html
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.map import Layer
from folium.template import Template
from matplotlib import colormaps
from matplotlib.colors import Normalize

from ._layers import CRS, MapLayers, map_layers, round_coords

LEAFLET_DIR = Path(__file__).resolve().parent / "vendor" / "leaflet-1.9.4"

#: Fill colour of chosen sites (also checked by the headless-browser test).
SITE_COLOR = "#7b1fa2"
SITE_EDGE = "#2e0b3d"
INTERCONNECTION_COLOR = "#d81b60"
#: Demand regions (served / not served in the serving step) and the site → region serving lines.
REGION_COLOR = "#ef6c00"
REGION_EDGE = "#8a3b00"
UNSERVED_REGION_COLOR = "#9e9e9e"
SERVING_COLOR = "#00897b"
CANDIDATE_CMAP = "RdYlGn_r"
ZONE_PRICE_CMAP = "YlOrRd"
ZONE_CO2_CMAP = "Greys"
VOLTAGE_COLORS = {
    115: "#c6dbef",
    138: "#9ecae1",
    161: "#6baed6",
    230: "#4292c6",
    345: "#2171b5",
    500: "#08519c",
    765: "#08306b",
}
#: Leaflet panes (z-index) so that toggling a layer never hides the sites under it.
PANES = {
    "siting-states": 210,
    "siting-zones": 320,
    "siting-regions": 325,
    "siting-lines": 330,
    "siting-substations": 340,
    "siting-candidates": 350,
    "siting-interconnections": 360,
    "siting-serving": 365,
    "siting-sites": 370,
}


# --------------------------------------------------------------------------- offline assets
@functools.lru_cache(maxsize=1)
def leaflet_inline_html() -> str:
    """``<style>`` and ``<script>`` blocks holding the vendored Leaflet CSS and JavaScript.

    Returns
    -------
    str
        HTML to place in the page ``<head>``; references no external resource.
    """
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    js = "\n".join(line for line in js.splitlines() if not line.startswith("//# sourceMappingURL"))
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    for name in ("layers-2x.png", "layers.png"):
        data = base64.b64encode((LEAFLET_DIR / "images" / name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    css = css.replace("url(images/marker-icon.png)", "none")
    if "</script" in js.lower():  # pragma: no cover - guards a future Leaflet release
        raise ValueError("vendored leaflet.js contains '</script'; it cannot be inlined as is")
    return f"<style>\n{css}\n</style>\n<script>\n{js}\n</script>\n"


# --------------------------------------------------------------------------- folium elements
class GeoJsonLayer(Layer):
    """A toggleable ``L.geoJSON`` layer drawn with circle markers, styled per feature.

    Feature properties understood: ``c`` (colour, stroke and fill), ``fc`` (fill colour only), ``r``
    (circle radius, px), ``w`` (line width, px), ``t`` (tooltip text/HTML), ``p`` (popup HTML). Layer options understood besides
    Leaflet's: ``fillKey`` (the property holding the fill colour) and ``tip`` (tooltip template in which
    ``{v}`` is replaced by the feature's ``v`` property).

    Parameters
    ----------
    data : dict or str
        A GeoJSON FeatureCollection, or the name of a page variable holding one (see :class:`_Data`).
    name : str
        Name in the layer control.
    pane : str
        Leaflet pane (see :data:`PANES`).
    style : dict
        Leaflet path options shared by all features.
    show : bool
        Visible on opening.
    interactive : bool
        Whether features react to the mouse (tooltips, popups).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_style = {{ this.style_json }};
        var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
            pane: {{ this.pane|tojson }},
            interactive: {{ this.interactive|tojson }},
            pointToLayer: function (f, ll) { return L.circleMarker(ll, sitingStyle(f, {{ this.get_name() }}_style)); },
            style: function (f) { return sitingStyle(f, {{ this.get_name() }}_style); },
            onEachFeature: function (f, l) { sitingBind(f, l, {{ this.get_name() }}_style); }
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict | str,
        name: str,
        pane: str,
        style: dict | None = None,
        show: bool = True,
        interactive: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "SitingGeoJson"
        self.data_js = data if isinstance(data, str) else _script_json(data)
        self.style_json = _script_json({**(style or {}), "pane": pane, "interactive": interactive})
        self.pane = pane
        self.interactive = interactive


class _Data(MacroElement):
    """A GeoJSON object stored once in a page variable and shared by several layers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.var }} = {{ this.data_json }};
        {% endmacro %}
        """
    )

    def __init__(self, var: str, data: dict) -> None:
        super().__init__()
        self._name = "SitingData"
        self.var = var
        self.data_json = _script_json(data)


class _Setup(MacroElement):
    """Panes, the shared style function, the scale bar and the map background."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .leaflet-container { background: #dfe8ef; }
          .siting-legend { position: absolute; z-index: 1000; bottom: 18px; left: 10px; background: rgba(255,255,255,.92);
            padding: 6px 9px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35);
            font: 12px/1.35 system-ui, sans-serif; max-width: 320px; }
          .siting-legend .sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
            margin-right: 5px; vertical-align: -1px; border: 1px solid #333; }
          .siting-legend .ln { display: inline-block; width: 18px; height: 0; margin-right: 5px; vertical-align: 3px; }
          .siting-legend .gr { display: inline-block; width: 90px; height: 9px; margin: 0 4px; vertical-align: -1px; }
          .siting-popup table { border-collapse: collapse; font-size: 11px; margin-top: 3px; }
          .siting-popup td, .siting-popup th { padding: 1px 5px; border-bottom: 1px solid #ddd; text-align: right; }
          .siting-popup th:first-child, .siting-popup td:first-child { text-align: left; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var sitingPanes = {{ this.panes_json }};
        Object.keys(sitingPanes).forEach(function (k) {
            var pane = {{ this._parent.get_name() }}.createPane(k);
            pane.style.zIndex = sitingPanes[k];
        });
        function sitingStyle(f, base) {
            var p = f.properties || {}, s = Object.assign({}, base);
            if (p.c) { s.color = p.c; s.fillColor = p.c; }
            if (p.fc) { s.fillColor = p.fc; }
            if (base.fillKey && p[base.fillKey]) { s.fillColor = p[base.fillKey]; }
            if (p.r) { s.radius = p.r; }
            if (p.w) { s.weight = p.w; }
            return s;
        }
        function sitingBind(f, l, base) {
            var p = f.properties || {};
            if (p.p) { l.bindPopup(p.p, {maxWidth: 460}); }
            if (p.t) { l.bindTooltip(p.t, {sticky: true}); }
            else if (base.tip && p.v !== undefined) { l.bindTooltip(base.tip.replace("{v}", p.v), {sticky: true}); }
        }
        L.control.scale({imperial: true, metric: true, position: 'bottomright'}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SitingSetup"
        self.panes_json = json.dumps(PANES)


class _Legend(MacroElement):
    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="siting-legend">{{ this.body }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "SitingLegend"
        self.body = body


# --------------------------------------------------------------------------- helpers
def _script_json(obj: Any) -> str:
    """JSON safe to embed in a ``<script>`` element."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def _hex_colors(
    values: pd.Series, cmap: str, vmin: float | None = None, vmax: float | None = None
) -> list[str]:
    """Hex colours of ``values`` on a matplotlib colormap (NaN → grey)."""
    v = values.to_numpy(dtype=float)
    finite = np.isfinite(v)
    lo = float(np.nanmin(v)) if vmin is None and finite.any() else (vmin or 0.0)
    hi = float(np.nanmax(v)) if vmax is None and finite.any() else (vmax or 1.0)
    if hi <= lo:
        hi = lo + 1.0
    rgba = colormaps[cmap](Normalize(lo, hi)(np.where(finite, v, lo)))
    rgb = np.round(rgba[:, :3] * 255).astype(int)
    out = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb]
    return [c if ok else "#9e9e9e" for c, ok in zip(out, finite, strict=True)]


def _gradient_css(cmap: str) -> str:
    stops = colormaps[cmap](np.linspace(0, 1, 6))
    cols = ", ".join(f"rgb({int(r * 255)},{int(g * 255)},{int(b * 255)})" for r, g, b, _ in stops)
    return f"linear-gradient(to right, {cols})"


def _voltage_color(kv: pd.Series) -> list[str]:
    classes = np.array(sorted(VOLTAGE_COLORS))
    idx = np.clip(np.searchsorted(classes, kv.to_numpy(dtype=float), side="right") - 1, 0, len(classes) - 1)
    return [VOLTAGE_COLORS[int(classes[i])] for i in idx]


def _features(gdf: gpd.GeoDataFrame, props: dict[str, list | pd.Series]) -> dict:
    """FeatureCollection of ``gdf``'s rounded geometries with the given (short) properties."""
    if len(gdf) == 0:
        return {"type": "FeatureCollection", "features": []}
    geo = json.loads(round_coords(gdf[["geometry"]]).to_json(drop_id=True))
    cols = {k: list(v) for k, v in props.items()}
    for i, f in enumerate(geo["features"]):
        f["properties"] = {k: _plain(v[i]) for k, v in cols.items() if _plain(v[i]) is not None}
    return geo


def _plain(v: Any) -> Any:
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def _esc(v: Any) -> str:
    return html.escape(str(v))


def _money(usd: float) -> str:
    if not np.isfinite(usd):
        return "–"
    return f"${usd / 1e9:,.2f} B" if abs(usd) >= 1e9 else f"${usd / 1e6:,.1f} M"


# --------------------------------------------------------------------------- site details
def site_capex_usd(plan: Any) -> pd.Series:
    """Indicative overnight capex per chosen site, USD (undiscounted).

    ``it_mw × (construction_usd_per_mw + land_usd_per_mw)`` + interconnection ``cost_usd`` + on-site
    plant ``mw × capex_usd_per_kw × 1000`` from the contracts table. The plan's objective (present value,
    with energy, fuel and O&M) is in ``plan.meta["costs_usd"]``.
    """
    s = plan.sites.set_index("site_id")
    zero = pd.Series(0.0, index=s.index)
    build = s["it_mw"].astype(float) * (
        s.get("construction_usd_per_mw", zero).astype(float).fillna(0.0)
        + s.get("land_usd_per_mw", zero).astype(float).fillna(0.0)
    )
    ic = plan.interconnections
    ic_cost = ic.groupby("site_id")["cost_usd"].sum() if len(ic) else pd.Series(dtype=float)
    ct = plan.contracts
    if len(ct) and "capex_usd_per_kw" in ct:
        own = ct["mw"].astype(float) * ct["capex_usd_per_kw"].astype(float).fillna(0.0) * 1000.0
        own_cost = own.groupby(ct["site_id"]).sum()
    else:
        own_cost = pd.Series(dtype=float)
    return build + ic_cost.reindex(s.index).fillna(0.0) + own_cost.reindex(s.index).fillna(0.0)


def _site_popups(plan: Any) -> list[str]:
    sites = plan.sites
    cap = plan.capacity
    ic = plan.interconnections
    ct = plan.contracts
    capex = site_capex_usd(plan)
    out = []
    for r in sites.itertuples():  # one per chosen site (a handful)
        sid = r.site_id
        lines = [
            f"<div class='siting-popup'><b>{_esc(r.name)}</b> <span style='color:#666'>({_esc(sid)})</span><br>",
            f"{_esc(r.state)} · zone {_esc(getattr(r, 'zone_name', ''))} ({_esc(getattr(r, 'zone', ''))})<br>",
            f"<b>{r.it_mw:,.0f} MW</b> IT · first online <b>{_esc(r.first_online_year)}</b>"
            f" · PUE {getattr(r, 'pue_annual', float('nan')):.2f}<br>",
        ]
        sic = ic[ic["site_id"] == sid] if len(ic) else ic
        if len(sic):
            for c in sic.itertuples():
                lines.append(
                    f"Substation <b>{_esc(c.substation_name)}</b> (id {_esc(c.substation_id)}): {c.voltage_kv:,.0f} kV,"
                    f" {c.distance_km:,.1f} km, {c.capacity_mw:,.0f} MW, grid from {_esc(c.available_year)},"
                    f" {_money(float(c.cost_usd))}<br>"
                )
        else:
            sub = getattr(r, "substation_id", None)
            lines.append(
                "Substation: <i>none — on-site power only</i><br>"
                if sub is None or (isinstance(sub, float) and np.isnan(sub))
                else f"Substation id {_esc(sub)}<br>"
            )
        lines.append(f"Indicative overnight capex: <b>{_money(float(capex.get(sid, np.nan)))}</b><br>")
        sc = cap[cap["site_id"] == sid].sort_values("year")
        if len(sc):
            rows = "".join(
                f"<tr><td>{int(y)}</td><td>{it:,.0f}</td><td>{g:,.0f}</td><td>{o:,.0f}</td></tr>"
                for y, it, g, o in sc[["year", "it_mw", "grid_mw", "onsite_mw"]].itertuples(index=False)
            )
            lines.append(
                "<table><tr><th>year</th><th>IT MW</th><th>grid MW</th><th>on-site MW</th></tr>"
                + rows
                + "</table>"
            )
        scn = ct[ct["site_id"] == sid] if len(ct) else ct
        if len(scn):
            rows = "".join(
                f"<tr><td>{_esc(k)}</td><td>{mw:,.0f}</td><td>{int(a)}–{int(b)}</td>"
                f"<td>{'' if not np.isfinite(p) else f'{p:,.1f}'}</td></tr>"
                for k, mw, a, b, p in scn[["kind", "mw", "start_year", "end_year", "price_usd_per_mwh"]]
                .astype({"price_usd_per_mwh": float})
                .itertuples(index=False)
            )
            lines.append(
                "<table><tr><th>contract / asset</th><th>MW</th><th>years</th><th>USD/MWh</th></tr>"
                + rows
                + "</table>"
            )
        lines.append("</div>")
        out.append("".join(lines))
    return out


# --------------------------------------------------------------------------- the map
def _site_radius(mw: pd.Series) -> np.ndarray:
    """Circle radius (px) ∝ √MW, 7–22 px."""
    m = mw.to_numpy(dtype=float)
    top = max(float(np.nanmax(m)) if len(m) else 1.0, 1.0)
    return np.round(7.0 + 15.0 * np.sqrt(np.clip(m, 0, None) / top), 1)


def explore(
    plan: Any,
    tiles: str | None = None,
    zones: bool = True,
    width: str = "100%",
    height: str = "100%",
    layers: MapLayers | None = None,
    context: Mapping[str, Any] | None = None,
) -> folium.Map:
    """Interactive map of a plan that works with no network.

    Layers (toggle in the top-right control): state outlines (base), zones coloured by industrial price
    and by grid carbon intensity (approximate polygons, see ``docs/maps-and-charts.md``), transmission
    corridors and substations coloured by voltage, candidate sites coloured by indicative cost (USD/kW-IT),
    interconnections (site → substation) and chosen sites sized by IT MW with a popup (MW by year,
    substation, contracts, first online year, indicative capex). A plan with a non-empty ``serving`` table
    (latency section) also shows demand regions sized by population and a line from each site to each
    region it serves in the last horizon year, its width ∝ MW (tooltip: site, region, MW, RTT ms, km).

    Parameters
    ----------
    plan : BuildPlan
        A solved or loaded plan (plotting never solves).
    tiles : str, optional
        A folium tile provider name (e.g. ``"OpenStreetMap"``) added as an optional base layer. Tiles need
        network access; the default ``None`` keeps the map fully offline.
    zones : bool
        Draw the zone layers.
    width, height : str
        CSS size of the map.
    layers : MapLayers, optional
        Pre-computed layers (from :func:`siting.plotting._layers.map_layers`).
    context : mapping, optional
        Context layers where ``plan.context`` has none (:func:`siting.data.layers.map_context`).

    Returns
    -------
    folium.Map
        Render with ``m.save(path)`` (or :func:`save_map_html`) or display it in a notebook.
    """
    L = layers or map_layers(plan, with_zones=zones, context=context)
    m = _offline_map(plan, L.bounds, width, height)
    if tiles:
        folium.TileLayer(tiles, name=f"{tiles} (online)", overlay=False, control=True).add_to(m)
    elements = [
        _states_layer(L.states),
        *(_zone_layers(L.zones) if zones else []),
        *_lines_layer(L.lines),
        *_substations_layer(L.substations, L.substation_min_kv),
        *_regions_layer(L),
        *_candidates_layer(L.candidates),
        *_interconnections_layer(plan),
        *_serving_layer(L),
        *_sites_layer(plan),
    ]
    for element in elements:
        m.add_child(element)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    w, s, e, n = L.bounds
    m.fit_bounds([[s, w], [n, e]])
    m.add_child(_Legend(_legend_html(plan, L)))
    return m


def _offline_map(plan: Any, bounds: tuple[float, float, float, float], width: str, height: str) -> folium.Map:
    """An empty map centred on ``bounds`` (degrees) with Leaflet inlined and no CDN link."""
    w, s, e, n = bounds
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=6,
        tiles=None,
        width=width,
        height=height,
        prefer_canvas=True,
        control_scale=False,
        zoom_snap=0.25,
    )
    # Offline: no CDN links; Leaflet itself is inlined in the page head.
    m.default_js = []
    m.default_css = []
    fig = Figure()
    m.add_to(fig)
    fig.header.add_child(Element(leaflet_inline_html()), name="leaflet_inline")
    fig.title = f"siting · {plan.meta.get('scenario', 'plan')}"
    m.add_child(_Setup())
    return m


def _states_layer(st: gpd.GeoDataFrame) -> GeoJsonLayer:
    """State outlines: the offline base layer."""
    return GeoJsonLayer(
        _features(st, {"t": st["name"] if "name" in st else st["state"]}),
        "State outlines",
        "siting-states",
        {"color": "#ffffff", "weight": 1.2, "fillColor": "#f4f1ea", "fillOpacity": 1.0},
        interactive=False,
    )


def _zone_layers(zn: gpd.GeoDataFrame) -> list:
    """Zones coloured by industrial price (USD/MWh, shown) and grid CO₂ (kg/MWh, hidden), sharing data."""
    if not len(zn):
        return []
    price = zn["industrial_price_usd_per_mwh"].astype(float)
    co2 = zn["grid_co2_kg_per_mwh"].astype(float)
    tips = [
        f"<b>{_esc(nm)}</b> (zone {_esc(z)})<br>industrial {p:,.1f} USD/MWh · grid {c:,.0f} kg CO₂/MWh"
        for z, nm, p, c in zip(zn["zone_id"], zn["zone_name"], price, co2, strict=True)
    ]
    props = {"fp": _hex_colors(price, ZONE_PRICE_CMAP), "fc2": _hex_colors(co2, ZONE_CO2_CMAP), "t": tips}
    zstyle = {"color": "#8d8d8d", "weight": 0.6, "fillOpacity": 0.45}
    return [
        _Data("sitingZones", _features(zn, props)),
        GeoJsonLayer("sitingZones", "Zones: electricity price", "siting-zones", {**zstyle, "fillKey": "fp"}),
        GeoJsonLayer(
            "sitingZones",
            "Zones: grid carbon intensity",
            "siting-zones",
            {**zstyle, "fillKey": "fc2"},
            show=False,
        ),
    ]


def _lines_layer(ln: gpd.GeoDataFrame) -> list:
    """Transmission corridors coloured by voltage (kV)."""
    if not len(ln):
        return []
    props = {"c": _voltage_color(ln["voltage_kv"]), "v": ln["voltage_kv"].round().astype(int)}
    style = {"weight": 1.6, "opacity": 0.7, "tip": "{v} kV line"}
    return [GeoJsonLayer(_features(ln, props), "Transmission corridors", "siting-lines", style)]


def _substations_layer(sb: gpd.GeoDataFrame, min_kv: float) -> list:
    """Substations coloured by voltage (kV), with their headroom (MW) in the tooltip."""
    if not len(sb):
        return []
    kv = sb["max_voltage_kv"].astype(float)
    head = sb["headroom_mw"].astype(float) if "headroom_mw" in sb else pd.Series(np.nan, index=sb.index)
    tips = [
        f"{_esc(nm)} (id {_esc(i)}) · {v:,.0f} kV · headroom {h:,.0f} MW"
        for nm, i, v, h in zip(sb["name"], sb["substation_id"], kv, head, strict=True)
    ]
    return [
        GeoJsonLayer(
            _features(sb, {"c": _voltage_color(kv), "r": np.where(kv >= 345, 4, 3), "t": tips}),
            f"Substations (≥{min_kv:,.0f} kV)",
            "siting-substations",
            {"weight": 1, "fillOpacity": 0.9, "radius": 3},
        )
    ]


def _candidates_layer(cand: pd.DataFrame) -> list:
    """Candidate sites coloured by indicative cost (USD/kW-IT)."""
    if not len(cand):
        return []
    cgdf = gpd.GeoDataFrame(cand, geometry=gpd.points_from_xy(cand["lon"], cand["lat"]), crs=CRS)
    cost = cand["capex_usd_per_kw"]
    chosen = cand["chosen"].astype(bool) if "chosen" in cand else pd.Series(False, index=cand.index)
    first = cand["first_online_year"] if "first_online_year" in cand else pd.Series("?", index=cand.index)
    tips = [
        f"<b>{_esc(nm)}</b> · ~{c:,.0f} USD/kW-IT · up to {mx:,.0f} MW · online ≥ {_esc(fy)}{' · chosen' if ch else ''}"
        for nm, c, mx, fy, ch in zip(cand["name"], cost, cand["max_it_mw"], first, chosen, strict=True)
    ]
    return [
        GeoJsonLayer(
            _features(cgdf, {"c": _hex_colors(cost, CANDIDATE_CMAP), "t": tips}),
            "Candidate sites (indicative cost)",
            "siting-candidates",
            {"radius": 5, "weight": 1, "color": "#333333", "fillOpacity": 0.85},
        )
    ]


#: Interconnection columns shown in the tooltip: site, substation, kV, km, MW, USD, first grid year.
_IC_TIP_COLUMNS = [
    "site_id",
    "substation_name",
    "voltage_kv",
    "distance_km",
    "capacity_mw",
    "cost_usd",
    "available_year",
]


def _interconnections_layer(plan: Any) -> list:
    """Dashed lines from each chosen site to the substations it connects to."""
    ic = plan.interconnections
    if not len(ic):
        return []
    sites_xy = plan.sites.set_index("site_id")[["lon", "lat"]]
    xy = sites_xy.reindex(ic["site_id"]).to_numpy(dtype=float)
    sub_xy = ic[["substation_lon", "substation_lat"]].to_numpy(dtype=float)
    ok = np.isfinite(xy).all(axis=1) & np.isfinite(sub_xy).all(axis=1)
    geoms = shapely.linestrings(np.stack([xy[ok], sub_xy[ok]], axis=1)) if ok.any() else []
    icg = gpd.GeoDataFrame(ic[ok].reset_index(drop=True), geometry=list(geoms), crs=CRS)
    tips = [
        f"{_esc(si)} → {_esc(sn)}: {kv_:,.0f} kV, {d:,.1f} km, {mw:,.0f} MW, {_money(float(c))}, grid from {_esc(y)}"
        for si, sn, kv_, d, mw, c, y in icg[_IC_TIP_COLUMNS].itertuples(index=False)
    ]
    return [
        GeoJsonLayer(
            _features(icg, {"t": tips}),
            "Interconnections",
            "siting-interconnections",
            {"color": INTERCONNECTION_COLOR, "weight": 3, "opacity": 0.9, "dashArray": "6 4"},
        )
    ]


def _region_radius(population: pd.Series) -> np.ndarray:
    """Circle radius (px) ∝ √population, 5–22 px."""
    p = np.clip(population.to_numpy(dtype=float), 0, None)
    top = max(float(p.max()) if len(p) else 1.0, 1.0)
    return np.round(5.0 + 17.0 * np.sqrt(p / top), 1)


def _serving_width(mw: pd.Series) -> np.ndarray:
    """Serving line width (px) ∝ IT MW, 2–10 px at the largest pair."""
    m = np.clip(mw.to_numpy(dtype=float), 0, None)
    top = max(float(m.max()) if len(m) else 1.0, 1e-9)
    return np.round(2.0 + 8.0 * m / top, 1)


def _regions_layer(L: MapLayers) -> list:
    """Demand regions sized by population, orange where served in the serving step (grey otherwise)."""
    rg = L.regions
    if not len(rg):
        return []
    rgdf = gpd.GeoDataFrame(rg, geometry=gpd.points_from_xy(rg["lon"], rg["lat"]), crs=CRS)
    by = L.serving.groupby("region_id")["site_name"].agg(lambda v: ", ".join(map(str, v)))
    unserved = rg["unserved_mw"] if "unserved_mw" in rg.columns else pd.Series(np.nan, index=rg.index)
    tips = [
        f"<b>{_esc(nm)}</b> ({_esc(r)}) · population {float(pop):,.0f}<br>"
        + (
            f"{mw:,.1f} MW served in {L.serving_year} by {_esc(by.get(r, ''))}"
            if mw > 0
            else f"not served within the latency bound in {L.serving_year}"
        )
        + (f"<br>{un:,.1f} MW unserved (counted as shortfall)" if np.isfinite(un) and un > 0 else "")
        for r, nm, pop, mw, un in zip(
            rg["region_id"],
            rg["name"],
            rg["population"],
            rg["served_mw"],
            unserved.astype(float),
            strict=True,
        )
    ]
    colors = np.where(rg["served_mw"].to_numpy(dtype=float) > 0, REGION_COLOR, UNSERVED_REGION_COLOR)
    return [
        GeoJsonLayer(
            _features(rgdf, {"fc": list(colors), "r": _region_radius(rg["population"]), "t": tips}),
            "Demand regions (size ∝ population)",
            "siting-regions",
            {"color": REGION_EDGE, "weight": 1, "fillOpacity": 0.35},
        )
    ]


def _serving_layer(L: MapLayers) -> list:
    """A line from each site to each region it serves in the serving step, width ∝ IT MW."""
    sv = L.serving
    if not len(sv):
        return []
    ends = np.stack(
        [sv[["site_lon", "site_lat"]].to_numpy(float), sv[["region_lon", "region_lat"]].to_numpy(float)]
    )
    svg = gpd.GeoDataFrame(sv, geometry=list(shapely.linestrings(ends.transpose(1, 0, 2))), crs=CRS)
    tips = [
        f"<b>{_esc(si)} → {_esc(rn)}</b>: {mw:,.1f} MW · RTT {rtt:,.2f} ms"
        + (f" · {km:,.1f} km" if np.isfinite(km) else "")
        + f" ({_esc(y)})"
        for si, rn, mw, rtt, km, y in sv[["site_name", "region_name", "mw", "rtt_ms", "distance_km", "year"]]
        .astype({"distance_km": float})
        .itertuples(index=False)
    ]
    return [
        GeoJsonLayer(
            _features(svg, {"w": _serving_width(sv["mw"]), "t": tips}),
            f"Serving in {L.serving_year} (width ∝ MW)",
            "siting-serving",
            {"color": SERVING_COLOR, "weight": 3, "opacity": 0.75, "lineCap": "round"},
        )
    ]


def _sites_layer(plan: Any) -> list:
    """Chosen sites sized by IT MW, each with its popup."""
    st_ = plan.sites
    if not len(st_):
        return []
    sg = gpd.GeoDataFrame(
        st_.drop(columns="geometry", errors="ignore"),
        geometry=gpd.points_from_xy(st_["lon"], st_["lat"]),
        crs=CRS,
    )
    tips = [
        f"<b>{_esc(nm)}</b> · {mw:,.0f} MW IT · online {_esc(y)}"
        for nm, mw, y in zip(sg["name"], sg["it_mw"], sg["first_online_year"], strict=True)
    ]
    return [
        GeoJsonLayer(
            _features(sg, {"r": _site_radius(sg["it_mw"]), "t": tips, "p": _site_popups(plan)}),
            "Chosen sites (size ∝ IT MW)",
            "siting-sites",
            {"color": SITE_EDGE, "fillColor": SITE_COLOR, "weight": 2, "fillOpacity": 0.9},
        )
    ]


def _legend_html(plan: Any, L: MapLayers) -> str:
    meta = plan.meta
    obj = meta.get("objective_usd")
    head = f"<b>{_esc(meta.get('scenario', 'plan'))}</b> · {_esc(meta.get('status', ''))}" + (
        f" · {_money(float(obj))} PV ({_esc(meta.get('currency_year', ''))} USD)" if obj is not None else ""
    )
    rows = [head]
    if len(plan.sites):
        rows.append(
            f"<span class='sw' style='background:{SITE_COLOR};border-color:{SITE_EDGE}'></span>"
            f"chosen site ({plan.sites['it_mw'].sum():,.0f} MW IT in {len(plan.sites)} site(s); size ∝ MW)"
        )
    if len(plan.interconnections):
        rows.append(
            f"<span class='ln' style='border-top:3px dashed {INTERCONNECTION_COLOR}'></span>interconnection"
        )
    rows += _demand_legend_rows(L)
    if len(L.candidates):
        c = L.candidates["capex_usd_per_kw"]
        rows.append(
            f"candidates {c.min():,.0f}<span class='gr' style='background:{_gradient_css(CANDIDATE_CMAP)}'></span>"
            f"{c.max():,.0f} USD/kW-IT"
        )
    if len(L.zones):
        p = L.zones["industrial_price_usd_per_mwh"].astype(float)
        rows.append(
            f"zone price {p.min():,.0f}<span class='gr' style='background:{_gradient_css(ZONE_PRICE_CMAP)}'></span>"
            f"{p.max():,.0f} USD/MWh"
        )
    kv = sorted({k for k in VOLTAGE_COLORS if k >= min(L.substation_min_kv, 230)})
    rows.append(
        "substations / lines: "
        + " ".join(
            f"<span class='sw' style='background:{VOLTAGE_COLORS[k]};width:8px;height:8px'></span>{k}"
            for k in kv
        )
        + " kV"
    )
    rows.append("<span style='color:#666'>offline map · base layer: state outlines</span>")
    return "<br>".join(rows)


def _demand_legend_rows(L: MapLayers) -> list[str]:
    """Legend rows of the demand regions and serving lines (none without them)."""
    rows = []
    if len(L.regions):
        rows.append(
            f"<span class='sw' style='background:{REGION_COLOR};border-color:{REGION_EDGE};opacity:.7'></span>"
            f"demand region (size ∝ population; grey: not served in {L.serving_year})"
        )
    if len(L.serving):
        rows.append(
            f"<span class='ln' style='border-top:4px solid {SERVING_COLOR}'></span>site serves region in "
            f"{L.serving_year} ({L.serving['mw'].sum():,.0f} MW IT; width ∝ MW)"
        )
    return rows


def _elements(root: Element) -> Iterator[Element]:
    """``root`` and every element under it once, depth first (children, then element attributes such
    as a Figure's ``header``, ``html`` and ``script``); the order follows how the tree was built."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        el = stack.pop()
        if id(el) in seen:
            continue
        seen.add(id(el))
        yield el
        attrs = [v for k, v in vars(el).items() if k != "_parent" and isinstance(v, Element)]
        stack.extend(reversed([*el._children.values(), *attrs]))


def stable_ids(root: Element) -> Element:
    """Give every element under ``root`` an id from a counter, so that rendering is reproducible.

    branca names each element with 32 random hex digits (``Element._id``); they appear in the page as
    JavaScript variable and ``<div>`` names, so two renders of the same map differ. This renumbers the
    tree in traversal order (``000000000000``, ``000000000001``, …; the order follows how the map was
    built) and re-keys each ``_children`` entry that was keyed by the old name.

    Parameters
    ----------
    root : branca.element.Element
        Usually ``m.get_root()`` of a folium map, before it is rendered.

    Returns
    -------
    Element
        ``root``, changed in place.
    """
    elements = list(_elements(root))
    old = {id(el): el.get_name() for el in elements}
    for i, el in enumerate(elements):
        el._id = f"{i:012x}"
    for el in elements:
        el._children = type(el._children)(
            (c.get_name() if key == old[id(c)] else key, c) for key, c in el._children.items()
        )
    return root


def save_map_html(plan: Any, path: str | Path, **kwargs: Any) -> Path:
    """Write the offline interactive map of ``plan`` to ``path`` (``map.html``).

    Element ids are renumbered with :func:`stable_ids`, so the same plan always gives the same bytes.

    Parameters
    ----------
    plan : BuildPlan
    path : path
        Output HTML file.
    **kwargs
        Passed to :func:`explore` (e.g. ``tiles="OpenStreetMap"``).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    m = explore(plan, **kwargs)
    page = stable_ids(m.get_root()).render()
    path.write_text(page, encoding="utf-8")
    return path

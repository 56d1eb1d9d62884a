"""The aggregated map layer: one hexagon per cell instead of one marker per incident.

For maps of many incidents (GDELT-scale data) a marker per incident makes pages
of tens of MB that take many seconds to open. :class:`HexLayer` draws the
hexagons of :func:`border_map.analysis.hexbin.cell_frame` as one GeoJSON layer,
coloured by count; clicking a cell opens its counts by side, band and period and
a drill-down list of up to N of its incidents, embedded as data.

Every value reaches the page as JSON inside the script (``<``, ``>``, ``&``
escaped by :func:`border_map.render.html.script_json`) and is put into the page
with ``textContent``, never as markup, so place names cannot inject anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from jinja2 import Template

from ..border import DEFAULT_BANDS_KM, DurandLine
from .html import build_map
from .map_plugins import PluginElement, script_json
from .symbols import SIDE_LABELS

# ColorBrewer YlOrRd, 6 classes: low counts pale, high counts dark red
HEX_COLOURS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
HEX_LABEL = "Incidents per hexagon"
_COORD_DECIMALS = 5


def count_breaks(counts, classes: int = len(HEX_COLOURS)) -> list[int]:
    """Lower bounds of the colour classes: 1 and then log-spaced up to the largest count."""
    top = int(max(counts)) if len(counts) else 1
    if top <= 1:
        return [1]
    raw = np.unique(np.round(np.logspace(0, math.log10(top), classes + 1)[:-1]).astype(int))
    return [int(b) for b in raw]


def _ring(coords) -> list:
    return [[round(x, _COORD_DECIMALS), round(y, _COORD_DECIMALS)] for x, y in coords]


def _cells_geojson(cells: gpd.GeoDataFrame) -> dict:
    feats = []
    for rec, geom in zip(cells.drop(columns=cells.geometry.name).to_dict(orient="records"),
                         cells.geometry, strict=True):
        feats.append({"type": "Feature", "properties": {
            "cell": rec["cell"], "count": int(rec["count"]), "claims": int(rec["claims"]),
            "by_side": rec["by_side"], "by_band": rec["by_band"], "by_period": rec["by_period"]},
            "geometry": {"type": "Polygon", "coordinates": [_ring(geom.exterior.coords)]}})
    return {"type": "FeatureCollection", "features": feats}


def _drill_items(drill: pd.DataFrame | None) -> dict:
    """cell -> [[id, date, event_type, side, band, distance_km, place], ...]."""
    if drill is None or not len(drill):
        return {}
    items: dict[str, list] = {}
    for r in drill.itertuples(index=False):
        dist = r.distance_to_border_km
        dist = None if dist is None or not math.isfinite(dist) else round(float(dist), 1)
        items.setdefault(r.cell, []).append([
            None if pd.isna(r.id) else str(r.id), None if pd.isna(r.date) else str(r.date),
            None if pd.isna(r.event_type) else str(r.event_type), r.side, r.band, dist,
            None if pd.isna(r.place) else str(r.place)])
    return items


class HexLayer(PluginElement):
    """Hexagon cells as one GeoJSON layer, a legend, and drill-down popups.

    ``window.borderMap.hexLayer`` is the Leaflet layer; ``hexCells`` the cell
    data, for the browser tests and for curious users.
    """

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.bm-hex-popup{font:13px/1.35 system-ui,sans-serif;max-width:440px;max-height:380px;overflow:auto}
.bm-hex-popup h4{margin:0 0 4px;font-size:15px}
.bm-hex-popup h5{margin:6px 0 2px;font-size:12px}
.bm-hex-popup table{border-collapse:collapse;width:100%}
.bm-hex-popup td,.bm-hex-popup th{border-bottom:1px solid #ddd;padding:1px 4px;text-align:left}
.bm-hex-popup td.n{text-align:right}
.bm-hex-popup .bm-hex-list{max-height:220px;overflow:auto}
.bm-hex-legend i{display:inline-block;width:14px;height:12px;margin-right:4px;vertical-align:middle}
{% if this.hide_summary %}.bm-sec-summary{display:none}{% endif %}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
BM.hexLayer({{ this._parent.get_name() }}, {cells: {{ this.cells_json }}, items: {{ this.items_json }},
  colours: {{ this.colours_json }}, breaks: {{ this.breaks_json }}, sideLabels: {{ this.side_labels_json }},
  info: {{ this.info_json }}});
{% endmacro %}
""")  # noqa: E501 - JavaScript

    def __init__(self, cells: gpd.GeoDataFrame, drill: pd.DataFrame | None = None, *,
                 bands_km: Sequence[float] = DEFAULT_BANDS_KM, period: str = "month",
                 unlocated: int = 0, hide_summary: bool = True, max_periods: int = 12,
                 label: str = HEX_LABEL):
        super().__init__()
        self._name = "HexLayer"
        counts = cells["count"].to_numpy() if len(cells) else np.array([], dtype=int)
        breaks = count_breaks(counts)
        self.cells_json = script_json(_cells_geojson(cells))
        self.items_json = script_json(_drill_items(drill))
        # fewer classes than colours: keep the darker end, so small counts still show
        self.colours_json = script_json(list(HEX_COLOURS[len(HEX_COLOURS) - len(breaks):]))
        self.breaks_json = script_json(breaks)
        self.side_labels_json = script_json(
            {("none" if k is None else k): v for k, v in SIDE_LABELS.items()})
        resolution = None
        if len(cells):
            try:
                import h3

                resolution = h3.get_resolution(cells["cell"].iloc[0])
            except (ImportError, ValueError):  # pragma: no cover - cells come from h3
                resolution = None
        grid = "H3 hexagons" + (f", resolution {resolution}" if resolution is not None else "")
        self.info_json = script_json({
            "label": label, "located": int(counts.sum()) if len(counts) else 0,
            "claims": int(cells["claims"].sum()) if len(cells) else 0,
            "unlocated": int(unlocated), "widest": f"{max(bands_km):g}", "period": period,
            "max_periods": int(max_periods), "grid": grid,
        })
        self.hide_summary = hide_summary


def add_hex_layer(m: folium.Map, hex_gdf: gpd.GeoDataFrame, drill: pd.DataFrame | None = None,
                  **kwargs) -> HexLayer:
    """Add the hexagon layer of ``hex_gdf`` (see :func:`~border_map.analysis.hexbin.cell_frame`)."""
    layer = HexLayer(hex_gdf, drill, **kwargs)
    n = sum(1 for c in m._children.values() if isinstance(c, HexLayer))
    layer._id = f"hex{n}"  # a fixed id keeps the page byte-identical for the same input
    layer.add_to(m)
    return layer


def build_hex_map(hex_gdf: gpd.GeoDataFrame, drill: pd.DataFrame | None = None,
                  border: DurandLine | None = None, *,
                  bands_km: Sequence[float] = DEFAULT_BANDS_KM, title: str | None = None,
                  cdn: bool = False, unlocated: int = 0, period: str = "month") -> folium.Map:
    """The base map (line, bands, basemap, no markers) plus the hexagon layer."""
    empty = gpd.GeoDataFrame({"id": pd.Series([], dtype=object)},
                             geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    kwargs = {"bands_km": bands_km, "cdn": cdn}
    if title:
        kwargs["title"] = title
    m = build_map(empty, border, **kwargs)
    add_hex_layer(m, hex_gdf, drill, bands_km=bands_km, unlocated=unlocated, period=period)
    return m

"""Colours, labels and marker symbols of the border's sides, bands and event types: one palette
for the HTML map, the QGIS styles and the other formats' styling."""

from __future__ import annotations

SIDE_COLOURS = {"AF": "#1a7a3a", "PK": "#1f5fa8", None: "#6b6b6b"}
SIDE_LABELS = {"AF": "Afghan side", "PK": "Pakistani side", None: "on the line / no side"}
COUNTRY_FILLS = {"AF": "#efe9dc", "PK": "#e4ecf2"}
COUNTRY_NAMES = {"AF": "Afghanistan", "PK": "Pakistan"}
LINE_COLOUR = "#b2182b"
RIVER_COLOUR = "#2f78c4"
BAND_COLOURS = ("#fdae61", "#fee08b", "#ffffbf", "#e6f5d0", "#d9f0d3", "#f7f7f7")

# One SVG shape per event-type symbol: the shape says the event type, the fill the side.
SYMBOL_SHAPES = {
    "plane": '<path d="M12 2l2 7 7 3-7 3-2 7-2-7-7-3 7-3z"/>',
    "drone": '<path d="M12 3l9 9-9 9-9-9z"/>',
    "artillery": (
        '<path d="M12 1l2.5 6.5L21 5l-3.5 6L23 12l-5.5 1L21 19l-6.5-2.5L12 23l-2.5-6.5L3 19'
        'l3.5-6L1 12l5.5-1L3 5l6.5 2.5z"/>'
    ),
    "clash": '<path d="M3 5l3-3 15 15v4h-4z M21 5l-3-3L3 17v4h4z"/>',
    "flag": '<path d="M5 2h2v20H5z M7 3h12l-3 4 3 4H7z"/>',
    "barrier": '<path d="M2 8h20v8H2z"/>',
    "attack": '<path d="M5 2l7 7 7-7 3 3-7 7 7 7-3 3-7-7-7 7-3-3 7-7-7-7z"/>',
    "explosion": '<path d="M4 15a8 8 0 0 1 16 0z M2 16h20v5H2z"/>',
    "suicide": '<path d="M12 2l10 7.5-3.8 12H5.8L2 9.5z"/>',
    "abduction": '<path d="M12 2l10 20H2z"/>',
    "dot": '<circle cx="12" cy="12" r="8"/>',
}

# Event types that share a symbol in the incident model get their own on the map.
TYPE_SYMBOLS = {"suicide_bomb": "suicide"}
# Side by pattern as well as colour (print in grey, colour-blind readers): solid, stripes, dots.
SIDE_PATTERNS = {
    "AF": '<pattern id="bm-pat-AF" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#1a7a3a"/></pattern>',
    "PK": '<pattern id="bm-pat-PK" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#1f5fa8"/>'
    '<rect width="1.6" height="5" fill="#fff"/></pattern>',
    "none": '<pattern id="bm-pat-none" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#6b6b6b"/><circle cx="2.5" cy="2.5" r="1.1" fill="#fff"/>'
    "</pattern>",
}
SIDE_PATTERN_NAMES = {"AF": "solid", "PK": "striped", "none": "dotted"}


def _marker(symbol: str, fill: str, stroke: str, stroke_width: str, size: int) -> str:
    shape_ = SYMBOL_SHAPES.get(symbol, SYMBOL_SHAPES["dot"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 24 24" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}" '
        f'aria-hidden="true">{shape_}</svg>'
    )


def symbol_svg(symbol: str, colour: str, size: int = 22) -> str:
    """A legend symbol: the event type's shape in one colour."""
    return _marker(symbol, colour, "#fff", "1.2", size)


def side_svg(symbol: str, side: str, size: int = 22) -> str:
    """A marker: the shape says the event type; fill colour and pattern say the side."""
    return _marker(symbol, f"url(#bm-pat-{side})", "#111", "1.1", size)

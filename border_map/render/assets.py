"""Leaflet and its plugins, inlined from registry packages (no CDN).

``xstatic-leaflet`` ships the JavaScript and
CSS as package data. Images referenced from the CSS are embedded as data URIs, so
the map needs no file and no network besides the HTML itself. A trailing
``//# sourceMappingURL`` comment is dropped: the browser would otherwise ask for it.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

_SOURCEMAP = re.compile(r"/[/*]# sourceMappingURL=\S+(?:\s*\*/)?")


def _pkg_dir(module: str) -> Path:
    import importlib

    mod = importlib.import_module(module)
    return Path(mod.BASE_DIR)


def _css_with_data_uris(css: str, base: Path) -> str:
    def repl(m):
        ref = m.group(1).strip("'\"")
        if ref.startswith(("data:", "#")):
            return m.group(0)
        path = base / ref
        if not path.is_file():
            return m.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(([^)]+)\)", repl, css)


@functools.cache
def leaflet() -> tuple[str, str]:
    """(javascript, css) of Leaflet."""
    base = _pkg_dir("xstatic.pkg.leaflet")
    js = _SOURCEMAP.sub("", (base / "leaflet.js").read_text(encoding="utf-8"))
    css = _css_with_data_uris((base / "leaflet.css").read_text(encoding="utf-8"), base)
    return js, css


_JS_DIR = Path(__file__).resolve().parent / "js"
_CSS = Path(__file__).resolve().parent / "css" / "map.css"
#: The map's own scripts, in load order (each adds to ``window.BM``).
MAP_JS = ("core.js", "countries.js", "incidents.js", "heat.js", "controls.js", "timeline.js",
          "app.js", "hexmap.js")


@functools.cache
def map_js() -> str:
    """The map's own JavaScript: ``render/js/*.js`` in :data:`MAP_JS` order."""
    return "\n".join((_JS_DIR / name).read_text(encoding="utf-8") for name in MAP_JS)


@functools.cache
def map_css() -> str:
    """The map's own styles (``render/css/map.css``)."""
    return _CSS.read_text(encoding="utf-8")


def versions() -> dict[str, str]:
    import xstatic.pkg.leaflet as lf

    return {"leaflet": lf.VERSION}

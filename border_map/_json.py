"""Compact JSON text fast: orjson where it takes the value as is, else the standard library.

One place for the encoder the writers (GeoJSON, GeoPackage JSON columns) and the summary's
claim keys share. orjson makes the text ``json.dumps(..., ensure_ascii=False,
separators=(",", ":"))`` makes, 5-10x faster, except that a NaN becomes ``null`` (the
callers want that) and small floats are written without a padded exponent (``2.5e-7``, not
``2.5e-07``: the same number). It is imported on first use, so ``import border_map`` stays
cheap.
"""

from __future__ import annotations

_ORJSON: tuple | None = None  # (orjson.dumps, its options, with sorted keys)


def compact(value, *, sort_keys: bool = False) -> str:
    """Compact JSON of ``value`` by orjson; TypeError for what it does not take as is
    (numpy, pandas and date values, integers beyond 64 bits): the caller converts those."""
    global _ORJSON
    if _ORJSON is None:
        import orjson

        option = (orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
                  | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS)
        _ORJSON = orjson.dumps, option, option | orjson.OPT_SORT_KEYS
    dumps, option, sorted_option = _ORJSON
    return dumps(value, option=sorted_option if sort_keys else option).decode()

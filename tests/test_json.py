"""border_map._json: the fast encoder gives the standard library's compact text."""

import datetime as dt
import json
import math

import numpy as np
import pytest

from border_map._json import compact
from border_map.aggregate import claim_key
from border_map.render.geojson import json_text


def _std(value, **kw):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), **kw)


@pytest.mark.parametrize("value", [
    {"claimant": "ISPR", "side": "PK", "figures": [{"kind": "killed", "low": 15, "high": 20}]},
    ["Torkham", "Spin Boldak", None, True, 3, 2.5, -0.0],
    {"5": "outside", "10": "possible"},
    {"quote": 'he said "ten" \\ \n\t\x1f é ـ ٹ'},
    [],
    {},
])
def test_compact_is_the_standard_librarys_text(value):
    assert compact(value) == _std(value)
    assert compact(value, sort_keys=True) == _std(value, sort_keys=True)


def test_non_string_keys_are_written_as_json_dumps_writes_them():
    assert compact({5: "a", 10: "b"}) == _std({5: "a", 10: "b"}) == '{"5":"a","10":"b"}'


def test_nan_is_null():
    assert compact([math.nan, math.inf]) == "[null,null]"


@pytest.mark.parametrize("value", [np.int64(3), [np.float32(1.5)], {"d": dt.date(2025, 10, 12)},
                                   [2**70]])
def test_what_orjson_does_not_take_as_is_is_a_type_error(value):
    with pytest.raises(TypeError):
        compact(value)


def test_json_text_converts_what_compact_refuses():
    assert json_text({"d": dt.date(2025, 10, 12), "n": np.int64(3), "x": np.nan}) == (
        '{"d":"2025-10-12","n":3,"x":null}')
    assert json_text([2**70]) == f"[{2**70}]"


def test_claim_key_ignores_key_order_and_tells_claims_apart():
    a = {"claimant": "ISPR", "side": "PK", "figures": []}
    b = {"figures": [], "side": "PK", "claimant": "ISPR"}
    assert claim_key(a) == claim_key(b)
    assert claim_key(a) != claim_key({**a, "side": "AF"})
    assert claim_key({"date": dt.date(2025, 10, 12)}) == claim_key({"date": "2025-10-12"})

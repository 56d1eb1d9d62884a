"""The Durand Line itself: facts that must hold on the real shipped line, and properties."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from border_map.border import DEFAULT_BANDS_KM, band_km, reference_distance_km

GEOD = Geod(ellps="WGS84")

# GeoNames coordinates (lon, lat) of towns, from the shipped gazetteer's source.
TOWNS = {
    "Landi Kotal": (71.14108, 34.09880, "PK"),
    "Parachinar": (70.10012, 33.89968, "PK"),
    "Chitral": (71.78636, 35.85180, "PK"),
    "Peshawar": (71.57849, 34.00800, "PK"),
    "Quetta": (67.00114, 30.18414, "PK"),
    "Miran Shah": (70.07117, 33.00059, "PK"),
    "Jalalabad": (70.45153, 34.42647, "AF"),
    "Asadabad": (71.14697, 34.87311, "AF"),
    "Khost": (69.91961, 33.33951, "AF"),
    "Spin Boldak": (66.40001, 31.00575, "AF"),
}


def test_line_is_one_linestring_from_iran_to_china(border):
    line = border.line
    assert line.geom_type == "LineString"
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    assert abs(x0 - 60.8729) < 0.01 and abs(y0 - 29.8586) < 0.01  # Iran tripoint
    assert abs(x1 - 74.5646) < 0.01 and abs(y1 - 37.0309) < 0.01  # China tripoint
    assert line.is_simple


def test_line_length_is_geodesic_and_plausible(border):
    length = GEOD.geometry_length(border.line) / 1000
    assert 2500 <= length <= 2900
    assert border.length_km == pytest.approx(length, rel=1e-6)


@pytest.mark.parametrize("name", list(TOWNS))
def test_towns_on_the_right_side(border, name):
    lon, lat, side = TOWNS[name]
    assert border.side([lon], [lat])[0] == side


@pytest.mark.parametrize("name, lo, hi", [("Jalalabad", 40, 65), ("Peshawar", 35, 55)])
def test_known_distances(border, name, lo, hi):
    lon, lat, _ = TOWNS[name]
    assert lo <= border.distance_km([lon], [lat])[0] <= hi


def test_crossings_are_near_the_line(border, gazetteer):
    for name in ("Torkham", "Chaman", "Ghulam Khan"):
        place = gazetteer.resolve(name, kind="crossing").place
        assert border.distance_km([place.lon], [place.lat])[0] < 5, name


def test_distance_matches_true_geodesic_within_100_km(border):
    """Documented accuracy: error against a brute-force geodesic reference."""
    rng = np.random.default_rng(7)
    ll = np.asarray(border.line.coords)
    idx = rng.integers(0, len(ll) - 1, 60)
    az = rng.uniform(0, 360, 60)
    dist = rng.uniform(0, 100_000, 60)
    lon, lat, _ = GEOD.fwd(ll[idx, 0], ll[idx, 1], az, dist)
    ours = border.distance_km(lon, lat)
    ref = np.array([reference_distance_km(border, a, b) for a, b in zip(lon, lat, strict=True)])
    err = np.abs(ours - ref)
    assert err.max() < 0.2, err.max()
    # in practice the error is metres: keep it so
    assert err.max() < 0.02, err.max()


@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.floats(60.0, 75.0), st.floats(28.0, 38.0))
@example(71.0766, 34.0928)
def test_distance_is_never_negative(border, lon, lat):
    d = border.distance_km([lon], [lat])[0]
    assert d >= 0 and np.isfinite(d)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 16_000), st.floats(0.0, 1.0))
def test_points_on_the_line_have_zero_distance(border, seg, t):
    seg = min(seg, len(border.line.coords) - 2)
    a = np.asarray(border.line.coords[seg])
    b = np.asarray(border.line.coords[seg + 1])
    p = a + t * (b - a)
    assert border.distance_km([p[0]], [p[1]])[0] < 0.002


def _normal_offsets(border, seg, offsets_m):
    """Points offset from the middle of segment ``seg`` along its left normal (metres)."""
    xy = border._xy
    a, b = xy[seg], xy[seg + 1]
    mid = (a + b) / 2
    v = (b - a) / np.hypot(*(b - a))
    normal = np.array([-v[1], v[0]])  # left of the SW->NE direction
    pts = mid + np.outer(offsets_m, normal)
    lon, lat = border._to_ll.transform(pts[:, 0], pts[:, 1])
    return np.asarray(lon), np.asarray(lat)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(0, 16_800))
def test_moving_away_along_the_normal_increases_distance(border, seg):
    seg = min(seg, len(border._xy) - 2)
    seg_len = np.hypot(*(border._xy[seg + 1] - border._xy[seg]))
    if seg_len < 200:
        return  # too short for a clean normal; covered by neighbouring segments
    offsets = np.array([5.0, 20.0, 60.0])
    for sign in (1, -1):
        lon, lat = _normal_offsets(border, seg, sign * offsets)
        d = border.distance_km(lon, lat) * 1000
        assert np.all(d <= offsets + 1.0)
        assert np.all(np.diff(d) >= -1.0), (seg, d)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(0, 16_800))
def test_side_flips_across_the_line(border, seg):
    """Afghanistan lies left of the line (walking SW->NE), Pakistan right."""
    seg = min(seg, len(border._xy) - 2)
    seg_len = np.hypot(*(border._xy[seg + 1] - border._xy[seg]))
    if seg_len < 200:
        return
    lon, lat = _normal_offsets(border, seg, np.array([25.0, -25.0]))
    sides = border.side(lon, lat)
    if None in sides:
        return  # a water gap or the outer coast: no country there
    assert list(sides) == ["AF", "PK"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.floats(0, 200, allow_nan=False))
def test_bands_are_nested(distance):
    b = band_km([distance])[0]
    bands = sorted(DEFAULT_BANDS_KM)
    if distance > bands[-1]:
        assert np.isnan(b)
    else:
        assert b >= distance
        assert all(x < distance for x in bands if x < b)


def test_side_agrees_with_line_far_from_tripoints(border):
    rng = np.random.default_rng(3)
    lon = rng.uniform(62, 74, 2000)
    lat = rng.uniform(29, 37, 2000)
    side = border.side(lon, lat)
    x, y = border.project(lon, lat)
    pts = shapely.points(x, y)
    # a point and its neighbour 1 km east are on the same side unless the segment crosses the line
    x2, y2 = x + 1000, y
    seg = shapely.linestrings(
        np.stack([np.column_stack([x, y]), np.column_stack([x2, y2])], axis=1)
    )
    crosses = shapely.intersects(seg, border.line_m)
    lon2, lat2 = border._to_ll.transform(x2, y2)
    side2 = border.side(lon2, lat2)
    ok = (side != None) & (side2 != None) & ~crosses  # noqa: E711
    assert np.all(side[ok] == side2[ok])
    del pts


def test_fast_bands_equal_exact_bands(border):
    rng = np.random.default_rng(5)
    ll = np.asarray(border.line.coords)
    i = rng.integers(0, len(ll), 30_000)
    lon, lat, _ = GEOD.fwd(ll[i, 0], ll[i, 1], rng.uniform(0, 360, len(i)),
                           rng.uniform(0, 80_000, len(i)))
    for bands in (DEFAULT_BANDS_KM, (1.0, 60.0)):
        exact = band_km(border.distance_km(lon, lat), bands)
        fast = border.band_fast(lon, lat, bands)
        assert np.array_equal(np.nan_to_num(exact, nan=-1), np.nan_to_num(fast, nan=-1))


def test_kd_nearest_segment_equals_strtree(border):
    """The k-d tree fast path finds segments exactly as near as GEOS's STRtree."""
    rng = np.random.default_rng(9)
    ll = np.asarray(border.line.coords)
    i = rng.integers(0, len(ll), 20_000)
    lon, lat, _ = GEOD.fwd(ll[i, 0], ll[i, 1], rng.uniform(0, 360, len(i)),
                           rng.uniform(0, 300_000, len(i)) * rng.random(len(i)) ** 3)
    x, y = (np.asarray(v) for v in border.project(lon, lat))
    fast = border._nearest_segment(x, y)
    pairs = border._tree.query_nearest(shapely.points(x, y), all_matches=False)
    ref = np.empty(len(x), dtype=np.int64)
    ref[pairs[0]] = pairs[1]
    d_fast = border._segment_distance2(x, y, fast[:, None])[:, 0]
    d_ref = border._segment_distance2(x, y, ref[:, None])[:, 0]
    assert np.allclose(np.sqrt(d_fast), np.sqrt(d_ref), atol=1e-6)


def test_threaded_nearest_and_side_equal_one_thread(border, monkeypatch):
    """The pooled one-pass path gives exactly what one thread gives, in input order."""
    from border_map import border as border_mod

    rng = np.random.default_rng(11)
    ll = np.asarray(border.line.coords)
    i = rng.integers(0, len(ll), 3 * border_mod._PARALLEL_MIN)
    lon, lat, _ = GEOD.fwd(ll[i, 0], ll[i, 1], rng.uniform(0, 360, len(i)),
                           rng.uniform(0, 100_000, len(i)) * rng.random(len(i)) ** 2)
    lon[:50], lat[:50] = ll[i[:50], 0], ll[i[:50], 1]  # on the line: no side
    monkeypatch.setattr(border_mod, "_THREADS", 2)
    near, side = border.nearest_and_side(lon, lat)
    monkeypatch.setattr(border_mod, "_THREADS", 1)
    one = border.nearest(lon, lat)
    one_side = border.side(lon, lat)
    one_side[one.distance_km < border_mod.ON_LINE_KM] = None
    for f in ("distance_km", "lon", "lat", "chainage_km", "segment"):
        assert np.array_equal(getattr(near, f), getattr(one, f)), f
    assert list(side) == list(one_side)
    assert (side[:50] == None).all()  # noqa: E711
    assert set(side[50:]) <= {"AF", "PK", None} and (side != None).sum() > len(side) * 0.9  # noqa: E711

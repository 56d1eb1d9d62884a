"""Incidents against the line: columns, region checks, band certainty."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from border_map.analysis import analyse, band_certainty, check_region
from border_map.errors import OutOfRegionError


def _frame(points, **cols):
    geoms = [Point(p) if p is not None else None for p in points]
    return gpd.GeoDataFrame({"id": [f"i{i}" for i in range(len(points))], **cols},
                            geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


def test_analyse_adds_every_column(border):
    gdf = _frame([(71.14108, 34.09880), (70.45153, 34.42647), None],
                 country=["PK", "PK", None], precision_km=[2.0, 2.0, np.nan])
    out = analyse(gdf, border)
    assert list(out["side"]) == ["PK", "AF", None]
    # Jalalabad resolved as PK would be wrong: flagged, never overwritten
    assert list(out["side_conflict"]) == [False, True, False]
    assert out["distance_to_border_km"].iloc[0] == pytest.approx(4.97, abs=0.05)
    assert out["band_km"].iloc[0] == 5.0
    assert np.isnan(out["band_km"].iloc[1])  # 51 km: beyond the widest default band
    assert np.isnan(out["distance_to_border_km"].iloc[2])
    assert 1900 < out["chainage_km"].iloc[0] < 1930
    assert out["band_certainty"].iloc[0] == {"5": "possible", "10": "certain", "25": "certain",
                                             "50": "certain"}
    assert out is not gdf and "side" not in gdf.columns  # pure: input untouched


def test_custom_bands(border):
    out = analyse(_frame([(70.45153, 34.42647)]), border, bands_km=(60, 100))
    assert out["band_km"].iloc[0] == 60


@pytest.mark.parametrize("lon, lat, words", [
    (34.42647, 70.45153, "swapped"),
    (0.0, 0.0, "border region"),
    (200.0, 95.0, "out of range"),
    (float("inf"), 30.0, "not finite"),
    (-71.1, 34.1, "outside"),
])
def test_points_outside_the_region_are_rejected(lon, lat, words):
    with pytest.raises(OutOfRegionError, match=words) as err:
        check_region([71.0, lon], [34.0, lat], labels=["ok", "bad-one"])
    assert "bad-one" in str(err.value)


def test_nan_means_unlocated_not_error():
    check_region([np.nan], [np.nan])


def test_analyse_rejects_swapped_coordinates(border):
    with pytest.raises(OutOfRegionError, match="swapped"):
        analyse(_frame([(34.09880, 71.14108)]), border)


def test_band_certainty_uses_precision():
    rows = band_certainty([3.0, 3.0, 30.0, np.nan], [1.0, 4.0, 30.0, 0.0], bands_km=(5, 50))
    assert rows[0] == {"5": "certain", "50": "certain"}
    assert rows[1] == {"5": "possible", "50": "certain"}
    assert rows[2] == {"5": "possible", "50": "possible"}
    assert rows[3] == {"5": None, "50": None}


def test_points_on_the_line_have_no_side_and_no_conflict(border):
    # the nearest point of the line to Chaman town: a crossing sits on the line itself
    near = border.nearest([66.45259], [30.91769])
    out = analyse(_frame([(float(near.lon[0]), float(near.lat[0]))], country=["PK"]), border)
    assert out["side"].iloc[0] is None and not out["side_conflict"].iloc[0]
    assert out["distance_to_border_km"].iloc[0] < 0.01


def test_every_event_type_has_a_map_symbol():
    from border_map.incidents import EVENT_TYPES
    from border_map.render.symbols import SYMBOL_SHAPES

    assert {et.symbol for et in EVENT_TYPES.values()} <= set(SYMBOL_SHAPES)

"""Names to GeoJSON features or flat records, with their position relative to the line.

:func:`geocode_matches` resolves names (offline, then the opt-in online
fallback for names the gazetteer does not know); :func:`geocode_features`
and :func:`geocode_records` serialise the results.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .border import DurandLine
from .errors import PlaceError, PlaceNotFound
from .gazetteer import Gazetteer, Match
from .render.geojson import to_json_value

#: Columns of the flat (jsonl / csv) output, in order.
RECORD_FIELDS = (
    "query", "id", "name", "kind", "country", "admin1", "admin2", "lon", "lat",
    "precision_km", "match", "score", "distance_to_border_km", "side", "source", "error",
    "alternatives", "candidates",
)


def geocode_matches(names: Sequence[str], *, country: str | None = None,
                    kind: str | None = None, admin: str | None = None,
                    policy: str | None = None, gazetteer: Gazetteer | None = None,
                    online=None, keep_going: bool = False) -> list[Match | PlaceError]:
    """One :class:`Match` per name, in order.

    ``online`` is an :class:`~border_map.online.OnlineGeocoder` asked only for
    names the gazetteer does not know (never for ambiguous ones). Without
    ``keep_going`` the first failure is raised; with it, failures are returned
    in place of the match.
    """
    return [r[0] if isinstance(r, tuple) else r
            for r in geocode_results(names, country=country, kind=kind, admin=admin,
                                     policy=policy, gazetteer=gazetteer, online=online,
                                     keep_going=keep_going)]


def geocode_results(names: Sequence[str], *, country: str | None = None,
                    kind: str | None = None, admin: str | None = None,
                    policy: str | None = None, gazetteer: Gazetteer | None = None,
                    online=None, keep_going: bool = False) -> list:
    """Per name, ``(match, alternatives)`` or (under ``keep_going``) the PlaceError.

    Every name gets its own answer: one failure never hides the others'."""
    gazetteer = gazetteer or Gazetteer.default()
    out: list = []
    for name in names:
        try:
            try:
                result = gazetteer.resolve_detail(name, country=country, kind=kind,
                                                  admin=admin, policy=policy)
            except PlaceNotFound:
                if online is None:
                    raise
                result = (online.resolve(name, country=country), ())
        except PlaceError as err:
            if not keep_going:
                raise
            out.append(err)
            continue
        out.append(result)
    return out


def _properties(results, border: DurandLine) -> list[dict]:
    results = [r if isinstance(r, (tuple, PlaceError)) and not isinstance(r, Match) else (r, ())
               for r in results]
    ok = [r[0] for r in results if isinstance(r, tuple)]
    near_km = side = None
    if ok:
        lon = np.array([m.place.lon for m in ok])
        lat = np.array([m.place.lat for m in ok])
        near_km = border.nearest(lon, lat).distance_km
        side = border.side(lon, lat)
    rows, i = [], 0
    for r in results:
        if not isinstance(r, tuple):
            rows.append({"query": r.query, "error": str(r),
                         "candidates": [c.place.id for c in r.candidates
                                        if isinstance(c, Match)] or None})
            continue
        r, alternatives = r
        p = r.place
        rows.append({
            "query": r.query, "id": p.id, "name": p.name, "kind": p.kind, "country": p.country,
            "admin1": p.admin1 or None, "admin2": p.admin2 or None,
            "lon": round(p.lon, 6), "lat": round(p.lat, 6),
            "precision_km": p.precision_km, "match": r.match, "score": r.score,
            "distance_to_border_km": round(float(near_km[i]), 3), "side": side[i],
            "source": p.source,
            "alternatives": [a.place.id for a in alternatives] or None,
        })
        i += 1
    return rows


def geocode_features(names: Sequence[str], *, country: str | None = None,
                     kind: str | None = None, admin: str | None = None,
                     policy: str | None = None, gazetteer: Gazetteer | None = None,
                     border: DurandLine | None = None, online=None, polygons: bool = False,
                     keep_going: bool = False) -> dict:
    """A FeatureCollection, one Feature per name, in the order given.

    The geometry is the point (longitude first); with ``polygons`` an Afghan
    province or a Pakistani district or border tehsil gets its polygon instead (the
    point stays in ``lon``/``lat``). A
    name that failed under ``keep_going`` is a Feature with a null geometry and
    an ``error`` property. Raises PlaceNotFound / AmbiguousPlace otherwise.
    """
    gazetteer = gazetteer or Gazetteer.default()
    results = geocode_results(names, country=country, kind=kind, admin=admin, policy=policy,
                              gazetteer=gazetteer, online=online, keep_going=keep_going)
    feats = []
    for result, props in zip(results, _properties(results, border or DurandLine.default()),
                             strict=True):
        if not isinstance(result, tuple):
            feats.append({"type": "Feature", "geometry": None, "properties": props})
            continue
        geometry = {"type": "Point", "coordinates": [props["lon"], props["lat"]]}
        if polygons:
            shape = gazetteer.polygon(result[0].place)
            if shape is not None:
                from shapely.geometry import mapping

                geometry = _plain(mapping(shape))
        feats.append({"type": "Feature", "id": props["id"], "geometry": geometry,
                      "properties": {k: to_json_value(v) for k, v in props.items()}})
    return {"type": "FeatureCollection", "features": feats}


def geocode_records(names: Sequence[str], **kwargs) -> list[dict]:
    """Flat records (every key of :data:`RECORD_FIELDS`, None where absent), one per name."""
    gazetteer = kwargs.pop("gazetteer", None) or Gazetteer.default()
    border = kwargs.pop("border", None) or DurandLine.default()
    results = geocode_results(names, gazetteer=gazetteer, **kwargs)
    return [{k: to_json_value(row.get(k)) for k in RECORD_FIELDS}
            for row in _properties(results, border)]


def _plain(geo):
    """GeoJSON mapping with lists instead of tuples."""
    if isinstance(geo, dict):
        return {k: _plain(v) for k, v in geo.items()}
    if isinstance(geo, (list, tuple)):
        return [_plain(v) for v in geo]
    return geo

"""Names to GeoJSON features, with their position relative to the line."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .border import DurandLine
from .gazetteer import Gazetteer
from .render.geojson import to_json_value


def geocode_features(names: Sequence[str], *, country: str | None = None, kind: str | None = None,
                     gazetteer: Gazetteer | None = None, border: DurandLine | None = None) -> dict:
    """A FeatureCollection, one Feature per name, in the order given.

    Raises PlaceNotFound / AmbiguousPlace for the first name that fails.
    """
    gazetteer = gazetteer or Gazetteer.default()
    border = border or DurandLine.default()
    matches = [gazetteer.resolve(n, country=country, kind=kind) for n in names]
    lon = np.array([m.place.lon for m in matches])
    lat = np.array([m.place.lat for m in matches])
    near = border.nearest(lon, lat)
    side = border.side(lon, lat)
    feats = []
    for i, m in enumerate(matches):
        p = m.place
        props = {
            "query": m.query, "id": p.id, "name": p.name, "kind": p.kind, "country": p.country,
            "admin1": p.admin1 or None, "admin2": p.admin2 or None,
            "precision_km": p.precision_km, "match": m.match, "score": m.score,
            "distance_to_border_km": round(float(near.distance_km[i]), 3),
            "side": side[i], "source": p.source,
        }
        feats.append({"type": "Feature", "id": p.id,
                      "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
                      "properties": {k: to_json_value(v) for k, v in props.items()}})
    return {"type": "FeatureCollection", "features": feats}

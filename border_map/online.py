"""Opt-in online fallback: OpenStreetMap Nominatim through geopy, cached on disk.

Off by default; ``border-map geocode --online --user-agent "..."`` turns it on
for names the offline gazetteer does not know. Nominatim's usage policy asks
for an identifying user agent and at most one request per second, so:

* :class:`OnlineGeocoder` refuses to start without a user agent of the user's
  own (geopy's default one is refused too);
* requests go through geopy's ``RateLimiter`` (``min_delay_seconds=1``), with a
  timeout, restricted to Afghanistan and Pakistan (``countrycodes=af,pk``);
* every answer, a miss included, is stored in a SQLite cache under the user
  cache folder (:func:`user_cache_dir`), so a name is never asked twice;
* a network failure or a refusal is one :class:`~border_map.errors.OnlineGeocodingError`.

geopy is imported inside functions (the geopandas pattern) so the rest of
border-map never needs it. Results are ``Match`` objects with ``match="online"``
and a ``score`` that is the similarity of the query to the returned name.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import time
from pathlib import Path

from .errors import OnlineGeocodingError, PlaceNotFound
from .gazetteer import COUNTRIES, Match, Place, normalize_name, similarity

__all__ = ["NOMINATIM_COUNTRY_CODES", "OnlineGeocoder", "user_cache_dir"]

NOMINATIM_COUNTRY_CODES = ("af", "pk")
DEFAULT_TIMEOUT_S = 10.0
MIN_DELAY_S = 1.0
#: Smallest radius given to an online result (Nominatim boxes of a single node are empty).
MIN_PRECISION_KM = 1.0
SOURCE = "OpenStreetMap Nominatim (© OpenStreetMap contributors, ODbL 1.0), online lookup"

# Nominatim address types and the gazetteer kind each stands for.
_ADDRESS_KINDS = {
    "state": "province", "province": "province", "region": "province",
    "state_district": "district", "county": "district", "district": "district",
    "municipality": "tehsil", "subdistrict": "tehsil",
    "city": "town", "town": "town", "village": "town", "hamlet": "town", "suburb": "town",
    "neighbourhood": "town", "isolated_dwelling": "town", "quarter": "town",
    "country": "country",
}


def user_cache_dir() -> Path:
    """Cache folder: ``$BORDER_MAP_HOME/cache``, else ``$XDG_CACHE_HOME/border-map``,
    else ``~/.cache/border-map``."""
    home = os.environ.get("BORDER_MAP_HOME")
    if home:
        return Path(home) / "cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "border-map"


class OnlineGeocoder:
    """Nominatim lookups for names the gazetteer lacks, rate limited and cached.

    Parameters
    ----------
    user_agent
        identifies the user to Nominatim (e.g. "border-map/0.1 (me@example.org)");
        required, as the service's policy demands.
    cache_path
        SQLite file of past answers (default ``user_cache_dir()/nominatim.sqlite``).
    min_delay_seconds, timeout_s
        at least this long between requests; give up on one after this long.
    geocoder
        a geopy geocoder to use instead of ``Nominatim`` (tests pass a fake).
    """

    def __init__(self, user_agent: str, *, cache_path=None,
                 min_delay_seconds: float = MIN_DELAY_S, timeout_s: float = DEFAULT_TIMEOUT_S,
                 geocoder=None):
        agent = (user_agent or "").strip()
        if not agent:
            raise ValueError("online geocoding needs a user agent that identifies you "
                             "(Nominatim usage policy), e.g. 'border-map (you@example.org)'")
        if agent.lower().startswith("geopy/"):
            raise ValueError("give a user agent of your own, not geopy's default")
        if min_delay_seconds < MIN_DELAY_S:
            raise ValueError(f"min_delay_seconds must be at least {MIN_DELAY_S} (usage policy)")
        if not (timeout_s > 0 and math.isfinite(timeout_s)):
            raise ValueError("timeout_s must be a positive number of seconds")
        self.user_agent = agent
        self.cache_path = Path(cache_path) if cache_path else user_cache_dir() / "nominatim.sqlite"
        self.min_delay_seconds = float(min_delay_seconds)
        self.timeout_s = float(timeout_s)
        self._geocoder = geocoder
        self._limited = None
        self._con: sqlite3.Connection | None = None
        self.requests = 0  # requests actually sent (cache misses)

    # -- cache ---------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._con is None:
            try:
                self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                self._con = sqlite3.connect(self.cache_path)
                self._con.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, "
                                  "answer TEXT, fetched_at TEXT NOT NULL)")
            except (OSError, sqlite3.Error) as err:
                raise OnlineGeocodingError(
                    f"cannot open the geocoding cache {self.cache_path}: {err}") from err
        return self._con

    @staticmethod
    def cache_key(name: str, country: str | None = None) -> str:
        """One key per normalised name and country restriction."""
        codes = country.lower() if country else ",".join(NOMINATIM_COUNTRY_CODES)
        return f"{codes}|{normalize_name(name)}"

    def cached(self, name: str, country: str | None = None):
        """(True, answer) if the name was asked before (None for a miss), else (False, None)."""
        row = self._db().execute("SELECT answer FROM answers WHERE key = ?",
                                 (self.cache_key(name, country),)).fetchone()
        if row is None:
            return False, None
        return True, json.loads(row[0])

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- lookups -------------------------------------------------------------------------
    def _limited_geocode(self):
        if self._limited is None:
            try:
                from geopy.extra.rate_limiter import RateLimiter
            except ImportError as err:  # pragma: no cover - geopy is a dependency
                raise OnlineGeocodingError("online geocoding needs geopy") from err
            geocoder = self._geocoder
            if geocoder is None:
                from geopy.geocoders import Nominatim

                geocoder = Nominatim(user_agent=self.user_agent, timeout=self.timeout_s)
            # max_retries=0: a failure is reported at once rather than retried into a hang
            self._limited = RateLimiter(geocoder.geocode, min_delay_seconds=self.min_delay_seconds,
                                        max_retries=0, swallow_exceptions=False)
        return self._limited

    def lookup(self, name: str, country: str | None = None) -> dict | None:
        """Nominatim's raw answer for a name (None if it has none); cached answers first."""
        if country is not None and country.upper() not in COUNTRIES:
            raise ValueError(f"unknown country {country!r}; use AF or PK")
        hit, answer = self.cached(name, country)
        if hit:
            return answer
        from geopy.exc import GeopyError

        codes = [country.lower()] if country else list(NOMINATIM_COUNTRY_CODES)
        query = name.strip()
        if not normalize_name(query):
            raise PlaceNotFound(name, message=f"empty place name {name!r}")
        try:
            self.requests += 1
            location = self._limited_geocode()(query, exactly_one=True, addressdetails=True,
                                               country_codes=codes, language="en")
        except GeopyError as err:
            raise OnlineGeocodingError(
                f"online geocoding of '{name}' failed: {type(err).__name__}: {err}") from err
        except OSError as err:  # sockets refused, DNS failure outside geopy's wrapping
            raise OnlineGeocodingError(f"online geocoding of '{name}' failed: {err}") from err
        answer = None if location is None else dict(location.raw)
        try:
            with self._db() as con:
                con.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                            (self.cache_key(name, country), json.dumps(answer),
                             time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        except sqlite3.Error as err:
            raise OnlineGeocodingError(f"cannot write the geocoding cache: {err}") from err
        return answer

    def resolve(self, name: str, country: str | None = None) -> Match:
        """A :class:`Match` (``match="online"``) for a name; PlaceNotFound if Nominatim has none."""
        answer = self.lookup(name, country)
        place = place_from_nominatim(answer) if answer else None
        if place is None:
            raise PlaceNotFound(name, message=f"unknown place '{name}' (offline gazetteer and "
                                              "OpenStreetMap Nominatim)")
        score = round(similarity(normalize_name(name), normalize_name(place.name)), 1)
        return Match(name, place, "online", score)


def place_from_nominatim(raw: dict) -> Place | None:
    """A :class:`Place` from Nominatim's raw JSON; None outside Afghanistan/Pakistan."""
    address = raw.get("address") or {}
    country = str(address.get("country_code", "")).upper()
    if country not in COUNTRIES:
        return None
    lat, lon = float(raw["lat"]), float(raw["lon"])  # Nominatim gives lat first
    addresstype = raw.get("addresstype") or raw.get("type") or ""
    kind = _ADDRESS_KINDS.get(addresstype)
    if kind is None:
        kind = "town" if raw.get("class") == "place" else "feature"
    precision = MIN_PRECISION_KM
    box = raw.get("boundingbox")
    if box and len(box) == 4:
        south, north, west, east = (float(v) for v in box)
        precision = max(precision, _haversine_km(west, south, east, north) / 2.0)
    name = (raw.get("name") or str(raw.get("display_name", "")).split(",")[0]).strip()
    osm = f"osm.{raw.get('osm_type', 'place')}.{raw.get('osm_id', raw.get('place_id', '0'))}"
    return Place(
        osm, name or osm, kind=kind, country=country, lon=lon, lat=lat,
        precision_km=round(precision, 1),
        admin1=address.get("state") or address.get("province") or "",
        admin2=address.get("county") or address.get("state_district") or "",
        source=SOURCE,
        derivation=(f"Nominatim result '{raw.get('display_name', name)}' "
                    f"({raw.get('class', '?')}/{raw.get('type', '?')}); precision = half the "
                    f"diagonal of its bounding box (at least {MIN_PRECISION_KM:g} km)"),
    )


def _haversine_km(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))

"""Opt-in online fallback: OpenStreetMap Nominatim through geopy, cached on disk.

Off by default; ``border-map geocode --online --user-agent "..."`` turns it on
for names the offline gazetteer does not know. Nominatim's usage policy asks
for an identifying user agent and at most one request per second, so:

* :class:`OnlineGeocoder` refuses to start without a user agent of the user's
  own (geopy's default one is refused too);
* ``BORDER_MAP_NOMINATIM_URL`` (e.g. ``http://nominatim.example.org``) sends them to a
  Nominatim server of one's own instead of openstreetmap.org;
* every cached answer is checked when read: a damaged entry is dropped (named once on
  stderr) and asked again; an answer outside the Afghanistan-Pakistan region is refused;
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
import logging
import math
import os
import sqlite3
import time
from pathlib import Path

from .errors import OnlineGeocodingError, PlaceNotFound, shown
from .gazetteer import COUNTRIES, Match, Place, normalize_name, similarity
from .geo import haversine_km
from .readers._common import region_message

log = logging.getLogger(__name__)

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
        self._warned: set[str] = set()  # damaged cache entries already named on stderr

    # -- cache ---------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._con is None:
            try:
                self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                self._con = sqlite3.connect(self.cache_path)
                self._con.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, "
                                  "answer TEXT, fetched_at TEXT NOT NULL)")
                self._con.execute("SELECT key, answer, fetched_at FROM answers LIMIT 0")
            except sqlite3.DatabaseError as err:
                self.close()
                raise self._damaged(err) from err
            except (OSError, sqlite3.Error) as err:
                self.close()
                raise OnlineGeocodingError(
                    f"cannot open the geocoding cache {shown(self.cache_path)}: {err}") from err
        return self._con

    @staticmethod
    def cache_key(name: str, country: str | None = None) -> str:
        """One key per normalised name and country restriction."""
        codes = country.lower() if country else ",".join(NOMINATIM_COUNTRY_CODES)
        return f"{codes}|{normalize_name(name)}"

    def cached(self, name: str, country: str | None = None):
        """(True, answer) if the name was asked before (None for a miss), else (False, None).

        A damaged entry (not JSON, not an answer, coordinates missing or not numbers) is
        deleted, named once on stderr, and reported as not asked, so it is asked again.
        A cache that is not border-map's (another table, a damaged file) is one
        :class:`OnlineGeocodingError` naming it.
        """
        key = self.cache_key(name, country)
        try:
            row = self._db().execute("SELECT answer FROM answers WHERE key = ?",
                                     (key,)).fetchone()
        except sqlite3.Error as err:
            raise self._damaged(err) from err
        if row is None:
            return False, None
        try:
            answer = json.loads(row[0]) if isinstance(row[0], (str, bytes)) else row[0]
            problem = answer_problem(answer)
        except ValueError as err:  # not JSON (json.JSONDecodeError is a ValueError)
            answer, problem = None, f"not JSON ({err})"
        if problem is None:
            return True, answer
        if key not in self._warned:
            self._warned.add(key)
            log.warning("dropped a damaged entry of the geocoding cache %s for %s: %s; "
                        "asking again", shown(self.cache_path), shown(repr(name)), problem)
        try:
            with self._db() as con:
                con.execute("DELETE FROM answers WHERE key = ?", (key,))
        except sqlite3.Error as err:
            raise self._damaged(err) from err
        return False, None

    def _damaged(self, err: Exception) -> OnlineGeocodingError:
        return OnlineGeocodingError(
            f"the geocoding cache {shown(self.cache_path)} is damaged or not border-map's "
            f"({shown(err)}); delete it and try again")

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

                options = {}
                server = os.environ.get("BORDER_MAP_NOMINATIM_URL", "").strip()
                if server:  # a Nominatim of one's own (or a test server on 127.0.0.1)
                    from urllib.parse import urlsplit

                    parts = urlsplit(server if "://" in server else f"https://{server}")
                    options = {"domain": parts.netloc + parts.path.rstrip("/"),
                               "scheme": parts.scheme}
                geocoder = Nominatim(user_agent=self.user_agent, timeout=self.timeout_s,
                                     **options)
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
        if (problem := answer_problem(answer)) is not None:
            raise OnlineGeocodingError(
                f"online geocoding of {shown(repr(name))} failed: unusable answer ({problem})")
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
        if (why := region_message(place.lon, place.lat)) is not None:
            raise PlaceNotFound(name, message=f"unknown place '{name}': OpenStreetMap "
                                              f"Nominatim's answer is refused: {why}")
        score = round(similarity(normalize_name(name), normalize_name(place.name)), 1)
        return Match(name, place, "online", score)


def answer_problem(answer) -> str | None:
    """Why a (cached or received) Nominatim answer cannot be used, or None when it can.

    None (a miss) is an answer; otherwise a mapping with ``lat`` and ``lon`` that are
    finite numbers (Nominatim sends them as text), an ``address`` mapping if any and a
    four-number ``boundingbox`` if any.
    """
    if answer is None:
        return None
    if not isinstance(answer, dict):
        return f"expected a mapping, got {type(answer).__name__}"
    for key in ("lat", "lon"):
        if key not in answer:
            return f"no '{key}'"
        value = answer[key]
        if isinstance(value, bool):
            return f"'{key}' is not a number"
        try:
            number = float(value)
        except (TypeError, ValueError):
            return f"'{key}' is not a number: {shown(repr(value))[:40]}"
        if not math.isfinite(number):
            return f"'{key}' is not a finite number"
    if not isinstance(answer.get("address", {}) or {}, dict):
        return "'address' is not a mapping"
    box = answer.get("boundingbox")
    if box is not None:
        try:
            if len(box) != 4 or not all(math.isfinite(float(v)) for v in box):
                return "'boundingbox' is not four numbers"
        except (TypeError, ValueError):
            return "'boundingbox' is not four numbers"
    for key in ("name", "display_name", "addresstype", "type", "class"):
        if answer.get(key) is not None and not isinstance(answer[key], str):
            return f"'{key}' is not text"
    return None


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
        precision = max(precision, haversine_km(west, south, east, north) / 2.0)
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

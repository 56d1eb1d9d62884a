"""The opt-in Nominatim fallback (border_map.online), with geopy's geocoder replaced by fakes.

No test reaches the network (conftest refuses sockets); the rate limiter's sleep is
recorded instead of slept.
"""

from __future__ import annotations

import pytest

from border_map import online as ol
from border_map.errors import OnlineGeocodingError, PlaceNotFound
from border_map.gazetteer import Gazetteer

pytest.importorskip("geopy")
from geopy import exc as geopy_exc  # noqa: E402
from geopy.extra.rate_limiter import RateLimiter  # noqa: E402

SHAHIKOT = {
    "place_id": 1234, "osm_type": "node", "osm_id": 987654, "lat": "33.3721", "lon": "69.2013",
    "class": "place", "type": "village", "addresstype": "village", "name": "Shahi Kot",
    "display_name": "Shahi Kot, Zurmat District, Paktia Province, Afghanistan",
    "boundingbox": ["33.3521", "33.3921", "69.1813", "69.2213"],
    "address": {"village": "Shahi Kot", "county": "Zurmat District", "state": "Paktia Province",
                "country": "Afghanistan", "country_code": "af"},
}
TEHRAN = {**SHAHIKOT, "name": "Tehran", "address": {"country_code": "ir"}}


class FakeLocation:
    def __init__(self, raw):
        self.raw = raw
        self.latitude, self.longitude = float(raw["lat"]), float(raw["lon"])


class FakeGeocoder:
    """Stands in for geopy's Nominatim: answers from a dict, or raises."""

    def __init__(self, answers=None, error=None):
        self.answers = answers or {}
        self.error = error
        self.calls = []

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        if self.error is not None:
            raise self.error
        raw = self.answers.get(query)
        return FakeLocation(raw) if raw else None


@pytest.fixture()
def sleeps(monkeypatch):
    """Record the rate limiter's waits instead of sleeping, on a fake clock."""
    waits, now = [], [1000.0]

    def sleep(self, seconds):
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(RateLimiter, "_sleep", sleep)
    monkeypatch.setattr(RateLimiter, "_clock", lambda self: now[0])
    return waits


def make(tmp_path, geocoder, **kw):
    return ol.OnlineGeocoder("border-map tests (tests@example.invalid)",
                             cache_path=tmp_path / "cache.sqlite", geocoder=geocoder, **kw)


@pytest.mark.parametrize("agent", ["", "   ", None, "geopy/2.4.1"])
def test_refuses_to_start_without_a_user_agent(agent, tmp_path):
    with pytest.raises(ValueError, match="user agent"):
        ol.OnlineGeocoder(agent, cache_path=tmp_path / "c.sqlite")


def test_refuses_faster_than_one_request_per_second(tmp_path):
    with pytest.raises(ValueError, match="min_delay"):
        make(tmp_path, FakeGeocoder(), min_delay_seconds=0.5)
    with pytest.raises(ValueError, match="timeout"):
        make(tmp_path, FakeGeocoder(), timeout_s=0)


def test_resolve_builds_an_honest_place(tmp_path, sleeps):
    fake = FakeGeocoder({"Shahi Kot": SHAHIKOT})
    match = make(tmp_path, fake).resolve("Shahi Kot")
    assert match.match == "online" and match.score == 100.0
    place = match.place
    assert (place.lon, place.lat) == (69.2013, 33.3721)  # Nominatim's lat, lon swapped
    assert (place.id, place.kind, place.country) == ("osm.node.987654", "town", "AF")
    assert place.admin1 == "Paktia Province" and place.admin2 == "Zurmat District"
    assert 2.0 < place.precision_km < 3.5  # half the diagonal of a 4.4 km x 3.7 km box
    assert "OpenStreetMap" in place.source
    query, kwargs = fake.calls[0]
    assert query == "Shahi Kot"
    assert kwargs["country_codes"] == ["af", "pk"] and kwargs["addressdetails"] is True
    assert kwargs["exactly_one"] is True


def test_country_hint_narrows_the_request(tmp_path, sleeps):
    fake = FakeGeocoder({"Shahi Kot": SHAHIKOT})
    make(tmp_path, fake).lookup("Shahi Kot", country="AF")
    assert fake.calls[0][1]["country_codes"] == ["af"]
    with pytest.raises(ValueError):
        make(tmp_path, fake).lookup("Shahi Kot", country="IR")


def test_a_name_is_never_asked_twice(tmp_path, sleeps):
    fake = FakeGeocoder({"Shahi Kot": SHAHIKOT})
    geocoder = make(tmp_path, fake)
    first = geocoder.resolve("Shahi Kot")
    assert geocoder.resolve("  shahi   KOT ") == first._replace(query="  shahi   KOT ")
    with pytest.raises(PlaceNotFound):
        geocoder.resolve("Nowhere Kalay")
    with pytest.raises(PlaceNotFound):
        geocoder.resolve("Nowhere Kalay")  # the miss is cached too
    assert [q for q, _ in fake.calls] == ["Shahi Kot", "Nowhere Kalay"]
    assert geocoder.requests == 2
    geocoder.close()
    # the cache persists: a new geocoder on the same file asks nothing
    again = make(tmp_path, FakeGeocoder(error=AssertionError("must not be called")))
    assert again.resolve("Shahi Kot").place.id == "osm.node.987654"
    assert again.cached("Nowhere Kalay") == (True, None)
    assert again.cached("Other") == (False, None)


def test_requests_are_rate_limited(tmp_path, sleeps):
    fake = FakeGeocoder({"A Kalay": SHAHIKOT, "B Kalay": SHAHIKOT})
    geocoder = make(tmp_path, fake)
    geocoder.resolve("A Kalay")
    geocoder.resolve("B Kalay")
    assert len(sleeps) == 1 and sleeps[0] == pytest.approx(1.0)


@pytest.mark.parametrize("error", [
    geopy_exc.GeocoderUnavailable("service down"),
    geopy_exc.GeocoderTimedOut("timed out"),
    geopy_exc.GeocoderQuotaExceeded("429"),
    OSError("network unreachable"),
])
def test_network_failures_are_one_clear_error(tmp_path, sleeps, error):
    geocoder = make(tmp_path, FakeGeocoder(error=error))
    with pytest.raises(OnlineGeocodingError, match="online geocoding of 'Shahi Kot' failed"):
        geocoder.resolve("Shahi Kot")
    assert geocoder.cached("Shahi Kot") == (False, None)  # a failure is not cached


def test_results_outside_the_two_countries_are_refused(tmp_path, sleeps):
    with pytest.raises(PlaceNotFound):
        make(tmp_path, FakeGeocoder({"Tehran": TEHRAN})).resolve("Tehran")


def test_place_from_nominatim_kinds():
    province = {**SHAHIKOT, "class": "boundary", "type": "administrative",
                "addresstype": "state", "name": "Paktia"}
    assert ol.place_from_nominatim(province).kind == "province"
    river = {**SHAHIKOT, "class": "waterway", "type": "river", "addresstype": "river"}
    assert ol.place_from_nominatim(river).kind == "feature"
    no_box = {k: v for k, v in SHAHIKOT.items() if k != "boundingbox"}
    assert ol.place_from_nominatim(no_box).precision_km == ol.MIN_PRECISION_KM


def test_nominatim_gets_the_user_agent_and_a_timeout(tmp_path, sleeps, monkeypatch):
    import geopy.geocoders

    made = {}

    class FakeNominatim(FakeGeocoder):
        def __init__(self, **kwargs):
            made.update(kwargs)
            super().__init__({"Shahi Kot": SHAHIKOT})

    monkeypatch.setattr(geopy.geocoders, "Nominatim", FakeNominatim)
    geocoder = ol.OnlineGeocoder("me (me@example.invalid)", cache_path=tmp_path / "c.sqlite",
                                 timeout_s=7)
    geocoder.resolve("Shahi Kot")
    assert made == {"user_agent": "me (me@example.invalid)", "timeout": 7.0}


def test_user_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "bm"))
    assert ol.user_cache_dir() == tmp_path / "bm" / "cache"
    monkeypatch.delenv("BORDER_MAP_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ol.user_cache_dir() == tmp_path / "xdg" / "border-map"
    geocoder = ol.OnlineGeocoder("me (me@example.invalid)")
    assert geocoder.cache_path == tmp_path / "xdg" / "border-map" / "nominatim.sqlite"


def test_geocode_features_asks_online_only_for_unknown_names(tmp_path, sleeps):
    from border_map.geocode import geocode_features

    fake = FakeGeocoder({"Zyxqq Kalay": SHAHIKOT})
    gaz = Gazetteer.from_csv(ol.Path(__file__).resolve().parents[1] / "geodata" / "gazetteer.csv")
    doc = geocode_features(["Torkham", "Zyxqq Kalay"], online=make(tmp_path, fake), gazetteer=gaz)
    props = [f["properties"] for f in doc["features"]]
    assert [p["match"] for p in props] == ["exact", "online"]
    assert props[1]["side"] == "AF" and props[1]["id"] == "osm.node.987654"
    assert [q for q, _ in fake.calls] == ["Zyxqq Kalay"]

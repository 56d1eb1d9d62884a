"""ACLED through its API, into ``sources/acled/``: one CSV in ACLED's export columns.

Written from ACLED's public API documentation (acleddata.com, "API documentation"):

* endpoint ``GET {base}/api/acled/read?_format=json`` answering ``{"status": 200, "success":
  true, "count": N, "data": [{...event...}, ...]}``; query filters ``country``
  (``Afghanistan:OR:Pakistan``), ``event_date=FROM|TO`` with ``event_date_where=BETWEEN``,
  ``timestamp`` with ``timestamp_where=>=`` (events added or changed since then), ``limit``
  and ``page`` (1-based) for paging: an empty page, or one shorter than those before it, is
  the last (a short first page could be a cap of the server's, so one more is asked for);
* deletions: ``GET {base}/api/deleted/read?_format=json&deleted_timestamp=T`` lists
  ``event_id_cnty`` and ``deleted_timestamp`` of events removed since ``T``;
* authentication, from the environment only: ``ACLED_ACCESS_TOKEN`` (an OAuth bearer token),
  or ``ACLED_EMAIL`` + ``ACLED_PASSWORD`` (OAuth password grant: ``POST {base}/oauth/token``
  with ``username``, ``password``, ``grant_type=password``, ``client_id=acled``), or
  ``ACLED_EMAIL`` + ``ACLED_API_KEY`` (the former key access: ``key`` and ``email`` query
  parameters on ``https://api.acleddata.com/acled/read``).

The first fetch downloads the date window (default: from 1 January of last year); later
ones ask only for events with a ``timestamp`` at or after the newest one held, merge them
(same ``event_id_cnty``: replaced, counted as changed when a value differs) and remove the
events the deletions endpoint lists. ``full=True``, or another window or countries, fetches
the window again and compares it with the store. ``$BORDER_MAP_ACLED_URL`` replaces the base
URL (tests point it at a local server).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from . import (
    AuthError,
    CredentialsMissing,
    FetchError,
    NetworkError,
    QuotaError,
    SchemaError,
)
from ._table import cell, ordered_columns, read_rows, rows_csv
from .http import HttpClient
from .store import Store, Version

__all__ = ["COLUMNS", "COUNTRIES", "AcledFetcher", "credentials_from_env"]

DEFAULT_URL = "https://acleddata.com"
LEGACY_URL = "https://api.acleddata.com"
URL_ENV = "BORDER_MAP_ACLED_URL"
COUNTRIES = {"AF": "Afghanistan", "PK": "Pakistan"}
PAGE_LIMIT = 5000
#: ACLED asks for no particular pace; one request a second keeps well clear of its servers.
MIN_INTERVAL_S = 1.0
#: The export's columns in the codebook's order.
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp")
REQUIRED = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "latitude",
            "longitude", "country", "timestamp")
ENV_HELP = ("set ACLED_ACCESS_TOKEN (an OAuth token), or ACLED_EMAIL with ACLED_PASSWORD, or "
            "ACLED_EMAIL with ACLED_API_KEY in the environment (never on the command line)")


@dataclass(frozen=True, repr=False)
class Credentials:
    mode: str  # "token" | "oauth" | "key"
    email: str | None = None
    secret: str | None = None  # the token, password or key

    def __repr__(self) -> str:  # never shows the secret
        return f"Credentials(mode={self.mode!r})"


def credentials_from_env(env: Mapping[str, str] | None = None) -> Credentials:
    env = os.environ if env is None else env
    token = env.get("ACLED_ACCESS_TOKEN", "").strip()
    email = env.get("ACLED_EMAIL", "").strip()
    password = env.get("ACLED_PASSWORD", "")
    key = env.get("ACLED_API_KEY", "").strip()
    if token:
        return Credentials("token", secret=token)
    if email and password:
        return Credentials("oauth", email, password)
    if email and key:
        return Credentials("key", email, key)
    raise CredentialsMissing(f"acled: no credentials: {ENV_HELP}")


def default_since(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return dt.date(today.year - 1, 1, 1)


class AcledFetcher:
    """Fetch ACLED events for Afghanistan/Pakistan into a :class:`Store`."""

    def __init__(self, *, client: HttpClient | None = None, base_url: str | None = None,
                 credentials: Credentials | None = None, page_limit: int = PAGE_LIMIT):
        self.credentials = credentials or credentials_from_env()
        self.client = client or HttpClient("acled", min_interval=MIN_INTERVAL_S)
        self.client.secrets.extend(s for s in (self.credentials.secret, self.credentials.email)
                                   if s)
        default = LEGACY_URL if self.credentials.mode == "key" else DEFAULT_URL
        self.base = (base_url or os.environ.get(URL_ENV) or default).rstrip("/")
        self.page_limit = int(page_limit)
        self._token: str | None = None

    # -- requests -----------------------------------------------------------------------------
    def _endpoint(self, name: str) -> str:
        if self.credentials.mode == "key":
            return f"{self.base}/{name}/read"
        return f"{self.base}/api/{name}/read"

    def _auth(self) -> tuple[dict, dict]:
        """(headers, query parameters) that authenticate a request."""
        creds = self.credentials
        if creds.mode == "key":
            return {}, {"key": creds.secret, "email": creds.email}
        if creds.mode == "token":
            return {"Authorization": f"Bearer {creds.secret}"}, {}
        if self._token is None:
            body = urllib.parse.urlencode({"username": creds.email, "password": creds.secret,
                                           "grant_type": "password",
                                           "client_id": "acled"}).encode()
            try:
                resp = self.client.request(f"{self.base}/oauth/token", data=body,
                                           method="POST", headers={
                                               "Content-Type":
                                               "application/x-www-form-urlencoded"})
            except FetchError as err:
                if isinstance(err, (NetworkError, QuotaError)) or "HTTP 5" in str(err):
                    raise
                raise AuthError(f"acled: the OAuth token endpoint refused ACLED_EMAIL/"
                                f"ACLED_PASSWORD ({str(err).split(': ', 1)[-1]}); check "
                                "them") from None
            doc = resp.json("acled: OAuth token")
            token = doc.get("access_token") if isinstance(doc, dict) else None
            if not isinstance(token, str) or not token:
                raise SchemaError("acled: the OAuth token endpoint answered without an "
                                  "access_token; the API may have changed")
            self._token = token
            self.client.secrets.append(token)
        return {"Authorization": f"Bearer {self._token}"}, {}

    def _pages(self, endpoint: str, params: dict, what: str,
               progress: Callable[[int], None] | None = None) -> Iterator[dict]:
        headers, auth = self._auth()
        page, largest = 1, 0
        while True:
            query = {"_format": "json", **params, **auth, "limit": str(self.page_limit),
                     "page": str(page)}
            if self.credentials.mode == "key":
                query.pop("_format")
            resp = self.client.request(self._endpoint(endpoint), params=query, headers=headers)
            rows = _data(resp.json(what), what)
            yield from rows
            if progress:
                progress(len(rows))
            # The end: an empty page, or one shorter than a full one before it. A short first
            # page may be the server's own cap on ``limit``, so the next page is asked for.
            if not rows or len(rows) < largest:
                return
            largest = max(largest, len(rows))
            page += 1
            if page > 10_000:
                raise SchemaError(f"{what}: more than 10,000 pages; the API's paging may have "
                                  "changed")

    # -- the fetch ----------------------------------------------------------------------------
    def fetch(self, store: Store, *, since: dt.date | None = None, until: dt.date | None = None,
              countries: tuple[str, ...] = ("AF", "PK"), full: bool = False,
              progress: Callable[[int], None] | None = None) -> Version:
        """One fetch: a new version of ``store`` when anything changed (see the module
        docstring); returns the :class:`Version` (``committed`` False when nothing changed)."""
        since = since or default_since()
        if until is not None and until < since:
            raise FetchError(f"acled: --until {until} is before --since {since}")
        names = [COUNTRIES[c] for c in sorted(set(countries))]
        window = {"since": since.isoformat(), "until": until.isoformat() if until else None,
                  "countries": names}
        started = int(time.time())
        with store.lock():
            previous = store.current()
            state = (previous or {}).get("state", {})
            incremental = (previous is not None and not full and state.get("window") == window
                           and state.get("max_timestamp") is not None)
            params = {"event_date": f"{since.isoformat()}|{(until or dt.date.today()).isoformat()}",
                      "event_date_where": "BETWEEN", "country": self._countries(names)}
            if incremental:
                params.update(timestamp=str(state["max_timestamp"]), timestamp_where=">=")
            fresh = [_row(r) for r in self._pages("acled", params, "acled: events", progress)]
            _check_columns(fresh)
            deleted_ids: set[str] = set()
            if incremental:
                since_ts = state.get("deletions_checked") or state["max_timestamp"]
                for row in self._pages("deleted", {"deleted_timestamp": str(since_ts)},
                                       "acled: deletions"):
                    if not isinstance(row, dict) or "event_id_cnty" not in row:
                        raise SchemaError("acled: deletions: rows without event_id_cnty; the "
                                          "API may have changed")
                    deleted_ids.add(cell(row["event_id_cnty"]))
            old = _old_rows(store, previous)
            with store.new_version() as version:
                merged = dict(old) if incremental else {}
                for row in fresh:
                    key = row["event_id_cnty"]
                    if key in old:
                        if old[key] != row and key not in version.changed:
                            version.changed.append(key)
                    elif key not in merged:
                        version.added.append(key)
                    merged[key] = row
                if incremental:
                    for key in sorted(deleted_ids & set(merged)):
                        del merged[key]
                        version.deleted.append(key)
                    version.added = [k for k in version.added if k in merged]
                    version.changed = [k for k in version.changed if k in merged]
                else:
                    version.deleted = [k for k in old if k not in merged]
                stamps = [int(r["timestamp"]) for r in merged.values()
                          if r.get("timestamp", "").isdigit()]
                version.request = {"endpoint": self._endpoint("acled").split("?")[0],
                                   "auth": self.credentials.mode, **window,
                                   "incremental": incremental,
                                   "since_timestamp": state.get("max_timestamp")
                                   if incremental else None}
                version.state = {"window": window,
                                 "max_timestamp": max(stamps, default=state.get("max_timestamp")),
                                 "deletions_checked": started}
                if merged:
                    rows = list(merged.values())
                    version.write(version.file_name("ACLED", ".csv"),
                                  rows_csv(rows, ordered_columns(rows, COLUMNS)), len(rows))
                version.commit_anyway = not incremental and previous is not None and (
                    previous.get("state", {}).get("window") != window)
        return version

    def _countries(self, names: list[str]) -> str:
        if self.credentials.mode == "key":
            return ":OR:country=".join(names)
        return ":OR:".join(names)


def _data(doc, what: str) -> list:
    """The ``data`` list of an ACLED JSON answer; errors it reports become FetchErrors."""
    if not isinstance(doc, dict):
        raise SchemaError(f"{what}: expected a JSON object, got {type(doc).__name__}; the API "
                          "may have changed")
    if doc.get("success") is False or "error" in doc:
        error = doc.get("error")
        if isinstance(error, list) and error:
            error = error[0]
        status = doc.get("status")
        message = ""
        if isinstance(error, dict):
            status = error.get("status", status)
            message = str(error.get("message", ""))
        elif isinstance(error, str):
            message = error
        message = " ".join(message.split())[:160]
        if status in (401, 403, "401", "403"):
            raise AuthError(f"{what}: ACLED refused the credentials ({message or status}); "
                            f"check them ({ENV_HELP})")
        if status in (429, "429"):
            raise QuotaError(f"{what}: ACLED quota or rate limit reached ({message}); try "
                             "again later")
        raise FetchError(f"{what}: ACLED answered with an error ({status}: {message})")
    data = doc.get("data")
    if not isinstance(data, list):
        raise SchemaError(f"{what}: the answer has no 'data' list (keys: "
                          f"{', '.join(sorted(map(str, doc))[:8])}); the API may have changed")
    return data


def _row(raw) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise SchemaError("acled: events: rows are not JSON objects; the API may have changed")
    return {str(k): cell(v) for k, v in raw.items()}


def _check_columns(rows: list[dict]) -> None:
    if not rows:
        return
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise SchemaError(f"acled: events lack the columns {', '.join(missing)} (they have "
                          f"{', '.join(list(rows[0])[:6])}, ...); the API may have changed")
    for row in rows:
        if not row.get("event_id_cnty"):
            raise SchemaError("acled: an event without event_id_cnty; the API may have changed")


def _old_rows(store: Store, previous: dict | None) -> dict[str, dict[str, str]]:
    if previous is None or not previous.get("files"):
        return {}
    folder = store.version_folder(previous["version"])
    return read_rows(folder / previous["files"][0]["name"], "event_id_cnty")

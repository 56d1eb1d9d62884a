"""UCDP GED and Candidate events through the UCDP API, into ``sources/ucdp/``.

Written from the UCDP API documentation (ucdp.uu.se/apidocs):

* ``GET {base}/gedevents/{version}?pagesize=N&page=P`` (``page`` from 0) with the filters
  ``Country`` (Gleditsch-Ward codes, comma-separated: Afghanistan 700, Pakistan 770),
  ``StartDate`` and ``EndDate`` (``YYYY-MM-DD``); the answer is ``{"TotalCount",
  "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result": [{...event...}]}``;
* the version names the dataset: the yearly GED release (``25.1``) or a monthly Candidate
  release (``25.0.1`` ... ``25.0.12``); a version never changes once published;
* since February 2026 every request carries an access token (asked from UCDP by e-mail) in
  the ``x-ucdp-access-token`` header: border-map reads it from ``UCDP_API_TOKEN``.

Each dataset (GED, Candidate) is kept as one CSV in the GED CSV's columns
(``UCDP-GED-25.1-v0003.csv``), replaced as a whole by the next fetch of that dataset and
compared by ``id`` with the one before (added, changed, deleted). The UCDP asks for
moderate use; border-map sends one request a second, 1,000 events per page.
``$BORDER_MAP_UCDP_URL`` replaces the base URL.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable

from . import CredentialsMissing, FetchError, SchemaError
from ._table import cell, ordered_columns, read_rows, rows_csv
from .http import HttpClient
from .store import Store, Version

__all__ = ["COLUMNS", "DEFAULT_RELEASE", "GW_CODES", "UcdpFetcher"]

DEFAULT_URL = "https://ucdpapi.pcr.uu.se/api"
URL_ENV = "BORDER_MAP_UCDP_URL"
TOKEN_ENV = "UCDP_API_TOKEN"
TOKEN_HEADER = "x-ucdp-access-token"
GW_CODES = {"AF": 700, "PK": 770}
DEFAULT_RELEASE = "25.1"
PAGE_SIZE = 1000
MIN_INTERVAL_S = 1.0
DATASETS = ("ged", "candidate")
_RELEASE = {"ged": re.compile(r"\d{2}\.1"), "candidate": re.compile(r"\d{2}\.0\.\d{1,2}")}
#: The GED CSV's columns, in the codebook's order.
COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob")
REQUIRED = ("id", "date_start", "latitude", "longitude", "type_of_violence", "best", "country")


class UcdpFetcher:
    """Fetch UCDP GED or Candidate events for Afghanistan/Pakistan into a :class:`Store`."""

    def __init__(self, *, client: HttpClient | None = None, base_url: str | None = None,
                 token: str | None = None, page_size: int = PAGE_SIZE):
        token = token if token is not None else os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            raise CredentialsMissing(f"ucdp: no access token: set {TOKEN_ENV} in the "
                                     "environment (UCDP issues tokens on request, see "
                                     "ucdp.uu.se/apidocs); never on the command line")
        self.token = token
        self.client = client or HttpClient("ucdp", min_interval=MIN_INTERVAL_S)
        self.client.secrets.append(token)
        self.base = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
        self.page_size = int(page_size)

    def fetch(self, store: Store, *, dataset: str = "ged", release: str | None = None,
              since: dt.date | None = None, until: dt.date | None = None,
              countries: tuple[str, ...] = ("AF", "PK"),
              progress: Callable[[int], None] | None = None,
              total: Callable[[int], None] | None = None) -> Version:
        if dataset not in DATASETS:
            raise FetchError(f"ucdp: unknown dataset {dataset!r}; use ged or candidate")
        release = release or (DEFAULT_RELEASE if dataset == "ged" else None)
        if release is None:
            raise FetchError("ucdp: the Candidate dataset needs --release (e.g. 25.0.12, "
                             "the monthly release)")
        if not _RELEASE[dataset].fullmatch(release):
            example = "25.1" if dataset == "ged" else "25.0.12"
            raise FetchError(f"ucdp: {release!r} is not a {dataset} release (e.g. {example})")
        if since and until and until < since:
            raise FetchError(f"ucdp: --until {until} is before --since {since}")
        codes = ",".join(str(GW_CODES[c]) for c in sorted(set(countries)))
        params = {"pagesize": str(self.page_size), "Country": codes}
        if since:
            params["StartDate"] = since.isoformat()
        if until:
            params["EndDate"] = until.isoformat()
        url = f"{self.base}/gedevents/{release}"
        with store.lock():
            previous = store.current()
            rows = self._all_pages(url, params, progress, total)
            old_files = ((previous or {}).get("state", {}).get("files", {}))
            old = {}
            if dataset in old_files:
                folder = store.version_folder(previous["version"])
                old = read_rows(folder / old_files[dataset]["name"], "id")
            with store.new_version() as version:
                fresh: dict[str, dict[str, str]] = {}
                for row in rows:
                    fresh[row["id"]] = row
                    if row["id"] not in old:
                        version.added.append(row["id"])
                    elif old[row["id"]] != row:
                        version.changed.append(row["id"])
                version.deleted = [k for k in old if k not in fresh]
                files = {}
                for kind, entry in sorted(old_files.items()):
                    if kind != dataset:
                        name = version.file_name(f"UCDP-{_label(kind)}-{entry['release']}",
                                                 ".csv")
                        version.keep(store.version_folder(previous["version"]) / entry["name"],
                                     name, entry.get("rows"))
                        files[kind] = {**entry, "name": name}
                if fresh:
                    name = version.file_name(f"UCDP-{_label(dataset)}-{release}", ".csv")
                    values = list(fresh.values())
                    version.write(name, rows_csv(values, ordered_columns(values, COLUMNS)),
                                  len(values))
                    files[dataset] = {"name": name, "release": release, "rows": len(values)}
                version.request = {"endpoint": url, "dataset": dataset, "release": release,
                                   "since": since.isoformat() if since else None,
                                   "until": until.isoformat() if until else None,
                                   "countries": sorted(set(countries))}
                version.state = {"files": files}
                before = old_files.get(dataset, {}).get("release")
                version.commit_anyway = before != release
        return version

    def _all_pages(self, url, params, progress, total) -> list[dict[str, str]]:
        rows: list[dict[str, str]] = []
        page = 0
        while True:
            resp = self.client.request(url, params={**params, "page": str(page)},
                                       headers={TOKEN_HEADER: self.token})
            doc = resp.json("ucdp: events")
            if not isinstance(doc, dict) or not isinstance(doc.get("Result"), list) \
                    or not isinstance(doc.get("TotalPages"), int):
                keys = ", ".join(sorted(map(str, doc))[:8]) if isinstance(doc, dict) else \
                    type(doc).__name__
                raise SchemaError(f"ucdp: events: expected TotalPages and a Result list, got "
                                  f"{keys}; the API may have changed")
            if page == 0 and total and isinstance(doc.get("TotalCount"), int):
                total(doc["TotalCount"])
            batch = [_row(r) for r in doc["Result"]]
            rows.extend(batch)
            if progress:
                progress(len(batch))
            page += 1
            if page >= doc["TotalPages"] or not doc.get("NextPageUrl") or not batch:
                return rows


def _label(kind: str) -> str:
    return "GED" if kind == "ged" else "Candidate"


def _row(raw) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise SchemaError("ucdp: events: rows are not JSON objects; the API may have changed")
    missing = [c for c in REQUIRED if c not in raw]
    if missing:
        raise SchemaError(f"ucdp: events lack the fields {', '.join(missing)}; the API may "
                          "have changed")
    row = {str(k): cell(v) for k, v in raw.items()}
    if not row["id"]:
        raise SchemaError("ucdp: an event without id; the API may have changed")
    return row

"""GDELT 2.0 event exports, 15 minutes at a time, into ``sources/gdelt/``.

Written from the GDELT 2.0 documentation (gdeltproject.org, "GDELT 2.0: Our Global World in
Realtime", and the Event codebook):

* ``{base}/lastupdate.txt`` lists the newest files and ``{base}/masterfilelist.txt`` every
  file since February 2015, one per line: ``SIZE MD5 URL`` (border-map keeps the master list
  in ``cache/`` and fetches only what was appended since, with ``Range``);
* every 15 minutes an ``YYYYMMDDHHMMSS.export.CSV.zip`` holds one tab-separated file of
  61 columns without a header.

Each wanted export is downloaded (resumable, then its size and MD5 checked), and only rows
whose ``ActionGeo_CountryCode`` is ``AF`` or ``PK`` (FIPS 10-4) are kept, so the store stays
small: one ``GDELT-YYYYMMDD-vNNNN.export.CSV`` per day, in the export's own format (the
GDELT reader reads it as is). The intervals already fetched are remembered, so a later
fetch over the same range downloads only what is new. Without ``since``, the newest export
(``lastupdate.txt``) is fetched. GDELT asks for no particular pace; border-map waits 0.2 s
between downloads. ``$BORDER_MAP_GDELT_URL`` replaces the base URL.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import posixpath
import re
import urllib.parse
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import FetchError, SchemaError
from .http import HttpClient, NotFound
from .store import Store, Version

__all__ = ["ExportFile", "GdeltFetcher", "parse_file_list"]

DEFAULT_URL = "http://data.gdeltproject.org/gdeltv2"
URL_ENV = "BORDER_MAP_GDELT_URL"
MIN_INTERVAL_S = 0.2
FIPS = ("AF", "PK")
N_COLUMNS = 61
ACTION_COUNTRY = 53  # ActionGeo_CountryCode (border_map.readers.gdelt.GDELT_COLUMNS)
_EXPORT = re.compile(r"(\d{14})\.export\.CSV\.zip")


@dataclass(frozen=True)
class ExportFile:
    stamp: str  # YYYYMMDDHHMMSS (UTC)
    size: int
    md5: str
    url: str

    @property
    def name(self) -> str:
        return f"{self.stamp}.export.CSV.zip"


def parse_file_list(text: str, what: str) -> list[ExportFile]:
    """The event exports listed in ``lastupdate.txt``/``masterfilelist.txt`` text."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or not re.fullmatch(r"[0-9a-fA-F]{32}",
                                                                          parts[1]):
            raise SchemaError(f"gdelt: {what} line {number} is not 'SIZE MD5 URL' "
                              f"({line[:60]!r}); the list's format may have changed")
        m = _EXPORT.fullmatch(posixpath.basename(urllib.parse.urlsplit(parts[2]).path))
        if m:
            found.append(ExportFile(m[1], int(parts[0]), parts[1].lower(), parts[2]))
    return found


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


class GdeltFetcher:
    """Fetch GDELT 2.0 exports over a time range, keeping Afghanistan/Pakistan rows."""

    def __init__(self, *, client: HttpClient | None = None, base_url: str | None = None):
        self.client = client or HttpClient("gdelt", min_interval=MIN_INTERVAL_S)
        self.base = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")

    def _url(self, listed: str) -> str:
        """A listed URL, under our base (the lists name data.gdeltproject.org)."""
        return f"{self.base}/{posixpath.basename(urllib.parse.urlsplit(listed).path)}"

    def listed(self, store: Store, since: dt.datetime | None,
               until: dt.datetime | None) -> list[ExportFile]:
        if since is None:
            text = self.client.request(f"{self.base}/lastupdate.txt").body
            return parse_file_list(text.decode("utf-8", "replace"), "lastupdate.txt")
        # The master list is large (100 MB and more) and only grows: it is kept in the store
        # and brought up to date by asking for the bytes past its end (Range).
        cached = store.dir / "cache" / "masterfilelist.txt"
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_name(cached.name + ".part")
        if cached.exists() and not part.exists():
            os.replace(cached, part)
        self.client.download(f"{self.base}/masterfilelist.txt", cached)
        files = parse_file_list(cached.read_text(encoding="utf-8", errors="replace"),
                                "masterfilelist.txt")
        low, high = _stamp(since), _stamp(until) if until else "99999999999999"
        return [f for f in files if low <= f.stamp < high]

    def fetch(self, store: Store, *, since: dt.datetime | None = None,
              until: dt.datetime | None = None, countries: tuple[str, ...] = FIPS,
              progress: Callable[[int], None] | None = None,
              total: Callable[[int], None] | None = None) -> Version:
        if since and until and until <= since:
            raise FetchError(f"gdelt: --until {until:%Y-%m-%d %H:%M} is not after --since "
                             f"{since:%Y-%m-%d %H:%M}")
        keep = tuple(sorted(set(countries)))
        with store.lock():
            previous = store.current()
            state = (previous or {}).get("state", {})
            if previous is not None and tuple(state.get("countries", FIPS)) != keep:
                raise FetchError("gdelt: the store holds other countries "
                                 f"({', '.join(state.get('countries', FIPS))}); fetch the same "
                                 "ones, or move the store away to start afresh")
            done = set(state.get("done", []))
            wanted = [f for f in self.listed(store, since, until) if f.stamp not in done]
            if total:
                total(sum(f.size for f in wanted))
            new_rows: dict[str, dict[str, str]] = {}  # day -> event id -> row line
            fetched, missing = [], []
            for export in wanted:
                zipped = store.partial_dir / export.name
                if not zipped.exists():
                    try:
                        self.client.download(self._url(export.url), zipped, size=export.size,
                                             md5=export.md5, progress=progress)
                    except NotFound:
                        missing.append(export.stamp)
                        continue
                elif progress:
                    progress(export.size)
                for event_id, line in _rows(zipped, export.name, keep):
                    new_rows.setdefault(export.stamp[:8], {})[event_id] = line
                fetched.append(export)
            with store.new_version() as version:
                self._write(store, version, previous, new_rows)
                version.request = {"lists": "masterfilelist.txt" if since else "lastupdate.txt",
                                   "since": since.isoformat() if since else None,
                                   "until": until.isoformat() if until else None,
                                   "countries": list(keep),
                                   "exports": [f.name for f in fetched]}
                version.notes = [f"{len(missing)} listed export(s) missing on the server: "
                                 f"{', '.join(missing[:5])}"] if missing else []
                version.state = {"countries": list(keep),
                                 "done": sorted(done | {f.stamp for f in fetched})}
                version.commit_anyway = bool(fetched)
            if version.committed or not fetched:
                for export in fetched:
                    (store.partial_dir / export.name).unlink(missing_ok=True)
        return version

    @staticmethod
    def _write(store: Store, version: Version, previous: dict | None,
               new_rows: dict[str, dict[str, str]]) -> None:
        old_days = {}
        if previous:
            folder = store.version_folder(previous["version"])
            for entry in previous["files"]:
                old_days[entry["name"].split("-")[1]] = (folder / entry["name"], entry["rows"])
        for day in sorted(set(old_days) | set(new_rows)):
            name = version.file_name(f"GDELT-{day}", ".export.CSV")
            if day not in new_rows:
                version.keep(old_days[day][0], name, old_days[day][1])
                continue
            rows: dict[str, str] = {}
            if day in old_days:
                for line in old_days[day][0].read_text(encoding="utf-8").splitlines():
                    rows[line.split("\t", 1)[0]] = line
            for event_id, line in new_rows[day].items():
                if event_id not in rows:
                    version.added.append(event_id)
                elif rows[event_id] != line:
                    version.changed.append(event_id)
                rows[event_id] = line
            version.write(name, "".join(line + "\n" for line in rows.values()), len(rows))


def _rows(zipped: Path, name: str, keep: tuple[str, ...]):
    """(GLOBALEVENTID, line) of the rows of one export located in ``keep``."""
    try:
        with zipfile.ZipFile(zipped) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise SchemaError(f"gdelt: {name} holds {len(members)} files, not one; the "
                                  "format may have changed")
            raw = archive.read(members[0])
    except zipfile.BadZipFile as err:
        zipped.unlink(missing_ok=True)
        raise FetchError(f"gdelt: {name} is not a valid zip ({err}); removed, try again") \
            from None
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace", newline="")
    for number, line in enumerate(text, start=1):
        line = line.rstrip("\r\n")
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != N_COLUMNS:
            raise SchemaError(f"gdelt: {name} line {number} has {len(fields)} tab-separated "
                              f"columns, GDELT 2.0 exports have {N_COLUMNS}; the format may "
                              "have changed")
        if fields[ACTION_COUNTRY].strip().upper() in keep:
            yield fields[0], line

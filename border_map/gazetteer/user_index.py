"""The user's own places: the SQLite index filled by ``border-map gazetteer import``."""

from __future__ import annotations

import csv
import functools
import itertools
import math
import os
import sqlite3
import time
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ..errors import DataError, shown
from ..limits import check_import_rows
from ..model_checks import check_place_region
from .core import _rank, skeleton
from .names import TRANSLIT_SCORE, TRANSLIT_VERSION, normalize_name, transliteration_key
from .places import Match, Place, _new_match
from .sources import GEONAMES_COLUMNS, iter_geonames, place_from_geonames, read_places_csv


# -- the user index ---------------------------------------------------------------------------
def user_data_dir() -> Path:
    """Folder of the user's border-map data (the gazetteer index).

    ``$BORDER_MAP_HOME`` if set (tests point it at a temporary folder), else
    ``$XDG_DATA_HOME/border-map``, else ``~/.local/share/border-map``.
    """
    home = os.environ.get("BORDER_MAP_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "border-map"


class ImportReport(NamedTuple):
    """What ``UserIndex.import_file`` did."""

    file: str
    format: str
    imported: int
    skipped: dict
    index: str


_SCHEMA = """
CREATE TABLE IF NOT EXISTS places (
    id TEXT PRIMARY KEY, layer TEXT NOT NULL, origin TEXT NOT NULL,
    name TEXT NOT NULL, aliases TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    admin1 TEXT NOT NULL, admin2 TEXT NOT NULL, lon REAL NOT NULL, lat REAL NOT NULL,
    precision_km REAL NOT NULL, source TEXT NOT NULL, derivation TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS names (
    key TEXT NOT NULL, translit TEXT NOT NULL, place_id TEXT NOT NULL, how TEXT NOT NULL,
    layer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS names_key ON names (layer, key);
CREATE INDEX IF NOT EXISTS names_translit ON names (layer, translit);
CREATE INDEX IF NOT EXISTS names_place ON names (place_id);
CREATE TABLE IF NOT EXISTS imports (
    file TEXT NOT NULL, format TEXT NOT NULL, rows INTEGER NOT NULL, imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS places_layer ON places (layer);
CREATE TABLE IF NOT EXISTS fuzzy_probes (
    layer TEXT NOT NULL, probe TEXT NOT NULL, klen INTEGER NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (layer, probe, klen, key)
) WITHOUT ROWID;
"""
#: Keys fetched from SQLite per probe of the fuzzy tier of an index layer (see
#: :func:`fuzzy_probes`); a fuzzy query fetches at most :data:`MAX_PROBES` times this.
PROBE_LIMIT = 2000
#: Probes per fuzzy query at most: 3 skeleton lengths x (3 + 2 swaps), and the prefix.
MAX_PROBES = 16
_BATCH = 20_000  # places written (or names re-keyed) per executemany


def _add_probes(con: sqlite3.Connection, after_rowid: int) -> None:
    """Add the probes of the names stored after ``after_rowid`` to ``fuzzy_probes``, in
    one statement sorted by SQLite (on disk if need be): appending in key order is many
    times faster than inserting batch after batch into the middle of the table."""
    con.create_function("bm_probe", 2, lambda key, i: fuzzy_probes(key)[i],
                        deterministic=True)
    con.execute("INSERT OR IGNORE INTO fuzzy_probes "
                "SELECT layer, bm_probe(key, i), length(key), key FROM names, "
                "(SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2) "
                "WHERE names.rowid > ? ORDER BY 1, 2, 3, 4", (after_rowid,))


@functools.lru_cache(maxsize=1 << 12)  # called three times a key in a row by _add_probes
def fuzzy_probes(key: str) -> tuple[str, str, str]:
    """The three probe strings stored for a normalised key in ``fuzzy_probes``.

    The key's consonant :func:`skeleton` ``s`` (length ``m``) is cut into three parts
    ``s1 s2 s3`` at ``m//3`` and ``2m//3``; the probes are ``s1 s2`` (a prefix), ``s2 s3``
    (a suffix) and ``s1 | s3``, each tagged with ``m``. One edit of ``s`` (a letter
    inserted, dropped, replaced, or two neighbours swapped) leaves at least two of the
    three parts in place, so every key whose skeleton is within one edit of a query's
    shares a probe with one of the few :func:`query_probes` of the query: the fuzzy tier
    of a user index finds them by indexed look-ups, never by reading every key.
    """
    s = skeleton(key)
    m = len(s)
    a, b = m // 3, 2 * m // 3
    return f"{m}<{s[:b]}", f"{m}>{s[a:]}", f"{m}|{s[:a]}|{s[b:]}"


def query_probes(key: str) -> list[str]:
    """The probes to look up for a query key (see :func:`fuzzy_probes`): for each skeleton
    length ``m`` within one of the query's, the parts a key of length ``m`` would keep
    after one insertion, deletion or substitution, and the query with a swap across
    either cut undone."""
    q = skeleton(key)
    n = len(q)
    out: list[str] = []
    for m in (n, n - 1, n + 1):
        if m < 0:
            continue
        a, b = m // 3, 2 * m // 3
        if b <= n:
            out.append(f"{m}<{q[:b]}")
        if m - a <= n:
            out.append(f"{m}>{q[n - (m - a):]}")
        if a + (m - b) <= n:
            out.append(f"{m}|{q[:a]}|{q[n - (m - b):]}")
        if m == n:
            for cut in (a, b):
                if 0 < cut < n:
                    swapped = q[:cut - 1] + q[cut] + q[cut - 1] + q[cut + 1:]
                    out.append(f"{m}<{swapped[:b]}")
    return list(dict.fromkeys(out))


class UserIndex:
    """The user's own places, in one SQLite file (see the module docstring).

    Two layers: ``"user"`` (CSV rows, merged into the default gazetteer) and
    ``"geonames"`` (dump rows, a fallback queried in SQLite). Re-importing a file
    replaces rows with the same ids, so an import can be repeated.
    """

    FILENAME = "gazetteer.sqlite"

    def __init__(self, path):
        self.path = Path(path)
        self._con: sqlite3.Connection | None = None
        self._cache: dict[str, Place | None] = {}
        self._layers: dict[str, _IndexLayer] = {}

    @classmethod
    def default_path(cls) -> Path:
        return user_data_dir() / cls.FILENAME

    @classmethod
    def default(cls) -> UserIndex:
        return cls(cls.default_path())

    def exists(self) -> bool:
        return self.path.is_file()

    # -- connection ---------------------------------------------------------------------
    def _connect(self, write: bool = False) -> sqlite3.Connection:
        if self._con is None:
            if write:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.is_file():
                raise DataError("no user gazetteer index", location=str(self.path))
            try:
                self._con = sqlite3.connect(self.path)
                had_probes = self._con.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'fuzzy_probes'").fetchone()
                self._con.executescript(_SCHEMA)
                if not self._refresh_translit_keys() and had_probes is None:
                    self._rebuild_probes()  # an index written before the probes existed
            except sqlite3.Error as err:
                self.close()
                raise DataError(f"cannot open the user gazetteer index: {err}",
                                location=str(self.path)) from err
        return self._con

    def _refresh_translit_keys(self) -> bool:
        """Recompute the stored transliteration keys (and the fuzzy probes, made from
        them) when the rules changed since the index was written (``PRAGMA user_version``
        records the rules' version); True if it did. Reads the names in batches."""
        con = self._con
        if con.execute("PRAGMA user_version").fetchone()[0] >= TRANSLIT_VERSION:
            return False
        with con:
            last = -1
            while True:
                rows = con.execute("SELECT rowid, key FROM names WHERE rowid > ? "
                                   "ORDER BY rowid LIMIT ?", (last, _BATCH)).fetchall()
                if not rows:
                    break
                con.executemany("UPDATE names SET translit = ? WHERE rowid = ?",
                                [(transliteration_key(k), rowid) for rowid, k in rows])
                last = rows[-1][0]
            con.execute(f"PRAGMA user_version = {TRANSLIT_VERSION}")
        self._rebuild_probes()
        return True

    def _rebuild_probes(self) -> None:
        """Fill ``fuzzy_probes`` from the stored names (once, for an index written by an
        older version; minutes for a 2 M-row dump, said on stderr first)."""
        con = self._con
        if con.execute("SELECT 1 FROM names LIMIT 1").fetchone() is None:
            return
        import logging

        logging.getLogger(__name__).warning(
            "%s: indexing the names of the user gazetteer for fuzzy matching (once, for an "
            "index written by an older border-map)", shown(str(self.path)))
        with con:
            con.execute("DELETE FROM fuzzy_probes")
            _add_probes(con, -1)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- writing ------------------------------------------------------------------------
    def import_file(self, path, fmt: str = "auto", reserved_ids=()) -> ImportReport:
        """Import a CSV (shipped columns) or a GeoNames dump; ``fmt`` auto-detects.

        ``reserved_ids`` (the shipped ids) may not be reused by a CSV row.
        """
        path = Path(path)
        if not path.is_file():
            raise DataError("no such file", location=str(path))
        if fmt == "auto":
            fmt = _sniff_format(path)
        if fmt == "csv":
            check_import_rows(path)  # before parsing: every command loads these (limits.py)
            places = read_places_csv(path)
            reserved = set(reserved_ids)
            for number, place in enumerate(places, start=2):
                if place.id in reserved:
                    raise DataError(f"id '{place.id}' is a shipped place; choose another id",
                                    location=f"{path} row {number}", field="id")
                check_place_region(place.lon, place.lat, f"{path} row {number}")  # (0, 0)...
            return self._store(path, "csv", "user", places, {})
        if fmt == "geonames":
            return self._import_geonames(path)
        raise ValueError(f"unknown import format {fmt!r}; use auto, csv or geonames")

    def _import_geonames(self, path: Path) -> ImportReport:
        """Two passes over the dump, so memory does not grow with its size: the first
        finds the district (ADM2) names and checks it is a dump, the second converts and
        writes the rows in batches (one transaction: all or nothing)."""
        skipped: Counter = Counter()
        admin2_names: dict[str, str] = {}
        seen_row = False
        for number, row, problem in iter_geonames(path):
            if row is None:
                skipped["bad line" if problem != "country" else "other country"] += 1
                if problem != "country" and not seen_row and skipped["bad line"] >= 5:
                    raise DataError(f"not a GeoNames dump: line {number} has {problem}",
                                    location=str(path))
                continue
            seen_row = True
            if row["feature_code"] == "ADM2":
                code = f"{row['country_code']}.{row['admin1_code']}.{row['admin2_code']}"
                admin2_names[code] = row["name"]

        def places():
            for number, row, _problem in iter_geonames(path):
                if row is None:
                    continue
                place = place_from_geonames(row, admin2_names, f"{path} line {number}")
                if place is None:
                    skipped[f"feature {row['feature_class']}.{row['feature_code']}"] += 1
                    continue
                # outside the region: refused (model_checks)
                check_place_region(place.lon, place.lat, f"{path} line {number}",
                                   "longitude", "latitude")
                yield place

        return self._store(path, "geonames", "geonames", places(), skipped)

    def _store(self, path: Path, fmt: str, layer: str, places: Iterable[Place],
               skipped: dict) -> ImportReport:
        """Write places (any iterable: read in batches of :data:`_BATCH`) in one
        transaction, replacing rows with the same ids (the probes of names no longer
        stored stay: they fetch nothing). A refused first import leaves no index file."""
        existed = self.path.exists()
        con = self._connect(write=True)
        origin = f"{layer}:{path.name}"
        count = 0
        try:
            with con:
                last = con.execute("SELECT coalesce(max(rowid), -1) FROM names").fetchone()[0]
                it = iter(places)
                while batch := list(itertools.islice(it, _BATCH)):
                    count += len(batch)
                    ids = [(p.id,) for p in batch]
                    con.executemany("DELETE FROM names WHERE place_id = ?", ids)
                    con.executemany("DELETE FROM places WHERE id = ?", ids)
                    con.executemany(
                        "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [(p.id, layer, origin, p.name, "|".join(p.aliases), p.kind, p.country,
                          p.admin1, p.admin2, p.lon, p.lat, p.precision_km, p.source,
                          p.derivation) for p in batch])
                    con.executemany("INSERT INTO names VALUES (?,?,?,?,?)",
                                    _name_rows(batch, layer))
                _add_probes(con, last)
                con.execute("INSERT INTO imports VALUES (?,?,?,?)",
                            (str(path), fmt, count,
                             time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        except BaseException as err:
            if not existed:
                self.clear()
            if isinstance(err, sqlite3.Error):
                raise DataError(f"cannot write the user gazetteer index: {err}",
                                location=str(self.path)) from err
            raise
        finally:
            self._cache.clear()
            self._layers.clear()
        return ImportReport(str(path), fmt, count, dict(skipped), str(self.path))

    # -- reading ------------------------------------------------------------------------
    def places(self, layer: str = "user") -> list[Place]:
        """Every place of a layer (used to merge the "user" layer into the default)."""
        if not self.exists():
            return []
        rows = self._connect().execute(
            "SELECT * FROM places WHERE layer = ? ORDER BY id", (layer,)).fetchall()
        return [_place_from_db(r) for r in rows]

    def origins(self, layer: str = "user") -> dict[str, str]:
        if not self.exists():
            return {}
        return dict(self._connect().execute(
            "SELECT id, origin FROM places WHERE layer = ?", (layer,)).fetchall())

    def get(self, place_id: str) -> Place | None:
        if place_id in self._cache:
            return self._cache[place_id]
        place = None
        if self.exists():
            row = self._connect().execute("SELECT * FROM places WHERE id = ?",
                                          (place_id,)).fetchone()
            place = _place_from_db(row) if row else None
        if len(self._cache) >= 100_000:  # a long batch against a large dump: stay bounded
            self._cache.clear()
        self._cache[place_id] = place
        return place

    def origin(self, place_id: str) -> str | None:
        if not self.exists():
            return None
        row = self._connect().execute("SELECT origin FROM places WHERE id = ?",
                                      (place_id,)).fetchone()
        return row[0] if row else None

    def has_layer(self, layer: str) -> bool:
        if not self.exists():
            return False
        return self._connect().execute(
            "SELECT 1 FROM places WHERE layer = ? LIMIT 1", (layer,)).fetchone() is not None

    def layer(self, layer: str) -> _IndexLayer:
        if layer not in self._layers:
            self._layers[layer] = _IndexLayer(self, layer)
        return self._layers[layer]

    def stats(self, layer: str | None = None) -> dict:
        """Counts by country and kind (one layer, or all), and the imported files."""
        out: dict = {"index": str(self.path), "places": 0, "by_country": {}}
        if not self.exists():
            return out
        con = self._connect()
        where, args = ("WHERE layer = ?", (layer,)) if layer else ("", ())
        counts = con.execute(
            f"SELECT country, kind, count(*) FROM places {where} GROUP BY country, kind",
            args).fetchall()
        for cc, kind, n in counts:
            slot = out["by_country"].setdefault(cc, {"total": 0})
            slot[kind] = n
            slot["total"] += n
            out["places"] += n
        out["imports"] = [
            {"file": f, "format": fmt, "rows": n, "imported_at": at}
            for f, fmt, n, at in con.execute("SELECT * FROM imports ORDER BY rowid")
        ]
        return out

    def clear(self) -> None:
        """Remove every imported place (the index file is deleted)."""
        self.close()
        self._cache.clear()
        self._layers.clear()
        if self.path.exists():
            self.path.unlink()


def _name_rows(places: list[Place], layer: str):
    for p in places:
        seen: dict[str, str] = {}
        for text, how in [(p.name, "exact")] + [(a, "alias") for a in p.aliases]:
            key = normalize_name(text)
            if key and key not in seen:
                seen[key] = how
        for key, how in seen.items():
            yield key, transliteration_key(key), p.id, how, layer


def _place_from_db(row) -> Place:
    (pid, _layer, _origin, name, aliases, kind, country, admin1, admin2, lon, lat,
     precision, source, derivation) = row
    return Place(pid, name, aliases=aliases.split("|") if aliases else (), kind=kind,
                 country=country, admin1=admin1, admin2=admin2, lon=lon, lat=lat,
                 precision_km=precision, source=source, derivation=derivation)


def _sniff_format(path: Path) -> str:
    if zipfile.is_zipfile(path):
        return "geonames"
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline()
    if first.count("\t") == len(GEONAMES_COLUMNS) - 1:
        return "geonames"
    header = next(csv.reader([first]), [])
    if "id" in header and "name" in header:
        return "csv"
    raise DataError("neither a gazetteer CSV (header id,name,...) nor a GeoNames dump "
                    "(19 tab-separated columns)", location=str(path))


class _IndexLayer:
    """One layer of a :class:`UserIndex`, with the tier methods of :class:`Gazetteer`.

    Nothing here reads the whole layer: the exact and transliteration tiers are indexed
    look-ups, and the fuzzy tier scores only the keys its probes fetch (at most
    :data:`MAX_PROBES` x :data:`PROBE_LIMIT`; see :func:`fuzzy_probes`). ``fetched``
    counts the keys the last fuzzy query read from SQLite.
    """

    def __init__(self, index: UserIndex, layer: str):
        self._index = index
        self._layer = layer
        self.fetched = 0

    def _places_for(self, column: str, value: str) -> list[tuple[Place, str]]:
        rows = self._index._connect().execute(
            f"SELECT place_id, how FROM names WHERE layer = ? AND {column} = ?",
            (self._layer, value)).fetchall()
        best: dict[str, str] = {}
        for pid, how in rows:
            if best.get(pid) != "exact":
                best[pid] = how
        out = []
        for pid, how in sorted(best.items()):
            place = self._index.get(pid)
            if place is not None:
                out.append((place, how))
        return out

    def _exact_tier(self, query, key, hints) -> list[Match]:
        return [_new_match((query, p, how, 100.0))
                for p, how in self._places_for("key", key) if hints.accepts(p)]

    def _translit_tier(self, query, key, hints) -> list[Match]:
        return [_new_match((query, p, "fuzzy", TRANSLIT_SCORE))
                for p, _ in self._places_for("translit", transliteration_key(key))
                if hints.accepts(p)]

    def _variant_tier(self, query, key, hints, cutoff) -> list[Match]:
        return self._fuzzy_tier(query, key, hints, cutoff)

    def _candidates(self, key: str, cutoff: float) -> list[str]:
        """Keys whose skeleton is within one edit of the key's (by their probes) and whose
        length can reach the cutoff, lengths nearest the key's first, and keys that start
        with the key ("Shahikot" -> "shahikot kalay"), each probe bounded by
        :data:`PROBE_LIMIT`; in the order the full scan used (length, then key)."""
        con = self._index._connect()
        found: set[str] = set()
        fetched = 0
        n, c = len(key), max(cutoff, 1.0) / 100.0
        lengths = sorted(range(math.ceil(n * c - 1e-9), math.floor(n / c + 1e-9) + 1),
                         key=lambda m: (abs(m - n), m))
        for probe in query_probes(key):
            budget = PROBE_LIMIT
            for m in lengths:
                rows = con.execute(
                    "SELECT key FROM fuzzy_probes WHERE layer = ? AND probe = ? AND klen = ? "
                    "LIMIT ?", (self._layer, probe, m, budget)).fetchall()
                fetched += len(rows)
                found.update(k for (k,) in rows)
                budget -= len(rows)
                if budget <= 0:
                    break
        rows = con.execute("SELECT DISTINCT key FROM names WHERE layer = ? AND key >= ? "
                           "AND key < ? LIMIT ?",
                           (self._layer, key, key + "\U0010ffff", PROBE_LIMIT)).fetchall()
        fetched += len(rows)
        found.update(k for (k,) in rows)
        self.fetched = fetched
        return sorted(found, key=lambda k: (len(k), k))

    def _fuzzy_tier(self, query, key, hints, cutoff, best_only=True, limit=50) -> list[Match]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        choices = self._candidates(key, cutoff)
        scored = process.extract(key, choices, scorer=OSA.normalized_similarity,
                                 score_cutoff=cutoff / 100.0, limit=limit) if choices else []
        matches: dict[str, Match] = {}
        for cand_key, score, _ in scored:
            score *= 100.0
            for place, _how in self._places_for("key", cand_key):
                if hints.accepts(place) and (place.id not in matches
                                             or score > matches[place.id].score):
                    matches[place.id] = _new_match((query, place, "fuzzy", round(score, 1)))
        ranked = sorted(matches.values(), key=_rank)
        if best_only and ranked:
            ranked = [m for m in ranked if m.score == ranked[0].score]
        return ranked


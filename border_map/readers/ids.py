"""Same source, same id = one incident: which copies a later file or release supersedes.

ACLED, UCDP and GDELT give every event an id that stays the same across downloads and
releases. When one build reads the same event from two files (two downloads, two GED
releases, overlapping GDELT slices), only one copy is an incident: the one with the latest
``timestamp`` (ACLED) or ``DATEADDED`` (GDELT); for UCDP the one in the later release (the
file whose newest event id is higher); on a tie, the one in the file named later on the
command line. The others are left out and counted as ``superseded``, not reported as
duplicate ids. :func:`superseded` scans only the id columns of files that share a format,
before the build reads them.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

#: format -> (id prefix, id columns (first found), ordering column or None)
KEYS = {
    "acled": ("acled-", ("event_id_cnty",), "timestamp"),
    "ucdp": ("ucdp-", ("id", "event_id"), None),
}
_GDELT_DATEADDED = {61: 59, 58: 56, 57: 56}  # GDELT 2.0 / 1.0 (daily files) position


def _text(path: Path):
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                return None
            raw = archive.read(members[0])
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _ids(path: Path, fmt: str) -> dict[str, str]:
    """id -> ordering key (text; '' when the file has none) of one file."""
    text = _text(path)
    if not text:
        return {}
    out: dict[str, str] = {}
    if fmt == "gdelt":
        for line in text.splitlines():
            fields = line.split("\t")
            pos = _GDELT_DATEADDED.get(len(fields))
            if pos is not None and fields[0].strip():
                out["gdelt-" + fields[0].strip()] = fields[pos].strip()
        return out
    prefix, id_cols, order_col = KEYS[fmt]
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):  # the ACLED API's JSON
        import json

        try:
            doc = json.loads(text)
        except ValueError:
            return {}
        records = doc.get("data") if isinstance(doc, dict) else doc
        for r in records if isinstance(records, list) else ():
            if isinstance(r, dict) and r.get(id_cols[0]) not in (None, ""):
                key = r.get(order_col)
                out[prefix + str(r[id_cols[0]]).strip()] = "" if key is None else str(key)
        return out
    first = text.split("\n", 1)[0]
    from ._common import sniff_separator

    reader = csv.reader(io.StringIO(text), delimiter=sniff_separator(first))
    header = [h.strip().lower() for h in next(reader, [])]
    pos = next((header.index(c) for c in id_cols if c in header), None)
    if pos is None:
        return {}
    opos = header.index(order_col) if order_col in header else None
    for row in reader:
        if len(row) <= pos or not row[pos].strip() or row[pos].startswith("#"):
            continue
        key = row[opos].strip() if opos is not None and len(row) > opos else ""
        out[prefix + row[pos].strip()] = key
    if fmt == "ucdp" and out:
        # a release is known by its newest event: a later release holds higher ids
        newest = max((_order_key(k[len(prefix):]) for k in out), default=(0, 0.0))[1]
        out = dict.fromkeys(out, str(newest))
    return out


def _order_key(value: str):
    try:
        return (1, float(value))
    except ValueError:
        return (0, 0.0)


def superseded(paths: Sequence[str | os.PathLike], formats: Sequence[str],
               ) -> dict[str, set[str]]:
    """path -> ids of the copies in that file that another file supersedes (see module)."""
    by_format: dict[str, list[tuple[int, str]]] = {}
    for k, (path, fmt) in enumerate(zip(paths, formats, strict=True)):
        if fmt in KEYS or fmt == "gdelt":
            by_format.setdefault(fmt, []).append((k, os.fspath(path)))
    out: dict[str, set[str]] = {}
    for fmt, files in by_format.items():
        if len(files) < 2:
            continue
        best: dict[str, tuple] = {}  # id -> (order key, file index, path)
        copies: dict[str, list[str]] = {}
        for k, path in files:
            for ident, order in _ids(Path(path), fmt).items():
                candidate = (_order_key(order), k, path)
                copies.setdefault(ident, []).append(path)
                if ident not in best or candidate[:2] >= best[ident][:2]:
                    best[ident] = candidate
        for ident, where in copies.items():
            if len(where) < 2:
                continue
            winner = best[ident][2]
            for path in where:
                if path != winner:
                    out.setdefault(path, set()).add(ident)
    return out

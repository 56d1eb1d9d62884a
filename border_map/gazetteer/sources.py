"""Reading places: the shipped CSV columns and GeoNames country dumps."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataError, shown
from ..limits import check_member
from .names import COLUMNS, COUNTRIES, GEONAMES_ADMIN1
from .places import Place


# -- reading places ---------------------------------------------------------------------------
def read_places_csv(path) -> list[Place]:
    """Places of a CSV in :data:`COLUMNS`; DataError names file, row and field."""
    path = Path(path)
    places = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = tuple(reader.fieldnames or ())
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                raise DataError(
                    f"missing column(s) {', '.join(missing)}",
                    location=f"{path} row 1", field=missing[0],
                )
            for row in reader:
                places.append(_place_from_row(row, f"{path} row {reader.line_num}"))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DataError(f"cannot read gazetteer: {err}", location=str(path)) from err
    seen: dict[str, int] = {}
    for number, place in enumerate(places, start=2):
        if place.id in seen:
            raise DataError(
                f"duplicate id '{place.id}' (first at row {seen[place.id]})",
                location=f"{path} row {number}", field="id",
            )
        seen[place.id] = number
    return places


def _place_from_row(row: dict, location: str) -> Place:
    def number(field: str) -> float:
        text = (row.get(field) or "").strip()
        try:
            value = float(text)
        except ValueError:
            raise DataError(f"not a number: {text!r}", location=location, field=field) from None
        if not math.isfinite(value):
            raise DataError(f"not a finite number: {text!r}", location=location, field=field)
        return value

    for field in ("id", "name", "kind", "country"):
        if not (row.get(field) or "").strip():
            raise DataError("missing value", location=location, field=field)
    values = {field: number(field) for field in ("lon", "lat", "precision_km")}
    aliases = [a for a in (row.get("aliases") or "").split("|") if a.strip()]
    try:
        return Place(
            id=row["id"], name=row["name"], aliases=aliases, kind=row["kind"],
            country=row["country"], admin1=row.get("admin1") or "",
            admin2=row.get("admin2") or "", source=row.get("source") or "",
            derivation=row.get("derivation") or "", **values,
        )
    except ValueError as err:
        field, _, message = str(err).partition(": ")
        raise DataError(message or str(err), location=location, field=field or None) from None


#: Columns of a GeoNames country dump (readme of the GeoNames export), in order.
GEONAMES_COLUMNS = (
    "geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
    "feature_class", "feature_code", "country_code", "cc2", "admin1_code", "admin2_code",
    "admin3_code", "admin4_code", "population", "elevation", "dem", "timezone",
    "modification_date",
)
# Nominal radius (km) of GeoNames features by class, and codes with their own.
_GN_CLASS_KM = {"P": 2.0, "S": 1.0, "T": 2.0, "H": 5.0, "L": 10.0, "V": 5.0, "R": 5.0, "U": 10.0}
_GN_CODE_KM = {
    "PPLC": 5.0, "PPLA": 5.0, "PPLA2": 3.0, "PPLA3": 3.0, "PPLA4": 2.0, "PSTB": 1.0,
    "PASS": 2.0, "MT": 2.0, "MTS": 15.0, "VAL": 10.0, "STM": 10.0, "AREA": 10.0, "RGN": 25.0,
}


def iter_geonames(path, countries=COUNTRIES) -> Iterator[tuple[int, dict | None, str]]:
    """Rows of a GeoNames dump (``AF.txt``, or a ``.zip`` holding it) as dicts.

    Yields ``(line_number, row, problem)``: ``row`` is None and ``problem`` says
    why for lines that are not 19 tab-separated columns or lie outside
    ``countries``; comment lines (``#``) are skipped.
    """
    path = Path(path)
    with _open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != len(GEONAMES_COLUMNS):
                yield number, None, f"{len(parts)} columns, expected {len(GEONAMES_COLUMNS)}"
                continue
            row = dict(zip(GEONAMES_COLUMNS, parts, strict=True))
            if row["country_code"] not in countries:
                yield number, None, "country"
                continue
            yield number, row, ""


class _TextOpener:
    def __init__(self, path: Path):
        self.path = path
        self._handles: list = []

    def __enter__(self):
        if zipfile.is_zipfile(self.path):
            archive = zipfile.ZipFile(self.path)
            names = [n for n in archive.namelist() if n.endswith(".txt")
                     and not n.lower().startswith("readme")]
            if not names:
                archive.close()
                raise DataError("no .txt member in the zip file", location=str(self.path))
            try:  # the member's size, before reading it (a zip bomb): limits.py
                check_member(archive.getinfo(names[0]), f"{self.path}!{shown(names[0])}")
            except DataError:
                archive.close()
                raise
            raw = archive.open(names[0])
            self._handles = [archive, raw]
            fh = io.TextIOWrapper(raw, encoding="utf-8")
        else:
            fh = open(self.path, encoding="utf-8")  # noqa: SIM115 - closed in __exit__
        self._handles.append(fh)
        return fh

    def __exit__(self, *exc):
        for h in reversed(self._handles):
            h.close()


def _open_text(path: Path) -> _TextOpener:
    return _TextOpener(path)


def place_from_geonames(row: dict, admin2_names: dict[str, str],
                        location: str = "") -> Place | None:
    """A :class:`Place` for one GeoNames row, or None for kinds the gazetteer skips.

    Populated places (class P) are towns; ADM1/ADM2/ADM3 are provinces,
    districts and tehsils; border posts (S.PSTB) are crossings; other named
    features are features. Countries and historical divisions are skipped.
    """
    fclass, fcode = row["feature_class"], row["feature_code"]
    if fclass == "A":
        kind = {"ADM1": "province", "ADM2": "district", "ADM3": "tehsil",
                "ADM4": "tehsil"}.get(fcode)
        if kind is None:  # PCLI (the country), ADMD, historical divisions (ADM1H, ...)
            return None
    elif fclass == "P":
        kind = "town"
    elif fcode == "PSTB":
        kind = "crossing"
    else:
        kind = "feature"
    cc = row["country_code"]
    admin1 = GEONAMES_ADMIN1.get(f"{cc}.{row['admin1_code']}", "")
    admin2 = admin2_names.get(f"{cc}.{row['admin1_code']}.{row['admin2_code']}", "")
    if kind == "province":
        precision = 100.0
    elif kind in ("district", "tehsil"):
        precision = 20.0 if kind == "district" else 10.0
    else:
        precision = _GN_CODE_KM.get(fcode, _GN_CLASS_KM.get(fclass, 5.0))
    name = row["name"].strip()
    aliases = [row["asciiname"]] + row["alternatenames"].split(",")
    try:
        return Place(
            id=f"gn.{row['geonameid'].strip()}", name=name, aliases=aliases, kind=kind,
            country=cc, admin1=admin1, admin2=admin2 if kind != "province" else "",
            lon=float(row["longitude"]), lat=float(row["latitude"]), precision_km=precision,
            source=f"GeoNames {row['geonameid'].strip()} ({fclass}.{fcode}), user import",
            derivation=f"GeoNames point; nominal {precision:g} km radius for {fclass}.{fcode}",
        )
    except ValueError as err:
        field, _, message = str(err).partition(": ")
        raise DataError(message or str(err), location=location, field=field or None) from None


"""Check incident files without building anything: every problem, one line each.

:func:`validate_files` reads each file as ``build`` would (any format, see
:mod:`border_map.readers`) and collects, instead of stopping at the first:

- file problems: unreadable, empty, binary, mixed encodings, unknown format, missing columns,
  too large;
- record problems: the format (wrong types, missing or unknown fields, bad values), dates
  (impossible, ambiguous day/month order, unmarked Solar Hijri), coordinates (not finite, out of
  range, outside the region, latitude and longitude swapped), implausible counts;
- places: an incident placed only by name must resolve in the gazetteer to one place (an
  unknown or ambiguous name is a problem; with explicit coordinates the name is only shown);
- incident ids repeated across files.

Each problem is a :class:`~border_map.errors.DataError` whose text starts ``file:line:`` and
names the field. Encoding fall-backs (cp1252) are warnings, not problems.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import DataError, PlaceError
from .gazetteer import Gazetteer
from .incidents import Incident

__all__ = ["FileReport", "ValidationReport", "validate_files"]

_LINE = re.compile(r":(\d+)$")
#: why rows are left out on purpose, in words (the build summary's ``left_out`` keys)
REASONS = {"other_country": "outside Afghanistan/Pakistan", "not_violence": "not violence",
           "few_sources": "too few sources", "not_root_event": "not a root event"}


@dataclass
class FileReport:
    """One file: its format, how many incidents are usable, and what is wrong."""

    path: str
    format: str | None = None
    incidents: int = 0
    ignored: int = 0
    problems: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: incidents kept as the source wrote them, with a warning: kind -> count (as build)
    source_warnings: dict[str, int] = field(default_factory=dict)
    #: first locations per kind of source warning
    first_warned: dict[str, list[str]] = field(default_factory=dict)
    #: copies of source events that a later file supersedes (as build)
    superseded: int = 0
    #: rows left out on purpose, by reason (as build's ``left_out``)
    left_out: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "incidents": self.incidents,
            "ignored": self.ignored,
            "superseded": self.superseded,
            "left_out": dict(sorted(self.left_out.items())),
            "problems": [_problem_dict(p) for p in self.problems],
            "warnings": list(self.warnings),
            "source_warnings": dict(sorted(self.source_warnings.items())),
        }


@dataclass
class ValidationReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def problems(self) -> list[DataError]:
        return [p for f in self.files for p in f.problems]

    @property
    def warnings(self) -> list[str]:
        return [w for f in self.files for w in f.warnings]

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, ``file:line: field 'x': message``, in file and line order."""
        return [str(p) for p in self.problems]

    def summary(self) -> str:
        bad_files = sum(1 for f in self.files if f.problems)
        incidents = sum(f.incidents for f in self.files)
        ignored = sum(f.ignored for f in self.files)
        reasons: dict[str, int] = {}
        for f in self.files:
            for reason, count in f.left_out.items():
                reasons[reason] = reasons.get(reason, 0) + count
        said = ", ".join(f"{REASONS.get(r, r)} {c}" for r, c in sorted(reasons.items()))
        left_out = f", {ignored} row(s) left out ({said or 'outside Afghanistan/Pakistan'})" \
            if ignored else ""
        superseded = sum(f.superseded for f in self.files)
        if superseded:
            left_out += f", {superseded} superseded by a later file (same source and id)"
        warned = sum(sum(f.source_warnings.values()) for f in self.files)
        if warned:
            left_out += f", {warned} kept with a warning"
        if self.ok:
            return (f"{len(self.files)} file(s) valid: {incidents} incident(s){left_out}")
        return (f"{len(self.problems)} problem(s) in {bad_files} of {len(self.files)} file(s); "
                f"{incidents} incident(s) usable{left_out}")

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "problems": len(self.problems),
            "incidents": sum(f.incidents for f in self.files),
            "files": [f.to_dict() for f in self.files],
        }


def _problem_dict(err: DataError) -> dict:
    line = _LINE.search(err.location or "")
    return {
        "location": err.location,
        "line": int(line[1]) if line else None,
        "field": err.field,
        "message": err.message,
        "text": str(err),
    }


def _line_key(err: DataError) -> int:
    m = _LINE.search(err.location or "")
    return int(m[1]) if m else 0


def validate_files(paths: Iterable[str | os.PathLike[str]], *, input_format: str | None = None,
                   date_order: str | None = None, calendar: str | None = None,
                   gazetteer: Gazetteer | None = None, **read_options) -> ValidationReport:
    """Validate each file; see the module docstring for what is checked."""
    from .model.table import warning_kind
    from .readers import read_source

    report = ValidationReport()
    seen: dict[str, str] = {}
    paths = list(paths)
    replaced: dict[str, set[str]] = {}
    if len(paths) > 1:
        from .pipeline import _superseded

        replaced = _superseded(paths, input_format)
    for path in paths:
        name = os.fspath(path)
        file_report = FileReport(name)
        report.files.append(file_report)
        try:
            read = read_source(path, input_format, date_order=date_order, calendar=calendar,
                               **read_options)
        except DataError as err:
            file_report.problems.append(err if err.location else
                                        DataError(err.message, location=name, field=err.field))
            continue
        except OSError as err:
            file_report.problems.append(
                DataError(f"cannot read: {err.strerror or err}", location=name))
            continue
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - as build: one file's bug, the others read
            file_report.problems.append(DataError(
                f"internal error while reading this file ({type(err).__name__}: {err}); the "
                "other files are read -- please report it (run with -vv for the traceback)",
                location=name))
            continue
        file_report.format = read.format
        file_report.ignored = read.ignored
        file_report.left_out = dict(read.ignored_by)
        file_report.warnings = list(read.warnings)
        problems = list(read.problems)
        usable = 0
        superseded = replaced.get(name, ())
        for incident in read.incidents:
            where = _where(incident)
            if incident.id in superseded:
                file_report.superseded += 1
                continue
            for text in incident.source_warnings:
                kind = warning_kind(text)
                file_report.source_warnings[kind] = file_report.source_warnings.get(kind, 0) + 1
                first = file_report.first_warned.setdefault(kind, [])
                if len(first) < 3:
                    first.append(f"{where} ({text})")
            if incident.id in seen:
                problems.append(DataError(f"duplicate incident id {incident.id!r} (also in "
                                          f"{seen[incident.id]})", location=where, field="id"))
                continue
            seen[incident.id] = where
            if (err := _place_problem(incident, gazetteer)) is not None:
                problems.append(err)
                continue
            usable += 1
        file_report.incidents = usable
        file_report.problems = sorted(problems, key=_line_key)
    return report


def _where(incident: Incident) -> str:
    if incident.source_line:
        return f"{incident.source_file}:{incident.source_line}"
    return incident.source_file or f"incident {incident.id}"


def _place_problem(incident: Incident, gazetteer: Gazetteer | None) -> DataError | None:
    """An incident placed only by name must resolve to exactly one gazetteer place."""
    place = incident.place
    if place is None or incident.location is not None:
        return None
    gazetteer = gazetteer or Gazetteer.default()
    try:
        if place.id:
            gazetteer.get(place.id)
        else:
            gazetteer.resolve(place.name, country=place.country, kind=place.kind,
                              admin=place.admin)
    except PlaceError as err:
        return DataError(str(err), location=_where(incident), field="place")
    except ValueError as err:  # an unknown country or kind hint
        return DataError(str(err), location=_where(incident), field="place")
    return None

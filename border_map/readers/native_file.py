"""The native file format: YAML (``.yaml``/``.yml``) or JSON (``.json``) incident files,
described by ``border_map/schema/incident.schema.json`` (see :func:`incident_schema`)::

    incidents:
      - id: 2026-02-26-clash-khyber
        date: 2026-02-26        # or 2026-02, 2026-W09, 2026, START/END, {start, end, ...}
        event_type: armed_clash # a key of EVENT_TYPES
        actors: [Afghan Taliban forces, Pakistani military]
        place: {name: Khyber, country: PK, kind: district}  # or just a name
        location: {lon: 71.1, lat: 34.1, precision_km: 5}  # optional; longitude first
        claims:
          - {side: PK, organisation: ..., figures: [{kind: killed, low: 3, high: 5, text: ...}]}

YAML is read without YAML 1.1's implicit typing: every scalar stays the text as written
(``NO`` is not ``False``, ``034`` is not ``28``, ``1:20`` is not ``80``) and each field is
converted here, so a wrong value is reported, not silently reinterpreted. Duplicate keys are
errors. Every problem is a :class:`~border_map.errors.DataError` whose message starts with
``file:line: field 'path':`` (for YAML the line of the offending value; for JSON the line
where the value starts).
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import math
import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import yaml

from ..errors import DataError
from ..model.dates import _parse_claim_day, _parse_published, _parse_single, parse_date_span
from ..model.incident import (
    Claim,
    DateSpan,
    Evidence,
    Figure,
    Incident,
    Location,
    PlaceRef,
    Source,
)
from ..model.vocabulary import _did_you_mean
from ..model_checks import check_text

# --------------------------------------------------------------------------- reading files

_YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_COMPOSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


@dataclass(slots=True)
class _Node:
    """A parsed value with the line it starts on; the common form of YAML and JSON input.

    ``value`` is a dict of nodes, a list of nodes, or a scalar. YAML scalars are the text
    as written (``typed`` false); JSON scalars keep their JSON type (``typed`` true).
    """

    value: Any
    line: int
    typed: bool = False
    key_lines: dict[str, int] | None = None


def load_incidents(path: str | os.PathLike[str]) -> list[Incident]:
    """Read a native incident file (YAML, or JSON by extension or content).

    UTF-8 with or without a byte-order mark. Bad data raises :class:`DataError`
    naming ``file:line`` and the field; an unreadable path raises :class:`OSError`.
    """
    name = os.fspath(path)
    raw = Path(path).read_bytes()
    return loads_incidents(_decode(raw, name), name=name)


def loads_incidents(text: str, *, name: str = "<string>") -> list[Incident]:
    """Parse incidents from text; ``name`` (a file name) appears in errors and picks JSON
    for ``.json``, YAML for ``.yaml``/``.yml``, otherwise JSON if the text parses as JSON."""
    try:
        return _Reader(name).incidents(parse_root(text, name))
    except RecursionError as err:
        raise DataError("nested too deeply to be an incident file", location=name) from err


def parse_root(text: str, name: str) -> _Node:
    """The parsed document of a native file (YAML or JSON), never empty."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataError("empty file: no incidents", location=name)
    root = _parse(text, name)
    if root is None or root.value is None:
        raise DataError("empty file: no incidents (only comments?)", location=name)
    return root


def _decode(raw: bytes, name: str) -> str:
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise DataError(
            f"binary file (NUL byte at line {line}), not a YAML or JSON incident file",
            location=f"{name}:{line}",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DataError(
            f"not UTF-8 text (byte 0x{raw[err.start]:02x} at line {line}: {err.reason}); "
            "save the file as UTF-8",
            location=f"{name}:{line}",
        ) from err


def _parse(text: str, name: str) -> _Node | None:
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return _parse_json(text, name)
    if suffix not in (".yaml", ".yml") and text.lstrip()[:1] in ("{", "["):
        try:
            return _parse_json(text, name)
        except DataError:
            pass  # not JSON after all: YAML flow style
    return _parse_yaml(text, name)


def _parse_yaml(text: str, name: str) -> _Node | None:
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        last_line = text.count("\n") + (not text.endswith("\n"))
        where = f"{name}:{min(mark.line + 1, max(last_line, 1))}" if mark else name
        problem = "; ".join(x for x in (err.context, err.problem) if x)
        raise DataError(f"YAML syntax error: {problem}", location=where) from err
    except yaml.YAMLError as err:
        raise DataError(f"YAML error: {err}".replace("\n", " "), location=name) from err
    if node is None:
        return None
    return _yaml_node(node, name, {}, set())


def _yaml_node(node: yaml.Node, name: str, memo: dict[int, _Node], active: set[int]) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style
        return _Node(None if plain and node.value in _YAML_NULLS else node.value, line)
    if id(node) in memo:
        return memo[id(node)]
    if id(node) in active:
        raise DataError("recursive YAML alias", location=f"{name}:{line}")
    active.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        result = _Node([_yaml_node(item, name, memo, active) for item in node.value], line)
    else:
        items: dict[str, _Node] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise DataError("a mapping key must be a plain name", location=f"{name}:{key_line}")
            key = key_node.value
            if key == "<<" and not key_node.style:
                raise DataError(
                    "YAML merge keys (<<) are not supported: write the fields out",
                    location=f"{name}:{key_line}",
                )
            if key in items:
                raise DataError(
                    f"duplicate key {key!r} (first at line {key_lines[key]}); "
                    "YAML would silently keep only the last",
                    location=f"{name}:{key_line}",
                    field=key,
                )
            items[key] = _yaml_node(value_node, name, memo, active)
            key_lines[key] = key_line
        result = _Node(items, line, key_lines=key_lines)
    active.discard(id(node))
    memo[id(node)] = result
    return result


def _parse_json(text: str, name: str) -> _Node:
    """JSON with a line number on every value and duplicate keys rejected."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(index: int) -> int:
        return bisect.bisect_right(line_starts, index)

    def noting_lines(scan_once):
        def scan(string: str, index: int):
            value, end = scan_once(string, index)
            if isinstance(value, _Node):  # a mapping or list, already noted
                return value, end
            return _Node(value, line_of(index), typed=True), end

        return scan

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        pairs, end = json.decoder.JSONObject(
            s_and_end, strict, noting_lines(scan_once), None, list, memo
        )
        items: dict[str, _Node] = {}
        for key, node in pairs:
            if key in items:
                raise DataError(
                    f"duplicate key {key!r} (first at line {items[key].line})",
                    location=f"{name}:{node.line}",
                    field=key,
                )
            items[key] = node
        return _Node(
            items,
            line_of(s_and_end[1] - 1),
            typed=True,
            key_lines={k: n.line for k, n in items.items()},
        ), end

    def parse_array(s_and_end, scan_once):
        values, end = json.decoder.JSONArray(s_and_end, noting_lines(scan_once))
        return _Node(values, line_of(s_and_end[1] - 1), typed=True), end

    decoder = json.JSONDecoder()
    decoder.parse_object = parse_object
    decoder.parse_array = parse_array
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        node = decoder.decode(text)
    except json.JSONDecodeError as err:
        raise DataError(f"JSON syntax error: {err.msg}", location=f"{name}:{err.lineno}") from err
    if not isinstance(node, _Node):  # a bare scalar document
        start = len(text) - len(text.lstrip())
        node = _Node(node, line_of(start), typed=True)
    return node


_TOP_KEYS = ("incidents", "source")
_INCIDENT_KEYS = (
    "id",
    "date",
    "event_type",
    "actors",
    "place",
    "location",
    "description",
    "claims",
    "unlocated",
    "draft",
    "evidence",
)
_DATE_KEYS = ("start", "end", "precision", "text")
_PLACE_KEYS = ("name", "country", "kind", "admin", "id")
_LOCATION_KEYS = ("lon", "lat", "precision_km")
_CLAIM_KEYS = (
    "claimant",
    "organisation",
    "side",
    "date",
    "statement",
    "figures",
    "source",
    "status",
)
_FIGURE_KEYS = ("kind", "low", "high", "value", "text", "subject")
_SOURCE_KEYS = ("outlet", "url", "quote", "published")
_EVIDENCE_KEYS = ("field", "text", "start", "end", "sentence", "note")
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
             "FALSE": False}
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NON_FINITE = frozenset(
    {
        ".nan",
        "nan",
        ".inf",
        "+.inf",
        "-.inf",
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "-infinity",
        "+infinity",
    }
)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    short = value if len(value) <= 40 else value[:37] + "..."
    return f"a string ({short!r})"


class _Reader:
    """Turns parsed nodes into incidents, checking every field against the format."""

    def __init__(self, name: str):
        self.name = name
        self.default_source: Source | None = None

    def fail(self, line: int, field_path: str | None, message: str) -> NoReturn:
        raise DataError(message, location=f"{self.name}:{line}", field=field_path)

    # ---- structure

    def items(self, root: _Node) -> list[_Node]:
        """The incident nodes of a document (a list, or a mapping with an ``incidents`` list
        and an optional default ``source``)."""
        if isinstance(root.value, list):
            return root.value
        if isinstance(root.value, dict):
            self.check_keys(root, _TOP_KEYS, None)
            if "incidents" not in root.value:
                self.fail(root.line, "incidents", "missing: the file needs an 'incidents' list")
            if (src := root.value.get("source")) is not None and src.value is not None:
                self.default_source = self.source(src, "source")
            return self.list_of(root.value["incidents"], "incidents")
        self.fail(
            root.line,
            None,
            "expected a mapping with an 'incidents' list, or a list of incidents; "
            f"got {_describe(root.value)}",
        )

    def incidents(self, root: _Node) -> list[Incident]:
        items = self.items(root)
        seen: dict[str, int] = {}
        result = []
        for index, node in enumerate(items):
            incident = self.incident(node, index)
            if incident.id in seen:
                self.fail(
                    node.value["id"].line,
                    "id",
                    f"duplicate incident id {incident.id!r} (first at line {seen[incident.id]})",
                )
            seen[incident.id] = node.line
            result.append(incident)
        return result

    def check_keys(self, node: _Node, allowed: tuple[str, ...], prefix: str | None) -> None:
        for key in node.value:
            if key not in allowed:
                self.fail(
                    node.key_lines.get(key, node.line),
                    _join(prefix, key),
                    f"unknown field{_did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
                )

    def mapping(self, node: _Node, allowed: tuple[str, ...], path: str) -> dict[str, _Node]:
        if not isinstance(node.value, dict):
            self.fail(node.line, path, f"expected a mapping, got {_describe(node.value)}")
        self.check_keys(node, allowed, path)
        return node.value

    def list_of(self, node: _Node | None, path: str) -> list[_Node]:
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            self.fail(node.line, path, f"expected a list, got {_describe(node.value)}")
        return node.value

    def required(self, parent: _Node, key: str, path: str) -> _Node:
        node = parent.value.get(key)
        if node is None:
            self.fail(parent.line, path, "missing required field")
        if node.value is None:
            self.fail(node.line, path, "required field is empty")
        return node

    def build(self, cls, parent: _Node, path: str, **kwargs):
        """Construct a model object, turning its own validation errors into located ones."""
        try:
            return cls(**kwargs)
        except DataError as err:
            key = err.field
            node = parent.value.get(key) if key and isinstance(parent.value, dict) else None
            line = node.line if node is not None else parent.line
            raise DataError(
                err.message, location=f"{self.name}:{line}", field=_join(path, key)
            ) from None

    # ---- scalars

    def text(self, node: _Node | None, path: str) -> str | None:
        if node is None or node.value is None:
            return None
        if not isinstance(node.value, str):
            self.fail(node.line, path, f"expected text, got {_describe(node.value)}")
        check_text(node.value, path, f"{self.name}:{node.line}")  # NUL: model_checks.py
        return node.value.strip() or None

    def integer(self, node: _Node | None, path: str) -> int | None:
        if node is None or node.value is None:
            return None
        value = node.value
        if node.typed:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(node.line, path, f"expected a whole number, got {_describe(value)}")
        elif not isinstance(value, str):
            self.fail(node.line, path, f"expected a whole number, got {_describe(value)}")
        elif _INTEGER.fullmatch(value.strip()):
            value = int(value.strip(), 10)  # decimal: YAML 1.1 would read 034 as octal 28
        else:
            self.fail(node.line, path, f"expected a whole number, got {value!r}")
        if value < 0:
            self.fail(node.line, path, f"must not be negative (got {value})")
        return value

    def number(self, node: _Node | None, path: str) -> float | None:
        if node is None or node.value is None:
            return None
        value = node.value
        if node.typed:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.fail(node.line, path, f"expected a number, got {_describe(value)}")
            value = float(value)
        else:
            if not isinstance(value, str):
                self.fail(node.line, path, f"expected a number, got {_describe(value)}")
            raw = value.strip()
            if raw.lower() in _NON_FINITE:
                self.fail(node.line, path, f"must be a finite number (got {raw})")
            if not _DECIMAL.fullmatch(raw):
                self.fail(node.line, path, f"expected a decimal number, got {raw!r}")
            value = float(raw)
        if not math.isfinite(value):
            self.fail(node.line, path, f"must be a finite number (got {value})")
        return value

    def parsed(self, node: _Node, path: str, parse):
        text = node.value
        if not isinstance(text, str):
            self.fail(node.line, path, f"expected an ISO 8601 date, got {_describe(text)}")
        try:
            return parse(text)
        except DataError as err:
            self.fail(node.line, path, err.message)

    # ---- records

    def incident(self, node: _Node, index: int) -> Incident:
        if not isinstance(node.value, dict):
            self.fail(
                node.line,
                f"incidents[{index}]",
                f"expected an incident mapping, got {_describe(node.value)}",
            )
        fields = self.mapping(node, _INCIDENT_KEYS, "")
        ident = self.text(self.required(node, "id", "id"), "id")
        if ident is None:
            self.fail(fields["id"].line, "id", "must not be empty")
        date = self.date_span(self.required(node, "date", "date"), "date")
        event_type = self.text(self.required(node, "event_type", "event_type"), "event_type")
        actors = tuple(
            a
            for i, a_node in enumerate(self.list_of(fields.get("actors"), "actors"))
            if (a := self.text(a_node, f"actors[{i}]")) is not None
        )
        place = self.place(fields.get("place"), "place")
        location = self.location(fields.get("location"), "location")
        unlocated = self.text(fields.get("unlocated"), "unlocated")
        if place is None and location is None and not unlocated:
            self.fail(node.line, "place",
                      "missing: an incident needs a place, a location or an 'unlocated' reason")
        claims = tuple(
            self.claim(c, f"claims[{i}]")
            for i, c in enumerate(self.list_of(fields.get("claims"), "claims"))
        )
        return self.build(
            Incident,
            node,
            "",
            id=ident,
            date=date,
            event_type=event_type,
            actors=actors,
            place=place,
            location=location,
            description=self.text(fields.get("description"), "description"),
            claims=claims,
            unlocated=unlocated,
            source_file=self.name,
            source_line=node.line,
            draft=bool(self.boolean(fields.get("draft"), "draft")),
            evidence=tuple(
                self.evidence(e, f"evidence[{i}]")
                for i, e in enumerate(self.list_of(fields.get("evidence"), "evidence"))
            ),
        )

    def boolean(self, node: _Node | None, path: str) -> bool | None:
        if node is None or node.value is None:
            return None
        if node.typed and isinstance(node.value, bool):
            return node.value
        if not node.typed and node.value in _BOOLEANS:
            return _BOOLEANS[node.value]
        self.fail(node.line, path, f"expected true or false, got {_describe(node.value)}")

    def evidence(self, node: _Node, path: str) -> Evidence:
        fields = self.mapping(node, _EVIDENCE_KEYS, path)
        for key in ("field", "start", "end"):
            self.required(node, key, f"{path}.{key}")
        return self.build(
            Evidence,
            node,
            path,
            field=self.text(fields["field"], f"{path}.field"),
            text=self.text(fields.get("text"), f"{path}.text") or "",
            start=self.integer(fields["start"], f"{path}.start"),
            end=self.integer(fields["end"], f"{path}.end"),
            sentence=self.text(fields.get("sentence"), f"{path}.sentence"),
            note=self.text(fields.get("note"), f"{path}.note"),
        )

    def date_span(self, node: _Node, path: str) -> DateSpan:
        if not isinstance(node.value, dict):
            return self.parsed(node, path, parse_date_span)
        fields = self.mapping(node, _DATE_KEYS, path)
        start_node = self.required(node, "start", f"{path}.start")
        first = self.parsed(start_node, f"{path}.start", lambda t: _parse_single(t.strip()))
        end_node = fields.get("end")
        if end_node is None or end_node.value is None:
            last = first
        else:
            last = self.parsed(end_node, f"{path}.end", lambda t: _parse_single(t.strip()))
        start, end = first[0], last[1]
        precision = self.text(fields.get("precision"), f"{path}.precision")
        if precision is None:
            precision = first[2] if first == last else ("day" if start == end else "range")
        return self.build(
            DateSpan,
            node,
            path,
            start=start,
            end=end,
            precision=precision,
            text=self.text(fields.get("text"), f"{path}.text"),
        )

    def place(self, node: _Node | None, path: str) -> PlaceRef | None:
        if node is None or node.value is None:
            return None
        if not isinstance(node.value, dict):
            return self.build(PlaceRef, node, path, name=self.text(node, path))
        fields = self.mapping(node, _PLACE_KEYS, path)
        name = self.text(self.required(node, "name", f"{path}.name"), f"{path}.name")
        country = self.text(fields.get("country"), f"{path}.country")
        return self.build(
            PlaceRef,
            node,
            path,
            name=name,
            country=country.upper() if country and len(country) == 2 else country,
            kind=self.text(fields.get("kind"), f"{path}.kind"),
            admin=self.text(fields.get("admin"), f"{path}.admin"),
            id=self.text(fields.get("id"), f"{path}.id"),
        )

    def location(self, node: _Node | None, path: str) -> Location | None:
        if node is None or node.value is None:
            return None
        if isinstance(node.value, list):
            self.fail(node.line, path, "write the location as a mapping {lon: ..., lat: ...}")
        fields = self.mapping(node, _LOCATION_KEYS, path)
        lon = self.number(self.required(node, "lon", f"{path}.lon"), f"{path}.lon")
        lat = self.number(self.required(node, "lat", f"{path}.lat"), f"{path}.lat")
        precision = self.number(fields.get("precision_km"), f"{path}.precision_km")
        return self.build(Location, node, path, lon=lon, lat=lat, precision_km=precision)

    def claim(self, node: _Node, path: str) -> Claim:
        fields = self.mapping(node, _CLAIM_KEYS, path)
        side = self.text(self.required(node, "side", f"{path}.side"), f"{path}.side")
        date_node = fields.get("date")
        date = None
        if date_node is not None and date_node.value is not None:
            date = self.parsed(date_node, f"{path}.date", _parse_claim_day)
        figures = tuple(
            self.figure(f, f"{path}.figures[{i}]")
            for i, f in enumerate(self.list_of(fields.get("figures"), f"{path}.figures"))
        )
        source_node = fields.get("source")
        source = (
            self.source(source_node, f"{path}.source")
            if source_node is not None and source_node.value is not None
            else self.default_source
        )
        return self.build(
            Claim,
            node,
            path,
            claimant=self.text(fields.get("claimant"), f"{path}.claimant"),
            organisation=self.text(fields.get("organisation"), f"{path}.organisation"),
            side=side,
            date=date,
            statement=self.text(fields.get("statement"), f"{path}.statement"),
            figures=figures,
            source=source,
            status=self.text(fields.get("status"), f"{path}.status") or "unverified",
        )

    def figure(self, node: _Node, path: str) -> Figure:
        fields = self.mapping(node, _FIGURE_KEYS, path)
        kind = self.text(self.required(node, "kind", f"{path}.kind"), f"{path}.kind")
        low = self.integer(fields.get("low"), f"{path}.low")
        high = self.integer(fields.get("high"), f"{path}.high")
        value = self.integer(fields.get("value"), f"{path}.value")
        if value is not None:
            if low is not None or high is not None:
                self.fail(
                    fields["value"].line,
                    f"{path}.value",
                    "give either 'value' (an exact number) or 'low'/'high', not both",
                )
            low = high = value
        return self.build(
            Figure,
            node,
            path,
            kind=kind,
            low=low,
            high=high,
            text=self.text(fields.get("text"), f"{path}.text"),
            subject=self.text(fields.get("subject"), f"{path}.subject"),
        )

    def source(self, node: _Node, path: str) -> Source:
        fields = self.mapping(node, _SOURCE_KEYS, path)
        published_node = fields.get("published")
        published = None
        if published_node is not None and published_node.value is not None:
            published = self.parsed(published_node, f"{path}.published", _parse_published)
        return Source(
            outlet=self.text(fields.get("outlet"), f"{path}.outlet"),
            url=self.text(fields.get("url"), f"{path}.url"),
            quote=self.text(fields.get("quote"), f"{path}.quote"),
            published=published,
        )


def claims_from_json(text: str, name: str) -> tuple[Claim, ...]:
    """A ``claims`` cell as this tool's GeoParquet and CSV outputs write it (JSON text: a list
    of claim mappings), checked like a native file's claims; ``name`` locates errors."""
    node = _parse_json(text, name)
    reader = _Reader(name)
    return tuple(reader.claim(c, f"claims[{i}]")
                 for i, c in enumerate(reader.list_of(node, "claims")))


def _join(prefix: str | None, key: str | None) -> str | None:
    if not key:
        return prefix or None
    return f"{prefix}.{key}" if prefix else key


# --------------------------------------------------------------------------- schema


@cache
def _schema_text() -> str:
    return (
        resources.files("border_map")
        .joinpath("schema/incident.schema.json")
        .read_text(encoding="utf-8")
    )


def incident_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the native incident file format (a fresh copy)."""
    return json.loads(_schema_text())

"""Native YAML/JSON incident files, record by record, and checks shared by native formats.

:func:`border_map.incidents.loads_incidents` stops at the first bad value. Validation and a
forgiving ``build`` want every bad record and the good ones, so this walks the same parsed
nodes with the same :class:`~border_map.incidents._Reader`, one incident at a time: every
message is the loader's own, with its ``file:line`` and field. (It uses the loader's private
parser and record reader on purpose: one implementation of the format.)
"""

from __future__ import annotations

from ..errors import DataError
from ..model.incident import Incident
from ._common import MAX_COUNT, Problems, region_message
from .native_file import _Reader, parse_root


def read_native(text: str, name: str, problems: Problems) -> list[Incident]:
    """Incidents of a native YAML or JSON document; bad records go to ``problems``."""
    try:
        reader = _Reader(name)
        items = reader.items(parse_root(text, name))
        return records(reader, items, name, problems)
    except RecursionError as err:
        raise DataError("nested too deeply to be an incident file", location=name) from err


def records(reader: _Reader, items, name: str, problems: Problems) -> list[Incident]:
    """Each node read as an incident; bad ones (and repeated ids) reported, the rest kept."""
    seen: dict[str, int] = {}
    result: list[Incident] = []
    for index, node in enumerate(items):
        try:
            incident = reader.incident(node, index)
        except DataError as err:
            problems.add(err)
            continue
        if incident.id in seen:
            id_node = node.value.get("id") if isinstance(node.value, dict) else None
            line = id_node.line if id_node is not None else node.line
            first = seen[incident.id]
            problems.at(f"{name}:{line}", "id",
                        f"duplicate incident id {incident.id!r} (first at line {first})")
            continue
        seen[incident.id] = node.line
        if (err := check_incident(incident)) is not None:
            problems.add(err)
            continue
        result.append(incident)
    return result


def check_incident(incident: Incident) -> DataError | None:
    """What the model accepts but a map of this region cannot: points outside it, huge counts."""
    where = (f"{incident.source_file}:{incident.source_line}"
             if incident.source_file and incident.source_line else incident.source_file)
    loc = incident.location
    if loc is not None and (message := region_message(loc.lon, loc.lat)) is not None:
        return DataError(message, location=where, field="location")
    for i, claim in enumerate(incident.claims):
        for j, figure in enumerate(claim.figures):
            for name in ("low", "high"):
                value = getattr(figure, name)
                if value is not None and value > MAX_COUNT:
                    return DataError(
                        f"{value} is implausible for one incident (more than {MAX_COUNT:,})",
                        location=where, field=f"claims[{i}].figures[{j}].{name}",
                    )
    return None

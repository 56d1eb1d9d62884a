"""Draft incidents as a native YAML file (loads with :func:`border_map.incidents.loads_incidents`).

Small mappings (date, place, figures, evidence entries) are written on one line; a claim
shared by several incidents is written once and referred to by a YAML anchor
(``&claim-3`` ... ``*claim-3``), as in the hand-made seed file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..incidents import Claim, Incident
from . import emit

__all__ = ["incident_dict", "to_yaml"]


class _Flow(dict):
    """A mapping written in flow style: ``{start: 2026-02-26, precision: day}``."""


def _is_claim(data) -> bool:
    """A claim's mapping: the only values written once and referred to by an anchor."""
    return isinstance(data, dict) and "side" in data and not isinstance(data, _Flow)


def _shared_claims_only(self, data) -> bool:
    return not _is_claim(data)


def _flow(dumper, data):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


class _Dumper(yaml.SafeDumper):
    """The pure-Python dumper: names its anchors claim-1, claim-2... itself."""

    def generate_anchor(self, node):  # noqa: D102 - PyYAML hook
        self._claim_anchor = getattr(self, "_claim_anchor", 0) + 1
        return f"claim-{self._claim_anchor}"

    ignore_aliases = _shared_claims_only  # only shared claims become anchors


_Dumper.add_representer(_Flow, _flow)

# libyaml's emitter (PyYAML's C extension) writes the same text about 10x faster, but names
# anchors id001, id002...: they are renamed claim-1, claim-2... (see _c_dump).
_CDumper = None
if getattr(yaml, "__with_libyaml__", False):
    class _CDumper(yaml.CSafeDumper):
        ignore_aliases = _shared_claims_only

    _CDumper.add_representer(_Flow, _flow)

# An anchor or alias of libyaml's, where a node begins: after "- " or ": ".
_C_ANCHOR = re.compile(r"(^[ ]*- |: )([&*])id(\d{3,})(?=[ \n])", re.MULTILINE)


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if v is not None and v != [] and v != ()}


def incident_dict(incident: Incident, claim_cache: dict[Claim, dict] | None = None) -> dict:
    """The native-format mapping of a draft incident, without empty fields."""
    claim_cache = {} if claim_cache is None else claim_cache
    date = incident.date
    out: dict[str, Any] = {
        "id": incident.id,
        "draft": True if incident.draft else None,
        "date": _Flow(_compact({"start": date.start.isoformat(), "end": date.end.isoformat(),
                                "precision": date.precision, "text": date.text})),
        "event_type": incident.event_type,
        "actors": list(incident.actors),
    }
    if incident.place is not None:
        out["place"] = _Flow(_compact(incident.place.to_dict()))
    if incident.unlocated:
        out["unlocated"] = incident.unlocated
    out["description"] = incident.description
    claims = []
    for claim in incident.claims:
        if claim not in claim_cache:
            claim_cache[claim] = _claim_dict(claim)
        claims.append(claim_cache[claim])
    out["claims"] = claims
    out["evidence"] = [_Flow(_compact(e.to_dict())) for e in incident.evidence]
    return {k: v for k, v in out.items() if v is not None}


def _claim_dict(claim: Claim) -> dict:
    figures = []
    for f in claim.figures:
        fig = {"kind": f.kind}
        if f.low is not None and f.low == f.high:
            fig["value"] = f.low
        else:
            fig.update({"low": f.low, "high": f.high})
        fig.update({"text": f.text, "subject": f.subject})
        figures.append(_Flow(_compact(fig)))
    out = {
        "claimant": claim.claimant,
        "organisation": claim.organisation,
        "side": claim.side,
        "date": claim.date.isoformat() if claim.date else None,
        "statement": claim.statement,
        "figures": figures,
        "source": _compact(claim.source.to_dict()) if claim.source else None,
        "status": claim.status,
    }
    return {k: v for k, v in out.items() if v is not None}


_DUMP_OPTIONS = {"sort_keys": False, "allow_unicode": True, "width": 100,
                 "default_flow_style": False}


def _use_counts(doc: dict) -> dict[int, int]:
    """How many times each claim mapping is used (by identity)."""
    counts: dict[int, int] = {}
    for incident in doc["incidents"]:
        for claim in incident.get("claims", ()):
            counts[id(claim)] = counts.get(id(claim), 0) + 1
    return counts


def _c_dump(doc: dict, shared: int) -> str | None:
    """The text through libyaml, anchors renamed; None if the renaming cannot be proven
    complete (every shared claim's anchor found exactly once)."""
    body = yaml.dump(doc, Dumper=_CDumper, **_DUMP_OPTIONS)
    anchors = []

    def rename(m: re.Match) -> str:
        if m.group(2) == "&":
            anchors.append(m.group(3))
        return f"{m.group(1)}{m.group(2)}claim-{int(m.group(3))}"

    body = _C_ANCHOR.sub(rename, body)
    if len(anchors) != shared or len(set(anchors)) != shared or "&id0" in body:
        return None
    return body


def to_yaml(incidents: list[Incident], *, header: str | None = None) -> str:
    """The YAML text of a draft file (``header`` lines become comments)."""
    cache: dict[Claim, dict] = {}
    doc = {"incidents": [incident_dict(i, cache) for i in incidents]}
    body = emit.dump(doc, _is_claim)
    if body is None and _CDumper is not None:
        body = _c_dump(doc, sum(1 for _, n in _use_counts(doc).items() if n > 1))
    if body is None:
        body = yaml.dump(doc, Dumper=_Dumper, **_DUMP_OPTIONS)
    comment = ""
    if header:
        comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body

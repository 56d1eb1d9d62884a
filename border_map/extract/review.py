"""A compact table of a draft, for a person to check before ``border-map build``.

One line per incident (number, date and precision, event type, place with kind and
country, actors), one indented line per claim, "claimant (side): figure kind low–high"
(``Zabihullah Mujahid (Taliban spokesman) (AF): “12 soldiers” killed 12``), then the
places the report mentions and the warnings: ambiguous places, dates and places the
report does not give, incidents without a claim. Plain text, fixed width, no colour.
"""

from __future__ import annotations

from collections import Counter

from ..incidents import Claim, Figure

__all__ = ["review_table"]


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _figure(f: Figure) -> str:
    """'“15 to 20 Taliban” killed 15–20': the words, the kind, the numbers low–high."""
    if f.low is not None and f.low == f.high:
        number = f" {f.low}"
    elif f.low is not None and f.high is not None:
        number = f" {f.low}–{f.high}"
    elif f.low is not None:
        number = f" {f.low}–"
    elif f.high is not None:
        number = f" –{f.high}"
    else:
        number = " (no number)"
    return f"“{f.text}” {f.kind}{number}"


def _who(claim: Claim) -> str:
    if claim.claimant and claim.organisation:
        return f"{claim.claimant} ({claim.organisation})"
    return claim.claimant or claim.organisation or "?"


def review_table(draft, *, width: int = 130) -> str:
    """The review table of a :class:`~border_map.extract.Draft` as text."""
    lines = [
        f"border-map extract: {len(draft.incidents)} draft incident(s), article date "
        f"{draft.article_date.isoformat()}" + (f", source {draft.source}" if draft.source else ""),
        "",
        f"{'#':>3}  {'date':<24}{'':<8}{'event':<18}{'place':<40}actors",
    ]
    inferred = False
    for n, inc in enumerate(draft.incidents, start=1):
        precision = inc.date.precision if inc.date.precision != "day" else ""
        if inc.place is not None:
            name = inc.place.name
            shown = next((e.text for e in inc.evidence if e.field == "place" and e.text), None)
            if shown and " ".join(shown.split()) != name and name not in shown:
                name = f"{name} in {' '.join(shown.split())}"  # a village and its container
            place = f"{name} ({inc.place.kind}, {inc.place.country})"
            if any(e.field == "place" and e.note for e in inc.evidence):
                place += " *"
                inferred = True
        else:
            place = "— unlocated"
        actors = ", ".join(inc.actors) or "—"
        lines.append(f"{n:>3}  {inc.date.iso():<24}{precision:<8}{_cut(inc.event_type, 17):<18}"
                     f"{_cut(place, 39):<40}{_cut(actors, max(10, width - 97))}")
        if inc.date.text:
            lines.append(f"       date as written: “{_cut(inc.date.text, width - 30)}”")
        for claim in inc.claims:
            figures = "; ".join(_figure(f) for f in claim.figures) or "no figures"
            status = "" if claim.status == "unverified" else f" [{claim.status}]"
            lines.append("       " + _cut(f"{_who(claim)} ({claim.side}): {figures}{status}",
                                             width - 7))
    located = [p for p in draft.places if p.role == "location"]
    if located:
        counts = Counter((p.place.name, p.place.kind, p.place.country) for p in located)
        lines += ["", "places mentioned: " + ", ".join(
            f"{name} ({kind}, {country})" + (f" ×{n}" if n > 1 else "")
            for (name, kind, country), n in counts.items())]
    warnings = draft.warnings
    if warnings:
        lines += ["", "check first:"] + [f"  - {_cut(w, width - 4)}" for w in warnings]
    if inferred:
        lines += ["", "* place chosen or inferred by a rule: see the note in its evidence"]
    return "\n".join(lines) + "\n"

"""The text of an incident's popup: places, sides, bands, claims and their figures, each field
escaped; the browser builds the popup from the same texts (see :mod:`.map_data`)."""

from __future__ import annotations

import html
import math

from .symbols import SIDE_LABELS


def esc(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def as_text(value) -> str:
    """A string field as text: None/NaN (missing) is ""."""
    return value if isinstance(value, str) else ""


def as_number(value) -> float | None:
    if value is None or isinstance(value, str):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _fmt_km(value) -> str:
    value = as_number(value)
    return "n/a" if value is None else f"{value:,.1f} km"


def safe_url(url) -> str | None:
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def figure_rest(f: dict) -> str:
    """A figure without its kind, as plain text: "70–80 “words” (subject)"."""
    lo, hi = f.get("low"), f.get("high")
    if lo is not None and hi is not None and lo != hi:
        num = f"{lo}–{hi}"
    elif lo is not None:
        num = f"{lo}" if hi is not None else f"≥{lo}"
    elif hi is not None:
        num = f"≤{hi}"
    else:
        num = ""
    words, subject = f.get("text"), f.get("subject")
    return " ".join(
        b for b in (num, f"“{words}”" if words else "", f"({subject})" if subject else "") if b
    )


def kind_label(kind) -> str:
    return (kind or "").replace("_", " ")


def _figure_line(f: dict) -> str:
    """One figure of a claim as plain text: "killed: 70–80 “words” (subject)"."""
    rest = figure_rest(f)
    kind = kind_label(f.get("kind"))
    return (kind + ":" + (" " + rest if rest else "")) if kind else rest


def _figures_lines(figures) -> list[str]:
    return [_figure_line(f) for f in figures or []]


def _spread_lines(claims) -> list[str]:
    """The discrepancy: for each figure kind that more than one side gave, what each said,
    "killed — AF: 0 | PK: ≥70" (kinds in FIGURE_KINDS order, sides in SIDES order)."""
    from ..incidents import FIGURE_KINDS, SIDES

    by_kind: dict = {}
    for c in claims or []:
        side = as_text(c.get("side"))
        for f in c.get("figures") or []:
            by_kind.setdefault(f.get("kind"), {}).setdefault(side, []).append(
                figure_rest(f) or "?"
            )
    kinds = [k for k in FIGURE_KINDS if k in by_kind] + [
        k for k in by_kind if k not in FIGURE_KINDS
    ]
    lines = []
    for kind in kinds:
        by_side = by_kind[kind]
        if len(by_side) < 2:
            continue
        order = [s for s in SIDES if s in by_side] + [s for s in by_side if s not in SIDES]
        lines.append(
            f"{kind_label(kind)} — " + " | ".join(f"{s}: " + "; ".join(by_side[s]) for s in order)
        )
    return lines


def resolved_text(rec: dict) -> str:
    return " · ".join(
        str(x)
        for x in (
            rec.get("place_name"),
            rec.get("place_kind"),
            rec.get("place_admin1"),
            rec.get("country"),
        )
        if as_text(x)
    )


def match_text(rec: dict) -> str:
    match = as_text(rec.get("match"))
    if not match:
        return ""
    score = as_number(rec.get("match_score"))
    return match + (f" {score:.0f}" if score is not None else "")


def claimant_text(claim: dict) -> str:
    return " — ".join(
        x for x in (as_text(claim.get("claimant")), as_text(claim.get("organisation"))) if x
    )


def _bands_of(rec: dict) -> list:
    bc = rec.get("band_certainty")
    if not isinstance(bc, dict):
        return []
    return sorted(((float(k), v) for k, v in bc.items()), key=lambda kv: kv[0])


def side_text(rec: dict) -> str:
    """The side worded by its certainty: "likely Pakistani side" when the location's
    uncertainty reaches the line (it is at least the distance to it)."""
    if (as_number(rec.get("precision_km")) is None
            and as_number(rec.get("distance_to_border_km")) is None):
        return "not located"
    side = as_text(rec.get("side")) or None
    label = SIDE_LABELS.get(side, SIDE_LABELS[None])
    if side is None:
        return label
    d, p = as_number(rec.get("distance_to_border_km")), as_number(rec.get("precision_km"))
    # compare as the map prints them (one decimal), so page and file agree
    if d is not None and p is not None and round(p, 1) >= round(d, 1):
        return "likely " + label
    return label


def band_text(rec: dict) -> str:
    """The band worded by its certainty: "within 10 km: possible"."""
    bands = _bands_of(rec)
    band = as_number(rec.get("band_km"))
    if band is not None:
        c = dict(bands).get(band)
        return f"within {band:g} km" + (f": {c}" if c else "")
    for b, c in bands:
        if c == "possible":
            return f"beyond {bands[-1][0]:g} km (within {b:g} km: possible)"
    return f"beyond {bands[-1][0]:g} km" if bands else "beyond the widest band"


def _band_row(rec: dict) -> str:
    return " · ".join(f"{b:g} km: {c}" for b, c in _bands_of(rec) if c)


# Figure kinds that count people hurt: "killed" and "wounded" are part of "casualties".
CASUALTY_KINDS = ("killed", "wounded", "casualties")


def cross_kind_line(claims) -> str:
    """When sides give casualty figures of different kinds only (one says "killed: ≥70
    fighters", the other "casualties: civilians"), what each said: they may contradict
    each other though no single kind has two sides. "" otherwise."""
    by_side: dict = {}
    for c in claims or []:
        side = as_text(c.get("side"))
        for f in c.get("figures") or []:
            if f.get("kind") in CASUALTY_KINDS:
                by_side.setdefault(side, []).append(f)
    if len(by_side) < 2:
        return ""
    kinds = [{f.get("kind") for f in figs} for figs in by_side.values()]
    if set.intersection(*kinds):
        return ""  # the same kind from two sides: the analysis compares those
    from ..incidents import SIDES

    order = [s for s in SIDES if s in by_side] + [s for s in by_side if s not in SIDES]
    return "casualty figures of different kinds — " + " | ".join(
        f"{s}: " + "; ".join(_figure_line(f) for f in by_side[s]) for s in order
    )


def _headline(rec: dict) -> str:
    return f"{side_text(rec)} — {band_text(rec) if _located_rec(rec) else 'no band'}"


def _located_rec(rec: dict) -> bool:
    return as_number(rec.get("precision_km")) is not None or as_number(
        rec.get("distance_to_border_km")) is not None


def popup_html(rec: dict) -> str:
    """One incident's popup, server-side: every field escaped, every claim side by side,
    side and band worded by their certainty.

    The map builds the same popup in the browser from its data block (so that 100,000
    incidents do not carry 100,000 HTML strings); this one serves the benchmark's
    baseline and the browser test that checks both say the same.
    """
    dtext = as_text(rec.get("date_text"))
    chain = as_number(rec.get("chainage_km"))
    match = match_text(rec)
    located = _located_rec(rec)
    rows = [
        (
            "Date",
            f"{esc(rec.get('date'))} ({esc(rec.get('date_precision'))}"
            + (f", “{esc(dtext)}”" if dtext else "")
            + ")",
        ),
        ("Actors", esc(", ".join(rec.get("actors") or []) or "n/a")),
        ("Place as reported", esc(as_text(rec.get("place")))),
        (
            "Resolved to",
            esc(resolved_text(rec)) + (f" <small>[{esc(match)}]</small>" if match else ""),
        ),
    ]
    if located:
        rows += [
            ("Location uncertainty", "±" + _fmt_km(rec.get("precision_km"))),
            (
                "Distance to line",
                _fmt_km(rec.get("distance_to_border_km")) + f" · {esc(side_text(rec))}",
            ),
            ("Band", esc(_band_row(rec) or band_text(rec))),
            (
                "Sector / chainage",
                (esc(rec.get("sector")) + " · " if as_text(rec.get("sector")) else "")
                + (f"km {chain:,.0f} from the Iran tripoint" if chain is not None else "n/a"),
            ),
        ]
    else:
        rows.append(("Location", esc(as_text(rec.get("location_error")) or "not located")))
    if rec.get("side_conflict") is True:
        rows.append(("Check", "<b>side of the line disagrees with the gazetteer's country</b>"))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    claims = rec.get("claims") or []
    cross = cross_kind_line(claims)
    head = f"<h5>Claims ({len(claims)})"
    if rec.get("conflicting_claims") is True:
        head += ' <span class="bm-conflict">claims contradict each other</span>'
    elif cross:
        head += ' <span class="bm-conflict">claims may contradict each other</span>'
    head += "</h5>"
    spread = _spread_lines(claims) + ([cross] if cross else [])
    if spread:
        head += '<div class="bm-spread">' + "<br>".join(esc(x) for x in spread) + "</div>"
    items = []
    for c in claims:
        src = c.get("source") or {}
        url = safe_url(src.get("url"))
        outlet = esc(as_text(src.get("outlet")) or "source")
        link = (
            f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{outlet}</a>'
            if url
            else outlet
        )
        quote = f" <q>{esc(src.get('quote'))}</q>" if as_text(src.get("quote")) else ""
        figs = "<br>".join(esc(x) for x in _figures_lines(c.get("figures")))
        statement = as_text(c.get("statement"))
        side = esc(c.get("side"))
        date = as_text(c.get("date"))
        items.append(
            f'<li class="bm-claim bm-side-{side}"><div class="bm-claim-who"><b class="bm-tag">'
            f"{side}</b> {esc(claimant_text(c))} "
            f"<span class=\"bm-status\">{esc(c.get('status'))}</span></div>"
            + (f'<div class="bm-claim-figs">{figs}</div>' if figs else "")
            + (f"<div><i>{esc(statement)}</i></div>" if statement else "")
            + '<div class="bm-claim-src">'
            + (f"{esc(date)} · " if date else "")
            + f"{link}{quote}</div></li>"
        )
    claims_html = (
        '<ol class="bm-claims">' + "".join(items) + "</ol>" if items else "<p>No claims recorded.</p>"  # noqa: E501
    )
    desc = f"<p>{esc(rec.get('description'))}</p>" if as_text(rec.get("description")) else ""
    title = (f"{esc(rec.get('event_label') or rec.get('event_type'))} — "
             f"{esc(as_text(rec.get('place')))}")
    return (
        f'<div class="bm-popup" data-incident="{esc(rec.get("id"))}"><h4>{title}</h4>'
        f'<p class="bm-headline">{esc(_headline(rec))}</p>{desc}'
        f'<table class="bm-facts">{body}</table>{head}{claims_html}'
        f'<p class="bm-id">id: {esc(rec.get("id"))}</p></div>'
    )

"""Plain text to paragraphs and sentences with character spans, and the spans of datelines
("QUETTA/ISLAMABAD:") that open a report."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .._records import compact_pickle, positional_maker
from .anchors import scan

__all__ = ["DATELINE", "Sentence", "dateline_spans", "split_sentences"]


# --------------------------------------------------------------------------- sentences


@compact_pickle
@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text == document.text[start:end]``; ``heading`` for a title line."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int
    heading: bool = False


_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "brig", "capt", "cpt", "sgt", "cpl",
    "pvt", "adm", "cmdr", "gov", "sen", "rep", "prof", "st", "no", "nos", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "etc", "approx",
    "govt", "dept", "est", "fig", "inc", "ltd", "co", "corp", "jr", "sr", "rev", "hon", "pres",
    "supt", "insp", "dist", "distt"
})
_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9\u0600-\u06ff])")
#: :data:`_BOUNDARY` run once over the whole text: the white space it looks ahead to stays
#: on the line (as it does when run on each line alone), and as three patterns, one for
#: each first character (``.[.!?]*`` ...): the engine skips from one such character to the
#: next, where a class at the start is tested at every character (see :func:`_boundaries`).
_BOUNDARIES = tuple(
    re.compile(re.escape(first) +
               r"[.!?]*[\"”’')\]]*(?=[^\S\n]+[\"“‘'(\[]?[A-Z0-9\u0600-\u06ff])")
    for first in ".!?")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_TERMINAL = re.compile(r"[.!?:;\"”’)…]\s*$")
_TERMINAL_CHARS = frozenset(".!?:;\"”’)…")


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _is_abbreviation_at(line: str, end: int) -> bool:
    """Whether the word ending at ``line[end]`` is an abbreviation (``_WORD_BEFORE`` of
    ``line[:end]``, read backwards from ``end`` rather than searched for from the start)."""
    start = end
    while start and line[start - 1] in _WORD_CHARS:
        start -= 1
    while start < end and line[start] == ".":
        start += 1
    if start == end:
        return False
    word = line[start:end]
    if len(word) == 1:
        return True  # an initial: "K. Ahmad"
    if "." in word.rstrip("."):
        return True  # U.S, K.P, N.W.F.P
    return word.lower() in _ABBREVIATIONS


def split_sentences(text: str) -> list[Sentence]:
    """Paragraphs are lines; sentences end at ``.!?`` (and closing quotes) before a capital.

    A short line without closing punctuation is a heading, a sentence of its own.
    """
    sentences: list[Sentence] = []
    pos = 0
    paragraph = 0
    # every boundary of the text, in order: those of each line are taken as its turn comes
    boundaries = _boundaries(text)
    b, nb = 0, len(boundaries)
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.rstrip()
        if not stripped:
            continue  # (white space only: no boundary in it)
        # _TERMINAL: the last character before any trailing white space closes a sentence
        heading = stripped[-1] not in _TERMINAL_CHARS and len(line.split()) <= 20
        line_end = pos - 1
        if b == nb or boundaries[b][0] >= line_end:  # one sentence (most lines): the line
            words = stripped.lstrip()
            sentences.append(_make_sentence(
                len(sentences), line_start + len(stripped) - len(words),
                line_start + len(stripped), words, paragraph, heading))
            paragraph += 1
            continue
        start = 0
        while b < nb and boundaries[b][0] < line_end:
            at, end, dot = boundaries[b]
            b += 1
            # (the word before the dot, read back from it, stops at the line's start)
            if dot and _is_abbreviation_at(text, at):
                continue
            end -= line_start
            _add_sentence(sentences, line, line_start, start, end, paragraph, heading)
            start = end
        _add_sentence(sentences, line, line_start, start, len(line), paragraph, heading)
        paragraph += 1
    return sentences


def _boundaries(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, a lone full stop) of each match of ``[.!?]`` + :data:`_BOUNDARIES`
    (what ``finditer`` of the pattern with a class at its start finds): the matches of the
    three patterns in text order, without those that begin inside an earlier one (the end
    of the run of punctuation and quotes that holds them both)."""
    found = sorted(m.span() for first in _BOUNDARIES for m in first.finditer(text))
    out = []
    last = 0
    for start, end in found:
        if start >= last:
            out.append((start, end, end - start == 1 and text[start] == "."))
            last = end
    return out


def _add_sentence(sentences, line, offset, start, end, paragraph, heading) -> None:
    """Append ``line[start:end]`` without its surrounding white space, if anything is left."""
    piece = line[start:end]
    words = piece.strip()
    if words:
        start += len(piece) - len(piece.lstrip())
        sentences.append(_make_sentence(len(sentences), offset + start,
                                        offset + start + len(words), words, paragraph, heading))


_make_sentence = positional_maker(Sentence)


# --------------------------------------------------------------------------- datelines

#: A dateline: "PESHAWAR, Pakistan, March 4 (Wire) -", "Kabul, 15 October 2025 (...) –",
#: "QUETTA:" at the start of a paragraph; several cities "QUETTA/ISLAMABAD/LANDIKOTAL:".
DATELINE = re.compile(
    r"(?m)^(?:\*\*)?[A-Z][A-Za-z'’. -]{1,40}?(?:/[A-Z][A-Za-z'’. -]{1,40}?){0,4}(?:\*\*)?"
    r"(?:,\s*[A-Z][A-Za-z ]{1,30}?)?(?:,\s*(?:\d{1,2}\s+[A-Z][a-z]+\.?(?:\s+\d{4})?|"
    r"[A-Z][a-z]+\.?\s+\d{1,2}(?:,?\s+\d{4})?))?\s*(?:\([^)\n]{1,80}\))?\s*(?:[-–—:])\s")

#: r"[-–—:]\s" as four patterns that each begin with their character: the engine skips
#: from one to the next (a class at the start would be tested at every character)
_DASHES_SPACE = tuple(re.compile(dash + r"(?=\s)") for dash in "-–—:")


def _dashes(text: str) -> list[int]:
    """The offsets of the dashes and colons of ``text`` before white space, sorted."""
    found = [m.start() for dash in _DASHES_SPACE for m in dash.finditer(text)]
    found.sort()
    return found


#: What a line that begins a dateline begins with: its name's letters, spaces, dots,
#: apostrophes, hyphens, slashes and stars, as far as they go (taken whole).
_RUN = r"(?:\*\*)?[A-Z][A-Za-z'’. /*-]*+"
_DATELINE_RUN = re.compile(_RUN)
#: What must follow that run: a comma before a country or date, else (after white space)
#: a parenthesis or the dash or colon.
_NEXT = r",\s*[A-Z\d]|\s*[(\-–—:]"
_DATELINE_NEXT = re.compile(_NEXT)
_DASH_WS = re.compile(r"-\s")
#: :func:`_may_be_dateline` at the start of every line but the first, in one pass: a line
#: break (where the engine skips to), then, looked ahead, the run's characters but the
#: hyphen and hyphens not before white space (taken whole), and then a hyphen before white
#: space (inside the run or right after it) or what follows the run.
_LINE_MAY_BE_DATELINE = re.compile(
    rf"\n(?=(?:\*\*)?[A-Z])(?=(?:[A-Za-z'’. /*]*+-(?!\s))*+[A-Za-z'’. /*]*+(?:-\s|{_NEXT}))")


def _dateline_starts(text: str) -> list[int]:
    """The line starts where :data:`DATELINE` can match ("^", multiline): those that
    :func:`_may_be_dateline` passes, less those too far from the next dash (below).

    A dateline ends with a dash or colon and white space, and only its white space may span
    lines (six runs of it at most, the rest of each part on one line): from a line whose
    next such dash lies more than six lines with words further on, none can match.
    """
    dashes = _dashes(text)
    if not dashes:
        return []
    starts = [0] if _may_be_dateline(text, 0) else []
    starts += [m.end() for m in _LINE_MAY_BE_DATELINE.finditer(text)]
    out = []
    for start in starts:
        i = bisect.bisect_left(dashes, start + 2)  # (a name of two letters at least first)
        if i == len(dashes):
            break
        # the lines from this one to the dash's (not included) with words
        if text.count("\n", start, dashes[i]) > 6 and sum(
                1 for line in text[start:dashes[i]].split("\n")[:-1]
                if line and not line.isspace()) > 6:
            continue
        out.append(start)
    return out


def _may_be_dateline(text: str, start: int) -> bool:
    """Whether :data:`DATELINE` can match at line start ``start`` (False: it cannot).

    Every character of a dateline's names (and of the ``**`` and ``/`` between them) is
    one of :data:`_DATELINE_RUN`'s, and what follows them (a comma, white space, a
    parenthesis, a dash or colon) is not, but for a space or a hyphen: so the names end
    where that run ends, or before a space or hyphen inside it, and then only a hyphen
    with white space after it can follow inside the run. Most lines of a report are
    sentences whose run ends at a comma with a small letter after it, or at a digit, a
    quote or the end of the paragraph: the regular expression, whose lazy names try
    every length up to 40 characters, is not tried there.
    """
    run = _DATELINE_RUN.match(text, start)
    if run is None:
        return False
    end = run.end()
    return (_DATELINE_NEXT.match(text, end) is not None
            or _DASH_WS.search(text, start, end + 1) is not None)


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Spans of datelines: places there say where the story was filed, not what happened."""
    spans: list[tuple[int, int]] = []
    for m in scan(DATELINE, text, _dateline_starts(text)):
        head = m.group(0)
        letters = [c for c in head.split(",")[0].split(":")[0] if c.isalpha()]
        # the first word in capitals, or followed by a date or a parenthesis
        dash = head.rstrip()[-1:] in ("—", "–")
        if letters and (all(c.isupper() for c in letters) or re.search(r"\d|\(", head)
                        or dash and len(head.split()) <= 4):
            spans.append(m.span())
    return spans

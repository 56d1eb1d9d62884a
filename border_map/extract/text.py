"""From a file's bytes to sentences with character spans.

:func:`read_document` strips HTML or Markdown down to plain text (the text every
evidence span indexes), keeps what the markup says about the article (publication date,
outlet, URL, title), and splits the text into paragraphs and sentences. :func:`fold` gives
a copy of the text of the *same length*, casefolded and without diacritics, so a match
found in the folded text has the same span in the original.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .._records import compact_pickle, positional_maker

__all__ = ["FORMATS", "Document", "Sentence", "Spans", "dateline_spans", "detect_format", "fold",
           "read_document", "split_sentences", "strip_markup"]

FORMATS = ("text", "html", "markdown")


# --------------------------------------------------------------------------- records


# --------------------------------------------------------------------------- folding

_FOLD_CACHE: dict[str, str] = {}
#: ``str.translate`` table of every character met so far that folding changes.
_FOLD_TABLE: dict[int, str] = {}
#: Characters whose class changes when folded (a letter becoming an apostrophe, a circled
#: letter becoming a letter), and the dotless i that ``re.IGNORECASE`` equates with ``i``:
#: where they occur, the token index of the folded text may miss a word of the text.
_FOLD_UNSAFE: set[str] = set()


def _fold_char(ch: str) -> str:
    out = _FOLD_CACHE.get(ch)
    if out is None:
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c))
        base = unicodedata.normalize("NFKC", base).casefold()
        if len(base) != 1:
            lower = ch.lower()
            base = lower if len(lower) == 1 else ch
        if base in "’‘ʼʻ´`′":
            base = "'"
        elif base in "‐‑‒–—―":
            base = "-"
        _FOLD_CACHE[ch] = out = base
        if out != ch:
            _FOLD_TABLE[ord(ch)] = out
        if ch.isalnum() != out.isalnum() or ch == "\u0131":
            _FOLD_UNSAFE.add(ch)
        if not ch.isascii() and out.lower() == out and (out.isascii() or _fold_char(out) == out):
            _LOWER_SAFE.add(ch)
    return out


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_BYTES = bytes(range(128))
#: Characters (not ASCII) whose folded form ``out`` is kept by ``str.lower`` and is ASCII
#: or a character that folds to itself: replacing them by ``out`` before lower-casing the
#: text gives the folded text (filled as characters are met, by :func:`_fold_char`).
_LOWER_SAFE: set[str] = set()


def _fold(text: str) -> tuple[str, bool]:
    """:func:`fold` of ``text``, and whether it holds a character of ``_FOLD_UNSAFE``.

    Casefolding ASCII is lower-casing (and the backquote is an apostrophe): ``str.lower``
    does that fast, so only the runs of other characters go through the table.
    """
    if text.isascii():
        folded = text.lower()
        return (folded.replace("`", "'") if "`" in folded else folded), False
    # the characters other than ASCII, without a pass of the regex engine: the UTF-8
    # bytes left once the ASCII ones are dropped (a table lookup a byte)
    chars = set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
                .decode("utf-8", "surrogatepass"))
    for ch in chars:
        if ch not in _FOLD_CACHE:
            _fold_char(ch)
    if _LOWER_SAFE.issuperset(chars):
        # each such character replaced by its folded form, then the whole lower-cased:
        # as folding each run apart, as lower-casing leaves those forms as they are and
        # no form is another character to replace (see _LOWER_SAFE)
        folded = text
        for ch in chars:
            out = _FOLD_CACHE[ch]
            if out != ch:
                folded = folded.replace(ch, out)
        folded = folded.lower()
        if "`" in folded:
            folded = folded.replace("`", "'")
        return folded, not _FOLD_UNSAFE.isdisjoint(chars)
    pieces = []
    others = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        start = m.start()
        pieces.append(text[pos:start].lower())
        run = m.group()
        others.append(run)
        pieces.append(run)
        pos = m.end()
    pieces.append(text[pos:].lower())
    chars = set("".join(others))
    for ch in chars:
        if ch not in _FOLD_CACHE:
            _fold_char(ch)
    for i in range(1, len(pieces), 2):
        pieces[i] = pieces[i].translate(_FOLD_TABLE)
    folded = "".join(pieces)
    if "`" in folded:  # only from the ASCII pieces: no other character folds to a backquote
        folded = folded.replace("`", "'")
    return folded, not _FOLD_UNSAFE.isdisjoint(chars)


def fold(text: str) -> str:
    """Casefolded, diacritic-free copy of ``text`` with exactly the same length.

    Curly apostrophes become ``'`` and dashes ``-``; a character whose folded form would
    change the length (``ß`` -> ``ss``) is only lower-cased, or kept.
    """
    return _fold(text)[0]


# --------------------------------------------------------------------------- markup


_HTML_SIGNAL = re.compile(r"<(?:!doctype\s+html|html|body|p|div|article|br)\b", re.IGNORECASE)
_MARKDOWN_SIGNALS = re.compile(
    r"(?m)^#{1,6} \S|\[[^\]\n]+\]\([^)\s]+\)|\*\*[^*\n]+\*\*|^---\s*$")


def detect_format(raw: str, name: str | None = None) -> str:
    """``html``, ``markdown`` or ``text``: by file suffix, else by a look at the content."""
    suffix = (name or "").lower().rsplit(".", 1)[-1] if name and "." in name else ""
    if suffix in ("html", "htm", "xhtml"):
        return "html"
    if suffix in ("md", "markdown", "mdown", "mkd"):
        return "markdown"
    head = raw[:20000]
    if _HTML_SIGNAL.search(head):
        return "html"
    if suffix in ("txt", "text"):
        return "text"
    signals = len(_MARKDOWN_SIGNALS.findall(head))
    return "markdown" if signals >= 2 else "text"


_BLOCK_TAGS = frozenset({
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "td", "th",
    "table", "article", "section", "blockquote", "header", "figcaption", "figure", "dt", "dd",
    "pre", "hr", "main", "title",
})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "nav", "footer", "aside", "form", "svg",
                        "button", "iframe", "template", "select"})


_SPACES = re.compile(r"\s+")


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False
        self.meta: dict[str, str] = {}

    def updatepos(self, i: int, j: int) -> int:
        # The parser's line and column count (for ``getpos``, unused here): not kept, it
        # costs a fifth of the parse. The parse itself does not depend on it.
        return j

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP_TAGS:
            self.skip += 1
        if tag == "head":
            self.skip += 1
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
                   or "").lower()
            value = attrs.get("content", "").strip()
            if value:
                if key in ("article:published_time", "date", "pubdate", "publishdate",
                           "dc.date", "datepublished", "og:published_time"):
                    self.meta.setdefault("date", value)
                elif key in ("og:site_name", "application-name"):
                    self.meta.setdefault("source", value)
                elif key == "og:url":
                    self.meta.setdefault("url", value)
        elif tag == "link" and attrs.get("rel", "").lower() == "canonical" and attrs.get("href"):
            self.meta.setdefault("url", attrs["href"])
        elif tag == "time" and attrs.get("datetime"):
            self.meta.setdefault("date", attrs["datetime"])
        if tag in _BLOCK_TAGS and not self.skip:
            self.parts.append("\n" if tag == "br" else "\n\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIP_TAGS or tag == "head":
            self.skip -= 1

    def handle_endtag(self, tag):
        if (tag in _SKIP_TAGS or tag == "head") and self.skip:
            self.skip -= 1
        if tag == "title":
            self.in_title = False
        if tag in _BLOCK_TAGS and not self.skip:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self.in_title:
            self.meta.setdefault("title", " ".join(data.split()))
        if not self.skip:
            self.parts.append(_SPACES.sub(" ", data))


def _strip_html(raw: str) -> tuple[str, dict[str, str]]:
    parser = _HTMLText()
    parser.feed(raw)
    parser.close()
    return "".join(parser.parts), parser.meta


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
_MD_RULES = (  # (pattern, replacement, strings one of which a match needs, or a pattern)
    (re.compile(r"(?ms)^(```|~~~).*?^\1[ \t]*$"), "", ("```", "~~~")),  # fenced code
    (re.compile(r"<!--.*?-->", re.DOTALL), "", ("<!--",)),              # comments
    (re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)"), "", ("![",)),           # images
    (re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1", ("](",)),         # inline links
    (re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1", ("][",)),        # reference links
    (re.compile(r"(?m)^\s{0,3}\[[^\]\n]+\]:\s+\S+.*$"), "", ("]:",)),    # link definitions
    (re.compile(r"<https?://[^>\s]+>"), "", ("<http",)),                 # autolinks
    (re.compile(r"</?[A-Za-z][^>\n]*>"), "", ("<",)),                    # inline html tags
    (re.compile(r"(?m)^\s{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$"), r"\n\1\n", ("#",)),  # ATX headings
    (re.compile(r"(?m)^(.+)\n[=-]{3,}[ \t]*$"), r"\n\1\n",  # setext headings
     re.compile(r"\n[=-]{3}")),
    (re.compile(r"(?m)^\s{0,3}(?:[-*_][ \t]*){3,}$"), "",  # rules
     re.compile(r"[-*_][ \t]*[-*_][ \t]*[-*_]")),
    (re.compile(r"(?m)^\s{0,3}>[ \t]?"), "", (">",)),                    # block quotes
    (re.compile(r"(?m)^\s{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+"), "", None),  # list markers
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2", ("**", "__")),  # strong
    # emphasis: r"(?<![\w*])\*(?=\S)...", the look back after the star (the same, but the
    # engine can then look for stars rather than try every position)
    (re.compile(r"\*(?<![\w*]\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1", ("*",)),
    (re.compile(r"_(?<![\w_]_)(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1", ("_",)),
    (re.compile(r"`([^`\n]+)`"), r"\1", ("`",)),                        # inline code
    (re.compile(r"(?m)^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$"), "", ("|",)),  # table rules
    (re.compile(r"\s*\|\s*"), "  ", ("|",)),                              # table cells
)


def _strip_markdown(raw: str) -> tuple[str, dict[str, str]]:
    meta: dict[str, str] = {}
    m = _FRONT_MATTER.match(raw)
    if m:
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            value = value.strip().strip("'\"")
            if sep and value:
                key = key.strip().lower()
                if key in ("date", "published", "pubdate"):
                    meta.setdefault("date", value)
                elif key in ("source", "outlet", "publisher", "site"):
                    meta.setdefault("source", value)
                elif key in ("url", "link", "canonical"):
                    meta.setdefault("url", value)
                elif key == "title":
                    meta.setdefault("title", value)
        raw = raw[m.end():]
    text = raw
    for pattern, repl, needs in _MD_RULES:
        if needs is None or (needs.search(text) if isinstance(needs, re.Pattern)
                             else any(n in text for n in needs)):
            text = pattern.sub(repl, text)
    return html.unescape(text), meta


def _tidy(text: str) -> str:
    """One paragraph per line, single spaces, no blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line:
            out.append(line)
    return "\n".join(out) + ("\n" if out else "")


def strip_markup(raw: str, fmt: str = "text") -> tuple[str, dict[str, str]]:
    """Plain text of ``raw`` (one paragraph per line) and the article metadata found.

    Plain text is returned unchanged (newlines normalised), so evidence spans index the
    file itself; HTML and Markdown become one paragraph per line with single spaces.

    Metadata keys: ``date``, ``source``, ``url``, ``title`` (HTML meta tags, Markdown
    front matter); absent keys were not found.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "html":
        text, meta = _strip_html(raw)
    elif fmt == "markdown":
        text, meta = _strip_markdown(raw)
    else:  # plain text is kept as it is, so spans also index the file itself
        return raw.replace("\r\n", "\n").replace("\r", "\n"), {}
    return _tidy(text), meta


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
#: on the line (as it does when run on each line alone), and the first character is a
#: class of its own (``[.!?][.!?]*`` rather than ``[.!?]+``), so the engine skips to it.
_BOUNDARIES = re.compile(r"[.!?][.!?]*[\"”’')\]]*(?=[^\S\n]+[\"“‘'(\[]?[A-Z0-9\u0600-\u06ff])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_TERMINAL = re.compile(r"[.!?:;\"”’)…]\s*$")
_TERMINAL_CHARS = frozenset(".!?:;\"”’)…")


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _is_abbreviation(before: str) -> bool:
    return _is_abbreviation_at(before, len(before))


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
    boundaries = [(m.start(), m.end(), m.end() - m.start() == 1 and text[m.start()] == ".")
                  for m in _BOUNDARIES.finditer(text)]
    b, nb = 0, len(boundaries)
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.rstrip()
        if not stripped:
            continue  # (white space only: no boundary in it)
        # _TERMINAL: the last character before any trailing white space closes a sentence
        heading = stripped[-1] not in _TERMINAL_CHARS and len(line.split()) <= 20
        start = 0
        line_end = pos - 1
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

_DASH_SPACE = re.compile(r"[-–—:]\s")


def _dateline_starts(text: str) -> list[int]:
    """The line starts where :data:`DATELINE` can match ("^", multiline).

    A dateline ends with a dash or colon and white space, and only its white space may span
    lines (six runs of it at most, the rest of each part on one line): from a line whose
    next such dash lies more than six lines with words further on, none can match.
    """
    dashes = [m.start() for m in _DASH_SPACE.finditer(text)]
    if not dashes:
        return []
    starts: list[int] = []  # start of each line
    words_before: list[int] = []  # the lines with words before each line
    pos = count = 0
    for line in text.split("\n"):
        starts.append(pos)
        words_before.append(count)
        if line and not line.isspace():
            count += 1
        pos += len(line) + 1
    out = []
    for k, start in enumerate(starts):
        i = bisect.bisect_left(dashes, start + 2)  # (a name of two letters at least first)
        if i == len(dashes):
            break
        dash_line = bisect.bisect_right(starts, dashes[i]) - 1
        if words_before[dash_line] - words_before[k] <= 6:
            out.append(start)
    return out


#: What a line that begins a dateline begins with: its name's letters, spaces, dots,
#: apostrophes, hyphens, slashes and stars, as far as they go (taken whole).
_DATELINE_RUN = re.compile(r"(?:\*\*)?[A-Z][A-Za-z'’. /*-]*+")
#: What must follow that run: a comma before a country or date, else (after white space)
#: a parenthesis or the dash or colon.
_DATELINE_NEXT = re.compile(r",\s*[A-Z\d]|\s*[(\-–—:]")
_DASH_WS = re.compile(r"-\s")


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
    starts = [s for s in _dateline_starts(text) if _may_be_dateline(text, s)]
    for m in scan(DATELINE, text, starts):
        head = m.group(0)
        letters = [c for c in head.split(",")[0].split(":")[0] if c.isalpha()]
        # the first word in capitals, or followed by a date or a parenthesis
        dash = head.rstrip()[-1:] in ("—", "–")
        if letters and (all(c.isupper() for c in letters) or re.search(r"\d|\(", head)
                        or dash and len(head.split()) <= 4):
            spans.append(m.span())
    return spans


# --------------------------------------------------------------------------- spans


class Spans:
    """Non-overlapping character spans, kept sorted: overlap and containment in O(log n)."""

    def __init__(self, spans=()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in sorted(spans):
            if not self.overlaps(start, end):
                self.add(start, end)

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)  # spans starting before ``end``
        return i > 0 and self._ends[i - 1] > start

    def contains(self, pos: int) -> bool:
        i = bisect.bisect_right(self._starts, pos)
        return i > 0 and self._ends[i - 1] > pos

    def __bool__(self) -> bool:
        return bool(self._starts)


# --------------------------------------------------------------------------- token index
#
# Most rules are regular expressions that begin with one of a few words (r"\bsaid\b",
# r"\b(?:killed|wounded)"). Run over a whole document, each costs a pass of the regular
# expression engine, which tries every position: sixty of them cost far more than finding
# the places. Instead every rule names the words its matches can begin with (an *anchor
# group*, :func:`anchor_group`), one pass over the folded text finds every token that begins
# with an anchor of any group (:meth:`Document.anchors`), and a rule is tried only where a
# token of its group begins (:func:`scan`, :meth:`Document.scan`): the same matches as
# ``pattern.finditer``, for a fraction of the work. The anchors of a group must hold every
# word a match can begin with: a word left out is a match lost.

#: When true, every scan is checked against the plain ``pattern.finditer`` / ``search``
#: (AssertionError on a difference): for tests of the anchors, never for real work.
CHECK_SCANS = False


def _check(pattern: re.Pattern, got, expected) -> None:
    got = [m.span() for m in ([got] if isinstance(got, re.Match) else got or ())]
    expected = [m.span() for m in ([expected] if isinstance(expected, re.Match)
                                   else expected or ())]
    if got != expected:
        raise AssertionError(f"anchored scan of {pattern.pattern[:60]!r} found {got}, "
                             f"the pattern itself {expected}: an anchor is missing")


def skipped(pattern: re.Pattern, string: str, start: int = 0, end: int | None = None) -> None:
    """A rule left out of a document (or of ``string[start:end]``) for lacking a word it
    needs (with :data:`CHECK_SCANS`: checked to find nothing there indeed)."""
    if CHECK_SCANS:
        _check(pattern, (), pattern.finditer(string, start, len(string) if end is None else end))


#: Anchor groups: name -> (prefixes, whole words, whether a token beginning with a digit is in,
#: lead words and their followers).
_ANCHOR_GROUPS: dict[str, tuple] = {}
_LEXICON: tuple | None = None
_NOT_ALNUM = r"(?![^\W_])"


def anchor_group(name: str, prefixes=(), words=(), *, digits: bool = False,
                 leads: dict[str, tuple[str, ...]] | None = None) -> str:
    """Register the anchor group ``name`` and return the name.

    A token (a run of letters and digits of the folded text) belongs to the group when it
    begins with one of ``prefixes``, is one of ``words``, or (``digits``) begins with a
    digit (``\\d``, any script). Anchors are folded letters. A rule scanned with the group
    must begin every match with such a token.

    ``leads`` are words that begin a match only before certain others ("the" in "the
    Pakistani military"): word -> the beginnings of the token that must follow it after
    white space or hyphens ("#": a digit). A frequent word is then found only where it can
    begin a match of some group (for a group that wants it alone, everywhere).
    """
    global _LEXICON
    prefixes, words = tuple(sorted(set(prefixes))), tuple(sorted(set(words) - set(prefixes)))
    lead_items = tuple(sorted((w, tuple(sorted(set(f)))) for w, f in (leads or {}).items()))
    for anchor in (*prefixes, *words, *(w for w, _ in lead_items),
                   *(f for _, fs in lead_items for f in fs if f != "#")):
        if not anchor.isalpha() or anchor != fold(anchor):
            raise ValueError(f"anchor {anchor!r} of group {name!r}: folded letters only")
    entry = (prefixes, words, digits, lead_items)
    if _ANCHOR_GROUPS.get(name) != entry:
        _ANCHOR_GROUPS[name] = entry
        _LEXICON = None
    return name


def _lexicon() -> tuple[re.Pattern, dict[str, tuple[int, ...]], tuple[int, ...], tuple[str, ...]]:
    """The compiled pass over every anchor: its regex, the groups (numbers) of each anchor
    it can return (an anchor found means that every shorter prefix anchor of it holds too),
    the groups of the tokens that begin with a digit (returned as that digit), and the
    names of the groups by number."""
    global _LEXICON
    if _LEXICON is None:
        prefix_groups: dict[str, set[str]] = {}
        word_groups: dict[str, set[str]] = {}
        digit_groups: set[str] = set()
        lead_groups: dict[str, set[str]] = {}
        followers: dict[str, set[str]] = {}
        for name, (prefixes, words, digits, leads) in _ANCHOR_GROUPS.items():
            if digits:
                digit_groups.add(name)
            for a in prefixes:
                prefix_groups.setdefault(a, set()).add(name)
            for w in words:
                word_groups.setdefault(w, set()).add(name)
            for w, follow in leads:
                lead_groups.setdefault(w, set()).add(name)
                followers.setdefault(w, set()).update(follow)
        for w in list(lead_groups):  # wanted alone by some group: found everywhere
            if w in word_groups or any(w.startswith(a) for a in prefix_groups):
                word_groups.setdefault(w, set()).update(lead_groups.pop(w))
                del followers[w]
        trie: dict = {}
        for anchor, end in [*((a, "") for a in prefix_groups), *((w, "$") for w in word_groups),
                            *((w, "$+") for w in lead_groups)]:
            node = trie
            for ch in anchor:
                node = node.setdefault(ch, {})
            node[end] = followers[anchor] if end == "$+" else {}
        names = tuple(sorted(_ANCHOR_GROUPS))
        slot = {name: i for i, name in enumerate(names)}
        groups: dict[str, tuple[int, ...]] = {}
        for hit in {*prefix_groups, *word_groups, *lead_groups}:
            found = set(word_groups.get(hit, ())) | lead_groups.get(hit, set())
            for k in range(1, len(hit) + 1):
                found |= prefix_groups.get(hit[:k], set())
            groups[hit] = tuple(sorted(slot[name] for name in found))
        body = _anchor_trie(trie)
        if digit_groups:  # a token beginning with a digit is returned as that digit
            body = rf"(?:\d|{body})" if body else r"\d"
        regex = re.compile(r"(?<![^\W_])" + body)
        _LEXICON = (regex, groups, tuple(sorted(slot[name] for name in digit_groups)), names)
    return _LEXICON


def _follower_regex(follow: set[str]) -> str:
    """What must come after a lead word: white space or hyphens, then one of ``follow``."""
    trie: dict = {}
    for f in follow - {"#"}:
        node = trie
        for ch in f:
            node = node.setdefault(ch, {})
        node[""] = {}
    body = _anchor_trie(trie)
    if "#" in follow:
        body = rf"\d|{body}" if body else r"\d"
    return rf"{_NOT_ALNUM}(?=[\s\-]+(?:{body}))"


#: Letters in the order English words most often begin with them: the branches of the
#: anchor trie are tried in this order (they exclude each other: only the speed changes).
_FIRST_LETTERS = {ch: i for i, ch in enumerate("tasopfiwcbmrnhdklegvujqyzx")}


def _anchor_trie(node: dict) -> str:
    chars = sorted((ch for ch in node if ch not in ("", "$", "$+")),
                   key=lambda ch: (_FIRST_LETTERS.get(ch, 99), ch))
    alternatives = [re.escape(ch) + _anchor_trie(node[ch]) for ch in chars]
    if "$" in node and "" not in node:
        alternatives.append(_NOT_ALNUM)  # a whole word: no letter or digit follows
    elif "$+" in node and "" not in node:
        alternatives.append(_follower_regex(node["$+"]))  # a lead word before a follower
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if "" in node else body


def scan(pattern: re.Pattern, string: str, starts: list[int], pos: int = 0,
         endpos: int | None = None) -> Iterator[re.Match]:
    """``pattern.finditer(string, pos, endpos)``, trying a match only at ``starts``.

    ``starts`` is sorted and holds every offset where a match of ``pattern`` can begin:
    then the matches are the same (the leftmost match after the end of the last one), as
    ``pattern.match`` sees what lies before ``pos`` and stops at ``endpos`` as a search does.
    """
    end = len(string) if endpos is None else endpos
    if CHECK_SCANS:
        found = list(_scan(pattern, string, starts, pos, end))
        _check(pattern, found, pattern.finditer(string, pos, end))
        yield from found
        return
    yield from _scan(pattern, string, starts, pos, end)


def _scan(pattern: re.Pattern, string: str, starts: list[int], pos: int,
          end: int) -> Iterator[re.Match]:
    last = pos
    match = pattern.match
    for i in range(bisect.bisect_left(starts, pos), len(starts)):
        p = starts[i]
        if p >= end:
            break
        if p < last:
            continue
        m = match(string, p, end)
        if m is not None:
            last = m.end()
            if last == p:
                raise ValueError(f"empty match of {pattern.pattern[:40]!r}: not for scan()")
            yield m


# --------------------------------------------------------------------------- document


@dataclass
class Document:
    """The plain text of a report, its sentences and what its markup said about it."""

    text: str
    format: str = "text"
    meta: dict[str, str] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)
    _folded: str | None = field(default=None, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    _datelines: Spans | None = field(default=None, repr=False)
    _fold_unsafe: bool | None = field(default=None, repr=False, compare=False)
    _anchor_map: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)
    _anchor_lexicon: tuple | None = field(default=None, repr=False, compare=False)
    _anchor_sentences: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sentences:
            self.sentences = split_sentences(self.text)
        self._starts = [s.start for s in self.sentences]

    def __reduce__(self):
        # pickled as the text, its markup's metadata and the sentence spans: the folded
        # text and the token index are rebuilt when asked for (drafts travel back from
        # the workers of extract_many; these caches were two thirds of their bytes)
        return _document, (self.text, self.format, self.meta,
                           [(s.start, s.end, s.paragraph, s.heading) for s in self.sentences])

    @property
    def folded(self) -> str:
        """:func:`fold` of the text (same length, same offsets)."""
        if self._folded is None:
            self._folded, self._fold_unsafe = _fold(self.text)
        return self._folded

    @property
    def datelines(self) -> Spans:
        """Datelines ("PESHAWAR, March 4 (Wire) -"): where the story was filed."""
        if self._datelines is None:
            self._datelines = Spans(dateline_spans(self.text))
        return self._datelines

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence containing character ``offset``, if any."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0:
            s = self.sentences[i]  # begins at or before ``offset``
            if offset < s.end:
                return s
        return None

    # ------------------------------------------------------------------ token index

    def _unsafe(self) -> bool:
        """Whether a word of the text may not begin a token of the folded text."""
        if self._fold_unsafe is None:
            self._fold_unsafe = _fold(self.text)[1]
        return self._fold_unsafe

    def anchors(self, group: str) -> list[int]:
        """Offsets (sorted) of the tokens of the folded text in anchor group ``group``."""
        found = self._anchor_map.get(group)
        if found is None:
            if self._anchor_lexicon is not _LEXICON or _LEXICON is None:
                self._index_anchors()  # the first call, or groups added since
                found = self._anchor_map.get(group)
            if found is None:
                raise KeyError(f"no anchor group {group!r}")
        return found

    def _index_anchors(self) -> None:
        """One pass over the folded text: the offsets of the tokens of every anchor group."""
        lexicon = regex, groups, digit_groups, names = _lexicon()
        # the offsets of each token, then each token's offsets added to each of its groups
        # (a token is in two or three groups on average: one append per token found)
        by_token: defaultdict[str, list[int]] = defaultdict(list)
        for m in regex.finditer(self.folded):
            by_token[m.group()].append(m.start())
        lists: list[list[int]] = [[] for _ in names]
        for token, offsets in by_token.items():
            for g in groups.get(token, digit_groups):  # a digit is not a key of ``groups``
                lists[g] += offsets
        for offsets in lists:
            offsets.sort()  # (sorted runs, one per token: merged)
        self._anchor_map = dict(zip(names, lists, strict=True))
        self._anchor_lexicon = lexicon
        self._anchor_sentences = {}

    def anchor_sentences(self, group: str) -> frozenset[int]:
        """Indices of the sentences holding a token of anchor group ``group``."""
        found = self._anchor_sentences.get(group)
        if found is None:  # (a token between two sentences is in neither)
            sentences, indices = self.sentences, set()
            n, k = len(sentences), 0
            for p in self.anchors(group):
                while k < n and sentences[k].end <= p:
                    k += 1
                if k == n:
                    break
                if sentences[k].start <= p:
                    indices.add(sentences[k].index)
            found = self._anchor_sentences[group] = frozenset(indices)
        return found

    def scan(self, pattern: re.Pattern, group: str, start: int = 0, end: int | None = None, *,
             original: bool = False) -> Iterable[re.Match]:
        """``pattern.finditer`` over the folded text (``original``: the text itself) from
        ``start`` to ``end``, tried only where a token of anchor group ``group`` begins:
        every match of ``pattern`` must begin with such a token (see :func:`scan`)."""
        if CHECK_SCANS:
            found = list(self._scan(pattern, group, start, end, original))
            string = self.text if original else self.folded
            _check(pattern, found,
                   pattern.finditer(string, start, len(string) if end is None else end))
            return found
        return self._scan(pattern, group, start, end, original)

    def _scan(self, pattern: re.Pattern, group: str, start: int, end: int | None,
              original: bool) -> Iterable[re.Match]:
        starts = self._anchor_map.get(group)
        if starts is None:
            starts = self.anchors(group)
        if original:
            string = self.text
            if self._unsafe():  # a word of the text may not begin a token: every position
                return pattern.finditer(string, start, len(string) if end is None else end)
        else:
            string = self._folded if self._folded is not None else self.folded
        if end is None:
            end = len(string)
        i = bisect.bisect_left(starts, start)
        j = bisect.bisect_left(starts, end, i)
        if j - i < 2:
            m = pattern.match(string, starts[i], end) if i < j else None
            if m is None:
                return ()
            if m.end() == m.start():
                raise ValueError("an empty match: a pattern that can match nothing is not "
                                 "for scan()")
            return (m,)
        # a match tried at every start (a loop in C), then those that begin inside an
        # earlier match dropped: what trying the starts one after the other would find
        found = list(filter(None, map(pattern.match, itertools.repeat(string, j - i),
                                      starts[i:j], itertools.repeat(end, j - i))))
        if len(found) < 2:
            return found
        kept = []
        last = start
        for m in found:
            if m.start() >= last:
                kept.append(m)
                last = m.end()
                if last == m.start():
                    raise ValueError("an empty match: a pattern that can match nothing is not "
                                     "for scan()")
        return kept

    def scan_sentences(self, pattern: re.Pattern,
                       group: str) -> Iterator[tuple[Sentence, re.Match]]:
        """``pattern.finditer(folded, sentence.start, sentence.end)`` for every sentence in
        turn, as (sentence, match), tried only where a token of anchor group ``group``
        begins (see :meth:`scan`)."""
        if CHECK_SCANS:
            found = list(self._scan_sentences(pattern, group))
            _check(pattern, [m for _, m in found],
                   [m for s in self.sentences for m in pattern.finditer(self.folded, s.start,
                                                                        s.end)])
            return iter(found)
        return self._scan_sentences(pattern, group)

    def _scan_sentences(self, pattern: re.Pattern,
                        group: str) -> Iterator[tuple[Sentence, re.Match]]:
        folded, sentences = self.folded, self.sentences
        if not sentences:
            return
        match = pattern.match
        i, n = 0, len(sentences)
        sentence = sentences[0]
        last = sentence.start
        for p in self.anchors(group):
            if sentence.end <= p:
                while i < n and sentences[i].end <= p:
                    i += 1
                if i == n:
                    break
                sentence = sentences[i]
                last = sentence.start
            if p < last:  # before the sentence, or inside the last match
                continue
            m = match(folded, p, sentence.end)
            if m is not None:
                last = m.end()
                if last == p:
                    raise ValueError(f"empty match of {pattern.pattern[:40]!r}: not for scan()")
                yield sentence, m

    def search(self, pattern: re.Pattern, group: str, start: int = 0, end: int | None = None,
               *, original: bool = False) -> re.Match | None:
        """``pattern.search``, the first match of :meth:`scan`."""
        if CHECK_SCANS:
            found = self._search(pattern, group, start, end, original)
            string = self.text if original else self.folded
            _check(pattern, found,
                   pattern.search(string, start, len(string) if end is None else end))
            return found
        return self._search(pattern, group, start, end, original)

    def _search(self, pattern: re.Pattern, group: str, start: int, end: int | None,
                original: bool) -> re.Match | None:
        starts = self._anchor_map.get(group)
        if starts is None:
            starts = self.anchors(group)
        if original:
            string = self.text
            if self._unsafe():
                return pattern.search(string, start, len(string) if end is None else end)
        else:
            string = self._folded if self._folded is not None else self.folded
        if end is None:
            end = len(string)
        match = pattern.match
        for i in range(bisect.bisect_left(starts, start), len(starts)):
            p = starts[i]
            if p >= end:
                break
            m = match(string, p, end)
            if m is not None:
                return m
        return None


def _document(text: str, fmt: str, meta: dict[str, str],
              spans: list[tuple[int, int, int, bool]]) -> Document:
    """The :class:`Document` that ``Document.__reduce__`` describes."""
    sentences = [_make_sentence(i, start, end, text[start:end], paragraph, heading)
                 for i, (start, end, paragraph, heading) in enumerate(spans)]
    return Document(text, fmt, meta, sentences)


def read_document(raw: str, *, name: str | None = None, fmt: str | None = None) -> Document:
    """A :class:`Document` from raw text, HTML or Markdown (``fmt`` None: detect)."""
    raw = raw.removeprefix("\ufeff")
    fmt = fmt or detect_format(raw, name)
    text, meta = strip_markup(raw, fmt)
    return Document(text, fmt, meta)

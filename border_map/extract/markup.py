"""From a file's raw text to plain text: HTML and Markdown stripped (what the markup says about
the article kept: publication date, outlet, URL, title), and :func:`fold`, a copy of a text of
the *same length*, casefolded and without diacritics, so a match found in the folded text has
the same span in the original."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

__all__ = ["FORMATS", "detect_format", "fold", "strip_markup"]

FORMATS = ("text", "html", "markdown")


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

"""From a file's bytes to a :class:`Document`: its sentences with character spans, and the
index the rules search it by.

:func:`read_document` strips HTML or Markdown down to plain text (:mod:`.markup`: the text
every evidence span indexes, and what the markup says about the article), and splits it into
paragraphs and sentences (:mod:`.sentences`). This module keeps the spans, the token index
of the rules' anchors and the :class:`Document`; it re-exports the names of the other two.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import anchors as _anchors
from .markup import FORMATS, _fold, detect_format, fold, strip_markup
from .sentences import Sentence, _make_sentence, dateline_spans, split_sentences

__all__ = ["FORMATS", "Document", "Sentence", "Spans", "dateline_spans", "detect_format", "fold",
           "read_document", "split_sentences", "strip_markup"]



# --------------------------------------------------------------------------- spans


class Spans:
    """Non-overlapping character spans, kept sorted: overlap and containment in O(log n)."""

    def __init__(self, spans=()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        starts, ends = self._starts, self._ends
        for start, end in sorted(spans):
            # (in order: a span that begins after the last kept one overlaps a kept span
            # only if it overlaps that one, and goes after it; empty ones the long way)
            if start < end and (not starts or start > starts[-1]):
                if not ends or ends[-1] <= start:
                    starts.append(start)
                    ends.append(end)
            elif not self.overlaps(start, end):
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
    _ends: list[int] = field(default_factory=list, repr=False, compare=False)
    _datelines: Spans | None = field(default=None, repr=False)
    _fold_unsafe: bool | None = field(default=None, repr=False, compare=False)
    _anchor_map: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)
    _anchor_lexicon: tuple | None = field(default=None, repr=False, compare=False)
    _anchor_sentences: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sentences:
            self.sentences = split_sentences(self.text)
        self._starts = [s.start for s in self.sentences]
        self._ends = [s.end for s in self.sentences]

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
            if self._anchor_lexicon is not _anchors._LEXICON or _anchors._LEXICON is None:
                self._index_anchors()  # the first call, or groups added since
                found = self._anchor_map.get(group)
            if found is None:
                raise KeyError(f"no anchor group {group!r}")
        return found

    def _index_anchors(self) -> None:
        """One pass over the folded text: the offsets of the tokens of every anchor group."""
        lexicon = _anchors._lexicon()
        regex, groups, names = lexicon[0], lexicon[1], lexicon[3]
        # the offsets of each token, then each token's offsets added to each of its groups
        # (a token is in two or three groups on average: one append per token found); a
        # lead word comes with the beginning of the token after it (``lastindex``)
        by_token: defaultdict[str | tuple[str, str], list[int]] = defaultdict(list)
        for m in regex.finditer(self.folded):
            k = m.lastindex
            by_token[m.group() if k is None else (m.group(), m.group(k))].append(m.start())
        lists: list[list[int]] = [[] for _ in names]
        token_groups = _anchors.token_groups
        for token, offsets in by_token.items():
            found = groups.get(token)
            for g in found if found is not None else token_groups(lexicon, token):
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
        if _anchors.CHECK_SCANS:
            found = list(self._scan(pattern, group, start, end, original))
            string = self.text if original else self.folded
            _anchors._check(pattern, found,
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
        found = self._scan_sentences(pattern, group)
        if _anchors.CHECK_SCANS:
            _anchors._check(pattern, [m for _, m in found],
                   [m for s in self.sentences for m in pattern.finditer(self.folded, s.start,
                                                                        s.end)])
        return iter(found)

    def _scan_sentences(self, pattern: re.Pattern,
                        group: str) -> list[tuple[Sentence, re.Match]]:
        # the pattern tried at every token of the group up to the end of the sentence
        # holding it, in one loop in C; only the matches looked at one by one
        anchors = self._anchor_map.get(group)
        if anchors is None:
            anchors = self.anchors(group)
        sentences, folded, ends = self.sentences, self.folded, self._ends
        n = len(anchors)
        # the end of each token's sentence: the first that ends after it (the end of the
        # text for a token after the last sentence: its match is dropped below)
        until = map([*ends, len(folded)].__getitem__,
                    map(bisect.bisect_right, itertools.repeat(ends, n), anchors))
        found = []
        last = 0  # the end of the last match kept
        for m in filter(None, map(pattern.match, itertools.repeat(folded, n), anchors, until)):
            p = m.start()
            if p < last:
                continue  # inside the last match
            k = bisect.bisect_right(ends, p)
            if k == len(sentences) or sentences[k].start > p:
                continue  # between sentences
            last = m.end()
            if last == p:
                raise ValueError(f"empty match of {pattern.pattern[:40]!r}: not for scan()")
            found.append((sentences[k], m))
        return found

    def search(self, pattern: re.Pattern, group: str, start: int = 0, end: int | None = None,
               *, original: bool = False) -> re.Match | None:
        """``pattern.search``, the first match of :meth:`scan`."""
        if _anchors.CHECK_SCANS:
            found = self._search(pattern, group, start, end, original)
            string = self.text if original else self.folded
            _anchors._check(pattern, found,
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
        i = bisect.bisect_left(starts, start)
        j = bisect.bisect_left(starts, end, i)
        if i == j:
            return None
        if j - i == 1:
            return pattern.match(string, starts[i], end)
        return _anchors.first_match(pattern, string, starts[i:j], end)


def occurrences(text: str, names: Iterable[str]) -> list[int]:
    """Sorted offsets of every occurrence of each of ``names`` in ``text`` (overlapping ones
    too): where a pattern that begins with one of them can match (found by ``str.find``, far
    faster than the regex engine's try at each position of a long report)."""
    starts: list[int] = []
    for n in names:
        at = text.find(n)
        while at >= 0:
            starts.append(at)
            at = text.find(n, at + 1)
    starts.sort()
    return starts


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

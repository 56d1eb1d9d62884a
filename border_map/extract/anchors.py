"""The rules' anchors: the words each rule's matches can begin with, one index of them per
document, and :func:`scan`, which tries a rule only where one of its words begins (see the
comment below)."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator

from .markup import fold

__all__ = ["CHECK_SCANS", "anchor_group", "first_match", "scan", "skipped"]


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
    white space or hyphens ("#": a digit). A frequent word is then in the group only where
    it can begin one of the group's matches, whatever other groups want of it.
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


def _lexicon() -> tuple[re.Pattern, dict, tuple[int, ...], tuple[str, ...], dict]:
    """The compiled pass over every anchor: its regex, the groups (numbers) of each anchor
    it can return (an anchor found means that every shorter prefix anchor of it holds too;
    see :func:`token_groups`), the groups of the tokens that begin with a digit (returned
    as that digit), the names of the groups by number, and the groups of each lead word
    with their followers.

    A lead word is matched with the beginning of the token after it, in a capturing group
    of its own (the match's ``lastindex``): the followers of every group are looked ahead
    for at once, then told apart by :func:`token_groups`, so that a group gets the word
    only before one of its own followers (even where another group wants it alone)."""
    global _LEXICON
    if _LEXICON is None:
        prefix_groups: dict[str, set[str]] = {}
        word_groups: dict[str, set[str]] = {}
        digit_groups: set[str] = set()
        followers: dict[str, set[str]] = {}
        names = tuple(sorted(_ANCHOR_GROUPS))
        slot = {name: i for i, name in enumerate(names)}
        # lead word -> (group number, its followers) for each group that wants it so
        leads: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for name, (prefixes, words, digits, group_leads) in _ANCHOR_GROUPS.items():
            if digits:
                digit_groups.add(name)
            for a in prefixes:
                prefix_groups.setdefault(a, set()).add(name)
            for w in words:
                word_groups.setdefault(w, set()).add(name)
            for w, follow in group_leads:
                leads.setdefault(w, []).append((slot[name], follow))
                followers.setdefault(w, set()).update(follow)
        trie: dict = {}
        for anchor, end in [*((a, "") for a in prefix_groups), *((w, "$") for w in word_groups),
                            *((w, "$+") for w in leads)]:
            node = trie
            for ch in anchor:
                node = node.setdefault(ch, {})
            node[end] = followers[anchor] if end == "$+" else {}
        groups: dict = {}  # anchor -> group numbers (and (lead word, follower) when met)
        for hit in {*prefix_groups, *word_groups, *leads}:
            found = set(word_groups.get(hit, ()))
            for k in range(1, len(hit) + 1):
                found |= prefix_groups.get(hit[:k], set())
            groups[hit] = tuple(sorted(slot[name] for name in found))
        body = _anchor_trie(trie)
        if digit_groups:  # a token beginning with a digit is returned as that digit
            body = rf"(?:\d|{body})" if body else r"\d"
        regex = re.compile(r"(?<![^\W_])" + body)
        _LEXICON = (regex, groups, tuple(sorted(slot[name] for name in digit_groups)), names,
                    leads)
    return _LEXICON


def token_groups(lexicon: tuple, key: str | tuple[str, str]) -> tuple[int, ...]:
    """The group numbers of a token the lexicon's regex returned: ``key`` is the anchor it
    matched, or (lead word, the beginning of the token after it) for a lead word."""
    groups = lexicon[1]
    found = groups.get(key)
    if found is None:
        if key.__class__ is str:  # a digit
            return lexicon[2]
        word, follower = key
        wanted = {g for g, follow in lexicon[4][word]
                  if any(follower[:1].isdigit() if f == "#" else follower.startswith(f)
                         for f in follow)}
        found = groups[key] = tuple(sorted(wanted.union(groups[word])))
    return found


def _follower_regex(follow: set[str]) -> str:
    """What must come after a lead word: white space or hyphens, then one of ``follow``
    (the beginning of that token captured: see :func:`token_groups`)."""
    trie: dict = {}
    for f in follow - {"#"}:
        node = trie
        for ch in f:
            node = node.setdefault(ch, {})
        node[""] = {}
    body = _anchor_trie(trie)
    if "#" in follow:
        body = rf"\d|{body}" if body else r"\d"
    return rf"{_NOT_ALNUM}(?=[\s\-]+({body}))"


#: Letters in the order English words most often begin with them: the branches of the
#: anchor trie are tried in this order (they exclude each other: only the speed changes).
_FIRST_LETTERS = {ch: i for i, ch in enumerate("tasopfiwcbmrnhdklegvujqyzx")}


def _anchor_trie(node: dict) -> str:
    chars = sorted((ch for ch in node if ch not in ("", "$", "$+")),
                   key=lambda ch: (_FIRST_LETTERS.get(ch, 99), ch))
    alternatives = [re.escape(ch) + _anchor_trie(node[ch]) for ch in chars]
    if "$+" in node:  # a lead word before a follower (else, if a word or prefix, alone)
        alternatives.append(_follower_regex(node["$+"]))
    if "$" in node and "" not in node:
        alternatives.append(_NOT_ALNUM)  # a whole word: no letter or digit follows
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"(?:{body})?" if "" in node else body


def first_match(pattern: re.Pattern, string: str, starts: Iterable[int],
                end: int | None = None) -> re.Match | None:
    """The first match of ``pattern`` at one of ``starts`` (in order), each tried as
    ``pattern.match(string, start, end)``, one after the other in C: ``pattern.search``
    when ``starts`` holds every offset where a match can begin."""
    ends = itertools.repeat(len(string) if end is None else end)
    return next(filter(None, map(pattern.match, itertools.repeat(string), starts, ends)), None)


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

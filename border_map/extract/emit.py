"""The YAML text of a draft file, written directly: the same characters as PyYAML's emitter.

``yaml.dump`` spends most of a draft's time building a node per value and asking the
resolver about each; libyaml only speeds up the last step. A draft is a small, fixed kind
of document (mappings of short keys, lists, strings, integers, booleans; flow mappings
for the small ones; shared claims as anchors), so :func:`dump` walks it once and writes
what PyYAML's :class:`yaml.emitter.Emitter` writes for it, with the options of
:mod:`.output` (block style, indent 2, width 100, unicode allowed, keys in order): the
same indentation, the same choice between plain and single-quoted scalars, the same
line folding, the same anchor numbering.

It declines (returns None) whatever it does not write the same way, and the caller
falls back to PyYAML: strings with line breaks or characters PyYAML writes double-quoted
(control characters, tabs), floats, other types, keys that are not short plain words.
The tests hold it to PyYAML's text on the evaluation texts and on generated documents.
"""

from __future__ import annotations

import re

from yaml.resolver import Resolver

__all__ = ["dump"]

_WIDTH = 100
_INDENT = 2

#: Characters PyYAML writes only double-quoted (not printable, or a BOM), and line breaks
#: (multi-line scalars): a string with one is not written here.
_DECLINED = re.compile("[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010fffe]"
                       "|[\ufeff\u2028\u2029]")
#: After the first character: what bars a plain scalar in flow context (any flow indicator,
#: ':', a '#' after a space) and in block context (': ', ':' at the end, ' #').
_FLOW_INSIDE = re.compile(r"[,?\[\]{}:]| #")
_BLOCK_INSIDE = re.compile(r": |:\Z| #")
_FIRST_BOTH = frozenset("#,[]{}&*!|>'\"%@`")
#: A key written as PyYAML writes it: a plain word, no indicator.
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

#: The implicit resolvers of PyYAML's SafeDumper by first character: a plain scalar they
#: match would read back as another type (int, bool, null, timestamp...): it is quoted.
_RESOLVERS = {first: [regexp for _, regexp in entries]
              for first, entries in Resolver.yaml_implicit_resolvers.items()}
_ANY_FIRST = _RESOLVERS.get(None, [])


class _Declined(Exception):
    """A value this writer does not write as PyYAML does."""


def _reads_as_other_type(value: str) -> bool:
    for regexp in _RESOLVERS.get(value[0] if value else "", ()):
        if regexp.match(value):
            return True
    return any(regexp.match(value) for regexp in _ANY_FIRST)


def _plain_allowed(value: str, flow: bool) -> bool:
    """Whether PyYAML writes the string ``value`` plain (in flow or block context); the
    string has no declined character (see :data:`_DECLINED`)."""
    if not value or value[0] == " " or value[-1] == " " or _reads_as_other_type(value):
        return False
    first = value[0]
    if value.startswith(("---", "...")) or first in _FIRST_BOTH:
        return False
    alone = len(value) == 1 or value[1] == " "  # the first character followed by white space
    if first == "-" and alone:
        return False
    if flow:
        return first not in "?:" and _FLOW_INSIDE.search(value, 1) is None
    if first in "?:" and alone:
        return False
    return _BLOCK_INSIDE.search(value, 1) is None


class _Writer:
    """The state of PyYAML's emitter that the output depends on, and its writers."""

    def __init__(self, anchors: dict[int, str]):
        self.out: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent: int | None = None
        self.indents: list[int | None] = []
        self.flow_level = 0
        self.anchors = anchors  # id of a shared mapping -> its anchor
        self.written: set[int] = set()
        self.styles: dict[tuple[str, bool], tuple[str, bool]] = {}
        self.keys: dict[str, str] = {}

    # -- the emitter's primitives

    def indicator(self, text: str, need_whitespace: bool, whitespace: bool = False,
                  indention: bool = False) -> None:
        if not self.whitespace and need_whitespace:
            text = " " + text
        self.whitespace = whitespace
        self.indention = self.indention and indention
        self.column += len(text)
        self.out.append(text)

    def write_indent(self) -> None:
        indent = self.indent or 0
        if (not self.indention or self.column > indent
                or (self.column == indent and not self.whitespace)):
            self.out.append("\n")
            self.whitespace = self.indention = True
            self.column = 0
        if self.column < indent:
            self.whitespace = True
            self.out.append(" " * (indent - self.column))
            self.column = indent

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        self.indents.append(self.indent)
        if self.indent is None:
            self.indent = _INDENT if flow else 0
        elif not indentless:
            self.indent += _INDENT

    # -- scalars

    def styled(self, value, flow: bool) -> tuple[str, bool]:
        """``value`` written as a scalar (single-quoted, quotes doubled, unless plain) and
        whether it is plain; _Declined for what PyYAML would write otherwise."""
        kind = type(value)
        if kind is str:
            key = (value, flow)
            found = self.styles.get(key)
            if found is None:
                # (isprintable: every character is one YAML prints, and none is a break)
                if not value.isprintable() and _DECLINED.search(value):
                    raise _Declined(value)
                if _plain_allowed(value, flow):
                    found = (value, True)
                else:
                    found = ("'" + value.replace("'", "''") + "'", False)
                self.styles[key] = found
            return found
        if kind is bool:
            return ("true" if value else "false"), True
        if kind is int:
            return str(value), True
        if value is None:
            return "null", True
        raise _Declined(value)

    def scalar(self, value) -> None:
        """A scalar that is not a key (its lines may be folded)."""
        text, plain = self.styled(value, self.flow_level > 0)
        if not self.whitespace:
            text = " " + text
        column = self.column + len(text)
        if column <= _WIDTH:  # (no space to break at past the width)
            self.out.append(text)
            self.column = column
        else:
            self.increase_indent(flow=True)
            self._folded(text, plain)
            self.indent = self.indents.pop()
        self.whitespace = self.indention = False

    def _folded(self, text: str, plain: bool) -> None:
        """``text`` (with its leading space and quotes, if any) broken at single spaces once
        past the width, as the emitter's write_plain and write_single_quoted do: never at the
        ends of the scalar, never in a run of spaces. (They test each space; here the first
        space past the width is found, then checked.)"""
        first = (1 if text[0] == " " else 0) + (0 if plain else 1)  # where the scalar begins
        last = len(text) if plain else len(text) - 1  # where it ends
        start = 0  # where the line being written begins
        low = max(first + 1, _WIDTH - self.column + 1)  # a space here is past the width
        while True:
            space = text.find(" ", low, last)
            if space < 0 or space + 1 >= last:
                break
            if text[space - 1] == " " or text[space + 1] == " ":  # a run: skip it
                low = space + 1
                while low < last and text[low] == " ":
                    low += 1
                continue
            self.out.append(text[start:space])
            self.column += space - start
            self.write_indent()
            start = space + 1
            low = max(first + 1, start + _WIDTH - self.column + 1)
        self.out.append(text[start:])
        self.column += len(text) - start

    # -- collections

    def node(self, value, mapping_context: bool = False) -> None:
        kind = type(value)
        if kind is list:
            if not value or self.flow_level:
                self.flow_sequence(value)
            else:
                self.block_sequence(value, mapping_context)
        elif isinstance(value, dict):
            anchor = self.anchors.get(id(value)) if self.anchors else None
            if anchor is not None:
                if id(value) in self.written:
                    self.indicator("*" + anchor, True)
                    return
                self.written.add(id(value))
                self.indicator("&" + anchor, True)
            if not value or self.flow_level or kind is not dict:  # (_Flow: a flow mapping)
                self.flow_mapping(value)
            else:
                self.block_mapping(value)
        else:
            self.scalar(value)

    def flow_sequence(self, value: list) -> None:
        if value:
            raise _Declined(value)  # (drafts have none but empty ones)
        self.indicator("[", True, whitespace=True)
        self.indicator("]", False)

    def block_sequence(self, value: list, mapping_context: bool) -> None:
        self.increase_indent(indentless=mapping_context and not self.indention)
        for item in value:
            self.write_indent()
            self.indicator("-", True, indention=True)
            self.node(item)
        self.indent = self.indents.pop()

    def key(self, key) -> None:
        """A mapping's key and its ':' (a simple key: never folded)."""
        text = self.keys.get(key) or self._key(key)
        if not self.whitespace:
            text = " " + text
        self.out.append(text)
        self.column += len(text)
        self.whitespace = self.indention = False

    def _key(self, key) -> str:
        if type(key) is not str or not _PLAIN_KEY.match(key) or _reads_as_other_type(key):
            raise _Declined(key)
        text = self.keys[key] = key + ":"
        return text

    def block_mapping(self, value: dict) -> None:
        self.increase_indent()
        for key, item in value.items():
            self.write_indent()
            self.key(key)
            self.node(item, True)
        self.indent = self.indents.pop()

    def flow_mapping(self, value: dict) -> None:
        self.indicator("{", True, whitespace=True)
        self.flow_level += 1
        self.increase_indent(flow=True)
        first = True
        for key, item in value.items():
            if not first:
                self.indicator(",", False)
            first = False
            if self.column > _WIDTH:
                self.write_indent()
            self.key(key)
            if type(item) is str or type(item) is int:  # (what flow mappings hold)
                self.scalar(item)
            else:
                self.node(item, True)
        self.indent = self.indents.pop()
        self.flow_level -= 1
        self.indicator("}", False)


def _anchors(doc, shared) -> dict[int, str]:
    """Anchors of the mappings that occur more than once and that ``shared`` accepts,
    numbered as PyYAML numbers them: in the order in which each is met a second time."""
    seen: set[int] = set()
    anchors: dict[int, str] = {}

    def visit(value) -> None:  # (a mapping or a list)
        if type(value) is list:
            items = value
        else:
            if shared(value):
                key = id(value)
                if key in seen:
                    if key not in anchors:
                        anchors[key] = f"claim-{len(anchors) + 1}"
                    return
                seen.add(key)
            items = value.values()
        for item in items:
            if type(item) is list or isinstance(item, dict):
                visit(item)

    visit(doc)
    return anchors


def dump(doc: dict, shared) -> str | None:
    """The YAML text of ``doc`` as ``yaml.dump(doc, sort_keys=False, allow_unicode=True,
    width=100, default_flow_style=False)`` writes it with a dumper whose
    ``ignore_aliases`` is ``not shared(value)`` and whose anchors are claim-1, claim-2...;
    mappings of a ``dict`` subclass are written in flow style. None when declined."""
    writer = _Writer(_anchors(doc, shared))
    try:
        writer.node(doc)
    except _Declined:
        return None
    writer.write_indent()  # (the end of the document: its last line is ended)
    return "".join(writer.out)

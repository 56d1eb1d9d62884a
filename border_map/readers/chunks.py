"""Text inputs cut into blocks of whole records, so that no file is ever read whole.

:func:`text_blocks` yields ``(text, first_line)`` pieces of a delimited file: each piece ends
at a record boundary -- a line break outside double quotes, found by quote parity, so a
quoted value spanning lines is never cut -- and every piece after the first starts with the
header line again, so each parses on its own. ``first_line`` is the file line the piece's
first data record would have if the piece were the whole file: the readers add
:func:`line_offset` to every line they report, so errors name the real line.

Compressed inputs (``.zip`` with one member, ``.gz``) are streamed through their
decompressor; UTF-16 text, which cannot be cut at a byte, is decoded whole (under the size
limit of :mod:`border_map.limits` where present).
"""

from __future__ import annotations

import codecs
import contextvars
import gzip
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import DataError, shown
from ..limits import check_member
from .encoding import decode

#: Bytes per block (about 10k ACLED or GDELT rows): large enough for pandas' C parser to run at
#: speed, small enough to bound memory whatever the input size (about 0.5 GB at the peak).
BLOCK_BYTES = 4 * 2**20

_OFFSET: contextvars.ContextVar[int] = contextvars.ContextVar("line_offset", default=0)


def line_offset() -> int:
    """Lines to add to every line number found in the current block."""
    return _OFFSET.get()


@contextmanager
def offset_lines(n: int):
    token = _OFFSET.set(n)
    try:
        yield
    finally:
        _OFFSET.reset(token)


def open_binary(path: str | os.PathLike) -> tuple[object, str, int | None]:
    """A binary file object with the (decompressed) bytes of ``path``, its display name (one
    line, escaped) and a zip member's uncompressed size (None for other files).

    A zip archive must hold exactly one file (GDELT ships ``*.export.CSV.zip``); the member's
    size is checked against the input limit before a byte is decompressed.
    """
    name = shown(os.fspath(path))
    fh = open(path, "rb")  # noqa: SIM115 - handed to the caller
    head = fh.read(4)
    fh.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(fh)
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise DataError(
                    f"a zip archive must hold exactly one file, this one holds {len(members)}",
                    location=name)
            member = f"{name}!{shown(members[0].filename)}"
            check_member(members[0], member)  # before reading: a zip bomb is refused here
            return archive.open(members[0]), member, members[0].file_size
        except zipfile.BadZipFile as err:
            fh.close()
            raise DataError(f"damaged zip archive ({err})", location=name) from err
    if head.startswith(b"\x1f\x8b"):
        return gzip.open(fh), name, None
    return fh, name, None


def _is_utf16(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                        codecs.BOM_UTF32_BE)):
        return True
    return b"\x00" in head[:4096]


def _cut(buf: bytes, quoted: bool, parity: int) -> int:
    """End (exclusive) of the last whole record in ``buf``: after a line break outside quotes.

    ``parity`` is the number of quote characters before ``buf`` (mod 2). Returns 0 when no
    record ends in ``buf``.
    """
    end = len(buf)
    while True:
        nl = buf.rfind(b"\n", 0, end)
        if nl < 0:
            return 0
        if not quoted or (parity + buf.count(b'"', 0, nl)) % 2 == 0:
            return nl + 1
        end = nl


_LOCATED = re.compile(r"^(?P<name>.*):(?P<line>\d+)$")


def _shift(err: DataError, lines: int) -> DataError:
    """``err`` with the line of its location moved down by ``lines``."""
    m = _LOCATED.match(err.location or "")
    if not m or not lines:
        return err
    return DataError(err.message, location=f"{m['name']}:{int(m['line']) + lines}",
                     field=err.field)


def max_record_bytes() -> int:
    """Longest record read: 8 fields at the longest text field (``BORDER_MAP_MAX_FIELD_MB``,
    model_checks.py), at least a block. A 1 GiB cell is refused after reading this much."""
    from ..model_checks import max_field_chars

    return max(8 * max_field_chars(), BLOCK_BYTES)


def pieces(fh, *, quoted: bool = True, block_bytes: int = BLOCK_BYTES,
           name: str = "input") -> Iterator[tuple[bytes, int]]:
    """``(piece, lines_before)``: the bytes of ``fh`` cut after whole records."""
    limit = max_record_bytes()
    buf = b""
    lines_before = 0
    parity = 0
    eof = False
    while True:
        if not eof and len(buf) < block_bytes:
            more = fh.read(block_bytes)
            if more:
                buf += more
                continue
            eof = True
        if not buf:
            return
        cut = len(buf) if eof else _cut(buf, quoted, parity)
        if cut == 0:  # one record longer than a block: read on, up to the limit
            if len(buf) > limit:
                from ..model_checks import ENV_MAX_FIELD_MB

                raise DataError(
                    f"a record longer than {limit / 1e6:g} MB (a huge cell, or a quote never "
                    f"closed): raise the limit with --max-field-mb (or {ENV_MAX_FIELD_MB})",
                    location=f"{name}:{lines_before + 1}")
            more = fh.read(block_bytes)
            if not more:
                eof = True
            buf += more
            continue
        piece, buf = buf[:cut], buf[cut:]
        yield piece, lines_before
        lines_before += piece.count(b"\n")
        if quoted:
            parity = (parity + piece.count(b'"')) % 2


def decode_piece(piece: bytes, name: str, lines_before: int, header_text: str | None,
                 ) -> tuple[str, int, list[str]]:
    """``(text, line_offset, warnings)`` of one piece, with the header line put back on top."""
    try:
        text, warnings = decode(piece, name)
    except DataError as err:
        raise _shift(err, lines_before) from None
    if lines_before == 0 or header_text is None:
        return text, lines_before, warnings
    return header_text + "\n" + text, lines_before - 1, warnings


def text_blocks(path: str | os.PathLike, *, header: bool = True, quoted: bool = True,
                block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[str, int, list[str], str]]:
    """``(text, line_offset, warnings, name)`` per block of a delimited file (see the module
    docstring). ``header``: the first line is a header, repeated at the top of each block."""
    fh, name, _ = open_binary(path)
    with fh:
        head = fh.read(4096)
        if _is_utf16(head):
            text, warnings = decode(head + fh.read(), name)
            yield text, 0, warnings, name
            return
        header_text = None
        for piece, lines_before in pieces(_Prefixed(head, fh), quoted=quoted,
                                          block_bytes=block_bytes, name=name):
            text, offset, warnings = decode_piece(piece, name, lines_before, header_text)
            if lines_before == 0 and header:
                header_text = text.partition("\n")[0].rstrip("\r")
            elif not text.strip():
                continue
            yield text, offset, warnings, name


class _Prefixed:
    """A file object whose first bytes were already read (put back in front)."""

    def __init__(self, head: bytes, fh):
        self._head, self._fh = head, fh

    def read(self, n: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            if n < 0:
                return out + self._fh.read()
            return out + self._fh.read(max(0, n - len(out)))
        return self._fh.read(n)


def plan_ranges(path: str | os.PathLike, *, quoted: bool = True,
                block_bytes: int = BLOCK_BYTES) -> list[tuple[int, int, int]]:
    """``(offset, length, lines_before)`` of each block of an uncompressed UTF-8 file, cut
    exactly as :func:`text_blocks` cuts it (so any process can read any block)."""
    out = []
    offset = 0
    with open(path, "rb") as fh:
        for piece, lines_before in pieces(fh, quoted=quoted, block_bytes=block_bytes,
                                          name=os.fspath(path)):
            out.append((offset, len(piece), lines_before))
            offset += len(piece)
    return out


def read_range(path: str | os.PathLike, offset: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(length)


def first_line(path: str | os.PathLike) -> str:
    fh, name, _ = open_binary(path)
    with fh:
        raw = fh.readline(1 << 20)
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")


def splittable(path: str | os.PathLike) -> bool:
    """An uncompressed, non-UTF-16 file: blocks can be read independently."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return not (head.startswith((b"PK\x03\x04", b"\x1f\x8b")) or _is_utf16(head))


def file_size(path: str | os.PathLike) -> int:
    return Path(path).stat().st_size

"""Bytes to text for every reader: UTF-8 (with or without BOM), UTF-16, cp1252 with a warning.

Sources arrive in whatever their last editor saved: UTF-8 from exports, UTF-16 from Excel's
"Unicode text", Windows-1252 from an older Excel in Western Europe. :func:`decode` tries,
in order: a byte-order mark (UTF-8, UTF-16 LE/BE); BOM-less UTF-16 (ASCII text with every
other byte NUL); strict UTF-8; then cp1252, with a warning, when no valid UTF-8 multi-byte
sequence is present. A file with both (UTF-8 "é" on one line, cp1252 "é" on another) is
*mixed*: it is refused, since no single decoding reads it right. NUL bytes otherwise mean a
binary file.
"""

from __future__ import annotations

import codecs
import re

from ..errors import DataError

__all__ = ["decode"]

# A valid UTF-8 multi-byte sequence (RFC 3629): its presence in a file that is not valid
# UTF-8 as a whole means two encodings are mixed.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the head looks like BOM-less UTF-16 text, else None."""
    head = raw[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    even_nul, odd_nul = even.count(0), odd.count(0)
    # ASCII-heavy UTF-16: one byte of each pair is NUL, the other almost never is
    if odd_nul > 0.6 * len(odd) and even_nul < 0.05 * len(even):
        return "utf-16-le"
    if even_nul > 0.6 * len(even) and odd_nul < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode_utf16(raw: bytes, encoding: str, name: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        raise DataError(
            f"not valid UTF-16 (byte offset {err.start}: {err.reason})", location=name
        ) from err


def decode(raw: bytes, name: str) -> tuple[str, list[str]]:
    """``(text, warnings)``: ``raw`` decoded, without a byte-order mark.

    Raises :class:`DataError` located at ``name:line`` for binary data, mixed encodings
    and bytes that neither UTF-8 nor cp1252 can read.
    """
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), []
        except UnicodeDecodeError as err:
            line = _line_of(raw, err.start + 3)
            raise DataError(
                f"starts with a UTF-8 byte-order mark but is not UTF-8 (byte "
                f"0x{raw[err.start + 3]:02x} at line {line}); save the file as UTF-8",
                location=f"{name}:{line}",
            ) from err
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise DataError("UTF-32 text is not supported; save the file as UTF-8", location=name)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(raw, "utf-16", name).removeprefix("\ufeff"), []
    nul = raw.find(b"\x00")
    if nul >= 0:
        encoding = _utf16_without_bom(raw)
        if encoding is not None:
            return _decode_utf16(raw, encoding, name), []
        line = _line_of(raw, nul)
        raise DataError(
            f"binary file (NUL byte at line {line}), not a text incident file",
            location=f"{name}:{line}",
        )
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        bad_at = err.start
    bad_line = _line_of(raw, bad_at)
    utf8 = _UTF8_MULTIBYTE.search(raw)
    if utf8 is not None:
        raise DataError(
            f"mixed encodings: UTF-8 text at line {_line_of(raw, utf8.start())} but byte "
            f"0x{raw[bad_at]:02x} at line {bad_line} is not UTF-8; save the whole file as UTF-8",
            location=f"{name}:{bad_line}",
        )
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as err:
        line = _line_of(raw, err.start)
        raise DataError(
            f"neither UTF-8 nor Windows-1252 text (byte 0x{raw[err.start]:02x} at line {line}); "
            "save the file as UTF-8",
            location=f"{name}:{line}",
        ) from err
    return text, [
        f"{name}:{bad_line}: not UTF-8 (byte 0x{raw[bad_at]:02x}); read as Windows-1252 "
        "(cp1252): check accented names, and save the file as UTF-8"
    ]

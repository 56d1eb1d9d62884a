"""One error hierarchy for border-map.

Every error the library raises on purpose derives from :class:`BorderMapError`.
Subclasses also derive from the matching builtin, so ``except LookupError`` or
``except ValueError`` in user code keeps working (the geopy pattern).
The CLI turns these into one line on stderr and a non-zero exit; nothing here
knows about click.
"""

from __future__ import annotations

import errno as _errno
import os
import unicodedata


class BorderMapError(Exception):
    """Root of every error raised by border-map."""


class DataError(BorderMapError, ValueError):
    """Bad input data: names the file, row or field where possible.

    ``location`` is a short "file:line" or "file row N" string, ``field`` the
    offending field; ``str(err)`` is a complete one-line message.
    """

    def __init__(self, message: str, *, location: str | None = None, field: str | None = None):
        # names come from users (file, zip member, column names): escaped so that one error is
        # one line and no terminal escape passes (see shown()).
        location = shown(location) if location is not None else None
        field = shown(field) if field is not None else None
        message = shown(message)
        self.location = location
        self.field = field
        self.message = message
        parts = []
        if location:
            parts.append(location)
        if field:
            parts.append(f"field '{field}'")
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class GeodataError(BorderMapError, OSError):
    """The shipped geodata is missing or unreadable (a broken install)."""


class PlaceError(BorderMapError, LookupError):
    """Base of the gazetteer's lookup failures."""

    def __init__(self, query: str, candidates=(), message: str | None = None):
        self.query = query
        self.candidates = list(candidates)
        super().__init__(shown(message or self._default_message()))

    def _default_message(self) -> str:  # pragma: no cover - overridden
        return self.query


class PlaceNotFound(PlaceError):
    """No gazetteer entry matches; ``candidates`` holds the closest names."""

    def _default_message(self) -> str:
        msg = f"unknown place '{self.query}'"
        if self.candidates:
            names = ", ".join(_describe(c) for c in self.candidates[:5])
            msg += f"; did you mean: {names}?"
        return msg


class AmbiguousPlace(PlaceError, ValueError):
    """Several entries match equally well; ``candidates`` lists them."""

    def _default_message(self) -> str:
        names = "; ".join(_describe(c) for c in self.candidates[:8])
        return (
            f"ambiguous place '{self.query}': {len(self.candidates)} candidates ({names}); "
            "add a country, kind or admin hint"
        )


class OutOfRegionError(DataError):
    """Coordinates that cannot be in the Afghanistan-Pakistan border region."""


class OnlineGeocodingError(BorderMapError, RuntimeError):
    """The opt-in online geocoder failed (network, rate limit, refusal)."""


def _describe(candidate) -> str:
    """A short human label for a candidate (a gazetteer Place or a plain string)."""
    if isinstance(candidate, str):
        return candidate
    place = getattr(candidate, "place", candidate)
    bits = [getattr(place, "name", str(place))]
    kind = getattr(place, "kind", None)
    country = getattr(place, "country", None)
    admin1 = getattr(place, "admin1", None)
    detail = ", ".join(x for x in (kind, admin1, country) if x)
    if detail:
        bits.append(f"({detail})")
    return " ".join(bits)


class OutputError(BorderMapError, OSError):
    """An output could not be written; ``str(err)`` is "cannot write PATH: reason".

    ``path`` is the output the user asked for, never the hidden temporary file.
    """

    def __init__(self, message: str, *, path=None, errno: int | None = None):
        super().__init__(message)
        self.path = path
        self.errno = errno

    def __str__(self) -> str:
        return self.args[0]


# --------------------------------------------------------------------------- names shown

def _escape_char(ch: str) -> str:
    code = ord(ch)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in named:
        return named[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _unsafe(ch: str) -> bool:
    # Cc: C0/C1 controls (NUL, ESC of ANSI sequences, newlines); Zl/Zp: line and paragraph
    # separators; Cf: format characters such as the bidirectional overrides (U+202E).
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d"


def shown(name) -> str:
    """A user-supplied name (file, zip member, field, value) safe to print in one line.

    Control characters, newlines, line separators and format characters (ANSI escapes,
    bidirectional overrides) are written as Python escapes (``\\n``, ``\\x1b``, ``\\u202e``),
    the rest is left as it is (Pashto, Urdu, accents). Backslashes are kept as they are, so
    that escaping twice changes nothing.
    """
    text = os.fsdecode(name) if isinstance(name, (bytes, os.PathLike)) else str(name)
    if text.isprintable():
        return text
    return "".join(_escape_char(ch) if _unsafe(ch) else ch for ch in text)


# --------------------------------------------------------------------------- output faults

_REASONS = {
    _errno.ENOSPC: "disk full (no space left on the device)",
    _errno.EDQUOT: "disk quota exceeded (disk full for this user)",
    _errno.EROFS: "read-only file system",
    _errno.EACCES: "permission denied",
    _errno.EPERM: "permission denied",
    _errno.ELOOP: "symbolic link loop",
    _errno.EISDIR: "it is a folder",
    _errno.ENAMETOOLONG: "name too long",
    _errno.EFBIG: "file too large for the file system",
    _errno.EIO: "input/output error (a failing disk?)",
}


def output_error(err: OSError, path) -> str:
    """One line "cannot write PATH: reason" for an OSError met while writing output ``path``.

    Disk full, read-only file system, permission denied, not a directory (naming the part
    of the path that is a file), a symbolic link loop and a dangling symbolic link are said
    as such; the path named is ``path`` (the output), not a hidden temporary file.
    """
    target = os.fspath(path)
    code = getattr(err, "errno", None)
    reason = _REASONS.get(code) if code is not None else None
    if code == _errno.ENOTDIR:
        blocker = _first_file(target)
        reason = (f"{shown(blocker)} is a file, not a folder" if blocker
                  else "a part of the path is not a folder")
    elif code in (_errno.EEXIST, _errno.ENOENT) or reason is None:
        dangling = _dangling_link(target)
        if dangling is not None:
            link, dest = dangling
            reason = f"{shown(link)} is a dangling symbolic link (to {shown(dest)})"
        elif code == _errno.EEXIST:
            reason = f"{shown(err.filename or target)} exists and is not a folder"
        elif code == _errno.ENOENT:
            reason = "no such folder"
    if reason is None:
        reason = (err.strerror or str(err) or type(err).__name__).lower()
    return f"cannot write {shown(target)}: {reason}"


def os_error_line(err: OSError) -> str:
    """One line for an OSError that reached the command line unannounced."""
    if isinstance(err, BorderMapError):
        return shown(err)
    reason = _REASONS.get(getattr(err, "errno", None)) or (err.strerror or str(err)).lower()
    if err.filename is not None:
        return f"{shown(err.filename)}: {reason}"
    if getattr(err, "errno", None) in (_errno.ENOSPC, _errno.EDQUOT, _errno.EFBIG, _errno.EROFS):
        return f"cannot write the output: {reason}"  # e.g. stdout on a full disk
    return shown(reason)


def _first_file(target: str) -> str | None:
    """The first existing ancestor of ``target`` that is not a folder."""
    parts = []
    head = os.path.dirname(target)
    while head and head not in parts:
        parts.append(head)
        head = os.path.dirname(head)
    for candidate in reversed(parts):
        if os.path.lexists(candidate) and not os.path.isdir(candidate):
            return candidate
    return None


def _dangling_link(target: str) -> tuple[str, str] | None:
    """(link, destination) of a dangling symbolic link on the way to ``target``, if any."""
    candidates = [target]
    head = os.path.dirname(target)
    while head and head not in candidates:
        candidates.append(head)
        head = os.path.dirname(head)
    for candidate in reversed(candidates):
        if os.path.islink(candidate) and not os.path.exists(candidate):
            try:
                return candidate, os.readlink(candidate)
            except OSError:
                return candidate, "?"
    return None

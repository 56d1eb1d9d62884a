"""Size limits on inputs read whole into memory, checked before anything is read.

A file or a zip member is read into memory whole (and then decoded, so it takes two to
four times its size): a 6 MB zip holding a 6 GiB member, or a 1 GB YAML file, would end
in a MemoryError after minutes. These checks look at the size the file system (or the
zip's directory) gives, before reading a byte, and refuse in one line naming the limit
and how to raise it:

* :data:`MAX_INPUT_MB` (``BORDER_MAP_MAX_INPUT_MB``): any input file or zip member;
* :data:`MAX_IMPORT_PLACES` (``BORDER_MAP_MAX_IMPORT_PLACES``): rows of a gazetteer CSV
  import, whose places every later command loads into memory (about 2 KB each; a GeoNames
  dump is not limited: its places stay on disk and are looked up there);
* the native YAML/JSON/GeoJSON limit (``max_native_mb`` of ``read_source``, 64 MB), now
  checked on the file's size before it is decoded (:func:`check_native_size`).
"""

from __future__ import annotations

import os
import zipfile

from .errors import DataError

__all__ = ["ENV_MAX_IMPORT_PLACES", "ENV_MAX_INPUT_MB", "MAX_IMPORT_PLACES", "MAX_INPUT_MB",
           "check_import_rows", "check_input_size", "check_member", "check_native_size",
           "max_input_mb"]

#: Default limit, in MB (10^6 bytes), of a file or zip member read whole.
MAX_INPUT_MB = 2000
ENV_MAX_INPUT_MB = "BORDER_MAP_MAX_INPUT_MB"


def max_input_mb() -> float:
    """The limit in MB: ``$BORDER_MAP_MAX_INPUT_MB`` if set (a positive number), else the
    default. A bad value is an error, not a silent default."""
    text = os.environ.get(ENV_MAX_INPUT_MB, "").strip()
    if not text:
        return float(MAX_INPUT_MB)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise DataError(f"{ENV_MAX_INPUT_MB}={text!r} is not a positive number of MB")
    return value


#: Default limit on the places of one gazetteer CSV import (loaded by every later command).
MAX_IMPORT_PLACES = 200_000
ENV_MAX_IMPORT_PLACES = "BORDER_MAP_MAX_IMPORT_PLACES"


def _positive_env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return float(default)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise DataError(f"{name}={text!r} is not a positive number")
    return value


def check_import_rows(path: str | os.PathLike, limit: int | None = None) -> int:
    """The number of lines of a gazetteer CSV (counted in binary, before parsing);
    DataError if the rows are more than the limit."""
    limit = int(_positive_env(ENV_MAX_IMPORT_PLACES, MAX_IMPORT_PLACES)) if limit is None \
        else limit
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            if lines - 1 > limit:
                raise DataError(
                    f"more than {limit:,} places in one gazetteer CSV import; every command "
                    "would load them all into memory: import them as a GeoNames dump (kept "
                    f"on disk), split the file, or raise the limit with --max-import-places "
                    f"(or {ENV_MAX_IMPORT_PLACES})", location=os.fspath(path))
    return lines


def _refuse(size: int, limit_mb: float, location: str, what: str) -> DataError:
    return DataError(
        f"{what} is too large to read ({size / 1e6:,.1f} MB; the limit is {limit_mb:g} MB): "
        f"raise it with --max-input-mb (or {ENV_MAX_INPUT_MB}), if the machine has the memory "
        "(about 4 times the size)", location=location)


def check_input_size(path: str | os.PathLike, limit_mb: float | None = None) -> int:
    """The size of the file at ``path`` in bytes; DataError if above the limit."""
    size = os.stat(path).st_size
    limit = max_input_mb() if limit_mb is None else limit_mb
    if size > limit * 1_000_000:
        raise _refuse(size, limit, os.fspath(path), "the file")
    return size


def check_member(info: zipfile.ZipInfo, location: str, limit_mb: float | None = None) -> int:
    """The uncompressed size of a zip member; DataError if above the limit (a zip bomb)."""
    limit = max_input_mb() if limit_mb is None else limit_mb
    if info.file_size > limit * 1_000_000:
        ratio = info.file_size / max(1, info.compress_size)
        raise _refuse(info.file_size, limit, location,
                      f"the zip member (uncompressed; {ratio:,.0f} times its compressed size)")
    return info.file_size


def check_native_size(size: int, label: str, limit_mb: float, location: str) -> None:
    """DataError if a native incident file (parsed whole) is above ``limit_mb``."""
    if size > limit_mb * 1_000_000:
        raise DataError(
            f"too large for a {label} incident file ({size / 1e6:.1f} MB; the limit is "
            f"{limit_mb:g} MB): split it, or convert it to CSV", location=location)

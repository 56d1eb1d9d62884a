"""The local store of fetched sources: ``$BORDER_MAP_HOME/sources/<provider>/``.

Layout of one provider's folder::

    CURRENT               the current version's number (one line, replaced atomically)
    versions/0001/        one folder per fetch: the data files + manifest.json
    versions/0002/...
    partial/              downloads under way (``*.part``, resumed with Range)
    BUILT                 the version the last ``build --source`` used

A version is written in a staging folder, renamed into ``versions/`` only once complete,
and only then named in ``CURRENT``: an interrupted or failed fetch leaves the current
version as it was. Files unchanged from the previous version are hard links (copies where
links are refused), so versions cost little. Each ``manifest.json`` records the version,
when and what was asked (never credentials), the files (rows, SHA-256), the ids added,
changed and deleted against the previous version, the provider's attribution and terms,
and the provider's state for the next incremental fetch.

Data file names carry the provider and version (``ACLED-v0003.csv``), so the GeoPackage's
layer descriptions, which name the input files, say which version a map was built from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .._atomic import write_text

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None
from ..errors import DataError
from . import ATTRIBUTION, PROVIDERS, FetchError

__all__ = ["Store", "Version", "changes_since_build", "current_files", "mark_built",
           "sources_dir", "store_for"]

MANIFEST = "manifest.json"


def sources_dir() -> Path:
    """``$BORDER_MAP_HOME/sources`` (else the user data folder's ``sources``, as the
    gazetteer's import uses)."""
    from ..gazetteer import user_data_dir

    return user_data_dir() / "sources"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Version:
    """A version being written (see :meth:`Store.new_version`)."""

    provider: str
    number: int
    folder: Path
    previous: dict | None
    files: list[dict] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    request: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: commit even when no row changed (the provider's state moved on, e.g. GDELT intervals)
    commit_anyway: bool = False
    committed: bool = False

    def file_name(self, stem: str, suffix: str) -> str:
        """``STEM-vNNNN SUFFIX``: the version in the name (see the module docstring)."""
        return f"{stem}-v{self.number:04d}{suffix}"

    def write(self, name: str, data: bytes | str, rows: int | None = None) -> Path:
        path = self.folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files.append({"name": name, "rows": rows})
        return path

    def keep(self, old: Path, name: str, rows: int | None = None) -> Path:
        """The previous version's file ``old`` as ``name`` in this one (a hard link)."""
        path = self.folder / name
        try:
            os.link(old, path)
        except OSError:
            shutil.copy2(old, path)
        self.files.append({"name": name, "rows": rows})
        return path

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.deleted)


class Store:
    """One provider's folder in the store (see the module docstring)."""

    def __init__(self, provider: str, root: str | os.PathLike | None = None):
        self.provider = provider
        self.dir = Path(root) if root is not None else sources_dir() / provider
        self.versions_dir = self.dir / "versions"
        self.partial_dir = self.dir / "partial"

    # -- reading ------------------------------------------------------------------------------
    def current_number(self) -> int | None:
        try:
            text = (self.dir / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        if not text.isdigit():
            raise DataError(f"damaged store: CURRENT holds {text[:20]!r}, not a version number",
                            location=str(self.dir / "CURRENT"))
        return int(text)

    def manifest(self, number: int) -> dict:
        path = self.versions_dir / f"{number:04d}" / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DataError("damaged store: the version's manifest is missing",
                            location=str(path)) from None
        except ValueError as err:
            raise DataError(f"damaged store: {err}", location=str(path)) from None

    def current(self) -> dict | None:
        number = self.current_number()
        return None if number is None else self.manifest(number)

    def version_folder(self, number: int) -> Path:
        return self.versions_dir / f"{number:04d}"

    def current_files(self) -> list[Path]:
        manifest = self.current()
        if manifest is None:
            return []
        folder = self.version_folder(manifest["version"])
        return [folder / f["name"] for f in manifest["files"]]

    def numbers(self) -> list[int]:
        if not self.versions_dir.is_dir():
            return []
        return sorted(int(p.name) for p in self.versions_dir.iterdir()
                      if p.name.isdigit() and (p / MANIFEST).exists())

    # -- writing ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One fetch at a time per provider (an advisory lock on ``.lock``)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / ".lock", "w") as handle:
            if fcntl is None:  # pragma: no cover
                yield
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise FetchError(f"{self.provider}: another fetch is writing {self.dir}; wait "
                                 "for it to finish") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def new_version(self) -> Iterator[Version]:
        """A :class:`Version` to fill; committed when the block ends without an error and
        something changed (else discarded, and the current version stays)."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        numbers = self.numbers()
        number = (max(numbers) if numbers else 0) + 1
        current = self.current()
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.dir))
        version = Version(self.provider, number, staging, current)
        try:
            yield version
            if version.changed_anything or current is None or version.commit_anyway:
                self._commit(version)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def _commit(self, version: Version) -> None:
        for entry in version.files:
            entry["sha256"] = _sha256(version.folder / entry["name"])
        previous = version.previous
        manifest = {
            "provider": self.provider,
            "version": version.number,
            "previous_version": previous["version"] if previous else None,
            "fetched_at": _now(),
            "request": version.request,
            "files": version.files,
            "rows": sum(f["rows"] or 0 for f in version.files),
            "added": len(version.added),
            "changed": len(version.changed),
            "deleted": len(version.deleted),
            "added_ids": version.added,
            "changed_ids": version.changed,
            "deleted_ids": version.deleted,
            "notes": version.notes,
            "state": version.state,
            **ATTRIBUTION.get(self.provider, {}),
        }
        write_text(version.folder / MANIFEST, json.dumps(manifest, indent=1) + "\n")
        target = self.version_folder(version.number)
        os.rename(version.folder, target)  # atomic; the number was free under the lock
        write_text(self.dir / "CURRENT", f"{version.number}\n")
        version.folder = target
        version.committed = True


def store_for(name: str | os.PathLike) -> Store:
    """The store of a provider name (``acled``) or of a store folder's path."""
    text = os.fspath(name)
    if text in PROVIDERS:
        return Store(text)
    path = Path(text)
    if path.name.isdigit() and path.parent.name == "versions":
        path = path.parent.parent
    if not (path / "CURRENT").exists():
        raise DataError(f"not a fetched source: give one of {', '.join(PROVIDERS)} or the "
                        "folder of one (border-map fetch NAME makes it)", location=text)
    return Store(path.name, path)


def current_files(name: str | os.PathLike) -> list[Path]:
    """The data files of a store's current version (``name``: a provider or a store folder).

    A :class:`DataError` when nothing was fetched yet.
    """
    store = store_for(name)
    files = store.current_files()
    if not files:
        raise DataError(f"nothing fetched for {store.provider} yet: run border-map fetch "
                        f"{store.provider}", location=str(store.dir))
    return files


def _sum_changes(store: Store, after: int | None, upto: int) -> dict:
    totals = {"added": 0, "changed": 0, "deleted": 0}
    for number in store.numbers():
        if (after is None or number > after) and number <= upto:
            manifest = store.manifest(number)
            for key in totals:
                totals[key] += int(manifest.get(key, 0))
    return totals


def changes_since_build(name: str | os.PathLike) -> dict:
    """For a build summary: the current version, its attribution, and what changed since
    the version the previous ``build --source`` used."""
    store = store_for(name)
    manifest = store.current()
    if manifest is None:
        raise DataError(f"nothing fetched for {store.provider} yet", location=str(store.dir))
    try:
        built = int((store.dir / "BUILT").read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        built = None
    return {
        "source": store.provider,
        "version": manifest["version"],
        "fetched_at": manifest["fetched_at"],
        "rows": manifest.get("rows"),
        "files": [f["name"] for f in manifest["files"]],
        "request": manifest.get("request"),
        "attribution": manifest.get("attribution"),
        "terms": manifest.get("terms"),
        "last_built_version": built,
        "since_last_build": (None if built == manifest["version"]
                             else _sum_changes(store, built, manifest["version"])),
    }


def mark_built(name: str | os.PathLike, version: int) -> None:
    """Record that a build used ``version`` (for the next build's "since last build")."""
    store = store_for(name)
    write_text(store.dir / "BUILT", f"{version}\n")

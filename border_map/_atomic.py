"""Write outputs atomically: to a temporary file beside the target, then rename.

A failure half-way (bad input found late, disk full, Ctrl-C, ``kill``) never leaves a
half-written map nor replaces a good one:

* the temporary file is ``.border-map-tmp.<pid>.<token>.<name>`` in the target's folder
  (hidden, recognisable, and it keeps the target's extension for writers such as GDAL that
  choose a driver by it);
* SIGTERM and SIGHUP (what ``timeout``, CI runners and containers send) clean up like Ctrl-C
  while a temporary file exists: the handlers raise :class:`Terminated` in the main thread,
  the ``finally`` blocks remove the temporary files, the previous handlers come back when
  the last one is gone;
* what a ``kill -9`` (or a power cut) leaves behind is removed by :func:`sweep`, which the
  next write of the same output calls (a build can call it once for all its outputs): files
  of this pattern whose process is gone, and the ``.NAME.XXXXXXXX.EXT`` files of versions
  before 0.2 once they are an hour old;
* an ``OSError`` (and a GDAL/SQLite failure on a full disk) becomes one
  :class:`~border_map.errors.OutputError` "cannot write PATH: reason" naming the output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import BorderMapError, OutputError, output_error

__all__ = ["TMP_PREFIX", "Terminated", "atomic_path", "cleanup_on_termination", "sweep",
           "temp_name", "write_text"]

#: Every temporary output starts with this (then ``<pid>.<token>.<name>``).
TMP_PREFIX = ".border-map-tmp."
#: SQLite/GDAL side files of a temporary GeoPackage.
_SIDE_SUFFIXES = ("", "-journal", "-wal", "-shm")
_OURS = re.compile(r"^\.border-map-tmp\.(\d+)\.[0-9a-f]+\.(.+?)(-journal|-wal|-shm)?$")
#: A leftover of the mkstemp names used before (``.incidents.geojson.ab12_xyz.geojson``).
_LEGACY_AGE_S = 3600.0
#: Below this much free space, a failure of a writer that does not say why is a full disk.
_FULL_BYTES = 1 << 20


class Terminated(SystemExit):
    """Raised in the main thread by SIGTERM/SIGHUP while outputs are being written."""

    def __init__(self, signum: int):
        super().__init__(128 + signum)
        self.signum = signum


def temp_name(name: str, pid: int | None = None) -> str:
    """The temporary file name for an output called ``name``."""
    return f"{TMP_PREFIX}{os.getpid() if pid is None else pid}.{secrets.token_hex(4)}.{name}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate it there: sweep() goes by age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    except OSError:
        return True
    return True


def _legacy(entry: str, name: str) -> bool:
    suffix = Path(name).suffix or ".tmp"
    pattern = rf"^\.{re.escape(name)}\.[a-z0-9_]{{8}}{re.escape(suffix)}(-journal|-wal|-shm)?$"
    return re.match(pattern, entry) is not None


def _older(path: Path, now: float) -> bool:
    """Whether ``path`` was last written more than an hour ago."""
    try:
        return now - path.lstat().st_mtime >= _LEGACY_AGE_S
    except OSError:
        return False


def sweep(out_dir: str | os.PathLike, names: Iterable[str]) -> list[Path]:
    """Remove what killed runs left for the outputs ``names`` in ``out_dir``; the paths removed.

    Only temporary files of processes that are gone are removed (two builds into one folder
    at the same time keep theirs), and the old-style ones once an hour old (on Windows, where
    a process cannot be asked after safely, every one once an hour old). Processes are
    asked after by pid: a folder shared by machines or containers with their own pids can
    lose a running build's temporary file. A folder that
    does not exist or cannot be listed is left alone (the write itself reports it).
    """
    folder = Path(out_dir)
    wanted = set(names)
    removed: list[Path] = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.startswith("."):
            continue
        path = folder / entry
        m = _OURS.match(entry)
        if m is not None:
            left = m.group(2)
            if not any(left == n or left.startswith(n + ".") for n in wanted):
                continue
            if _alive(int(m.group(1))) and not (os.name == "nt" and _older(path, now)):
                continue
        elif not any(_legacy(entry, n) for n in wanted) or not _older(path, now):
            continue
        try:
            if path.is_dir() and not path.is_symlink():
                import shutil

                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:
            pass
    return removed


# --------------------------------------------------------------------------- signals

_lock = threading.Lock()
#: the signal received, if any: no output is renamed into place after it
_received: int | None = None
_depth = 0
_previous: dict[int, object] = {}
_SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
                 if s is not None)


def _on_signal(signum, frame):
    # One signal is enough: later ones (a second `kill`) must not interrupt the clean-up.
    for s in _SIGNALS:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(s, signal.SIG_IGN)
    global _received
    _received = signum  # remembered: an exception raised inside a finaliser is swallowed
    name = signal.Signals(signum).name
    with contextlib.suppress(Exception):
        sys.stderr.write(f"border-map: stopped by {name}; outputs left as they were\n")
        sys.stderr.flush()
    raise Terminated(signum)


def _install() -> None:
    global _depth
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers belong to the main thread; its writes install them
    global _received
    with _lock:
        _depth += 1
        if _depth != 1:
            return
        _received = None  # a new run of writes: an earlier signal was handled
        for s in _SIGNALS:
            try:
                previous = signal.getsignal(s)
                if previous is signal.SIG_IGN:  # nohup: the user asked for these to be ignored
                    continue
                signal.signal(s, _on_signal)
                _previous[s] = previous
            except (ValueError, OSError):
                pass


def _uninstall() -> None:
    global _depth
    if threading.current_thread() is not threading.main_thread():
        return
    with _lock:
        _depth -= 1
        if _depth != 0:
            return
        for s, previous in list(_previous.items()):
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(s, previous if previous is not None else signal.SIG_DFL)
            del _previous[s]


@contextlib.contextmanager
def cleanup_on_termination() -> Iterator[None]:
    """SIGTERM/SIGHUP raise :class:`Terminated` in the main thread inside this block."""
    _install()
    try:
        yield
    finally:
        _uninstall()


# --------------------------------------------------------------------------- writing

def _free_bytes(folder: Path) -> int | None:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return None
    return st.f_bavail * st.f_frsize


def _disk_full(err: BaseException, folder: Path) -> bool:
    """Whether a writer's failure (GDAL, SQLite: not always an OSError) is a full disk."""
    seen = err
    while seen is not None:
        if getattr(seen, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(seen).lower()
        if "no space left" in text or "database or disk is full" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    free = _free_bytes(folder)
    return free is not None and free < _FULL_BYTES


def _remove(tmp_path: Path) -> None:
    for side in _SIDE_SUFFIXES:
        p = Path(str(tmp_path) + side)
        try:
            if p.is_dir() and not p.is_symlink():
                import shutil

                shutil.rmtree(p, ignore_errors=True)
            elif p.exists() or p.is_symlink():
                p.unlink()
        except OSError:
            pass


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over the target on success.

    The temporary path does not exist yet (GDAL refuses to overwrite a file). ``suffix``,
    when given, ends the temporary name (if the target's name does not already). Any ``OSError``
    raised in the block or by the rename, and a writer's failure on a full disk, is raised
    as :class:`~border_map.errors.OutputError` naming ``target``.
    """
    target = Path(target)
    name = target.name if suffix is None or target.name.endswith(suffix) else target.name + suffix
    _install()  # before the name is reserved: a signal from here on cleans up
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep(target.parent, [name])
        # Reserve the name (and find an unwritable folder before any work is done).
        while True:
            tmp_path = target.parent / temp_name(name)
            try:
                fd = os.open(tmp_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                continue
            try:
                os.close(fd)
            finally:  # a signal between the two calls must not leave the reservation behind
                tmp_path.unlink()
            break
    except BorderMapError:
        _uninstall()
        raise
    except OSError as err:
        _uninstall()
        raise OutputError(output_error(err, target), path=target, errno=err.errno) from err
    except BaseException:
        _uninstall()
        raise
    try:
        try:
            yield tmp_path
            if _received is not None:  # a signal came, its exception lost in a finaliser
                raise Terminated(_received)
            os.replace(tmp_path, target)
        except BorderMapError:
            raise
        except OSError as err:
            raise OutputError(output_error(err, target), path=target, errno=err.errno) from err
        except Exception as err:
            if _disk_full(err, target.parent):
                full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                raise OutputError(output_error(full, target), path=target,
                                  errno=errno.ENOSPC) from err
            raise
    finally:
        try:
            _remove(tmp_path)
        except BaseException:  # a signal during the removal: finish it (later ones are ignored)
            _remove(tmp_path)
            raise
        finally:
            _uninstall()


def output_failure(err: BaseException, target: str | os.PathLike) -> BaseException:
    """``err`` said as a failure to write ``target``: an :class:`OutputError` for an OSError
    or a writer's failure on a full disk (GDAL, SQLite), else ``err`` itself. For writers that
    work on a staged path outside their own :func:`atomic_path` block."""
    target = Path(target)
    if isinstance(err, BorderMapError):
        return err
    if isinstance(err, OSError):
        return OutputError(output_error(err, target), path=target, errno=err.errno)
    if isinstance(err, Exception) and _disk_full(err, target.parent):
        full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return OutputError(output_error(full, target), path=target, errno=errno.ENOSPC)
    return err


def write_text(target: str | os.PathLike, text: str) -> Path:
    """Atomically write ``text`` (UTF-8) to ``target``."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


"""Many reports at once: :func:`extract_many` runs :func:`~border_map.extract.extract` on
worker processes, one report after the other on each, and gives the results back in the
order of the reports.

::

    from border_map.extract import Report, extract_many
    reports = [Report.from_file(p, date="2026-02-27") for p in paths]
    for result in extract_many(reports, jobs=2):
        if result.error:
            print(result.error)          # one line naming the report
        else:
            result.incidents             # (result.draft too, with drafts=True)

A report is small work (about a millisecond for a 700-byte story), so the workers get
them in chunks, read the files themselves, and send back only what was asked for: the
:class:`~border_map.extract.Draft` (``drafts=True``), and/or its YAML text and review
table made on the worker (``yaml=True``, ``review=True``), which is what
``border-map extract`` writes for a folder of stories. At most a few chunks per worker
are in flight, so a million files are never all held in memory.

On Linux the workers are forked: they share the parent's gazetteer (and its compiled
matcher) and start at once. Elsewhere they are spawned and load the shipped gazetteer
(a custom gazetteer must then be picklable).
"""

from __future__ import annotations

import collections
import datetime as dt
import gc
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BorderMapError, DataError
from ..gazetteer import Gazetteer
from ..incidents import Incident

if TYPE_CHECKING:
    from . import Draft

__all__ = ["Extracted", "Report", "extract_many"]


@dataclass(frozen=True, slots=True)
class Report:
    """One report of a batch: its text (or the file holding it, read by the worker) and
    what :func:`~border_map.extract.extract` needs to know of it."""

    text: str | None = None
    date: dt.date | str | None = None
    source: str | None = None
    url: str | None = None
    name: str | None = None
    fmt: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if (self.text is None) == (self.path is None):
            raise TypeError("a Report needs its text or the path of its file, not both")

    @classmethod
    def from_file(cls, path: str | os.PathLike, **options) -> Report:
        """The report in file ``path`` (UTF-8, BOM allowed), read when it is extracted."""
        return cls(path=os.fspath(path), name=options.pop("name", None) or os.fspath(path),
                   **options)

    @property
    def label(self) -> str:
        """How messages name the report."""
        return self.name or self.path or "report"


@dataclass(slots=True)
class Extracted:
    """What :func:`extract_many` gives for one report, in the order of the reports.

    ``incidents`` are the draft incidents (with their evidence) and ``warnings`` what a
    reviewer should look at first, as in the :class:`~border_map.extract.Draft`;
    ``draft`` (with every mention), ``yaml`` and ``review`` are None unless asked for;
    ``error`` is one line naming the report when it could not be extracted (then the
    rest is empty).
    """

    report: Report
    incidents: list[Incident] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    draft: Draft | None = None
    yaml: str | None = None
    review: str | None = None
    error: str | None = None


def decode_report(raw: bytes, where: str) -> str:
    """The text of a report's bytes: UTF-8 (a BOM is dropped); DataError naming ``where``."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
                        "save the article as UTF-8", location=where) from err


def read_report_file(path: str | os.PathLike) -> str:
    """The text of a report file (see :func:`decode_report`); DataError naming the file."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise DataError(err.strerror or str(err), location=os.fspath(path)) from err
    return decode_report(raw, os.fspath(path))


# ------------------------------------------------------------------------------ one report

#: What the workers extract with: set in the parent before a fork, or by _init_worker.
_GAZETTEER: Gazetteer | None = None


def _one(report: Report, gazetteer: Gazetteer, drafts: bool, yaml: bool,
         review: bool) -> Extracted:
    from . import extract
    from .review import review_table

    try:
        text = report.text if report.path is None else read_report_file(report.path)
        draft = extract(text, date=report.date, source=report.source, url=report.url,
                        gazetteer=gazetteer, name=report.name, fmt=report.fmt)
    except DataError as err:
        where = report.label
        message = str(err) if err.location else f"{where}: {err}"
        return Extracted(report, error=message)
    except BorderMapError as err:
        return Extracted(report, error=f"{report.label}: {err}")
    except Exception as err:  # noqa: BLE001 - one odd report must not lose the others
        return Extracted(report, error=f"{report.label}: internal error: "
                                       f"{type(err).__name__}: {err} (please report it)")
    return Extracted(
        report, draft.incidents, draft.warnings, draft if drafts else None,
        draft.to_yaml(name=Path(report.name).name if report.name else None) if yaml else None,
        review_table(draft) if review else None)


def _chunk(reports: list[Report], drafts: bool, yaml: bool, review: bool) -> list[Extracted]:
    gazetteer = _GAZETTEER or Gazetteer.default()
    results = [_one(r, gazetteer, drafts, yaml, review) for r in reports]
    for result in results:  # the parent has the reports: only the results travel back
        result.report = None
    return results


def _init_worker(gazetteer: Gazetteer | None) -> None:
    global _GAZETTEER
    if gazetteer is not None:
        _GAZETTEER = gazetteer


# ------------------------------------------------------------------------------ the batch


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # (not on every platform)
        return os.cpu_count() or 1


def extract_many(reports: Iterable[Report | str], *, jobs: int | None = None,
                 gazetteer: Gazetteer | None = None, drafts: bool = False, yaml: bool = False,
                 review: bool = False, chunk_size: int = 16,
                 date: dt.date | str | None = None) -> Iterator[Extracted]:
    """:func:`~border_map.extract.extract` on every report, on ``jobs`` worker processes.

    Parameters
    ----------
    reports
        :class:`Report` objects, or plain texts (then ``date`` is their article date, and
        messages name them "report 1", "report 2"...).
    jobs
        Worker processes (default: every CPU); 1 extracts in this process.
    drafts, yaml, review
        What each :class:`Extracted` carries besides the incidents and warnings: the
        whole Draft (every mention: as costly to send back from a worker as to extract),
        its YAML text (as ``Draft.to_yaml``), its review table. Made on the workers.
    chunk_size
        Reports sent to a worker at a time.

    Yields
    ------
    Extracted
        One per report, in the order of ``reports``; a report that cannot be extracted
        (no date, not UTF-8, unreadable; or an error of border-map's own, named as one)
        has ``error`` set and does not stop the others.
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    jobs = jobs or default_jobs()
    items = (r if isinstance(r, Report) else Report(text=r, date=date, name=f"report {n}")
             for n, r in enumerate(reports, start=1))
    if jobs == 1:
        gazetteer = gazetteer or Gazetteer.default()
        for report in items:
            yield _one(report, gazetteer, drafts, yaml, review)
        return
    yield from _pooled(items, jobs, gazetteer, drafts, yaml, review, chunk_size)


def _chunks(items: Iterator[Report], size: int) -> Iterator[list[Report]]:
    chunk: list[Report] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pooled(items: Iterator[Report], jobs: int, gazetteer: Gazetteer | None, drafts: bool,
            yaml: bool, review: bool, chunk_size: int) -> Iterator[Extracted]:
    global _GAZETTEER
    methods = multiprocessing.get_all_start_methods()
    forked = "fork" in methods
    context = multiprocessing.get_context("fork" if forked else "spawn")
    if forked:
        # the workers inherit the gazetteer and its matcher (built here once, not per worker)
        from .places import matcher_for

        gazetteer = gazetteer or Gazetteer.default()
        matcher_for(gazetteer)
        _GAZETTEER, initargs = gazetteer, (None,)
        # what the workers inherit is never garbage: kept out of their collections (which
        # would otherwise touch, and so copy, every page of the gazetteer in each worker)
        gc.freeze()
    else:
        initargs = (gazetteer,)
    pending: collections.deque[tuple[list[Report], Future]] = collections.deque()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=initargs)
    try:
        for chunk in _chunks(items, chunk_size):
            pending.append((chunk, pool.submit(_chunk, chunk, drafts, yaml, review)))
            if len(pending) >= 3 * jobs:  # (bounded: the input may be huge)
                yield from _results(*pending.popleft())
        while pending:
            yield from _results(*pending.popleft())
    finally:  # (also when the caller stops early: what is queued is dropped)
        pool.shutdown(wait=True, cancel_futures=True)
        if forked:
            _GAZETTEER = None
            gc.unfreeze()


def _results(chunk: list[Report], future: Future) -> Iterator[Extracted]:
    for report, result in zip(chunk, future.result(), strict=True):
        result.report = report
        yield result

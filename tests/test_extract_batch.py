"""border_map.extract.batch: extract_many on worker processes, the same drafts in order."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
from pathlib import Path

import pytest

from border_map.extract import Report, extract, extract_many
from border_map.extract.evaluate import load_answers
from border_map.extract.review import review_table
from border_map.gazetteer import Gazetteer, Place

DATA = Path(__file__).parent / "data" / "extract"


@pytest.fixture(scope="module")
def reports():
    return [Report(text=a.article.read_text(encoding="utf-8"), date=a.date, source=a.source,
                   name=a.article.name) for a in load_answers(DATA)]


def _in_process(report, gazetteer):
    return extract(report.text, date=report.date, source=report.source, name=report.name,
                   gazetteer=gazetteer)


def test_workers_give_what_extract_gives_in_order(reports, gazetteer):
    batch = reports * 3  # (more than a chunk per worker: the order is the reports')
    results = list(extract_many(batch, jobs=2, chunk_size=4, gazetteer=gazetteer, yaml=True,
                                review=True))
    assert [r.report for r in results] == batch  # the caller's own Report objects
    for report, result in zip(batch, results, strict=True):
        draft = _in_process(report, gazetteer)
        assert result.error is None
        assert result.incidents == draft.incidents
        assert result.warnings == draft.warnings
        assert result.yaml == draft.to_yaml(name=report.name)
        assert result.review == review_table(draft)
        assert result.draft is None  # (not asked for)
    assert not multiprocessing.active_children()  # the pool is gone


def test_whole_drafts_travel_back(reports, gazetteer):
    (result,) = list(extract_many(reports[:1], jobs=2, drafts=True, gazetteer=gazetteer))
    draft = _in_process(reports[0], gazetteer)
    assert result.draft.incidents == draft.incidents
    assert result.draft.places == draft.places and result.draft.claims == draft.claims
    assert result.draft.document.text == draft.document.text


def test_one_job_runs_here_and_gives_the_same(reports, gazetteer):
    one = list(extract_many(reports, jobs=1, gazetteer=gazetteer, drafts=True))
    two = list(extract_many(reports, jobs=2, gazetteer=gazetteer))
    assert [r.incidents for r in one] == [r.incidents for r in two]
    assert all(r.draft is not None for r in one)


def test_files_are_read_by_the_workers_and_bad_ones_named(tmp_path, gazetteer):
    good = tmp_path / "good.txt"
    good.write_text("Pakistani jets struck Khost province on Thursday, officials said.\n",
                    encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Clashes in Kurram \xff on Monday")
    undated = tmp_path / "undated.txt"
    undated.write_text("Clashes in Kurram on Monday.\n", encoding="utf-8")
    day = "2026-02-27"
    reports = [Report.from_file(good, date=day), Report.from_file(binary, date=day),
               Report.from_file(tmp_path / "gone.txt", date=day), Report.from_file(undated),
               Report.from_file(good, date=day)]
    results = list(extract_many(reports, jobs=2, chunk_size=1, gazetteer=gazetteer))
    assert [r.error is None for r in results] == [True, False, False, False, True]
    assert results[0].incidents[0].place.id == "af.province.khost"
    assert results[1].error.startswith(f"{binary}: not UTF-8 text (byte 0xff at offset 18)")
    assert results[2].error.startswith(f"{tmp_path / 'gone.txt'}: ")
    assert results[3].error.startswith(f"{undated}: ") and "date" in results[3].error
    assert all("\n" not in r.error for r in results if r.error)
    assert results[1].incidents == [] and results[1].yaml is None


def test_plain_texts_take_the_date_given(gazetteer):
    texts = ["Pakistani jets struck Khost province on Thursday, officials said."] * 3
    results = list(extract_many(texts, jobs=2, date=dt.date(2026, 2, 27), gazetteer=gazetteer))
    assert [r.incidents[0].date.iso() for r in results] == ["2026-02-26"] * 3


def test_the_input_is_read_as_results_are_taken(gazetteer):
    """An endless input: the first results come, and stopping early ends the workers."""
    endless = (Report(text=f"Clashes in Kurram on Monday, day {i}.", date="2026-02-27")
               for i in itertools.count())
    first = list(itertools.islice(extract_many(endless, jobs=2, chunk_size=2,
                                               gazetteer=gazetteer), 5))
    assert len(first) == 5 and all(r.incidents for r in first)
    assert not multiprocessing.active_children()


def test_a_gazetteer_of_ones_own_reaches_the_workers(gazetteer):
    village = Place("pk.village.zarghun-kalay", "Zarghun Kalay", kind="town", country="PK",
                    lon=70.10, lat=33.80, precision_km=2.0, admin1="Khyber Pakhtunkhwa",
                    admin2="Kurram")
    own = Gazetteer([*gazetteer, village])
    text = "Mortar shells hit Zarghun Kalay on Monday, residents said."
    results = list(extract_many([text] * 2, jobs=2, date="2026-02-27", gazetteer=own))
    assert [r.incidents[0].place.id for r in results] == ["pk.village.zarghun-kalay"] * 2


@pytest.mark.parametrize("options", [{"jobs": 0}, {"chunk_size": 0}])
def test_bad_options(options):
    with pytest.raises(ValueError, match="at least 1"):
        list(extract_many(["x"], date="2026-02-27", **options))


def test_a_report_is_text_or_file():
    with pytest.raises(TypeError):
        Report()
    with pytest.raises(TypeError):
        Report(text="x", path="x.txt")
    report = Report.from_file("stories/a.txt", date="2026-02-27")
    assert (report.path, report.name, report.label) == ("stories/a.txt",) * 3


def test_an_error_of_our_own_on_one_report_does_not_lose_the_others(monkeypatch, gazetteer):
    import border_map.extract as package

    real = package.extract

    def extract_or_fail(text, **options):
        if "Kurram" in text:
            raise RuntimeError("a bug")
        return real(text, **options)

    monkeypatch.setattr(package, "extract", extract_or_fail)  # (before the workers fork)
    texts = ["Clashes in Kurram on Monday.", "Pakistani jets struck Khost province on Thursday."]
    results = list(extract_many(texts, jobs=2, chunk_size=1, date="2026-02-27",
                                gazetteer=gazetteer))
    assert results[0].error == "report 1: internal error: RuntimeError: a bug (please report it)"
    assert results[1].error is None and results[1].incidents


def test_spawned_workers_where_fork_is_missing(monkeypatch, gazetteer):
    """macOS and Windows spawn their workers: they load the gazetteer they are given (or
    the shipped one) and give the same results."""
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    texts = ["Pakistani jets struck Khost province on Thursday, officials said."] * 3
    for given in (None, gazetteer):
        results = list(extract_many(texts, jobs=2, date="2026-02-27", gazetteer=given))
        assert [r.incidents[0].place.id for r in results] == ["af.province.khost"] * 3

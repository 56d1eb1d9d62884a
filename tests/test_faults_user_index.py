"""A large user gazetteer index is never read whole (issue 19, defect 7).

A 2 M-row GeoNames import used to make every later fuzzy query load every name of the
dump into memory. The fuzzy tier of an index layer now looks its candidates up by
probe strings (``fuzzy_probes``: parts of the consonant skeleton, see
:func:`border_map.gazetteer.fuzzy_probes`). These tests generate a dump at test time
(benchmarks/bench_user_index.py writes it; 20,000 rows here), import it, and assert
structurally that a fuzzy query reads a bounded number of keys: SQLite's virtual-machine
steps during the query are counted with a progress handler and must stay below the
number of names the layer holds (a full read takes about six steps a name). The memory
of a query against a 2 M-row index is measured by the benchmark, not here.
"""

from __future__ import annotations

import importlib.util
import random
import sqlite3
from pathlib import Path

import pytest

from border_map import gazetteer as gz
from border_map.gazetteer import Gazetteer, normalize_name

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
ROWS = 20_000


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_user_index", ROOT / "benchmarks" / "bench_user_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big_home(tmp_path_factory):
    """A BORDER_MAP_HOME holding a 20,000-row generated GeoNames dump."""
    folder = tmp_path_factory.mktemp("big-index")
    bench = _bench()
    dump = bench.write_dump(folder / "XX.txt", ROWS, seed=5)
    index = gz.UserIndex(folder / "home" / gz.UserIndex.FILENAME)
    report = index.import_file(dump)
    index.close()
    assert report.imported == ROWS
    return folder / "home", bench


@pytest.fixture()
def big(big_home, monkeypatch):
    home, bench = big_home
    monkeypatch.setenv("BORDER_MAP_HOME", str(home))
    monkeypatch.setenv("BORDER_MAP_GEODATA", str(GEODATA))
    gz._default_gazetteer.cache_clear()
    yield Gazetteer.default(), bench
    gaz = Gazetteer.default()
    if gaz.fallback is not None:
        gaz.fallback.close()
    gz._default_gazetteer.cache_clear()


class _Steps:
    """Counts SQLite virtual-machine steps (in hundreds) on a connection."""

    def __init__(self, con: sqlite3.Connection):
        self.con, self.hundreds = con, 0

    def _tick(self) -> int:
        self.hundreds += 1
        return 0

    def __enter__(self):
        self.con.set_progress_handler(self._tick, 100)
        return self

    def __exit__(self, *exc):
        self.con.set_progress_handler(None, 0)


def test_probes_find_every_key_one_edit_away():
    """The guarantee the fuzzy tier rests on: a skeleton one insertion, deletion,
    substitution or swap of neighbours away from the query's shares a probe with it."""
    rng = random.Random(7)
    letters = "bdgklmnprstzcfj"
    checked = 0
    for _ in range(20_000):
        s = "".join(rng.choice(letters) for _ in range(rng.randint(0, 14)))
        t = list(s)
        op = rng.choice("isdt")
        if op == "i":
            t.insert(rng.randint(0, len(t)), rng.choice(letters))
        elif op == "d" and t:
            del t[rng.randrange(len(t))]
        elif op == "s" and t:
            t[rng.randrange(len(t))] = rng.choice(letters)
        elif op == "t" and len(t) > 1:
            i = rng.randrange(len(t) - 1)
            t[i], t[i + 1] = t[i + 1], t[i]
        q = "".join(t)
        if gz.skeleton(s) != s or gz.skeleton(q) != q:  # doubled letters merge
            continue
        checked += 1
        assert set(gz.fuzzy_probes(s)) & set(gz.query_probes(q)), (s, q)
    assert checked > 10_000


def test_fuzzy_query_of_a_large_index_never_reads_the_layer(big):
    gaz, bench = big
    layer = gaz.fallback.layer("geonames")
    con = gaz.fallback._connect()
    names = con.execute("SELECT count(*) FROM names WHERE layer = 'geonames'").fetchone()[0]
    assert names > ROWS
    with _Steps(con) as steps:
        match = gaz.resolve(bench.PLANTED_SLIP)  # a slip in a name only the dump holds
    assert match.place.name == bench.PLANTED and match.match == "fuzzy"
    assert 0 < layer.fetched <= gz.MAX_PROBES * gz.PROBE_LIMIT
    # a read of every name takes about six steps a name (the full scan this replaced: 443,000
    # steps for 74,000 names); the look-ups take fewer steps than the layer has names
    assert steps.hundreds * 100 < names, (steps.hundreds, names)
    with _Steps(con) as steps, pytest.raises(gz.PlaceNotFound):
        gaz.resolve("Qqxvz Wrrpt")  # nothing close: every tier, then suggestions
    assert steps.hundreds * 100 < names, (steps.hundreds, names)
    with _Steps(con) as steps:
        found = gaz.search("Zarghunkhel Sarb", limit=5)  # a prefix
    assert any(m.place.name == bench.PLANTED for m in found)
    assert steps.hundreds * 100 < names, (steps.hundreds, names)


def test_fuzzy_tier_agrees_with_a_full_scan(big):
    """Against the full scan the tier used to do (every key of the layer, OSA similarity,
    the same cutoff): whenever the full scan's best key has a skeleton within one edit of
    the query's, the probes give the same best places."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    gaz, _ = big
    layer = gaz.fallback.layer("geonames")
    con = gaz.fallback._connect()
    keys = sorted((k for (k,) in con.execute(
        "SELECT DISTINCT key FROM names WHERE layer = 'geonames'")), key=lambda k: (len(k), k))
    rng = random.Random(11)
    compared = agreed = 0
    misspell = _bench().misspell
    for key in rng.sample(keys, 150):
        query = misspell(key, rng)
        full = process.extract(query, keys, scorer=OSA.normalized_similarity,
                               score_cutoff=gz.FUZZY_THRESHOLD / 100, limit=50)
        if not full:
            continue
        best = full[0][1]
        best_keys = [k for k, s, _ in full if s == best]
        if not any(OSA.distance(gz.skeleton(query), gz.skeleton(k)) <= 1 for k in best_keys):
            continue
        compared += 1
        expected = set()
        for k in best_keys:
            expected |= {p.id for p, _ in layer._places_for("key", k)}
        got = {m.place.id for m in layer._fuzzy_tier(query, query, gz._NO_HINTS,
                                                      gz.FUZZY_THRESHOLD)}
        agreed += got == expected
        assert got == expected, (query, best_keys, got, expected)
    assert compared >= 100 and agreed == compared


def test_an_index_written_before_the_probes_still_opens(big_home, tmp_path, monkeypatch,
                                                       capsys, caplog):
    """An index from an older border-map (no probe table) gets it on first open, once."""
    import shutil

    from border_map.cli import main

    home, bench = big_home
    old = tmp_path / "home"
    shutil.copytree(home, old)
    con = sqlite3.connect(old / gz.UserIndex.FILENAME)
    con.executescript("DROP TABLE fuzzy_probes; DROP INDEX places_layer;")
    con.close()
    monkeypatch.setenv("BORDER_MAP_HOME", str(old))
    monkeypatch.setenv("BORDER_MAP_GEODATA", str(GEODATA))
    gz._default_gazetteer.cache_clear()
    try:
        for run in (1, 2):
            capsys.readouterr()
            caplog.clear()
            with pytest.raises(SystemExit) as done:
                main(["geocode", "--format", "jsonl", bench.PLANTED_SLIP])
            out, err = capsys.readouterr()
            assert done.value.code in (0, None), err
            assert f'"name": "{bench.PLANTED}"' in out
            notes = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
            if run == 1:  # said once (pytest's log capture holds what stderr would show)
                assert len(notes) == 1 and "indexing the names" in notes[0], notes
            else:
                assert notes == [], notes
            Gazetteer.default().fallback.close()
            gz._default_gazetteer.cache_clear()
    finally:
        gz._default_gazetteer.cache_clear()
    con = sqlite3.connect(old / gz.UserIndex.FILENAME)
    n = con.execute("SELECT count(*) FROM fuzzy_probes").fetchone()[0]
    con.close()
    assert n > ROWS


def _full_scan(layer, query, key, cutoff, best_only, limit=50):
    """The fuzzy tier as it was: every key of the layer scored (the reference)."""
    keys = [k for (k,) in layer._index._connect().execute(
        "SELECT DISTINCT key FROM names WHERE layer = ?", (layer._layer,))]
    fuzzy = gz._FuzzyIndex(keys, deletions=False)
    matches = {}
    for cand_key, score in fuzzy.extract(key, cutoff, limit):
        for place, _how in layer._places_for("key", cand_key):
            if place.id not in matches or round(score, 1) > matches[place.id]:
                matches[place.id] = round(score, 1)
    ranked = sorted(matches.items(), key=lambda t: (-t[1], t[0]))
    if best_only and ranked:
        ranked = [t for t in ranked if t[1] == ranked[0][1]]
    return ranked


SMALL_QUERIES = ("Shahikot Kalai", "Shahi Kott Kalay", "Zormatt", "Tora Borra",
                 "Dand Patan Postt", "Kotkay", "Shahikot", "Zurmat Distric", "Kotkai Kunar",
                 "Dand e Patan", "Tora", "Shah i Kot")


def test_small_index_answers_are_unchanged(tmp_path):
    """The fixture dump of test_gazetteer.py: at the resolver's cutoff the probes give
    what the full scan gave, for every query; at the search's loose cutoff (50) they give
    a subset (a name two consonants away from the query is not a candidate), a place
    perhaps scored by another of its names."""
    index = gz.UserIndex(tmp_path / gz.UserIndex.FILENAME)
    index.import_file(ROOT / "tests" / "data" / "gazetteer" / "AF.txt")
    layer = index.layer("geonames")
    try:
        for query in SMALL_QUERIES:
            key = normalize_name(query)
            got = [(m.place.id, m.score) for m in
                   layer._fuzzy_tier(query, key, gz._NO_HINTS, gz.FUZZY_THRESHOLD)]
            assert got == _full_scan(layer, query, key, gz.FUZZY_THRESHOLD, True), query
            loose = [(m.place.id, m.score) for m in
                     layer._fuzzy_tier(query, key, gz._NO_HINTS, 50.0, best_only=False)]
            full = dict(_full_scan(layer, query, key, 50.0, False))
            for pid, score in loose:  # a place found by another of its names scores less
                assert pid in full and score <= full[pid], (query, pid, score, full)
    finally:
        index.close()


def _row(gid: int, name: str, lat: float, lon: float) -> str:
    return "\t".join([str(gid), name, name, "", f"{lat}", f"{lon}", "P", "PPL", "AF", "", "36",
                      "", "", "", "0", "", "1000", "Asia/Kabul", "2024-01-01"]) + "\n"


@pytest.mark.parametrize("existing", [False, True])
def test_streamed_dump_import_refused_midway_keeps_nothing(existing, tmp_path, capsys,
                                                           monkeypatch):
    """The dump is written in batches inside one transaction: a place outside the region
    after the first batch is refused in one line (file, line, field) and nothing of the
    file is kept; a first import leaves no index file behind."""
    from border_map.cli import main

    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BORDER_MAP_GEODATA", str(GEODATA))
    monkeypatch.setattr(gz.user_index, "_BATCH", 50)
    index_file = tmp_path / "home" / gz.UserIndex.FILENAME
    if existing:
        good = tmp_path / "good.txt"
        good.write_text(_row(1, "Alpha Kalay", 33.5, 69.5), encoding="utf-8")
        gz.UserIndex.default().import_file(good)
        before = index_file.read_bytes()
    dump = tmp_path / "AF.txt"
    rows = [_row(100 + i, f"Beta Kalay {i}", 33.5, 69.5) for i in range(120)]
    rows.append(_row(999, "Gamma Kalay", 50.11, 8.68))  # Frankfurt, after two batches
    dump.write_text("".join(rows), encoding="utf-8")
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["gazetteer", "import", str(dump)])
    _, err = capsys.readouterr()
    assert done.value.code == 1
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "internal error" not in err, err
    assert f"{dump} line 121" in lines[0] and "outside the Afghanistan-Pakistan" in lines[0]
    if existing:
        assert index_file.read_bytes() == before  # the earlier import, unchanged
        index = gz.UserIndex.default()
        assert index.stats()["places"] == 1
        index.close()
    else:
        assert not index_file.exists() and not list((tmp_path / "home").glob("*journal*"))

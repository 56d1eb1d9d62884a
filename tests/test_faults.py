"""Fault injection: hostile files and unlucky machines, each a clean line or a success.

Like SQLite's and GDAL's fault suites, every attack here is made at test time (small
hostile files, signals sent to a real build, a full or read-only file system mounted by
the test when it runs as root) and asserts three things: the exit status, exactly one
line on stderr (no traceback, no "internal error", no terminal escape), and that nothing
was lost (previous outputs byte-identical, no temporary file left behind, an index
unchanged). The number of attacks run is printed at the end of the module.

Defects of issue 19 and their tests: 1 NUL (test_nul_*), 2 leftovers (test_sweep_*,
test_signal_*), 3 CSV injection (test_csv_*), 4 online cache (test_online_*),
5 output faults (test_output_*), 7 a large user index (tests/test_faults_user_index.py),
10 size limits (test_limit_*), 11 imported places (test_import_*), 12 names printed
(test_names_*).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import http.server
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from border_map import _atomic
from border_map.csvsafe import safe_cell, safe_frame
from border_map.errors import OutputError, output_error, shown

ROOT = Path(__file__).resolve().parents[1]
ATTACKS: list[str] = []
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OUTPUT_NAMES = ("incidents.geojson", "incidents.geojsonl", "incidents.qml", "border_map.gpkg",
                "summary.csv", "summary.csvt", "map.html")


@pytest.fixture(scope="module", autouse=True)
def _count_attacks(request):
    yield
    line = f"fault-injection suite: {len(ATTACKS)} attacks run ({len(set(ATTACKS))} kinds)"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\n{line}")


def attack(name: str) -> None:
    ATTACKS.append(name)


# --------------------------------------------------------------------------- helpers

def run(argv, capsys, monkeypatch=None, env=None):
    """``border-map ARGV`` in this process through main(): (exit status, stdout, stderr)."""
    from border_map.cli import main

    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def subprocess_env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def one_line(err: str, *needles: str) -> str:
    """The single line on stderr; fails on a traceback, an internal error or an escape."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{err}"
    assert "Traceback" not in err and "internal error" not in err, err
    assert "\x1b" not in err, repr(err)
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(_atomic.TMP_PREFIX)}


def temps(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(_atomic.TMP_PREFIX))


@pytest.fixture()
def previous(seed_build, tmp_path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a previous build's outputs, and their bytes."""
    out = tmp_path / "out"
    out.mkdir()
    for path in seed_build.outputs.values():
        shutil.copy2(path, out / path.name)
    return out, snapshot(out)


def incident_yaml(description_literal: str) -> str:
    return ("incidents:\n"
            "  - id: a1\n"
            "    date: 2025-03-01\n"
            "    event_type: armed_clash\n"
            "    place: Torkham\n"
            f"    description: {description_literal}\n")


# --------------------------------------------------------------------------- 1: NUL

NUL_FILES = {
    "yaml_u0000.yaml": (incident_yaml('"before\\u0000after"'), 6, "description"),
    "yaml_backslash0.yaml": (incident_yaml('"before\\0after"'), 6, "description"),
    "json_u0000.json": (json.dumps({"incidents": [{
        "id": "a1", "date": "2025-03-01", "event_type": "armed_clash", "place": "Torkham",
        "actors": ["TTP\u0000"]}]}, indent=1), 9, "actors[0]"),
    "geojson_u0000.geojson": (json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [71.08, 34.11]},
        "properties": {"id": "g1", "date": "2025-03-01", "event_type": "armed_clash",
                       "description": "a\u0000b"}}]}, indent=1), None, "description"),
}


@pytest.mark.parametrize("name", sorted(NUL_FILES))
def test_nul_in_a_text_field_is_refused_with_file_line_and_field(name, tmp_path, capsys,
                                                                 previous):
    text, line, field = NUL_FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, before = previous
    for strict in ([], ["--strict"]):
        attack("nul")
        code, stdout, err = run(["build", path, "-o", out, *strict], capsys)
        where = f"{name}:{line}" if line else name
        one_line(err, where, f"field '{field}'", "NUL")
        assert code == 1 and stdout == ""
        assert snapshot(out) == before
    attack("nul validate")
    code, stdout, err = run(["validate", path], capsys)
    assert code == 1 and "NUL" in stdout + err


# --------------------------------------------------------------------------- 2: leftovers

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_sweep_removes_what_dead_runs_left_for_the_outputs_it_writes(tmp_path):
    attack("sweep")
    dead, live = _dead_pid(), os.getppid()
    left = [f".border-map-tmp.{dead}.0a1b2c3d.border_map.gpkg",
            f".border-map-tmp.{dead}.0a1b2c3d.border_map.gpkg-journal",
            f".border-map-tmp.{dead}.99aa.incidents.geojson",
            ".incidents.geojson.ab_12xyz.geojson"]  # the old mkstemp name
    kept = [f".border-map-tmp.{live}.0a1b2c3d.border_map.gpkg",  # a build still running
            f".border-map-tmp.{dead}.0a1b2c3d.map.html",          # not an output asked for
            ".hidden-user-file", "border_map.gpkg"]
    for name in left + kept:
        (tmp_path / name).write_bytes(b"x")
    old = (tmp_path / left[-1]).stat().st_mtime - 2 * 3600  # two hours before it was written
    os.utime(tmp_path / left[-1], (old, old))
    removed = _atomic.sweep(tmp_path, ["border_map.gpkg", "incidents.geojson"])
    assert sorted(p.name for p in removed) == sorted(left)
    assert sorted(os.listdir(tmp_path)) == sorted(kept)
    # a writer sweeps the leftovers of its own output
    (tmp_path / left[0]).write_bytes(b"x")
    _atomic.write_text(tmp_path / "border_map.gpkg", "new")
    assert not (tmp_path / left[0]).exists()


def test_sweep_leaves_a_young_old_style_file(tmp_path):
    attack("sweep young")
    young = tmp_path / ".incidents.geojson.ab_12xyz.geojson"
    young.write_bytes(b"x")
    assert _atomic.sweep(tmp_path, ["incidents.geojson"]) == []
    assert _atomic.sweep(tmp_path / "missing", ["incidents.geojson"]) == []


def test_signal_handlers_are_installed_only_while_writing_and_restored(tmp_path):
    attack("signal handlers")
    mine = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        def marker(signum, frame):  # pragma: no cover - never called
            pass

        signal.signal(signal.SIGTERM, marker)
        with _atomic.atomic_path(tmp_path / "a.txt") as tmp:
            assert signal.getsignal(signal.SIGTERM) is _atomic._on_signal
            assert tmp.name.startswith(_atomic.TMP_PREFIX + f"{os.getpid()}.")
            assert tmp.name.endswith(".a.txt")
            with _atomic.atomic_path(tmp_path / "b.txt") as tmp2:
                tmp2.write_text("b")
            assert signal.getsignal(signal.SIGTERM) is _atomic._on_signal
            tmp.write_text("a")
        assert signal.getsignal(signal.SIGTERM) is marker
        assert (tmp_path / "a.txt").read_text() == "a" and temps(tmp_path) == []
    finally:
        signal.signal(signal.SIGTERM, mine)


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """A generated incident file large enough that writing its outputs takes a while."""
    import random

    rng = random.Random(19)
    rows = []
    for i in range(250):
        rows.append({
            "id": f"gen-{i}", "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "event_type": rng.choice(["armed_clash", "airstrike", "attack"]),
            "location": {"lon": round(rng.uniform(66.0, 71.5), 4),
                         "lat": round(rng.uniform(29.5, 35.5), 4), "precision_km": 5},
            "description": "generated " * rng.randint(5, 60),
            "claims": [{"side": rng.choice(["AF", "PK"]),
                        "figures": [{"kind": "killed", "value": rng.randint(0, 9)}]}],
        })
    path = tmp_path_factory.mktemp("big") / "generated.json"
    path.write_text(json.dumps({"incidents": rows}), encoding="utf-8")
    return path


def _terminal_signals() -> None:
    """In the child: SIGTERM and SIGHUP as a terminal's shell gives them (default action). An
    ignored disposition is inherited across exec, and border-map leaves an ignored SIGHUP
    ignored (nohup): run under nohup or a runner that ignores it, the build would finish
    and the test would fail for the runner's sake."""
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)


def _nohup() -> None:
    """In the child: SIGHUP ignored, as ``nohup`` starts a command."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def _kill_mid_build(out: Path, big_input: Path, signum: int, start=_terminal_signals):
    """Start a build into ``out``, send ``signum`` once a temporary output exists."""
    proc = subprocess.Popen([sys.executable, "-m", "border_map", "build", str(big_input),
                             "-o", str(out)], env=subprocess_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=start)
    seen: list[str] = []
    for _ in range(60_000):  # polls 2 ms apart: about two minutes at most
        if proc.poll() is not None:
            break
        seen = temps(out)
        if seen:
            proc.send_signal(signum)
            break
        time.sleep(0.002)
    stdout, stderr = proc.communicate(timeout=120)
    assert seen, f"the build ended before a temporary output was seen:\n{stderr}"
    return proc.returncode, stdout, stderr, seen


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_signal_mid_build_cleans_up_like_ctrl_c(signum, previous, big_input):
    attack(f"kill -{signal.Signals(signum).name}")
    out, before = previous
    code, stdout, stderr, seen = _kill_mid_build(out, big_input, signum)
    assert code == 128 + signum, stderr
    one_line(stderr, f"stopped by {signal.Signals(signum).name}")
    assert stdout == ""
    assert snapshot(out) == before  # the previous outputs, byte for byte
    assert temps(out) == [] and sorted(os.listdir(out)) == sorted(before)


def test_sighup_under_nohup_is_ignored_and_the_build_completes(tmp_path, big_input):
    attack("kill -HUP under nohup")
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, stderr, seen = _kill_mid_build(out, big_input, signal.SIGHUP, start=_nohup)
    assert code == 0, stderr
    assert json.loads(stdout)["incidents"] == 250
    assert temps(out) == [] and (out / "map.html").exists() and (out / "border_map.gpkg").exists()


def test_signal_kill_mid_build_then_the_next_build_sweeps(previous, big_input):
    attack("kill -KILL")
    from border_map.pipeline import build

    out, before = previous
    code, _, stderr, seen = _kill_mid_build(out, big_input, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert snapshot(out) == before  # nothing was renamed over a good output
    assert temps(out), "kill -9 cannot clean up: its leftovers are expected here"
    build(None, out)
    assert temps(out) == []
    assert sorted(os.listdir(out)) == sorted(before)


# --------------------------------------------------------------------------- 3: CSV

FORMULAS = ["=1+1", "@SUM(1)", '=HYPERLINK("http://example.invalid/x","click")',
            "+cmd|' /C calc'!A0", "-2+3+cmd", "\t=1+1", "\r=1+1"]


def test_csv_safe_cell_follows_owasp():
    attack("csv cells")
    for text in FORMULAS:
        assert safe_cell(text) == "'" + text
    for value in ["-12.5", "+3", "1e-3", "-0.5e+2", 12, -3.5, None, True, "Torkham",
                  "", "a=b", "'=quoted"]:
        assert safe_cell(value) == value


def test_csv_geocode_neutralises_queries(capsys):
    attack("geocode csv injection")
    code, out, err = run(["geocode", "--format", "csv", "--keep-going", "--", *FORMULAS],
                         capsys)
    assert code == 1  # unknown places, reported in the output and on stderr
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["query"] for r in rows] == ["'" + f for f in FORMULAS]
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert "Traceback" not in err and "\x1b" not in err
    attack("geocode csv raw")
    code, out, _ = run(["geocode", "--format", "csv", "--keep-going", "--raw-csv", "=1+1"],
                       capsys)
    assert list(csv.DictReader(io.StringIO(out)))[0]["query"] == "=1+1"


def test_csv_imported_gazetteer_names_are_neutralised(tmp_path, capsys, monkeypatch):
    attack("imported name csv injection")
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    places = tmp_path / "places.csv"
    places.write_text(
        "id,name,aliases,kind,country,admin1,admin2,lon,lat,precision_km,source,derivation\n"
        'user.evil,"=HYPERLINK(""http://example.invalid"",""click"")",Evilkot,town,AF,'
        "@SUM(1),,69.5,33.5,2,-1+1,test\n", encoding="utf-8")
    code, _, err = run(["gazetteer", "import", places], capsys)
    assert code == 0, err
    code, out, err = run(["geocode", "--format", "csv", "Evilkot"], capsys)
    assert code == 0, err
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["name"].startswith("'=HYPERLINK(") and row["admin1"] == "'@SUM(1)"
    assert row["source"] == "'-1+1" and row["lon"] == "69.5"
    code, out, err = run(["gazetteer", "search", "Evilkot", "--format", "csv"], capsys)
    row = next(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["name"].startswith("'=HYPERLINK(")


def test_csv_summary_and_aggregates_are_safe():
    attack("summary csv injection")
    import pandas as pd

    from border_map import aggregate

    frame = pd.DataFrame({"sector": ["=1+1", "Kurram"], "band_km": [-5.0, 10.0],
                          "incidents": pd.array([1, 2], dtype="Int64")})
    text = aggregate.to_csv(frame)
    assert "'=1+1" in text and ",-5," in text and "\n=1+1" not in text
    assert aggregate.to_csv(frame, raw=True).splitlines()[1].startswith("=1+1")
    assert list(safe_frame(frame)["band_km"]) == [-5.0, 10.0]


# --------------------------------------------------------------------------- 4: online cache

SHAHIKOT = {
    "place_id": 1234, "osm_type": "node", "osm_id": 987654, "lat": "33.3721", "lon": "69.2013",
    "class": "place", "type": "village", "addresstype": "village", "name": "Shahi Kot",
    "display_name": "Shahi Kot, Zurmat District, Paktia Province, Afghanistan",
    "boundingbox": ["33.3521", "33.3921", "69.1813", "69.2213"],
    "address": {"village": "Shahi Kot", "state": "Paktia Province", "country_code": "af"},
}
#: a name the offline gazetteer does not know, so that it is asked online
QUERY = "Qqzy Kalay"
# a place in Germany sent as if it were Afghan
GERMAN = {**SHAHIKOT, "name": "Zyxq Kalay", "lat": "50.1109", "lon": "8.6821",
          "boundingbox": ["50.1", "50.2", "8.6", "8.7"]}


class _Nominatim(http.server.BaseHTTPRequestHandler):
    answers: dict = {}
    hits: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        query = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
        type(self).hits.append(query)
        body = json.dumps([self.answers[query]] if query in self.answers else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def nominatim(tmp_path, monkeypatch):
    """A Nominatim on 127.0.0.1 answering Shahi Kot and a German 'Afghan' place."""
    handler = type("Handler", (_Nominatim,), {"answers": {QUERY: SHAHIKOT,
                                                           "Zyxq Kalay": GERMAN}, "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    home = tmp_path / "home"
    env = {"BORDER_MAP_NOMINATIM_URL": f"http://127.0.0.1:{server.server_address[1]}",
           "BORDER_MAP_HOME": str(home), "BORDER_MAP_USER_AGENT": "border-map tests (t@ex.invalid)"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    yield handler, home / "cache" / "nominatim.sqlite", env
    server.shutdown()
    server.server_close()


def _store(cache: Path, key: str, answer_text) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(cache)
    con.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT, "
                "fetched_at TEXT NOT NULL)")
    con.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, 'x')", (key, answer_text))
    con.commit()
    con.close()


DAMAGED = {
    "no lat": json.dumps({k: v for k, v in SHAHIKOT.items() if k != "lat"}),
    "a list": json.dumps([SHAHIKOT]),
    "bad JSON": '{"lat": "33.3',
    "text latitude": json.dumps({**SHAHIKOT, "lat": "north of Khost"}),
    "infinite": json.dumps({**SHAHIKOT, "lon": "inf"}),
}


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_online_damaged_cache_entry_is_dropped_and_asked_again(kind, nominatim, caplog):
    attack(f"online cache {kind}")
    from border_map.online import OnlineGeocoder

    handler, cache, _ = nominatim
    _store(cache, OnlineGeocoder.cache_key(QUERY), DAMAGED[kind])
    geocoder = OnlineGeocoder("border-map tests (t@ex.invalid)", cache_path=cache)
    with caplog.at_level("WARNING"):
        match = geocoder.resolve(QUERY)
        geocoder.resolve(QUERY)
    geocoder.close()
    assert (match.place.lon, match.place.lat) == (69.2013, 33.3721)
    assert handler.hits == [QUERY]  # asked again once, then cached afresh
    warnings = [r.getMessage() for r in caplog.records if "damaged entry" in r.getMessage()]
    assert len(warnings) == 1 and str(cache) in warnings[0] and QUERY in warnings[0]


def test_online_damaged_entry_through_the_cli_is_named_once(nominatim):
    attack("online cache cli")
    handler, cache, env = nominatim
    from border_map.online import OnlineGeocoder

    _store(cache, OnlineGeocoder.cache_key(QUERY), DAMAGED["no lat"])
    proc = subprocess.run([sys.executable, "-m", "border_map", "geocode", "--online",
                           "--format", "jsonl", QUERY], env=subprocess_env(**env),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    one_line(proc.stderr, "damaged entry", "nominatim.sqlite")
    assert json.loads(proc.stdout)["match"] == "online" and handler.hits == [QUERY]


@pytest.mark.parametrize("damage", ["wrong table", "not sqlite"])
def test_online_foreign_or_corrupted_cache_is_one_line(damage, nominatim, capsys):
    attack(f"online cache {damage}")
    handler, cache, _ = nominatim
    cache.parent.mkdir(parents=True)
    if damage == "wrong table":
        con = sqlite3.connect(cache)
        con.execute("CREATE TABLE answers (x INTEGER)")
        con.commit()
        con.close()
    else:
        cache.write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
    before = cache.read_bytes()
    code, out, err = run(["geocode", "--online", QUERY], capsys)
    assert code == 1 and out == ""
    one_line(err, str(cache), "delete it")
    assert cache.read_bytes() == before and handler.hits == []


def test_online_answer_outside_the_region_is_refused(nominatim, capsys):
    attack("online answer in Germany")
    handler, cache, _ = nominatim
    code, out, err = run(["geocode", "--online", "Zyxq Kalay"], capsys)
    assert code == 1
    one_line(err, "Zyxq Kalay", "outside the Afghanistan-Pakistan region")
    assert handler.hits == ["Zyxq Kalay"]


# --------------------------------------------------------------------------- 5: output faults

def test_output_error_names_the_output_and_the_reason(tmp_path):
    attack("output_error")
    target = tmp_path / "out" / "map.html"
    cases = {errno.ENOSPC: "disk full", errno.EROFS: "read-only file system",
             errno.EACCES: "permission denied", errno.ELOOP: "symbolic link loop",
             errno.EISDIR: "folder"}
    for code, reason in cases.items():
        line = output_error(OSError(code, os.strerror(code), "/x/.border-map-tmp.1.2.map.html"),
                            target)
        assert line == f"cannot write {target}: {line.split(': ', 1)[1]}" and reason in line
        assert ".border-map-tmp" not in line


def _build_fails(capsys, out, *args, needles=()):
    code, stdout, err = run(["build", "-o", out, *args], capsys)
    line = one_line(err, "cannot write", *needles)
    assert code == 1 and stdout == "" and ".border-map-tmp" not in line
    return line


def test_output_under_a_file(tmp_path, capsys, monkeypatch):
    attack("-o afile/sub")
    monkeypatch.chdir(tmp_path)
    Path("afile").write_text("keep me")
    _build_fails(capsys, "afile/sub", needles=("afile/sub/", "afile is a file, not a folder"))
    assert Path("afile").read_text() == "keep me"


def test_output_dangling_symlink_and_loop(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink("/nonexistent/border-map", "dangling")
    attack("dangling symlink")
    _build_fails(capsys, "dangling", needles=("dangling is a dangling symbolic link",))
    os.symlink("loop_b", "loop_a")
    os.symlink("loop_a", "loop_b")
    attack("symlink loop")
    _build_fails(capsys, "loop_a/out", needles=("symbolic link loop",))


def test_output_name_taken_by_a_folder(previous, capsys):
    attack("output is a folder")
    out, before = previous
    (out / "map.html").unlink()
    (out / "map.html").mkdir()
    del before["map.html"]
    _build_fails(capsys, out, needles=(f"{out / 'map.html'}",))
    assert snapshot(out) == before and temps(out) == []


@pytest.fixture()
def mount_tmpfs(tmp_path):
    """mount(size, read_only) -> a tmpfs mounted by the test (root only), unmounted after."""
    mounted = []

    def mount(size: str, read_only: bool = False) -> Path:
        if not IS_ROOT or shutil.which("mount") is None:
            pytest.skip("mounting a tmpfs needs root")
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
        mounted.append(point)
        return point

    def remount_ro(point: Path) -> None:
        proc = subprocess.run(["mount", "-o", "remount,ro", str(point)], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot remount the tmpfs read-only: {proc.stderr.strip()}")

    mount.remount_ro = remount_ro
    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_output_read_only_folder(previous, capsys, mount_tmpfs, tmp_path):
    attack("read-only folder")
    if IS_ROOT:  # root writes through chmod: a read-only mount it is
        point = mount_tmpfs("8m")
        out = point / "out"
        shutil.copytree(previous[0], out)
        before = snapshot(out)
        mount_tmpfs.remount_ro(point)
        reason = "read-only file system"
    else:
        out, before = previous
        out.chmod(0o555)
        reason = "permission denied"
    try:
        _build_fails(capsys, out, needles=(str(out / "incidents.geojson"), reason))
        assert snapshot(out) == before and temps(out) == []
    finally:
        if not IS_ROOT:
            out.chmod(0o755)


def test_output_disk_full_in_the_geopackage(mount_tmpfs, capsys):
    attack("disk full gpkg")
    point = mount_tmpfs("400k")
    out = point / "out"
    _build_fails(capsys, out, "-f", "gpkg",
                 needles=(f"cannot write {out / 'border_map.gpkg'}: disk full",))
    # no temporary GeoPackage, no journal, and not even the folder the run made
    assert not out.exists() or os.listdir(out) == []


def test_output_disk_full_keeps_the_previous_outputs(mount_tmpfs, capsys, seed_build):
    attack("disk full")
    point = mount_tmpfs("2m")
    out = point / "out"
    code, _, err = run(["build", "-o", out, "-f", "geojson,csv"], capsys)
    assert code == 0, err
    before = snapshot(out)
    _build_fails(capsys, out, needles=("disk full",))
    assert snapshot(out) == before and temps(out) == []


def test_output_oserror_reaching_main_is_one_line(capsys, monkeypatch):
    attack("bare OSError")
    from border_map import pipeline

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/maps/x")

    monkeypatch.setattr(pipeline, "process_part", refuse)
    code, _, err = run(["build"], capsys)
    assert code == 1
    one_line(err, "/srv/maps/x: permission denied")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_output_stdout_on_a_full_disk_is_one_line():
    attack("stdout to /dev/full")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "border_map", "geocode", "Torkham"],
                              env=subprocess_env(), stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert proc.returncode == 1
    one_line(proc.stderr, "cannot write the output: disk full")


def test_output_error_is_an_oserror_and_a_border_map_error():
    err = OutputError("cannot write x: disk full", path="x", errno=errno.ENOSPC)
    assert isinstance(err, OSError) and str(err) == "cannot write x: disk full"


# --------------------------------------------------------------------------- 10: sizes

def test_limit_zip_bomb_member_is_refused_before_reading(tmp_path, capsys, monkeypatch,
                                                        previous):
    attack("zip bomb")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("events.export.CSV", b"\x00" * 20_000_000)
    assert bomb.stat().st_size < 100_000
    out, before = previous
    monkeypatch.setenv("BORDER_MAP_MAX_INPUT_MB", "5")

    def never(*args, **kwargs):  # the member must not be read at all
        raise AssertionError("the zip member was read")

    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    code, _, err = run(["build", bomb, "-o", out, "--strict"], capsys)
    assert code == 1
    one_line(err, "bomb.zip!events.export.CSV", "20.0 MB", "limit is 5 MB",
             "BORDER_MAP_MAX_INPUT_MB")
    assert snapshot(out) == before


def test_limit_huge_yaml_is_refused_before_decoding(tmp_path, capsys):
    attack("huge yaml")
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:  # sparse: 70 MB on paper, nothing on disk
        fh.write(b"incidents:\n  - id: a\n")
        fh.truncate(70_000_000)
    code, _, err = run(["build", path, "--strict", "-o", tmp_path / "out"], capsys)
    assert code == 1
    one_line(err, "huge.yaml", "too large for a YAML incident file", "limit is 64 MB")


def test_limit_input_file_and_a_bad_setting(tmp_path, capsys, monkeypatch):
    attack("input over the limit")
    # an input read whole (native JSON) is refused before it is read ...
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"incidents": [{"id": f"x{i}", "note": "x" * 100}
                                              for i in range(12_000)]}))
    code, _, err = run(["build", path, "-o", tmp_path / "o"], capsys, monkeypatch,
                       env={"BORDER_MAP_MAX_INPUT_MB": "1"})
    assert code == 1
    one_line(err, "big.json", "limit is 1 MB", "BORDER_MAP_MAX_INPUT_MB")
    # ... a delimited one is streamed block by block: no limit applies
    table = tmp_path / "big.csv"
    table.write_text("id,date,event_type,lat,lon\n"
                     + "".join(f"x{i},2025-01-01,armed_clash,34.1,71.1\n" for i in range(40_000)))
    code, out, err = run(["build", table, "-o", tmp_path / "t", "-f", "csv"], capsys,
                         monkeypatch, env={"BORDER_MAP_MAX_INPUT_MB": "1"})
    assert code == 0, err
    assert json.loads(out)["incidents"] == 40_000
    attack("bad limit setting")
    code, _, err = run(["build", path, "-o", tmp_path / "o"], capsys, monkeypatch,
                       env={"BORDER_MAP_MAX_INPUT_MB": "lots"})  # any input: the setting
    assert code == 1
    one_line(err, "BORDER_MAP_MAX_INPUT_MB='lots' is not a positive number")


def test_limit_a_huge_text_field_is_refused_with_its_field(tmp_path, capsys, monkeypatch):
    attack("huge field")
    path = tmp_path / "long.yaml"
    path.write_text(incident_yaml("x" * 1_200_000), encoding="utf-8")
    code, out, err = run(["validate", path], capsys)
    assert code == 1 and "Traceback" not in out + err
    problem = [x for x in out.splitlines() if "long.yaml:6" in x]
    assert problem and "field 'description'" in problem[0]
    assert "1,200,000 characters" in problem[0] and "BORDER_MAP_MAX_FIELD_MB" in problem[0]
    code, out, err = run(["validate", path], capsys, monkeypatch,
                         env={"BORDER_MAP_MAX_FIELD_MB": "2"})
    assert code == 0, out + err


# --------------------------------------------------------------------------- 11: imports

HEADER = "id,name,aliases,kind,country,admin1,admin2,lon,lat,precision_km,source,derivation\n"


@pytest.mark.parametrize("lon, lat, field, reason", [
    (0, 0, "lon/lat", "(0, 0)"), (33.5, 69.5, "lat", "swapped"),
    (8.68, 50.11, "lon/lat", "outside the Afghanistan-Pakistan region"),
])
def test_import_refuses_places_outside_the_region(lon, lat, field, reason, tmp_path, capsys,
                                                  monkeypatch):
    attack(f"import ({lon}, {lat})")
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "user.a,Alpha Kalay,,town,AF,,,69.5,33.5,2,me,test\n")
    assert run(["gazetteer", "import", good], capsys)[0] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "user.b,Beta Kalay,,town,AF,,,69.6,33.6,2,me,test\n"
                   f"user.c,Gamma Kalay,,town,AF,,,{lon},{lat},2,me,test\n")
    code, out, err = run(["gazetteer", "import", bad], capsys)
    assert code == 1
    one_line(err, f"{bad} row 3", f"field '{field}'", reason)
    code, out, _ = run(["gazetteer", "stats"], capsys)
    assert json.loads(out)["user"]["places"] == 1 if "user" in json.loads(out) else True
    code, out, err = run(["geocode", "--format", "jsonl", "Beta Kalay"], capsys)
    assert code == 1  # nothing of the refused file was imported
    code, out, err = run(["geocode", "--format", "jsonl", "Alpha Kalay"], capsys)
    assert code == 0 and json.loads(out)["id"] == "user.a"  # the earlier import is kept


def test_import_geonames_zip_bomb_is_refused_before_reading(tmp_path, capsys, monkeypatch):
    attack("geonames zip bomb")
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    row = "\t".join(["1", "Alpha", "Alpha", "", "33.5", "69.5", "P", "PPL", "AF", "", "01",
                     "", "", "", "0", "", "1000", "Asia/Kabul", "2020-01-01"]) + "\n"
    bomb = tmp_path / "AF.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("AF.txt", row * 60_000)
    code, _, err = run(["gazetteer", "import", bomb], capsys, monkeypatch,
                       env={"BORDER_MAP_MAX_INPUT_MB": "1"})
    assert code == 1
    one_line(err, "AF.zip!AF.txt", "limit is 1 MB", "BORDER_MAP_MAX_INPUT_MB")


def test_import_validate_and_build_agree_on_an_old_index_with_a_place_at_zero(
        tmp_path, capsys, monkeypatch):
    attack("old index with (0, 0)")
    from border_map.gazetteer import Place, UserIndex

    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    index = UserIndex.default()  # as written before imports were checked
    index._store(tmp_path / "old.csv", "csv", "user", [
        Place("user.null", "Nullzero Kalay", kind="town", country="AF", lon=0.0, lat=0.0,
              precision_km=1, source="me", derivation="test")], {})
    index.close()
    path = tmp_path / "uses.yaml"
    path.write_text(incident_yaml("uses the bad place").replace("Torkham", "Nullzero Kalay"))
    lines = {}
    for argv in (["validate", path], ["build", path, "--strict", "-o", tmp_path / "o"]):
        code, out, err = run(argv, capsys)
        assert code == 1 and "Traceback" not in err and "internal error" not in err
        lines[argv[0]] = [x for x in (out + err).splitlines() if "uses.yaml:2" in x]
        assert lines[argv[0]] and "unknown place 'Nullzero Kalay'" in lines[argv[0]][0]
    assert not (tmp_path / "o").exists()


def test_import_too_many_places_is_refused_before_parsing(tmp_path, capsys, monkeypatch):
    attack("import too many places")
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    big = tmp_path / "many.csv"
    big.write_text(HEADER + "".join(f"user.p{i},Place {i} Kalay,,town,AF,,,69.5,33.5,2,me,t\n"
                                    for i in range(5)))
    code, _, err = run(["gazetteer", "import", big], capsys, monkeypatch,
                       env={"BORDER_MAP_MAX_IMPORT_PLACES": "3"})
    assert code == 1
    one_line(err, "many.csv", "more than 3 places", "BORDER_MAP_MAX_IMPORT_PLACES")
    assert run(["geocode", "Place 1 Kalay"], capsys)[0] == 1  # nothing was imported
    code, _, err = run(["gazetteer", "import", big], capsys, monkeypatch,
                       env={"BORDER_MAP_MAX_IMPORT_PLACES": "5"})
    assert code == 0, err
    assert run(["geocode", "Place 1 Kalay"], capsys)[0] == 0


# --------------------------------------------------------------------------- 12: names

def _zip_with_member(path: Path, member: str, text: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, text)
    return path


def test_names_a_zip_member_with_a_newline_cannot_forge_a_line(tmp_path, capsys):
    attack("newline in a zip member name")
    member = "real.yaml\nFAKE.yaml:1: everything is fine"
    bad = _zip_with_member(tmp_path / "n.zip", member, incident_yaml("[unclosed"))
    code, _, err = run(["build", bad, "--strict", "-o", tmp_path / "o"], capsys)
    assert code == 1
    line = one_line(err, "real.yaml\\nFAKE.yaml:1: everything is fine")
    assert not line.startswith("FAKE")


@pytest.mark.parametrize("member", ["\x1b[2J\x1b[31mred.yaml", "evil\u202elmth.yaml",
                                    "bell\x07\x08.yaml"])
def test_names_terminal_escapes_do_not_pass(member, tmp_path, capsys):
    attack("escape in a zip member name")
    bad = _zip_with_member(tmp_path / "e.zip", member, incident_yaml("[unclosed"))
    code, _, err = run(["build", bad, "--strict", "-o", tmp_path / "o"], capsys)
    assert code == 1
    line = one_line(err)
    assert line.isprintable() and shown(member) in line


def test_names_escaped_in_a_file_name_and_a_place_query(tmp_path, capsys):
    attack("newline in a file name")
    bad = tmp_path / "two\nlines.yaml"
    bad.write_text(incident_yaml("[unclosed"), encoding="utf-8")
    code, _, err = run(["build", bad, "--strict", "-o", tmp_path / "o"], capsys)
    assert code == 1
    one_line(err, "two\\nlines.yaml")
    attack("escape in a place name")
    code, _, err = run(["geocode", "\x1b]0;owned\x07Torkhamx"], capsys)
    assert code == 1
    one_line(err, "\\x1b]0;owned\\x07")


def test_names_shown_is_idempotent_and_keeps_scripts():
    assert shown("a\nb\x1b[0m") == "a\\nb\\x1b[0m" == shown(shown("a\nb\x1b[0m"))
    assert shown("تورخم / طورخم") == "تورخم / طورخم"


# --------------------------------------------------------------------------- classics

CLASSICS = {
    "alias_bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)) + "incidents: *j\n",
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "binary.yaml": "incidents:\n\x00\x01\x02",
    "not_utf8.yaml": None,
    "empty.yaml": "",
    "bom_only.yaml": "\ufeff",
}


@pytest.mark.parametrize("name", sorted(CLASSICS))
def test_classic_hostile_inputs_are_one_line(name, tmp_path, capsys, previous):
    attack(f"classic {name}")
    path = tmp_path / name
    text = CLASSICS[name]
    if text is None:
        path.write_bytes(b"incidents:\n  - id: \xff\xfe\x81\x8d\n")
    else:
        path.write_text(text, encoding="utf-8")
    out, before = previous
    code, _, err = run(["build", path, "--strict", "-o", out], capsys)
    assert code in (1, 2)
    one_line(err, name)
    assert snapshot(out) == before


def test_classic_zip_path_traversal_writes_nothing_outside(tmp_path, capsys):
    attack("zip path traversal")
    bad = _zip_with_member(tmp_path / "t.zip", "../../escaped.yaml", incident_yaml("ok"))
    code, _, err = run(["build", bad, "-o", tmp_path / "o", "-f", "geojson"], capsys)
    assert not (tmp_path.parent / "escaped.yaml").exists()
    assert "Traceback" not in err and "internal error" not in err
    assert code in (0, 1)


def test_limit_a_huge_cell_in_a_streamed_csv_is_one_line(tmp_path, capsys, monkeypatch):
    """Defect 9 for delimited inputs: a 1 GiB cell is refused once the record passes the
    limit, without reading the rest (here a 12 MB cell against an 8 MB record limit)."""
    attack("huge cell in a streamed CSV")
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id,date,event_type,lat,lon,description\n")
        fh.write("a,2025-01-01,armed_clash,34.1,71.1,ok\n")
        fh.write('b,2025-01-02,armed_clash,34.1,71.1,"' + "x" * 12_000_000 + '"\n')
    code, out, err = run(["build", path, "-o", tmp_path / "o", "-f", "csv"], capsys,
                         monkeypatch, env={"BORDER_MAP_MAX_FIELD_MB": "1"})
    lines = [x for x in err.splitlines() if "huge.csv:3" in x]
    assert len(lines) == 1 and "a record longer than 8 MB" in lines[0], err
    assert "BORDER_MAP_MAX_FIELD_MB" in lines[0] and "Traceback" not in err
    if code == 0:  # the rows before it are mapped, the rest of the file is reported lost
        assert json.loads(out)["incidents"] == 1
    code, _, err = run(["build", path, "-o", tmp_path / "s", "-f", "csv", "--strict"], capsys,
                       monkeypatch, env={"BORDER_MAP_MAX_FIELD_MB": "1"})
    assert code == 1
    one_line(err, "huge.csv:3", "a record longer than 8 MB")
    assert not (tmp_path / "s").exists()


# --------------------------------------------------------------------------- limit flags

def test_limit_flags_raise_each_limit_for_one_command(tmp_path, capsys, monkeypatch):
    """Every refusal names the flag that raises its limit; the flag holds for its command
    only (the variable is restored when the command ends)."""
    attack("limit flags")
    monkeypatch.delenv("BORDER_MAP_MAX_INPUT_MB", raising=False)
    monkeypatch.delenv("BORDER_MAP_MAX_FIELD_MB", raising=False)
    monkeypatch.delenv("BORDER_MAP_MAX_IMPORT_PLACES", raising=False)
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    # --max-input-mb: a native file read whole
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"incidents": [
        {"id": f"x{i}", "date": "2025-10-12", "event_type": "armed_clash",
         "location": {"lon": 70.1, "lat": 34.0}, "description": "x" * 100}
        for i in range(12_000)]}))
    code, _, err = run(["build", path, "-o", tmp_path / "o", "--max-input-mb", "1"], capsys)
    assert code == 1
    one_line(err, "big.json", "limit is 1 MB", "--max-input-mb")
    assert "BORDER_MAP_MAX_INPUT_MB" not in os.environ
    code, out, err = run(["build", path, "-o", tmp_path / "o", "-f", "csv",
                          "--max-input-mb", "5"], capsys)
    assert code == 0, err
    assert json.loads(out)["incidents"] == 12_000
    assert "BORDER_MAP_MAX_INPUT_MB" not in os.environ
    # --max-field-mb: a text field over 1 MB of characters
    long = tmp_path / "long.yaml"
    long.write_text(incident_yaml("x" * 1_200_000), encoding="utf-8")
    code, out, err = run(["validate", long], capsys)
    assert code == 1 and "--max-field-mb" in out + err
    code, out, err = run(["validate", long, "--max-field-mb", "2"], capsys)
    assert code == 0, err
    assert "BORDER_MAP_MAX_FIELD_MB" not in os.environ
    # --max-import-places: a gazetteer CSV import
    many = tmp_path / "many.csv"
    many.write_text(HEADER + "".join(f"user.p{i},Place {i} Kalay,,town,AF,,,69.5,33.5,2,me,t\n"
                                     for i in range(5)))
    code, _, err = run(["gazetteer", "import", many, "--max-import-places", "3"], capsys)
    assert code == 1
    one_line(err, "many.csv", "more than 3 places", "--max-import-places")
    code, out, err = run(["gazetteer", "import", many, "--max-import-places", "5"], capsys)
    assert code == 0, err
    assert json.loads(out)["imported"] == 5
    assert "BORDER_MAP_MAX_IMPORT_PLACES" not in os.environ
    # a limit that is not positive is the command line's error (click: exit 2)
    for argv in (["build", path, "--max-input-mb", "0"], ["validate", long, "--max-field-mb",
                                                           "-1"],
                 ["gazetteer", "import", many, "--max-import-places", "0"]):
        code, _, err = run(argv, capsys)
        assert code == 2 and "Traceback" not in err, err

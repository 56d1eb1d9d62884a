"""border_map.sources.store: versions are atomic, linked, and never replaced by a failure."""

from __future__ import annotations

import json
import os

import pytest

from border_map.errors import DataError
from border_map.sources import FetchError
from border_map.sources.store import (
    Store,
    changes_since_build,
    current_files,
    mark_built,
    sources_dir,
    store_for,
)


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path))
    return tmp_path


def write_version(store, rows, added=(), deleted=()):
    with store.new_version() as v:
        v.write(v.file_name("ACLED", ".csv"), "event_id_cnty\n" + "".join(
            f"{r}\n" for r in rows), len(rows))
        v.added, v.deleted = list(added), list(deleted)
        v.state = {"n": len(rows)}
    return v


def test_sources_dir_follows_border_map_home(home):
    assert sources_dir() == home / "sources"
    assert Store("acled").dir == home / "sources" / "acled"


def test_versions_and_current(home):
    store = Store("acled")
    assert store.current() is None and store.current_files() == []
    v1 = write_version(store, ["A", "B"], added=["A", "B"])
    assert v1.committed and store.current_number() == 1
    v2 = write_version(store, ["A"], deleted=["B"])
    assert store.current_number() == 2 and store.numbers() == [1, 2]
    manifest = store.current()
    assert manifest["previous_version"] == 1 and manifest["deleted_ids"] == ["B"]
    assert manifest["files"][0]["name"] == "ACLED-v0002.csv"
    assert len(manifest["files"][0]["sha256"]) == 64
    assert manifest["attribution"].startswith("Armed Conflict Location")
    assert current_files("acled") == [v2.folder / "ACLED-v0002.csv"]
    assert not list(store.dir.glob(".staging-*"))


def test_a_failure_while_writing_leaves_the_current_version(home):
    store = Store("acled")
    write_version(store, ["A"], added=["A"])
    with pytest.raises(RuntimeError), store.new_version() as v:
        v.write(v.file_name("ACLED", ".csv"), "event_id_cnty\nA\nB\n", 2)
        v.added = ["B"]
        raise RuntimeError("cut off")
    assert store.current_number() == 1 and store.numbers() == [1]
    assert not list(store.dir.glob(".staging-*"))
    assert (store.dir / "CURRENT").read_text() == "1\n"


def test_nothing_changed_is_no_new_version(home):
    store = Store("acled")
    write_version(store, ["A"], added=["A"])
    v = write_version(store, ["A"])
    assert not v.committed and store.numbers() == [1]


def test_kept_files_are_hard_links(home):
    store = Store("ucdp")
    with store.new_version() as v:
        old = v.write("UCDP-GED-25.1-v0001.csv", "id\n1\n", 1)
        v.added = ["1"]
    old = store.version_folder(1) / "UCDP-GED-25.1-v0001.csv"
    with store.new_version() as v:
        v.keep(old, v.file_name("UCDP-GED-25.1", ".csv"), 1)
        v.commit_anyway = True
    new = store.version_folder(2) / "UCDP-GED-25.1-v0002.csv"
    assert new.read_text() == "id\n1\n" and os.stat(new).st_ino == os.stat(old).st_ino


def test_one_fetch_at_a_time(home):
    store = Store("gdelt")
    with store.lock(), pytest.raises(FetchError, match="another fetch"), store.lock():
        pass


def test_store_for_names_and_folders(home):
    store = Store("acled")
    write_version(store, ["A"], added=["A"])
    assert store_for("acled").dir == store.dir
    assert store_for(store.dir).dir == store.dir
    assert store_for(store.version_folder(1)).dir == store.dir
    with pytest.raises(DataError, match="not a fetched source"):
        store_for(home)
    with pytest.raises(DataError, match="nothing fetched for ucdp"):
        current_files("ucdp")


def test_damaged_current(home):
    store = Store("acled")
    write_version(store, ["A"], added=["A"])
    (store.dir / "CURRENT").write_text("x\n")
    with pytest.raises(DataError, match="damaged store"):
        current_files("acled")


def test_changes_since_build(home):
    store = Store("acled")
    write_version(store, ["A", "B"], added=["A", "B"])
    first = changes_since_build("acled")
    assert first["version"] == 1 and first["last_built_version"] is None
    assert first["since_last_build"] == {"added": 2, "changed": 0, "deleted": 0}
    mark_built("acled", 1)
    write_version(store, ["A", "C"], added=["C"], deleted=["B"])
    write_version(store, ["A", "C", "D"], added=["D"])
    later = changes_since_build("acled")
    assert later["since_last_build"] == {"added": 2, "changed": 0, "deleted": 1}
    mark_built("acled", 3)
    assert changes_since_build("acled")["since_last_build"] is None
    json.dumps(later)  # serialisable for the summary

"""``border-map fetch acled`` against a local ACLED API: versions, increments, deletions, errors."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner
from fetch_fakes import (
    ACLED_EMAIL,
    ACLED_KEY,
    ACLED_PASSWORD,
    ACLED_TOKEN,
    SECRETS,
    FakeApis,
)

from border_map.cli import cli
from border_map.readers import read_source
from border_map.sources.acled import AcledFetcher, Credentials
from border_map.sources.http import HttpClient
from border_map.sources.store import Store

AF_PK = {"PAK80001", "AFG60001", "PAK80002", "AFG60002", "PAK80003"}


@pytest.fixture()
def apis():
    fake = FakeApis().start()
    yield fake
    fake.stop()


@pytest.fixture()
def env(apis, tmp_path, monkeypatch):
    """A fresh store, the fake API's URL, OAuth credentials; pauses recorded, not slept."""
    monkeypatch.setenv("BORDER_MAP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BORDER_MAP_ACLED_URL", apis.url)
    monkeypatch.setenv("BORDER_MAP_FETCH_MIN_INTERVAL", "0")
    for name in ("ACLED_ACCESS_TOKEN", "ACLED_API_KEY", "ACLED_EMAIL", "ACLED_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACLED_EMAIL", ACLED_EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", ACLED_PASSWORD)
    waits = []
    monkeypatch.setattr("time.sleep", waits.append)
    return tmp_path / "home"


def run(*args):
    result = CliRunner().invoke(cli, ["fetch", "acled", "--since", "2026-01-01", *args])
    return result


def summary(result) -> dict:
    return json.loads(result.stdout)


def no_secrets_anywhere(home, *texts):
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, path


def test_first_fetch_makes_version_1_in_the_readers_layout(env, apis):
    result = run()
    assert result.exit_code == 0, result.output
    out = summary(result)
    assert out["source"] == "acled" and out["version"] == 1 and out["new_version"]
    assert (out["added"], out["changed"], out["deleted"], out["rows"]) == (5, 0, 0, 5)
    assert "ACLED" in out["attribution"]
    assert "acled: version 1: 5 added, 0 changed, 0 deleted" in result.stderr
    [path] = out["files"]
    assert path.endswith("ACLED-v0001.csv")
    read = read_source(path)
    assert read.format == "acled" and not read.problems
    assert {i.id for i in read.incidents} == {f"acled-{e}" for e in AF_PK}
    # the OAuth password grant, then bearer requests with the documented filters
    token_call, data_call, end_call = apis.log
    assert end_call["query"]["page"] == "2"  # a short first page may be a cap: one more
    assert token_call["path"] == "/oauth/token" and token_call["method"] == "POST"
    assert b"grant_type=password" in token_call["body"]
    q = data_call["query"]
    assert data_call["headers"]["authorization"] == f"Bearer {ACLED_TOKEN}"
    assert q["country"] == "Afghanistan:OR:Pakistan" and q["event_date_where"] == "BETWEEN"
    assert q["event_date"].startswith("2026-01-01|") and q["page"] == "1"
    manifest = json.loads((env / "sources/acled/versions/0001/manifest.json").read_text())
    assert manifest["state"]["max_timestamp"] == 1767945600
    assert manifest["request"]["auth"] == "oauth" and manifest["terms"].startswith("https://")
    no_secrets_anywhere(env, result.output)


def test_incremental_update_by_timestamp_applies_changes_and_deletions(env, apis):
    assert run().exit_code == 0
    apis.log.clear()
    # ACLED revises one event (new timestamp), adds one, deletes one
    changed = next(e for e in apis.acled if e["event_id_cnty"] == "PAK80002")
    changed.update(fatalities="3", timestamp="1768000000")
    new = dict(changed, event_id_cnty="AFG60003", event_date="2026-01-10", country="Afghanistan",
               timestamp="1768000100")
    apis.acled.append(new)
    apis.acled = [e for e in apis.acled if e["event_id_cnty"] != "AFG60001"]
    apis.acled_deleted.append({"event_id_cnty": "AFG60001", "deleted_timestamp": "2000000000"})
    apis.acled_deleted.append({"event_id_cnty": "NGA1", "deleted_timestamp": "2000000000"})
    result = run()
    assert result.exit_code == 0, result.output
    out = summary(result)
    assert (out["version"], out["added"], out["changed"], out["deleted"], out["rows"]) == (
        2, 1, 1, 1, 5)
    assert "version 2: 1 added, 1 changed, 1 deleted" in result.stderr
    reads = [c for c in apis.log if c["path"] == "/api/acled/read"]
    assert reads[0]["query"]["timestamp"] == "1767945600"
    assert reads[0]["query"]["timestamp_where"] == ">="
    assert any(c["path"] == "/api/deleted/read" for c in apis.log)
    manifest = json.loads((env / "sources/acled/versions/0002/manifest.json").read_text())
    assert manifest["added_ids"] == ["AFG60003"] and manifest["changed_ids"] == ["PAK80002"]
    assert manifest["deleted_ids"] == ["AFG60001"] and manifest["previous_version"] == 1
    incidents = {i.id: i for i in read_source(out["files"][0]).incidents}
    assert "acled-AFG60001" not in incidents and "acled-AFG60003" in incidents
    assert incidents["acled-PAK80002"].claims[0].figures[0].low == 3
    # version 1 is kept as it was
    assert len(read_source(env / "sources/acled/versions/0001/ACLED-v0001.csv").incidents) == 5
    # nothing new: no new version
    again = run()
    assert again.exit_code == 0 and not summary(again)["new_version"]
    assert "no changes; version 2 stays current" in again.stderr


def test_full_refetch_compares_with_the_store(env, apis):
    assert run().exit_code == 0
    apis.acled = [e for e in apis.acled if e["event_id_cnty"] != "PAK80003"]
    result = run("--full")
    out = summary(result)
    assert result.exit_code == 0 and (out["version"], out["deleted"], out["rows"]) == (2, 1, 4)
    assert "timestamp" not in [c for c in apis.log if c["path"] == "/api/acled/read"][-1]["query"]


def test_other_window_or_country_fetches_again(env, apis):
    assert run().exit_code == 0
    result = run("--country", "af", "--until", "2026-01-07")
    out = summary(result)
    assert result.exit_code == 0, result.output
    assert (out["version"], out["rows"], out["deleted"]) == (2, 1, 4)
    q = [c for c in apis.log if c["path"] == "/api/acled/read"][-1]["query"]
    assert q["country"] == "Afghanistan" and q["event_date"] == "2026-01-01|2026-01-07"


def test_paging_in_chunks(env, apis):
    store = Store("acled")
    fetcher = AcledFetcher(page_limit=2)
    version = fetcher.fetch(store, since=__import__("datetime").date(2026, 1, 1))
    assert version.committed and len(version.added) == 5
    pages = [c["query"]["page"] for c in apis.log if c["path"] == "/api/acled/read"]
    assert pages == ["1", "2", "3"]  # 2 + 2 + 1: a short page ends it


def test_server_capping_the_page_size_is_paged_through(env, apis, monkeypatch):
    real = apis._page
    monkeypatch.setattr(apis, "_page", lambda rows, q: real(rows, {**q, "limit": "2"}))
    version = AcledFetcher().fetch(Store("acled"),
                                   since=__import__("datetime").date(2026, 1, 1))
    assert len(version.added) == 5
    pages = [c["query"]["page"] for c in apis.log if c["path"] == "/api/acled/read"]
    assert pages == ["1", "2", "3"]


def test_build_from_the_acled_store(env, apis, tmp_path):
    assert run().exit_code == 0
    result = CliRunner().invoke(cli, ["build", "--source", "acled", "-o", str(tmp_path / "o"),
                                      "--format", "geojson"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["incidents"] == 5 and out["rejected"] == 0
    [info] = out["sources"]
    assert (info["source"], info["version"], info["files"]) == ("acled", 1, ["ACLED-v0001.csv"])
    assert info["request"]["countries"] == ["Afghanistan", "Pakistan"]
    assert info["terms"] == "https://acleddata.com/terms-of-use/"
    apis.acled = [e for e in apis.acled if e["event_id_cnty"] != "PAK80001"]
    apis.acled_deleted.append({"event_id_cnty": "PAK80001", "deleted_timestamp": "2000000000"})
    assert run().exit_code == 0
    out = json.loads(CliRunner().invoke(cli, ["build", "--source", "acled", "-o",
                                              str(tmp_path / "o"), "--format", "geojson"]).stdout)
    assert out["incidents"] == 4
    assert out["sources"][0]["since_last_build"] == {"added": 0, "changed": 0, "deleted": 1}
    no_secrets_anywhere(env, result.output)


def test_bearer_token_from_the_environment(env, apis, monkeypatch):
    monkeypatch.delenv("ACLED_PASSWORD")
    monkeypatch.setenv("ACLED_ACCESS_TOKEN", ACLED_TOKEN)
    result = run()
    assert result.exit_code == 0, result.output
    assert [c["path"] for c in apis.log] == ["/api/acled/read"] * 2
    no_secrets_anywhere(env, result.output)


def test_legacy_key_and_email(env, apis, monkeypatch):
    monkeypatch.delenv("ACLED_PASSWORD")
    monkeypatch.setenv("ACLED_API_KEY", ACLED_KEY)
    result = CliRunner().invoke(cli, ["-vv", "fetch", "acled", "--since", "2026-01-01"])
    assert result.exit_code == 0, result.output
    call = apis.log[0]
    assert call["path"] == "/acled/read" and call["query"]["key"] == ACLED_KEY
    assert call["query"]["country"] == "Afghanistan:OR:country=Pakistan"
    no_secrets_anywhere(env, result.output)


def test_wrong_password_is_one_line(env, apis, monkeypatch):
    monkeypatch.setenv("ACLED_PASSWORD", "not-it-" + ACLED_PASSWORD)
    result = run()
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert "refused" in result.stderr and "ACLED_EMAIL" in result.stderr
    no_secrets_anywhere(env, result.output)
    assert "not-it-" not in result.output


def test_wrong_token_is_one_line(env, apis, monkeypatch):
    monkeypatch.delenv("ACLED_PASSWORD")
    monkeypatch.setenv("ACLED_ACCESS_TOKEN", "tok-wrong-123")
    result = run()
    assert result.exit_code == 1 and "HTTP 401" in result.stderr
    assert "tok-wrong-123" not in result.output


def test_wrong_key_is_one_line_without_the_key(env, apis, monkeypatch):
    monkeypatch.delenv("ACLED_PASSWORD")
    monkeypatch.setenv("ACLED_API_KEY", "key-wrong-999")
    result = run()
    assert result.exit_code == 1 and "HTTP 403" in result.stderr
    assert "key-wrong-999" not in result.output


def test_error_reported_inside_a_200_answer(env, apis):
    apis.acled_json_error = {"status": 403, "message": "Access denied: accept the terms"}
    result = run()
    assert result.exit_code == 1 and "refused the credentials" in result.stderr
    assert "accept the terms" in result.stderr


def test_no_credentials(env, monkeypatch):
    monkeypatch.delenv("ACLED_PASSWORD")
    result = run()
    assert result.exit_code == 1
    assert "no credentials" in result.stderr and "never on the command line" in result.stderr


def test_quota_once_is_waited_for(env, apis):
    apis.quota, apis.retry_after = 1, "2"
    result = run()
    assert result.exit_code == 0, result.output


def test_quota_reached_is_one_line_and_keeps_the_store(env, apis):
    assert run().exit_code == 0
    apis.acled[0]["timestamp"] = "1999999999"
    apis.quota, apis.retry_after = 50, "86400"
    result = run()
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "rate limit or quota reached (HTTP 429" in result.stderr
    assert Store("acled").current_number() == 1


def test_changed_schema_is_one_line_and_keeps_the_store(env, apis):
    assert run().exit_code == 0
    apis.acled[0]["timestamp"] = "1999999999"
    apis.schema = "changed"
    result = run()
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "lack the columns event_id_cnty" in result.stderr and "API may have changed" in \
        result.stderr
    assert Store("acled").current_number() == 1
    assert not list((env / "sources/acled").glob(".staging-*"))


def test_no_network(env, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("BORDER_MAP_ACLED_URL", f"http://127.0.0.1:{port}")
    result = run()
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "cannot reach 127.0.0.1" in result.stderr and "Traceback" not in result.output


def test_bad_dates_are_usage_errors(env):
    assert CliRunner().invoke(cli, ["fetch", "acled", "--since", "1/2/2026"]).exit_code == 2
    result = run("--until", "2025-01-01")
    assert result.exit_code == 1 and "before --since" in result.stderr


def test_progress_on_stderr(env):
    result = run("--progress")
    assert result.exit_code == 0
    assert "\racled 5 events" in result.stderr


def test_credentials_repr_hides_the_secret():
    assert "abc" not in repr(Credentials("token", secret="abc"))
    assert HttpClient("x").scrub("a abc b") == "a abc b"

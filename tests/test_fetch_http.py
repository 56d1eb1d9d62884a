"""border_map.sources.http against a local server: retries, quota, errors, resumable downloads."""

from __future__ import annotations

import hashlib
import socket

import pytest
from fetch_fakes import FakeApis

from border_map.sources import AuthError, DownloadError, NetworkError, QuotaError, SchemaError
from border_map.sources.http import HttpClient, NotFound, safe_url


@pytest.fixture()
def apis():
    fake = FakeApis().start()
    yield fake
    fake.stop()


@pytest.fixture()
def waits(monkeypatch):
    """Every pause the client takes, instead of sleeping."""
    got = []
    monkeypatch.setenv("BORDER_MAP_FETCH_MIN_INTERVAL", "0")
    return got


def client(waits, **kw):
    return HttpClient("test", sleep=waits.append, **kw)


def test_safe_url_drops_the_query_and_user():
    assert safe_url("https://u:pw@h.example:8080/a/read?key=SECRET") == "https://h.example:8080/a/read"


def test_quota_429_waits_for_retry_after_then_succeeds(apis, waits):
    apis.quota = 2
    apis.retry_after = "3"
    resp = client(waits).request(f"{apis.url}/gdeltv2/lastupdate.txt")
    assert resp.status == 200
    assert waits == [3.0, 3.0]
    assert len(apis.log) == 3


def test_quota_429_with_a_long_retry_after_is_a_quota_error(apis, waits):
    apis.quota = 1
    apis.retry_after = "3600"
    with pytest.raises(QuotaError, match=r"HTTP 429: Too many requests.*wait 3600 s"):
        client(waits).request(f"{apis.url}/gdeltv2/lastupdate.txt")
    assert waits == []


def test_quota_429_retries_run_out(apis, waits):
    apis.quota = 10
    with pytest.raises(QuotaError):
        client(waits, retries=2).request(f"{apis.url}/gdeltv2/lastupdate.txt")
    assert len(apis.log) == 3


def test_401_is_an_auth_error_at_once_and_hides_the_secret(apis, waits):
    c = client(waits)
    c.secrets.append("ucdp-wrong-token")
    with pytest.raises(AuthError) as err:
        c.request(f"{apis.url}/api/gedevents/25.1?pagesize=1&token=ucdp-wrong-token",
                  headers={"x-ucdp-access-token": "ucdp-wrong-token"})
    assert "ucdp-wrong-token" not in str(err.value)
    assert "HTTP 401" in str(err.value) and "/api/gedevents/25.1" in str(err.value)
    assert len(apis.log) == 1 and waits == []


def test_404_is_not_found(apis, waits):
    with pytest.raises(NotFound):
        client(waits).request(f"{apis.url}/nowhere")


def test_no_network_is_one_network_error_after_retries(waits):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NetworkError, match=r"cannot reach 127\.0\.0\.1 .*network connection"):
        client(waits, retries=2).request(f"http://127.0.0.1:{port}/x")
    assert waits == [1.0, 2.0]  # exponential backoff


def test_json_that_is_not_json_is_a_schema_error(apis, waits):
    apis.add_export("20260101000000", [])
    resp = client(waits).request(f"{apis.url}/gdeltv2/lastupdate.txt")
    with pytest.raises(SchemaError, match="expected JSON"):
        resp.json("test: list")


def test_download_cut_off_is_resumed_with_range(apis, waits, tmp_path):
    body_rows = [f"row {i}" * 50 for i in range(400)]
    apis.add_export("20260101000000", body_rows)
    data = apis.gdelt["20260101000000"]
    apis.drop = 1
    dest = tmp_path / "x.zip"
    client(waits).download(f"{apis.url}/gdeltv2/20260101000000.export.CSV.zip", dest,
                           size=len(data), md5=hashlib.md5(data).hexdigest())
    assert dest.read_bytes() == data
    assert not (tmp_path / "x.zip.part").exists()
    first, second = apis.log
    assert "range" not in first["headers"]
    assert second["headers"]["range"] == f"bytes={len(data) // 2}-"


def test_download_interrupted_for_good_keeps_the_part_for_the_next_run(apis, waits, tmp_path):
    apis.add_export("20260101000000", [f"row {i}" * 50 for i in range(400)])
    data = apis.gdelt["20260101000000"]
    apis.drop = 3
    dest = tmp_path / "x.zip"
    url = f"{apis.url}/gdeltv2/20260101000000.export.CSV.zip"
    with pytest.raises(DownloadError, match="interrupted .* run the command again"):
        client(waits, retries=2).download(url, dest, size=len(data))
    assert not dest.exists()
    kept = (tmp_path / "x.zip.part").stat().st_size
    assert 0 < kept < len(data)
    client(waits).download(url, dest, size=len(data))  # the next run resumes
    assert dest.read_bytes() == data
    assert apis.log[-1]["headers"]["range"] == f"bytes={kept}-"


def test_download_with_a_wrong_md5_is_removed(apis, waits, tmp_path):
    apis.add_export("20260101000000", ["a"])
    data = apis.gdelt["20260101000000"]
    dest = tmp_path / "x.zip"
    with pytest.raises(DownloadError, match="MD5"):
        client(waits).download(f"{apis.url}/gdeltv2/20260101000000.export.CSV.zip", dest,
                               size=len(data), md5="0" * 32)
    assert not dest.exists() and not (tmp_path / "x.zip.part").exists()


def test_download_with_a_wrong_size_is_removed(apis, waits, tmp_path):
    apis.add_export("20260101000000", ["a"])
    dest = tmp_path / "x.zip"
    with pytest.raises(DownloadError, match="bytes, the file list says"):
        client(waits).download(f"{apis.url}/gdeltv2/20260101000000.export.CSV.zip", dest,
                               size=10_000_000)
    assert not dest.exists()


def test_pace_between_requests(apis, monkeypatch):
    monkeypatch.delenv("BORDER_MAP_FETCH_MIN_INTERVAL", raising=False)
    apis.add_export("20260101000000", ["a"])
    waited = []
    c = HttpClient("test", min_interval=5.0, sleep=waited.append)
    c.request(f"{apis.url}/gdeltv2/lastupdate.txt")
    c.request(f"{apis.url}/gdeltv2/lastupdate.txt")
    assert len(waited) == 1 and 4.0 < waited[0] <= 5.0


def test_credentials_are_not_forwarded_to_where_a_redirect_points(apis, waits):
    target = f"http://localhost:{apis.port}/echo"
    resp = client(waits).request(f"{apis.url}/redirect", params={"to": target},
                                 headers={"x-ucdp-access-token": "tok-1",
                                          "Authorization": "Bearer tok-2", "Accept": "x/y"})
    assert resp.json("echo") == {"ok": True}
    first, second = apis.log
    assert first["headers"]["x-ucdp-access-token"] == "tok-1"
    assert first["headers"]["authorization"] == "Bearer tok-2"
    assert "x-ucdp-access-token" not in second["headers"]
    assert "authorization" not in second["headers"]
    assert second["headers"]["accept"] == "x/y"

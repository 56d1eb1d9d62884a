"""Shared fixtures. No test touches the network: sockets are refused outright."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_ARTICLE = ROOT.parent / "shared" / "seed" / "article.txt"


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory):
    """A developer's own imported places (gazetteer import) never leak into the tests."""
    import os

    home = tmp_path_factory.mktemp("border_map_home")
    old = os.environ.get("BORDER_MAP_HOME")
    os.environ["BORDER_MAP_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("BORDER_MAP_HOME", None)
    else:
        os.environ["BORDER_MAP_HOME"] = old


@pytest.fixture(autouse=True)
def _no_network(monkeypatch, request):
    """Any attempt to open an internet connection fails the test (loopback is allowed)."""
    real_connect = socket.socket.connect

    def guarded(self, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not str(
                host).startswith("/"):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_unavailable(reason: str):
    """Skip, or fail under CI: a CI run must exercise the browser tests."""
    import os

    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (its own browser download does not work here)."""
    import shutil

    try:
        sync_api = pytest.importorskip("playwright.sync_api",
                                       reason="the 'playwright' package is not installed")
    except pytest.skip.Exception as exc:
        browser_unavailable(str(exc.msg))
    exe = CHROMIUM if CHROMIUM.exists() else (Path(p) if (p := shutil.which("chromium")) else None)
    if exe is None:
        browser_unavailable(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(exe), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def border():
    from border_map.border import DurandLine

    return DurandLine.default()


@pytest.fixture(scope="session")
def gazetteer():
    from border_map.gazetteer import Gazetteer

    return Gazetteer.default()


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The bundled seed example built once into a temporary folder."""
    from border_map.pipeline import build

    out = tmp_path_factory.mktemp("seed_build")
    return build(None, out)

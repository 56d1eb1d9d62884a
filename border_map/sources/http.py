"""A small HTTP client on urllib: rate limiting, retries with backoff, resumable downloads.

* one request at a time, at least ``min_interval`` seconds apart (each provider sets the
  pace its documentation asks for);
* connection failures and HTTP 5xx are retried with exponential backoff; HTTP 429 is
  retried after the server's ``Retry-After`` when that is short enough, else it is a
  :class:`~border_map.sources.QuotaError`;
* 401/403 are :class:`~border_map.sources.AuthError` at once (retrying cannot help);
* :meth:`HttpClient.download` writes to ``NAME.part`` and resumes it with a ``Range``
  request after a dropped connection (in the same run, or the next run), then checks the
  size and MD5 before renaming it to ``NAME``.

Error messages name the host and path only: never the query string (an ACLED key travels
there) nor any header (tokens).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import AuthError, DownloadError, FetchError, NetworkError, QuotaError, SchemaError

__all__ = ["HttpClient", "NotFound", "Response", "safe_url"]

USER_AGENT = f"border-map/{__version__} (+https://github.com/border-map/border-map)"
#: The environment variable that overrides every provider's pause between requests
#: (seconds; tests set 0).
INTERVAL_ENV = "BORDER_MAP_FETCH_MIN_INTERVAL"
#: Headers that carry credentials: not forwarded when the server redirects elsewhere.
SECRET_HEADERS = frozenset({"authorization", "x-ucdp-access-token"})
_TRANSIENT = (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout,
              TimeoutError)


class NotFound(FetchError):
    """HTTP 404: the server has no such file."""


class _Incomplete(Exception):
    """The body ended before its Content-Length."""


def safe_url(url: str) -> str:
    """``scheme://host/path`` of a URL: what error messages may show."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]  # never user:password@
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def json(self, what: str):
        """The body as JSON; a :class:`SchemaError` naming ``what`` if it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as err:
            head = self.body[:60].decode("utf-8", "replace").replace("\n", " ")
            raise SchemaError(f"{what}: expected JSON from {safe_url(self.url)}, got "
                              f"{head!r}... ({err.__class__.__name__}); the API may have "
                              "changed") from None


class HttpClient:
    """Requests to one provider, paced and retried (see the module docstring).

    Parameters
    ----------
    label
        the provider's name, first word of every error message.
    min_interval
        seconds between the starts of two requests (``$BORDER_MAP_FETCH_MIN_INTERVAL``
        overrides it).
    retries, backoff
        attempts after the first, and the first pause (doubled each time, capped at 60 s).
    max_retry_after
        the longest ``Retry-After`` (s) waited for on HTTP 429; longer is a QuotaError.
    sleep
        the function that waits (tests pass a recorder).
    """

    def __init__(self, label: str, *, min_interval: float = 1.0, retries: int = 4,
                 backoff: float = 1.0, max_retry_after: float = 120.0, timeout: float = 60.0,
                 user_agent: str = USER_AGENT, sleep: Callable[[float], None] | None = None):
        env = os.environ.get(INTERVAL_ENV)
        if env:
            try:
                min_interval = max(0.0, float(env))
            except ValueError:
                raise FetchError(f"{INTERVAL_ENV} must be a number of seconds, got "
                                 f"{env!r}") from None
        self.label = label
        self.min_interval = float(min_interval)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_retry_after = float(max_retry_after)
        self.timeout = float(timeout)
        self.user_agent = user_agent
        self.sleep = sleep or time.sleep
        self.requests = 0
        self._last = None
        #: strings never to show in a message (keys, tokens, passwords): replaced by ***
        self.secrets: list[str] = []

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***").replace(urllib.parse.quote(secret), "***")
        return text

    # -- plumbing -----------------------------------------------------------------------------
    def _pace(self) -> None:
        if self._last is not None and self.min_interval > 0:
            wait = self._last + self.min_interval - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last = time.monotonic()

    def _pause(self, attempt: int) -> float:
        return min(60.0, self.backoff * 2 ** attempt)

    def _open(self, url: str, headers: Mapping[str, str] | None = None,
              data: bytes | None = None, method: str | None = None):
        """Open a URL (paced); HTTPError for statuses >= 400 is the caller's to handle."""
        head = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        secret = {}
        for key, value in (headers or {}).items():
            (secret if key.lower() in SECRET_HEADERS else head)[key] = value
        req = urllib.request.Request(url, data=data, headers=head, method=method)
        for key, value in secret.items():  # never sent on to where a redirect points
            req.add_unredirected_header(key, value)
        self._pace()
        self.requests += 1
        return urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310 - http(s) only

    def _retry_after(self, err: urllib.error.HTTPError) -> float | None:
        value = (err.headers or {}).get("Retry-After")
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())

    def _http_error(self, err: urllib.error.HTTPError, url: str, attempt: int) -> float:
        """Raise the error for a status, or return how long to wait before retrying."""
        where = safe_url(url)
        detail = _error_detail(err)
        if err.code in (401, 403):
            raise AuthError(f"{self.label}: the server refused the credentials (HTTP {err.code}"
                            f"{detail}) at {where}; check them") from None
        if err.code == 404:
            raise NotFound(f"{self.label}: not found (HTTP 404) at {where}") from None
        if err.code == 429:
            wait = self._retry_after(err)
            if attempt < self.retries and (wait is None or wait <= self.max_retry_after):
                return wait if wait is not None else self._pause(attempt)
            after = f"; the server asks to wait {wait:.0f} s" if wait is not None else ""
            raise QuotaError(f"{self.label}: rate limit or quota reached (HTTP 429{detail}) at "
                             f"{where}{after}; try again later") from None
        if err.code >= 500 and attempt < self.retries:
            return self._pause(attempt)
        raise FetchError(f"{self.label}: HTTP {err.code}{detail} at {where}") from None

    def _network_error(self, err: Exception, url: str) -> NetworkError:
        reason = getattr(err, "reason", None) or err
        host = urllib.parse.urlsplit(url).hostname
        return NetworkError(f"{self.label}: cannot reach {host} ({_one_line(reason)}); check "
                            "the network connection")

    # -- requests -----------------------------------------------------------------------------
    def request(self, url: str, **kwargs) -> Response:
        """One request, retried as the module docstring says; the whole body read."""
        try:
            return self._request(url, **kwargs)
        except FetchError as err:
            raise type(err)(self.scrub(str(err))) from None

    def download(self, url: str, dest: str | os.PathLike, **kwargs) -> Path:
        """Fetch ``url`` to ``dest`` through ``dest.part``, resuming it with ``Range``.

        A dropped connection is resumed from the bytes kept (up to ``retries`` times in this
        run; a later run resumes too). ``size`` and ``md5`` (hex), when given, are checked
        before ``dest`` appears; a mismatch deletes the part file.
        """
        try:
            return self._download(url, dest, **kwargs)
        except FetchError as err:
            raise type(err)(self.scrub(str(err))) from None

    def _request(self, url: str, *, params: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, data: bytes | None = None,
                method: str | None = None) -> Response:
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params, safe=":|,")
        attempt = 0
        while True:
            try:
                with self._open(url, headers, data, method) as resp:
                    body = _read_all(resp)
                    return Response(resp.status, resp.headers, body, url)
            except urllib.error.HTTPError as err:
                wait = self._http_error(err, url, attempt)
            except (*_TRANSIENT, _Incomplete) as err:
                if attempt >= self.retries:
                    if isinstance(err, _Incomplete):
                        raise DownloadError(f"{self.label}: the answer from {safe_url(url)} was "
                                            "cut off; try again") from None
                    raise self._network_error(err, url) from None
                wait = self._pause(attempt)
            attempt += 1
            self.sleep(wait)

    def _download(self, url: str, dest: str | os.PathLike, *, size: int | None = None,
                 md5: str | None = None, headers: Mapping[str, str] | None = None,
                  progress: Callable[[int], None] | None = None) -> Path:
        dest = Path(dest)
        part = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        attempt = 0
        while True:
            have = part.stat().st_size if part.exists() else 0
            if size is not None and have > size:
                part.unlink()
                have = 0
            if size is not None and have == size:
                break
            head = dict(headers or {})
            if have:
                head["Range"] = f"bytes={have}-"
            try:
                with self._open(url, head) as resp:
                    mode = "ab"
                    if resp.status == 206:
                        start = _range_start(resp.headers.get("Content-Range"))
                        if start != have:  # not the range asked for: start afresh
                            mode, have = "wb", 0
                            if start != 0:
                                part.unlink(missing_ok=True)
                                raise _Incomplete()
                    else:
                        mode, have = "wb", 0  # the server sent the whole file
                    expected = resp.headers.get("Content-Length")
                    got = 0
                    with open(part, mode) as out:
                        while chunk := resp.read(1 << 16):
                            out.write(chunk)
                            got += len(chunk)
                            if progress:
                                progress(len(chunk))
                    if expected is not None and got < int(expected):
                        raise _Incomplete()
                break
            except urllib.error.HTTPError as err:
                if err.code == 416 and have:  # nothing left to send: the part is whole
                    break
                wait = self._http_error(err, url, attempt)
            except (*_TRANSIENT, _Incomplete) as err:
                if attempt >= self.retries:
                    kept = part.stat().st_size if part.exists() else 0
                    if isinstance(err, _Incomplete) or kept:
                        raise DownloadError(
                            f"{self.label}: download of {safe_url(url)} interrupted ({kept} "
                            f"bytes kept); run the command again to resume it") from None
                    raise self._network_error(err, url) from None
                wait = self._pause(attempt)
            attempt += 1
            self.sleep(wait)
        _verify(part, size, md5, url, self.label)
        os.replace(part, dest)
        return dest


def _read_all(resp) -> bytes:
    chunks, got = [], 0
    while chunk := resp.read(1 << 16):
        chunks.append(chunk)
        got += len(chunk)
    expected = resp.headers.get("Content-Length")
    if expected is not None and got < int(expected):
        raise _Incomplete()
    return b"".join(chunks)


def _range_start(value: str | None) -> int | None:
    # "bytes 100-199/200"
    try:
        return int(value.split()[1].split("-")[0])
    except (AttributeError, IndexError, ValueError):
        return None


def _verify(part: Path, size, md5, url: str, label: str) -> None:
    actual = part.stat().st_size
    if size is not None and actual != size:
        part.unlink()
        raise DownloadError(f"{label}: {safe_url(url)} has {actual} bytes, the file list says "
                            f"{size}; the damaged download was removed, try again")
    if md5:
        digest = hashlib.md5(usedforsecurity=False)
        with open(part, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest().lower() != md5.lower():
            part.unlink()
            raise DownloadError(f"{label}: {safe_url(url)} fails its MD5 check; the damaged "
                                "download was removed, try again")


def _error_detail(err: urllib.error.HTTPError) -> str:
    """A short reason from the error body (JSON "message"/"error"), never more than 120 chars."""
    try:
        body = err.read(4096)
    except Exception:  # noqa: BLE001 - the body is a courtesy
        return ""
    try:
        doc = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return ""
    if isinstance(doc, dict):
        for key in ("message", "error", "error_description", "Message"):
            value = doc.get(key)
            if isinstance(value, dict):
                value = value.get("message")
            if isinstance(value, str) and value.strip():
                return ": " + _one_line(value)[:120]
    return ""


def _one_line(value) -> str:
    return " ".join(str(value).split())

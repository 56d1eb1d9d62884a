"""Local stand-ins for the ACLED, UCDP and GDELT servers, for tests/test_fetch*.py.

One ``http.server`` on 127.0.0.1 in a thread answers in each API's documented shape
(see border_map/sources/acled.py, ucdp.py, gdelt.py for the documentation each follows):
paging, filters, authentication, errors, quota (429 + Retry-After), a changed schema,
ACLED's deletions, and GDELT downloads that can be cut off mid-body and resumed by Range.
The data are the fictional fixtures in tests/data/fetch/ and rows made up here.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import threading
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "fetch"

ACLED_EMAIL = "analyst@example.org"
ACLED_PASSWORD = "pw-Secret-7319"
ACLED_KEY = "key-Secret-5521"
ACLED_TOKEN = "tok-Secret-8842"
UCDP_TOKEN = "ucdp-Secret-1187"
SECRETS = (ACLED_PASSWORD, ACLED_KEY, ACLED_TOKEN, UCDP_TOKEN)


def gdelt_row(event_id: int, day: str, code: str, country: str, place: str, lon: float,
              lat: float, added: str) -> str:
    """One made-up GDELT 2.0 event row (61 tab-separated fields)."""
    fields = [""] * 61
    fields[0], fields[1], fields[2], fields[3] = str(event_id), day, day[:6], day[:4]
    fields[4] = f"{int(day[:4]) + 0.5:.4f}"
    fields[6], fields[16] = "ARMED GROUP A", "ARMED GROUP B"
    fields[25] = "1"
    fields[26], fields[27], fields[28] = code, code[:3], code[:2]
    fields[29], fields[30] = "4", "-10.0"
    fields[31] = fields[32] = fields[33] = "2"
    fields[34] = "-5.5"
    fields[51], fields[52], fields[53] = "4", place, country
    fields[56], fields[57] = str(lat), str(lon)
    fields[59] = added
    fields[60] = f"https://example.invalid/news/{event_id}"
    return "\t".join(fields)


def zip_export(stamp: str, rows: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stamp}.export.CSV", "".join(r + "\n" for r in rows))
    return buf.getvalue()


class FakeApis:
    """The servers' state; tests change it between fetches."""

    def __init__(self):
        self.acled = json.loads((DATA / "acled_events.json").read_text(encoding="utf-8"))
        self.acled_deleted: list[dict] = []
        self.ucdp = {"25.1": json.loads((DATA / "ucdp_gedevents.json").read_text(
            encoding="utf-8"))}
        self.gdelt: dict[str, bytes] = {}  # stamp -> zip bytes
        self.gdelt_listed_extra: list[str] = []  # listed but absent (404)
        self.log: list[dict] = []
        # scenario switches
        self.quota = 0            # this many 429s (Retry-After: retry_after) before answering
        self.retry_after = "1"
        self.schema = "ok"        # "ok" | "changed"
        self.drop = 0             # GDELT: this many downloads cut off half way
        self.bad_md5: set[str] = set()
        self.ucdp_json_error = False
        self.acled_json_error = None  # e.g. {"status": 403, "message": "..."} in a 200 answer
        self.lock = threading.Lock()

    # -- GDELT helpers ----------------------------------------------------------------------
    def add_export(self, stamp: str, rows: list[str]) -> None:
        self.gdelt[stamp] = zip_export(stamp, rows)

    def file_list(self, base: str, stamps=None) -> str:
        lines = []
        for stamp in sorted(stamps if stamps is not None else self.gdelt):
            body = self.gdelt[stamp]
            md5 = hashlib.md5(body).hexdigest()
            if stamp in self.bad_md5:
                md5 = "0" * 32
            # the real lists also name mentions and gkg files: those are skipped
            lines.append(f"{len(body)} {md5} http://data.gdeltproject.org/gdeltv2/"
                         f"{stamp}.export.CSV.zip")
            lines.append(f"123 {'a' * 32} http://data.gdeltproject.org/gdeltv2/"
                         f"{stamp}.mentions.CSV.zip")
        for stamp in self.gdelt_listed_extra:
            lines.append(f"100 {'b' * 32} http://data.gdeltproject.org/gdeltv2/"
                         f"{stamp}.export.CSV.zip")
        return "\n".join(lines) + "\n"

    # -- serving ------------------------------------------------------------------------------
    def start(self):
        apis = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                apis.handle(self, "GET")

            def do_POST(self):
                apis.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        split = urllib.parse.urlsplit(h.path)
        query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        body = b""
        if method == "POST":
            body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        with self.lock:
            self.log.append({"method": method, "path": split.path, "query": query,
                             "headers": {k.lower(): v for k, v in h.headers.items()},
                             "body": body})
            if self.quota > 0:
                self.quota -= 1
                return self.send(h, 429, {"status": 429, "success": False, "error": {
                    "status": 429, "message": "Too many requests"}},
                    headers={"Retry-After": self.retry_after})
        path = split.path
        if path == "/redirect":
            return self.send(h, 302, {}, headers={"Location": query["to"]})
        if path == "/echo":
            return self.send(h, 200, {"ok": True})
        if path == "/oauth/token":
            return self.oauth(h, body)
        if path in ("/api/acled/read", "/acled/read"):
            return self.acled_read(h, query, legacy=path == "/acled/read")
        if path in ("/api/deleted/read", "/deleted/read"):
            return self.acled_deleted_read(h, query, legacy=path == "/deleted/read")
        if path.startswith("/api/gedevents/"):
            return self.ucdp_read(h, query, path.rsplit("/", 1)[1])
        if path.startswith("/gdeltv2/"):
            return self.gdelt_file(h, path.rsplit("/", 1)[1])
        return self.send(h, 404, {"error": "no such endpoint"})

    @staticmethod
    def send(h, status: int, doc=None, *, raw: bytes | None = None, headers=None,
             content_type="application/json"):
        data = raw if raw is not None else json.dumps(doc).encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    # -- ACLED ----------------------------------------------------------------------------------
    def oauth(self, h, body):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if (form.get("grant_type") != "password" or form.get("client_id") != "acled"
                or form.get("username") != ACLED_EMAIL
                or form.get("password") != ACLED_PASSWORD):
            return self.send(h, 400, {"error": "invalid_grant",
                                      "error_description": "The user credentials were "
                                                           "incorrect."})
        return self.send(h, 200, {"token_type": "Bearer", "expires_in": 86400,
                                  "access_token": ACLED_TOKEN, "refresh_token": "refresh-x"})

    def _acled_authorised(self, h, query, legacy):
        if legacy:
            return query.get("key") == ACLED_KEY and query.get("email") == ACLED_EMAIL
        return h.headers.get("Authorization") == f"Bearer {ACLED_TOKEN}"

    def _page(self, rows, query):
        limit = int(query.get("limit", "5000"))
        page = int(query.get("page", "1"))
        return rows[(page - 1) * limit: page * limit]

    def acled_read(self, h, query, legacy):
        if not self._acled_authorised(h, query, legacy):
            return self.send(h, 401 if not legacy else 403, {
                "status": 401 if not legacy else 403, "success": False,
                "error": {"status": 401, "message": "Access denied"}})
        if self.acled_json_error:
            return self.send(h, 200, {"status": self.acled_json_error["status"],
                                      "success": False, "error": [self.acled_json_error]})
        country = query.get("country", "")
        names = set(country.replace("country=", "").split(":OR:")) if country else None
        start, end = query["event_date"].split("|")
        assert query.get("event_date_where") == "BETWEEN"
        rows = [r for r in self.acled if (names is None or r["country"] in names)
                and start <= r["event_date"] <= end]
        if "timestamp" in query:
            assert query.get("timestamp_where") == ">="
            rows = [r for r in rows if int(r["timestamp"]) >= int(query["timestamp"])]
        rows = sorted(rows, key=lambda r: r["event_date"], reverse=True)  # ACLED: newest first
        page = copy.deepcopy(self._page(rows, query))
        if self.schema == "changed":
            for r in page:
                r["event_id"] = r.pop("event_id_cnty")
        return self.send(h, 200, {"status": 200, "success": True, "last_update": 1,
                                  "count": len(page), "messages": [], "data": page,
                                  "filename": "acled_export"})

    def acled_deleted_read(self, h, query, legacy):
        if not self._acled_authorised(h, query, legacy):
            return self.send(h, 401, {"status": 401, "success": False,
                                      "error": {"status": 401, "message": "Access denied"}})
        since = int(query.get("deleted_timestamp", "0"))
        rows = [r for r in self.acled_deleted if int(r["deleted_timestamp"]) >= since]
        page = self._page(rows, query)
        return self.send(h, 200, {"status": 200, "success": True, "count": len(page),
                                  "data": page})

    # -- UCDP -----------------------------------------------------------------------------------
    def ucdp_read(self, h, query, release):
        if h.headers.get("x-ucdp-access-token") != UCDP_TOKEN:
            return self.send(h, 401, {"Message": "Authorization has been denied for this "
                                                 "request."})
        if release not in self.ucdp:
            return self.send(h, 404, {"Message": f"No such version {release}"})
        rows = self.ucdp[release]
        if "Country" in query:
            codes = {int(c) for c in query["Country"].split(",")}
            rows = [r for r in rows if r["country_id"] in codes]
        if "StartDate" in query:
            rows = [r for r in rows if r["date_start"][:10] >= query["StartDate"]]
        if "EndDate" in query:
            rows = [r for r in rows if r["date_end"][:10] <= query["EndDate"]]
        size = int(query.get("pagesize", "100"))
        page = int(query.get("page", "0"))
        pages = max(1, -(-len(rows) // size))
        chunk = rows[page * size:(page + 1) * size]

        def link(p):
            if p < 0 or p >= pages:
                return ""
            q = {**query, "page": str(p)}
            return f"https://ucdpapi.pcr.uu.se/api/gedevents/{release}?" + \
                urllib.parse.urlencode(q)

        doc = {"TotalCount": len(rows), "TotalPages": pages, "PreviousPageUrl": link(page - 1),
               "NextPageUrl": link(page + 1), "Result": chunk}
        if self.schema == "changed":
            doc = {"count": len(rows), "pages": pages, "items": chunk}
        return self.send(h, 200, doc)

    # -- GDELT ----------------------------------------------------------------------------------
    def gdelt_file(self, h, name):
        base = f"{self.url}/gdeltv2"
        if name == "lastupdate.txt":
            latest = sorted(self.gdelt)[-1:]
            return self.send(h, 200, raw=self.file_list(base, latest).encode(),
                             content_type="text/plain")
        if name == "masterfilelist.txt":
            data = self.file_list(base).encode()
        else:
            stamp = name.split(".")[0]
            if stamp not in self.gdelt or not name.endswith(".export.CSV.zip"):
                return self.send(h, 404, raw=b"Not Found", content_type="text/plain")
            data = self.gdelt[stamp]
        start = 0
        rng = h.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(data):  # nothing past the end: 416, as real servers answer
                return self.send(h, 416, raw=b"", content_type="text/plain",
                                 headers={"Content-Range": f"bytes */{len(data)}"})
        chunk = data[start:]
        h.send_response(206 if rng else 200)
        h.send_header("Content-Type", "application/zip")
        h.send_header("Content-Length", str(len(chunk)))
        h.send_header("Accept-Ranges", "bytes")
        if rng:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.end_headers()
        with self.lock:
            drop = self.drop > 0 and name != "masterfilelist.txt"
            if drop:
                self.drop -= 1
        if drop:  # the connection dies half way through the body
            h.wfile.write(chunk[: len(chunk) // 2])
            h.wfile.flush()
            h.close_connection = True
            return
        h.wfile.write(chunk)


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")

"""Tech Against Terrorism, StopNCII, NCMEC and a file of signals feeding banks through python-threatexchange's own
exchange and client code (Basira's guarded subclasses change the transport and the flaws named in hashlists.py),
against a loopback server that answers as each service's documented API does (a test double of the remote service
only; pytx, Basira's adapters, transport and bank writes are the real thing): pages, pytx's checkpoints and resume,
deletions, opinions sent back, and hostile answers (bad JSON or XML, wrong types, huge pages, 429/500, a next URL
elsewhere or in a loop) refused with the previous state intact."""

from __future__ import annotations

import base64
import calendar
import html
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from tests.sharing.helpers import make_bank, make_org

from basira.core import opinions
from basira.core.errors import InvalidInput
from basira.core.instance import Instance
from basira.core.models import Signal
from basira.core.principal import Principal
from basira.sharing import exchanges, hashlists
from basira.sharing.models import Exchange, ExchangeRecord

PDQ = "f" * 64
PDQ2 = "0f" * 32
MD5 = "0123456789abcdef0123456789abcdef"
MD5B = "fedcba9876543210fedcba9876543210"


class Service:
    """TAT's token-auth and hash list, StopNCII's FetchHashes and SubmitFeedback, NCMEC's v2 entries, feedback
    reasons and feedback (XML). ``pages[route]`` lists the answers of each route in order (the last repeats);
    ``script`` answers any next requests first, as (status, body, headers). NCMEC's entries answer from ``ncmec``
    ((timestamp, "images" or "videos", entry XML) in upload order) as NCMEC does: the entries whose time is in
    [from, to), ``ncmec_size`` a page, ``paging/next`` a path with ``start``, ``size`` and ``max``. Every request is
    kept (method, path, query, headers, body)."""

    def __init__(self) -> None:
        self.pages: dict[str, list[Any]] = {}
        self.ncmec: list[tuple[int, str, str]] = []
        self.ncmec_size = 2
        self.script: list[tuple[int, bytes, dict[str, str]]] = []
        self.requests: list[tuple[str, str, dict[str, list[str]], dict[str, str], bytes]] = []
        svc = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                svc.requests.append((method, parts.path, parse_qs(parts.query), headers, body))
                if svc.script:
                    status, raw, extra = svc.script.pop(0)
                else:
                    status, raw, extra = svc.route(method, parts.path, headers, parse_qs(parts.query))
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def do_PUT(self) -> None:
                self._answer("PUT")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, method: str, path: str, headers: dict[str, str],
              query: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
        key = f"{method} {path}"
        if key == "POST /token-auth/tcap/":
            return 200, json.dumps({"token": "jwt-token", "user": {}}).encode(), {}
        if path.startswith("/api/hash-list/") and headers.get("authorization") != "Bearer jwt-token":
            return 401, b'{"detail": "no token"}', {}
        if path.startswith("/v1/") and headers.get("ocp-apim-subscription-key") != "sub-key":
            return 401, b"{}", {}
        if path.startswith("/v2/") and headers.get("authorization") != \
                "Basic " + base64.b64encode(b"esp:pw").decode():
            return 401, b"", {}
        if key == "GET /v2/entries" and key not in self.pages:
            return 200, self.ncmec_entries(query), {"Content-Type": "application/xml"}
        if key.startswith("PUT /v2/entries/") and key.endswith("/feedback"):
            return 200, b"", {}
        answers = self.pages.get(key)
        if not answers:
            return 404, b'{"error": "not found"}', {}
        page = answers.pop(0) if len(answers) > 1 else answers[0]
        raw = page if isinstance(page, bytes) else json.dumps(page).encode()
        return 200, raw, {"Content-Type": "application/xml" if path.startswith("/v2/") else "application/json"}

    def ncmec_entries(self, query: dict[str, list[str]]) -> bytes:
        def ts(name: str) -> int:
            return calendar.timegm(time.strptime(query[name][0], "%Y-%m-%dT%H:%M:%SZ"))

        start, end = ts("from"), ts("to")
        chosen = [e for e in self.ncmec if start <= e[0] < end]
        first, size = int(query.get("start", ["0"])[0]), int(query.get("size", [str(self.ncmec_size)])[0])
        page = chosen[first:first + size]
        groups = ""
        for kind in ("images", "videos"):
            mine = [e for e in page if e[1] == kind]
            if mine:
                newest = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(e[0] for e in chosen)))
                groups += f'<{kind} count="{len(mine)}" maxTimestamp="{newest}">{"".join(e[2] for e in mine)}</{kind}>'
        paging = ""
        if first + size < len(chosen):
            nxt = (f"/v2/entries?from={query['from'][0]}&to={query['to'][0]}&start={first + size}&size={size}"
                   f"&max={len(chosen)}")
            paging = f"<paging><next>{html.escape(nxt)}</next></paging>"
        return (f'<?xml version="1.0" encoding="UTF-8"?><queryResult {NS}>{groups}{paging}</queryResult>').encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Iterator[Service]:
    svc = Service()
    yield svc
    svc.close()


@pytest.fixture
def owner(fast: Instance) -> Principal:
    return make_org(fast, "owner")[0]


def add(inst: Instance, who: Principal, name: str, api: str, bank: str = "hashes", **kw: Any) -> int:
    if bank == "hashes":
        with inst.db.session() as s:
            if not any(b.name == "hashes" for b in _banks(s, who)):
                make_bank(inst, who, "hashes", "AMBER")
    with inst.db.session() as s:
        return exchanges.add_exchange(s, who, inst.secret_key, exchanges.ExchangeSpec(
            name, bank, api=api, **kw)).id


def _banks(s: Any, who: Principal) -> list[Any]:
    from basira.core.models import Bank

    return list(s.scalars(select(Bank).where(Bank.org_id == who.org_id)))


def enabled(inst: Instance) -> set[tuple[str, str]]:
    with inst.db.session() as s:
        return {(x.signal_type, x.value) for x in s.scalars(select(Signal).where(Signal.enabled.is_(True)))}


def state(inst: Instance, eid: int) -> Exchange:
    with inst.db.session() as s:
        ex = s.get(Exchange, eid)
        assert ex is not None
        return ex


def reset(inst: Instance, eid: int, checkpoint: dict[str, Any] | None = None) -> None:
    """Start the exchange again from its beginning (or from ``checkpoint``: as if time had passed)."""
    with inst.db.session() as s:
        ex = s.get(Exchange, eid)
        assert ex is not None
        ex.checkpoint = checkpoint or {}


def sync(inst: Instance, eid: int, delays: list[float] | None = None,
         progress: list[tuple[int, int]] | None = None) -> hashlists.ExchangeReport:
    """Sync with no real sleeping (``delays`` gets the back-off asked); ``progress`` gets (pages, added) as each
    page is committed."""
    return hashlists.sync_hashlist(inst, eid, sleep=(delays.append if delays is not None else lambda _: None),
                                   progress=(lambda r: progress.append((r.pages, r.added))) if progress is not None
                                   else None)


def tat_page(results: list[dict[str, Any]], checkpoint: str, nxt: str | None) -> dict[str, Any]:
    return {"count": len(results), "next": nxt, "previous": None, "checkpoint": checkpoint, "results": results}


def tat(digest: str, algorithm: str, n: int, *, deleted: bool = False) -> dict[str, Any]:
    return {"hash_digest": digest, "algorithm": algorithm, "ideology": "far-right", "file_type": "mp4",
            "deleted": deleted, "updated_on": 1704085200.0 + n, "created_on": "2024-01-01T05:00:00Z", "id": n}


def test_tat_pages_checkpoint_resume_and_deletions(fast: Instance, owner: Principal, service: Service) -> None:
    eid = add(fast, owner, "tat", "tat", endpoint=service.base, credentials={"username": "u", "password": "p"})
    service.pages["GET /api/hash-list/v2/all"] = [
        tat_page([tat(PDQ, "PDQ", 1), tat("ab" * 20, "SHA1", 2)], "1704085201,1",
                 f"{service.base}/api/hash-list/v2/all/?limit=2&offset=2"),
        tat_page([tat(MD5, "MD5", 3)], "1704085203,3", None)]
    # pytx takes an MD5 only from a video file type.
    service.pages["GET /api/hash-list/v2/all/"] = [tat_page([tat(MD5, "MD5", 3), {**tat(MD5B, "MD5", 4),
                                                                                  "file_type": "jpg"}],
                                                            "1704085203,3", None)]
    shown: list[tuple[int, int]] = []
    report = sync(fast, eid, progress=shown)
    assert (report.error, report.pages, report.added, report.skipped) == ("", 2, 2, 2)
    assert shown == [(1, 1), (2, 2)]  # each page shown once it is committed
    gets = [r for r in service.requests if r[0] == "GET"]
    assert gets[0][2] == {"order": ["asc"]}  # the first sync: after="" (empty values are not sent)
    assert (gets[1][1], gets[1][2]) == ("/api/hash-list/v2/all/", {"limit": ["2"], "offset": ["2"]})  # next as given
    assert enabled(fast) == {("pdq", PDQ), ("md5", MD5)}
    assert state(fast, eid).checkpoint == {"checkpoint": "1704085203,3"} and report.update_time == 1704085203
    auth = [r for r in service.requests if r[0] == "POST"]
    assert len(auth) == 1 and parse_qs(auth[0][4].decode())["username"] == ["u"]  # one login a sync
    with fast.db.session() as s:
        labels = s.scalar(select(Signal.labels).where(Signal.value == PDQ))
    assert labels == ["tat", "tat:far-right"]
    # The next sync starts from the checkpoint; a deletion disables the signal the exchange brought.
    service.pages["GET /api/hash-list/v2/all"] = [tat_page([tat(PDQ, "PDQ", 4, deleted=True)], "1704085204,4", None)]
    report = sync(fast, eid)
    assert report.disabled == 1 and enabled(fast) == {("md5", MD5)}
    assert service.requests[-1][2]["after"] == ["1704085203,3"]


def test_stopncii_pages_withdrawals_and_feedback_back(fast: Instance, owner: Principal, service: Service) -> None:
    creds = {"subscription_key": "sub-key", "fetch_function_key": "fetch-key", "feedback_function_key": "fb-key"}
    eid = add(fast, owner, "ncii", "stopncii", endpoint=f"{service.base}/v1", credentials=creds)

    def record(value: str, kind: str, status: str = "Active", feedback: tuple[str, ...] = ()) -> dict[str, Any]:
        return {"lastModtimestamp": 1_700_000_000, "signalType": kind, "hashValue": value, "hashStatus": status,
                "caseNumbers": {"1": status}, "CSPFeedbacks": [{"feedbackValue": f, "tags": [], "source": "csp"}
                                                               for f in feedback]}

    service.pages["GET /v1/FetchHashes"] = [
        {"count": 2, "nextPageToken": "tok-2", "nextSetTimestamp": 1_700_000_100, "hasMoreRecords": True,
         "hashRecords": [record(PDQ, "ImagePDQ", feedback=("Blocked", "Blocked", "NotBlocked")),
                         record("x" * 10, "Text")]},
        {"count": 1, "nextPageToken": None, "nextSetTimestamp": 1_700_000_200, "hasMoreRecords": False,
         "hashRecords": [record(MD5, "VideoMD5")]}]
    service.pages["POST /v1/SubmitFeedback"] = [{"status": "ok"}]
    report = sync(fast, eid)
    assert (report.error, report.added, report.skipped) == ("", 2, 1)
    cp = state(fast, eid).checkpoint  # pytx's StopNCIICheckpoint
    assert cp["update_time"] == 1_700_000_200 and abs(cp["last_fetch_time"] - time.time()) < 60
    gets = [r for r in service.requests if r[1] == "/v1/FetchHashes"]
    assert gets[0][2]["startTimestamp"] == ["10"] and gets[1][2]["nextPageToken"] == ["tok-2"]
    assert gets[0][3]["x-functions-key"] == "fetch-key"
    with fast.db.session() as s:
        sig = s.scalar(select(Signal).where(Signal.value == PDQ))
        assert sig is not None
        row = s.scalar(select(ExchangeRecord).where(ExchangeRecord.signal_id == sig.id))
        assert row is not None and (row.positive, row.negative) == (2, 1)
        opinions.set_opinion(s, owner, sig.id, "false_positive", "not this")
    service.pages["GET /v1/FetchHashes"] = [
        {"count": 1, "nextPageToken": None, "nextSetTimestamp": 1_700_000_300, "hasMoreRecords": False,
         "hashRecords": [record(MD5, "VideoMD5", status="Withdrawn")]}]
    report = sync(fast, eid)
    assert (report.error, report.disabled, report.reactions) == ("", 1, 1)
    assert enabled(fast) == {("pdq", PDQ)}
    assert service.requests[-2][2]["startTimestamp"] == ["1700000200"]  # resumed from the checkpoint
    sent = [r for r in service.requests if r[1] == "/v1/SubmitFeedback"]
    assert sent[0][3]["x-functions-key"] == "fb-key"
    assert json.loads(sent[0][4]) == {"count": 1, "hashFeedbacks": [
        {"hashValue": PDQ, "feedbackValue": "NotBlocked", "tags": []}]}
    assert sync(fast, eid).reactions == 0  # each opinion is sent once


NS = 'xmlns="https://hashsharing.ncmec.org/hashsharing/v2"'


def ncmec_page(entries: str, nxt: str = "") -> bytes:
    paging = f"<paging><next>{html.escape(nxt)}</next></paging>" if nxt else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><queryResult {NS}><images count="1" '
            f'maxTimestamp="2017-10-24T15:10:00Z">{entries}</images>{paging}</queryResult>').encode()


def image(member: int, ident: str, md5: str | None = None, pdq: str | None = None) -> str:
    fps = (f"<md5>{md5}</md5>" if md5 else "") + (f"<pdq>{pdq}</pdq>" if pdq else "") + "<sha1>aa</sha1>"
    return (f'<image><member id="{member}">M</member><timestamp>2017-10-24T15:00:00Z</timestamp><id>{ident}</id>'
            f"<classification>A1</classification><fingerprints>{fps}</fingerprints></image>")


def video(member: int, ident: str, md5: str) -> str:
    return (f'<video><member id="{member}">M</member><timestamp>2017-10-24T15:00:00Z</timestamp><id>{ident}</id>'
            f"<classification>B1</classification><fingerprints><md5>{md5}</md5></fingerprints></video>")


def tombstone(member: int, ident: str) -> str:
    return (f'<deletedImage><member id="{member}">M</member><id>{ident}</id>'
            "<timestamp>2017-10-25T00:00:00Z</timestamp></deletedImage>")


def reasons(*guids: str) -> bytes:
    inner = "".join(f'<reason guid="{g}" name="reason {g}"/>' for g in guids)
    return f"<feedbackReasons {NS}><availableFeedbackReasons>{inner}</availableFeedbackReasons></feedbackReasons>" \
        .encode()


T0 = 1_700_000_000


def test_ncmec_windows_deletions_and_feedback_back(fast: Instance, owner: Principal, service: Service) -> None:
    eid = add(fast, owner, "ncmec", "ncmec", endpoint=service.base,
              credentials={"username": "esp", "password": "pw"})
    service.ncmec = [(T0, "images", image(42, "img1", pdq=PDQ)), (T0 + 100, "videos", video(42, "vid1", MD5)),
                     (T0 + 200, "images", image(7, "img2", pdq=PDQ2, md5=MD5B)),
                     (T0 + 300, "images", image(9, "img3", md5=MD5B))]
    report = sync(fast, eid)
    # pytx takes an image's PDQ and a video's MD5; an image's MD5 alone is skipped.
    assert (report.error, report.added, report.skipped) == ("", 3, 1)
    assert enabled(fast) == {("pdq", PDQ), ("md5", MD5), ("pdq", PDQ2)}
    cp = state(fast, eid).checkpoint
    assert cp["paging_info"] is None and cp["get_entries_max_ts"] > T0 + 300
    assert report.update_time == cp["get_entries_max_ts"]
    entries = [r for r in service.requests if r[1] == "/v2/entries"]
    assert entries[0][2]["from"] == ["1970-01-01T00:00:00Z"]  # UTC (pytx writes local time)
    assert entries[0][3]["authorization"] == "Basic " + base64.b64encode(b"esp:pw").decode()
    with fast.db.session() as s:
        assert s.scalar(select(Signal.labels).where(Signal.value == PDQ)) == ["ncmec", "ncmec:A1"]
        ids = {v: i for v, i in s.execute(select(Signal.value, Signal.id))}
        row = s.scalar(select(ExchangeRecord).where(ExchangeRecord.signal_id == ids[PDQ]))
        assert row is not None and (row.record_key, row.positive, row.negative) == ("42-img1", 1, 0)
        opinions.set_opinion(s, owner, ids[PDQ], "confirmed")
        opinions.set_opinion(s, owner, ids[MD5], "false_positive")
        opinions.set_opinion(s, owner, ids[PDQ2], "false_positive")  # PDQ has two reasons: not sent
    # Time passes: the next window starts after T0 + 1000; a tombstone names the entry only.
    reset(fast, eid, {"get_entries_max_ts": T0 + 1000, "paging_info": None})
    service.ncmec.append((T0 + 2000, "images", tombstone(42, "img1")))
    service.pages["GET /v2/feedback/MD5/reasons"] = [reasons("g-md5")]
    service.pages["GET /v2/feedback/PDQ/reasons"] = [reasons("g-1", "g-2")]
    before = len(service.requests)
    report = sync(fast, eid)
    assert (report.error, report.disabled, report.reactions) == ("", 1, 2)
    assert enabled(fast) == {("md5", MD5), ("pdq", PDQ2)}
    assert service.requests[before][2]["from"] == [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T0 + 1000))]
    puts = {r[1]: r[4].decode() for r in service.requests if r[0] == "PUT"}
    assert set(puts) == {"/v2/entries/42/img1/PDQ/feedback", "/v2/entries/42/vid1/MD5/feedback"}
    assert "<affirmative" in puts["/v2/entries/42/img1/PDQ/feedback"]
    assert "<negative" in puts["/v2/entries/42/vid1/MD5/feedback"] and "g-md5" in puts[
        "/v2/entries/42/vid1/MD5/feedback"]
    assert sync(fast, eid).reactions == 0  # each opinion is sent once


def test_ncmec_resumes_inside_its_window_and_refuses_bad_xml(fast: Instance, owner: Principal,
                                                            service: Service) -> None:
    eid = add(fast, owner, "ncmec", "ncmec", endpoint=service.base,
              credentials={"username": "esp", "password": "pw"})
    # Three entries in one second: pytx shrinks its window to that second, then pages through it.
    service.ncmec = [(T0, "images", image(1, f"e{i}", pdq=f"{i:x}" * 64)) for i in (1, 2, 3)]
    broken = service.route

    def paging_breaks(method: str, path: str, headers: dict[str, str],
                      query: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
        if "start" in query:
            return 200, b"<queryResult><images><image>broken", {}
        return broken(method, path, headers, query)

    service.route = paging_breaks  # type: ignore[method-assign]
    report = sync(fast, eid)
    assert "not XML" in report.error and report.added == 2
    cp = state(fast, eid).checkpoint
    assert cp["get_entries_max_ts"] <= T0 < cp["paging_info"]["paging_end_ts"]
    assert "start=2" in cp["paging_info"]["paging_url"]
    service.route = broken  # type: ignore[method-assign]
    before = len(service.requests)
    report = sync(fast, eid)
    assert (report.error, report.added) == ("", 1)
    assert service.requests[before][2]["start"] == ["2"]  # resumed with pytx's paging URL
    assert state(fast, eid).checkpoint["get_entries_max_ts"] > T0 + 1
    assert len(enabled(fast)) == 3
    bomb = (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<queryResult><images>&b;</images></queryResult>")
    reset(fast, eid, kept := {"get_entries_max_ts": T0 + 10, "paging_info": None})
    for answer, reason in [(bomb, "DTD"), (b"<other/>", "not a queryResult"),
                           (ncmec_page("<image><id>x</id></image>"), "malformed entry"),
                           (b"<queryResult>" + b"<x/>" * 60_000 + b"</queryResult>", "over 200,000 bytes")]:
        service.pages["GET /v2/entries"] = [answer]
        assert reason in sync(fast, eid).error
        assert state(fast, eid).checkpoint == kept and len(enabled(fast)) == 3


def test_ncmec_paging_that_loops_or_leaves_and_500s(fast: Instance, owner: Principal, service: Service) -> None:
    eid = add(fast, owner, "ncmec", "ncmec", endpoint=service.base,
              credentials={"username": "esp", "password": "pw"})
    service.pages["GET /v2/entries"] = [ncmec_page(image(1, "a", pdq=PDQ), "/v2/entries?start=2&size=1&max=9")]
    assert "loops" in sync(fast, eid).error
    reset(fast, eid)
    service.pages["GET /v2/entries"] = [ncmec_page(image(1, "a", pdq=PDQ), "http://10.0.0.1/v2/entries?start=2")]
    assert "not a path on its server" in sync(fast, eid).error
    reset(fast, eid)
    del service.pages["GET /v2/entries"]
    service.script = [(500, b"", {})] * 3
    delays: list[float] = []
    report = sync(fast, eid, delays)
    assert "gave up after 3 attempts: HTTP 500" in report.error and delays == [0.5, 1.0]
    ex = state(fast, eid)
    assert ex.failures == 3 and ex.checkpoint == {} and "HTTP 500" in ex.last_error
    service.script = [(429, b"", {"Retry-After": "2"})]
    delays.clear()
    service.ncmec = [(T0, "images", image(1, "a", pdq=PDQ))]
    report = sync(fast, eid, delays)
    assert report.error == "" and delays == [2.0] and enabled(fast) == {("pdq", PDQ)}
    assert state(fast, eid).failures == 0


def ncii_page(records: list[dict[str, Any]], stamp: int, token: str | None = None) -> dict[str, Any]:
    return {"count": len(records), "nextPageToken": token, "nextSetTimestamp": stamp,
            "hasMoreRecords": token is not None, "hashRecords": records}


def ncii(value: str, status: str = "Active") -> dict[str, Any]:
    return {"lastModtimestamp": T0, "signalType": "ImagePDQ", "hashValue": value, "hashStatus": status,
            "caseNumbers": [], "CSPFeedbacks": []}


def test_stopncii_retries_refusals_and_stale_checkpoints(fast: Instance, owner: Principal,
                                                         service: Service) -> None:
    creds = {"subscription_key": "sub-key", "fetch_function_key": "k"}
    eid = add(fast, owner, "ncii", "stopncii", endpoint=f"{service.base}/v1", credentials=creds)
    service.pages["GET /v1/FetchHashes"] = [ncii_page([ncii(PDQ)], T0 + 1)]
    service.script = [(429, b"", {"Retry-After": "3"}), (502, b"", {})]
    delays: list[float] = []
    report = sync(fast, eid, delays)
    assert (report.error, report.added, delays) == ("", 1, [3.0, 1.0])
    kept = state(fast, eid).checkpoint
    bad = [((500, b"", {}), "gave up after 3 attempts: HTTP 500"), ((200, b"{oops", {}), "not JSON"),
           ((200, b"[]", {}), "not a JSON object"),
           ((200, json.dumps(ncii_page([], T0)).encode().replace(b"%d" % T0, b'"soon"'), {}),
            "'nextSetTimestamp' is missing or of the wrong type"),
           ((200, json.dumps({**ncii_page([], T0), "hashRecords": ["x"]}).encode(), {}), "not a JSON object"),
           ((200, json.dumps(ncii_page([ncii("f" * 250_000)], T0 + 5)).encode(), {}), "over 200,000 bytes"),
           ((401, b"{}", {}), "HTTP 401 (check the credentials)")]
    for answer, reason in bad:
        service.script = [answer] * (3 if answer[0] == 500 else 1)
        report = sync(fast, eid)
        assert reason in report.error, (reason, report.error)
        assert state(fast, eid).checkpoint == kept and enabled(fast) == {("pdq", PDQ)}
    assert state(fast, eid).failures == len(bad)
    # A cursor that comes back is a loop; an unknown signal type or a malformed record is skipped.
    service.pages["GET /v1/FetchHashes"] = [ncii_page([{**ncii(PDQ2), "signalType": "Hologram"}], T0 + 9, "same")]
    assert "loops" in sync(fast, eid).error and state(fast, eid).checkpoint["update_time"] == T0 + 9
    # A checkpoint pytx calls stale (30 days unused) starts from the beginning; so does Basira's earlier format.
    for old in ({"update_time": T0 + 9, "last_fetch_time": int(time.time()) - 31 * 86400}, {"update_time": T0 + 9}):
        reset(fast, eid, old)
        service.pages["GET /v1/FetchHashes"] = [ncii_page([ncii(PDQ, "Deleted")], T0 + 20)]
        report = sync(fast, eid)
        assert report.error == "" and service.requests[-1][2]["startTimestamp"] == ["10"]
    assert report.disabled == 0 and enabled(fast) == set()


def test_a_file_of_signals_is_the_whole_list(fast: Instance, owner: Principal) -> None:
    folder = hashlists.files_folder(fast)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "partner.txt"
    path.write_text(f"# a comment\npdq {PDQ}\nvideo_md5 {MD5}\nsha1 {'ab' * 20}\npdq not-a-hash\n\n")
    eid = add(fast, owner, "file", "file", file="partner.txt")
    report = sync(fast, eid)
    assert (report.error, report.added, report.skipped, report.refused) == ("", 2, 1, 1)
    assert sync(fast, eid).pages == 0  # unchanged: nothing read
    path.write_text(f"pdq {PDQ}\npdq {PDQ2}\n")
    report = sync(fast, eid)
    assert (report.added, report.disabled) == (1, 1) and enabled(fast) == {("pdq", PDQ), ("pdq", PDQ2)}
    (folder / "values.txt").write_text(f"{MD5B}\n")
    typed = add(fast, owner, "typed", "file", file="values.txt", file_type="md5")
    assert sync(fast, typed).added == 1
    (folder / "long.txt").write_bytes(b"pdq " + b"f" * 70_000 + b"\n")
    long = add(fast, owner, "long", "file", file="long.txt")
    assert "over 65,536 bytes" in sync(fast, long).error
    for bad in ("../secret.key", "/etc/passwd", ""):
        with pytest.raises(InvalidInput, match="exchange-files"):
            add(fast, owner, f"bad{len(bad)}", "file", file=bad)
    link = folder / "escape.txt"
    link.symlink_to(Path(fast.settings.data_dir) / "outside.txt")
    (Path(fast.settings.data_dir) / "outside.txt").write_text(f"pdq {PDQ}\n")
    escaping = add(fast, owner, "escape", "file", file="escape.txt")
    assert "must be inside" in sync(fast, escaping).error


@pytest.mark.parametrize(("answer", "reason"), [
    ((200, b"not json", {}), "not JSON"),
    ((200, b"[1, 2]", {}), "not a JSON object"),
    ((200, json.dumps({"count": 1, "next": None, "checkpoint": "1,1", "results": "nope"}).encode(), {}),
     "'results' is missing or of the wrong type"),
    ((200, json.dumps({"count": 1, "next": None, "checkpoint": 5, "results": []}).encode(), {}),
     "'checkpoint' is missing or of the wrong type"),
    ((200, json.dumps({"count": 1, "next": None, "checkpoint": "1,1",
                       "results": [{"hash_digest": 7, "algorithm": "PDQ", "deleted": False}]}).encode(), {}),
     "'hash_digest' is missing"),
    ((200, b'{"results": ["' + b"x" * 300_000 + b'"]}', {}), "over 200,000 bytes"),
    ((200, json.dumps({"count": 1, "next": "http://10.0.0.1/steal", "checkpoint": "1,1",
                       "results": []}).encode(), {}), "another server"),
    ((403, b"{}", {}), "HTTP 403 (check the credentials)"),
])
def test_hostile_answers_end_the_sync_with_the_reason_and_keep_the_state(
        fast: Instance, owner: Principal, service: Service, answer: tuple[int, bytes, dict[str, str]],
        reason: str) -> None:
    eid = add(fast, owner, "tat", "tat", endpoint=service.base, credentials={"username": "u", "password": "p"})
    service.pages["GET /api/hash-list/v2/all"] = [tat_page([tat(PDQ, "PDQ", 1)], "1,1", None)]
    assert sync(fast, eid).added == 1
    before = state(fast, eid).checkpoint
    service.script = [(200, b'{"token": "jwt-token"}', {}), answer]
    report = sync(fast, eid)
    assert reason in report.error
    ex = state(fast, eid)
    assert ex.checkpoint == before and ex.failures == 1 and reason in ex.last_error
    assert enabled(fast) == {("pdq", PDQ)}


def test_429_and_500_are_retried_with_back_off_then_given_up(fast: Instance, owner: Principal,
                                                             service: Service) -> None:
    eid = add(fast, owner, "tat", "tat", endpoint=service.base, credentials={"username": "u", "password": "p"})
    service.pages["GET /api/hash-list/v2/all"] = [tat_page([tat(PDQ, "PDQ", 1)], "1,1", None)]
    service.script = [(429, b"", {"Retry-After": "7"}), (503, b"", {})]  # the auth POST is retried too
    delays: list[float] = []
    report = sync(fast, eid, delays)
    assert report.error == "" and report.added == 1 and delays == [7.0, 1.0]
    service.script = [(200, b'{"token": "jwt-token"}', {}), (500, b"", {}), (500, b"", {}), (500, b"", {})]
    delays.clear()
    report = sync(fast, eid, delays)
    assert "gave up after 3 attempts: HTTP 500" in report.error and delays == [0.5, 1.0]
    assert state(fast, eid).failures == 1


def test_a_looping_next_and_a_stopncii_page_without_token(fast: Instance, owner: Principal,
                                                          service: Service) -> None:
    eid = add(fast, owner, "tat", "tat", endpoint=service.base, credentials={"username": "u", "password": "p"})
    loop = f"{service.base}/api/hash-list/v2/all/?offset=2"
    service.pages["GET /api/hash-list/v2/all"] = [tat_page([], "1,1", loop)]
    service.pages["GET /api/hash-list/v2/all/"] = [tat_page([], "2,2", loop)]
    assert "loops" in sync(fast, eid).error
    creds = {"subscription_key": "sub-key", "fetch_function_key": "k"}
    ncii = add(fast, owner, "ncii", "stopncii", endpoint=f"{service.base}/v1", credentials=creds)
    service.pages["GET /v1/FetchHashes"] = [{"count": 0, "nextPageToken": None, "nextSetTimestamp": 5,
                                             "hasMoreRecords": True, "hashRecords": []}]
    assert "no nextPageToken" in sync(fast, ncii).error


def test_configuration_is_checked_and_credentials_stored_encrypted(fast: Instance, owner: Principal) -> None:
    make_bank(fast, owner, "hashes", "AMBER")
    with pytest.raises(InvalidInput, match="needs username, password"):
        add(fast, owner, "t", "tat", credentials={"username": "u"})
    with pytest.raises(InvalidInput, match="needs subscription_key, fetch_function_key"):
        add(fast, owner, "n", "stopncii", credentials={"subscription_key": "a", "fetch_function_key": "b",
                                                      "other": "c"})
    with pytest.raises(InvalidInput, match="one of"):
        add(fast, owner, "x", "gifct")
    eid = add(fast, owner, "t", "tat", credentials={"username": "u", "password": "s3cret-pass"})
    ex = state(fast, eid)
    assert "s3cret-pass" not in ex.secret_enc and ex.endpoint == hashlists.DEFAULT_ENDPOINTS["tat"]
    assert hashlists.credentials(ex, fast.secret_key) == {"username": "u", "password": "s3cret-pass"}
    other, _ = make_org(fast, "other")
    from basira.core.errors import NotFound
    with pytest.raises(NotFound):  # an exchange writes only into a bank of its own organization
        with fast.db.session() as s:
            exchanges.add_exchange(s, other, fast.secret_key, exchanges.ExchangeSpec(
                "steal", "hashes", api="tat", credentials={"username": "u", "password": "p"}))

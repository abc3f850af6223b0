"""Hostile input against a real `graphmock serve` over raw sockets (issue 16, docs/hardening.md).

Well over 500 distinct requests: malformed HTTP, PHP-key and JSON bombs, control characters in every part of
the path, broken encodings, huge and sparse params, odd methods, hostile control-API and batch calls. For each:
no 5xx, a complete answer (no dropped connection), a JSON body (batch answers are JSON labelled
`text/javascript`, as Graph labels them). After all of them the server's RSS has grown by a bounded amount.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from helpers.raw_http import exchange, rss_mb
from helpers.server import ServerProcess

BODY_TIMEOUT = 0.4  # --body-timeout of the server under attack: an incomplete body is answered 408 after this
RSS_BOUND_MB = 120  # growth allowed over all cases (8 MiB bodies are legal; the journal holds 32 MiB at most)
CONTROL_PATHS = ("/", "/reset", "/fixtures", "/snapshot", "/restore", "/seed", "/clock", "/reviews", "/reviews/policy",
                 "/reviews/1", "/faults", "/faults/x", "/rate_limits", "/journal", "/openapi.json", "/ui/", "/nope")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("hostile") / "hostile.sqlite3"
    with ServerProcess(db, extra_args=["--body-timeout", str(BODY_TIMEOUT), "--quiet"],
                       fixtures={"rate_limits": "off"}) as running:
        yield running


def request(method: str, target: str, *, headers: dict[str, str] | None = None, body: bytes = b"",
            version: str = "HTTP/1.1", length: bool = True) -> bytes:
    lines = [f"{method} {target} {version}".encode("latin-1", "replace")]
    sent = {"host": "127.0.0.1", **{k.lower(): v for k, v in (headers or {}).items()}}
    if length and body and "content-length" not in sent and "transfer-encoding" not in sent:
        sent["content-length"] = str(len(body))
    lines += [f"{k}: {v}".encode("latin-1", "replace") for k, v in sent.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def form(pairs: str) -> dict[str, str]:
    return {"content-type": "application/x-www-form-urlencoded"}


CASES: dict[str, dict[str, Any]] = {}


def case(name: str, data: bytes, **options: Any) -> None:
    assert name not in CASES, name
    CASES[name] = {"data": data, **options}


def build(act: str, token: str) -> None:
    """Every case, named; `act` and `token` are the demo world's."""
    graph = f"/v25.0/{act}"
    auth = f"access_token={token}"
    controls = [chr(c) for c in [*range(0x00, 0x20), 0x7F]]
    # control characters, percent-encoded, in every part of the path and query
    for char in controls:
        code = f"%{ord(char):02X}"
        case(f"ctl-version-{code}", request("GET", f"/v25.0{code}/me?{auth}"))
        case(f"ctl-version-only-{code}", request("GET", f"/v1{code}"))
        case(f"ctl-node-{code}", request("GET", f"{graph}{code}?{auth}"))
        case(f"ctl-edge-{code}", request("GET", f"{graph}/campaigns{code}?{auth}"))
        case(f"ctl-query-key-{code}", request("GET", f"{graph}?{auth}&fi{code}elds=name"))
        case(f"ctl-query-value-{code}", request("GET", f"{graph}?{auth}&fields=na{code}me"))
        case(f"ctl-form-{code}", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                         body=f"name=a{code}b&objective=OUTCOME_TRAFFIC".encode()))
        case(f"ctl-control-{code}", request("GET", f"/__graphmock/clock{code}"))
    # raw (unencoded) control characters in the request line and headers: uvicorn refuses them before routing
    for char in controls:
        if char in "\r\n":
            continue
        case(f"raw-ctl-path-{ord(char):02X}", request("GET", f"/v25.0/{char}me"))
        case(f"raw-ctl-header-{ord(char):02X}", request("GET", f"{graph}?{auth}", headers={"x-odd": f"a{char}b"}))
    # methods, on Graph nodes, the root, and control paths
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "LOCK",
               "FOO", "get", "BREW", "SEARCH", "QUERY"]
    for method in methods:
        head = method.upper() == "HEAD"
        for where, target in (("node", f"{graph}?{auth}"), ("root", "/"), ("edge", f"{graph}/campaigns?{auth}"),
                              ("clock", "/__graphmock/clock"), ("journal", "/__graphmock/journal"),
                              ("ui", "/__graphmock/ui/")):
            json_headers = {"content-type": "application/json"} if where in ("clock", "journal", "ui") else None
            case(f"method-{method}-{where}", request(method, target, headers=json_headers), head=head)
    # broken encodings, in the query and in form / JSON / multipart bodies
    encodings = ["%C3%28", "%FF", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%E2%82", "%", "%G1", "%%", "%EF%BB%BF",
                 "%00%00", "%u00e9", "+%2B+", "%F0%9F%92%A9"]
    for index, bad in enumerate(encodings):
        case(f"enc-query-{index}", request("GET", f"{graph}?{auth}&fields={bad}"))
        case(f"enc-query-key-{index}", request("GET", f"{graph}?{auth}&{bad}=1"))
        case(f"enc-form-{index}", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                          body=f"name={bad}&objective=OUTCOME_TRAFFIC".encode()))
        case(f"enc-path-{index}", request("GET", f"/v25.0/{bad}?{auth}"))
    raw_bodies = [b"\xff\xfe\x00n\x00a", b"name=\xc3\x28", b"\xef\xbb\xbfname=x", b"{\"name\": \"\xff\"}",
                  b"{\"name\": \"\\ud800\"}", b"{\"a\":1,}", b"[1,2]", b"\"str\"", b"null", b"{" * 2000,
                  b"[" * 100_000, b"{\"a\":" * 300 + b"1" + b"}" * 300, b"\x00" * 1000, b"name=" + b"\x80" * 100]
    for index, body in enumerate(raw_bodies):
        for kind in ("application/json", "application/x-www-form-urlencoded", "text/plain", ""):
            headers = {"content-type": kind} if kind else {}
            case(f"enc-body-{index}-{kind or 'none'}", request("POST", f"{graph}/campaigns?{auth}", headers=headers,
                                                               body=body))
    # PHP-style key bombs: depth, sparse and huge indexes, counts, long keys
    for depth in (1, 5, 11, 12, 13, 16, 40, 200):
        key = "targeting" + "[0]" * depth
        case(f"php-depth-{depth}", request("POST", f"{graph}/adsets?{auth}", headers=form(""),
                                           body=f"{key}=x&name=y".encode()))
    for index in ("0", "1", "9998", "9999", "10000", "4294967296", "1" + "0" * 30, "-1", "１", "٣", "0x10", " 1",
                  "1e3", "99999999999999999999999999999999999999"):
        case(f"php-index-{index[:12]}", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                                body=f"special_ad_categories[{quote(index)}]=NONE&name=x".encode()))
    for count in (10, 999, 1000, 1001, 5000):
        body = "&".join(f"k{i}[9999][9999][9999]=v" for i in range(count)).encode()
        case(f"php-bomb-{count}", request("POST", f"{graph}/campaigns?{auth}", headers=form(""), body=body))
    case("php-bomb-issue16", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                     body="&".join(f"k{i}" + "[9999]" * 14 + "=v" for i in range(900)).encode()))
    for count in (1001, 20000):
        case(f"params-query-{count}", request("GET", f"{graph}?{auth}&" + "&".join(f"p{i}=1" for i in range(count))))
    case("params-long-key", request("POST", f"{graph}/campaigns?{auth}", headers=form(""), body=b"k" * 500_000 + b"=1"))
    case("params-long-value", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                      body=b"name=" + b"x" * 7_000_000))
    case("params-over-limit", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                      body=b"name=" + b"x" * 9_000_000))
    case("params-only-ampersands", request("POST", f"{graph}/campaigns?{auth}", headers=form(""), body=b"&" * 5000))
    case("params-brackets-only", request("POST", f"{graph}/campaigns?{auth}", headers=form(""),
                                         body=b"[]=1&[[]]=2&a[=3&a]=4&a[b=5&a[]]=6"))
    # JSON bombs
    for depth in (10, 63, 64, 65, 100, 1000, 5000):
        nested = "[" * depth + "]" * depth
        case(f"json-depth-{depth}", request("POST", f"{graph}/campaigns?{auth}", headers={"content-type": "application/json"},
                                            body=f'{{"name": "x", "targeting": {nested}}}'.encode()))
        case(f"json-in-form-depth-{depth}", request("POST", f"{graph}/adsets?{auth}", headers=form(""),
                                                    body=f"targeting={nested}".encode()))
    for count in (1000, 199_999, 300_000, 1_000_000):
        values = ",".join(["[]"] * count)
        case(f"json-values-{count}", request("POST", f"{graph}/campaigns?{auth}",
                                             headers={"content-type": "application/json"},
                                             body=f'{{"name": "x", "v": [{values}]}}'.encode()))
    case("json-huge-number", request("POST", f"{graph}/campaigns?{auth}", headers={"content-type": "application/json"},
                                     body=b'{"daily_budget": 1' + b"0" * 5000 + b"}"))
    case("json-nan", request("POST", f"{graph}/campaigns?{auth}", headers={"content-type": "application/json"},
                             body=b'{"daily_budget": NaN}'))
    case("json-dup-keys", request("POST", f"{graph}/campaigns?{auth}", headers={"content-type": "application/json"},
                                  body=b'{"name": "a", "name": "b", "objective": "OUTCOME_TRAFFIC"}'))
    # malformed HTTP framing
    framing = {
        "no-version": b"GET /\r\n\r\n", "garbage": b"GARBAGE\r\n\r\n", "http09": b"GET /\r\n",
        "http2-line": b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "http3-line": b"GET / HTTP/3\r\n\r\n",
        "lf-only": b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n", "header-no-colon": b"GET / HTTP/1.1\r\nHost 127\r\n\r\n",
        "space-before-colon": b"GET / HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n",
        "cl-negative": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n",
        "cl-letters": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ten\r\n\r\n",
        "cl-huge": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "cl-twice-differ": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "cl-and-te": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "te-unknown": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        "chunk-bad-size": b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
        "chunk-ok-form": b"POST /v25.0/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n\r\n3\r\na=1\r\n0\r\n\r\n",
        "absolute-form": f"GET http://127.0.0.1{graph}?{auth} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "asterisk": b"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "connect": b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "empty-target": b"GET  HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "no-host": f"GET {graph}?{auth} HTTP/1.1\r\n\r\n".encode(),
        "http10": f"GET {graph}?{auth} HTTP/1.0\r\n\r\n".encode(),
        "two-hosts": b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "huge-header": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 60_000 + b"\r\n\r\n",
        "many-headers": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(500)) + b"\r\n",
        "upgrade-ws": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                      b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "upgrade-h2c": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                       b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
        "expect-100": f"POST {graph}/campaigns?{auth} HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\nname=x".encode(),
        "tab-in-method": b"G\tET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "utf8-path": "GET /v25.0/é?x=ü HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "latin1-header": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Name: caf\xe9\r\n\r\n",
        "obs-fold": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n b\r\n\r\n",
        "null-in-version": b"GET / HTTP/1.\x001\r\nHost: 127.0.0.1\r\n\r\n",
        "bad-authorization": f"GET {graph} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer\r\n\r\n".encode(),
        "long-path": f"GET /v25.0/{'a' * 70_000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "many-slashes": b"GET " + b"/" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "dot-segments": f"GET /v25.0/../../etc/passwd?{auth} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "encoded-slash": f"GET /v25.0/{act}%2Fcampaigns?{auth} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "semicolon-params": f"GET /v25.0/{act};x=1?{auth} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "fragment": f"GET /v25.0/{act}?{auth}#frag HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        "if-none-match-junk": f"GET /v25.0/{act}?{auth} HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \x7f\"\r\n\r\n".encode(),
    }
    for name, data in framing.items():
        case(f"http-{name}", data)
    # bodies shorter than their Content-Length (answered after --body-timeout)
    case("short-body-graph", request("POST", f"{graph}/campaigns?{auth}", headers={**form(""), "content-length": "100"},
                                     body=b"name=x"), slow=True)
    case("short-body-control", request("POST", "/__graphmock/reset", headers={"content-type": "application/json",
                                                                              "content-length": "50"}, body=b"{"), slow=True)
    case("short-chunked", b"POST /v25.0/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
         slow=True)
    case("slow-but-complete", request("POST", f"{graph}/campaigns?{auth}", headers={**form(""), "content-length": "6"},
                                      body=b"nam"), tail=b"e=x", pause=0.1)
    # multipart
    boundary = "XyZ"
    parts = {
        "no-boundary": ("multipart/form-data", b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--\r\n"),
        "wrong-boundary": (f"multipart/form-data; boundary={boundary}", b"--Other\r\n\r\n1\r\n--Other--\r\n"),
        "unterminated": (f"multipart/form-data; boundary={boundary}",
                         b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"),
        "no-disposition": (f"multipart/form-data; boundary={boundary}", b"--XyZ\r\n\r\n1\r\n--XyZ--\r\n"),
        "many-files": (f"multipart/form-data; boundary={boundary}", b"".join(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"f%d\"; filename=\"f%d.png\"\r\n\r\nx\r\n" % (i, i)
            for i in range(100)) + b"--XyZ--\r\n"),
        "many-fields": (f"multipart/form-data; boundary={boundary}", b"".join(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"k%d\"\r\n\r\nx\r\n" % i for i in range(1500)) + b"--XyZ--\r\n"),
        "php-in-multipart": (f"multipart/form-data; boundary={boundary}", b"".join(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"k%d[9999][9999][9999]\"\r\n\r\nx\r\n" % i
            for i in range(500)) + b"--XyZ--\r\n"),
        "utf8-filename": (f"multipart/form-data; boundary={boundary}",
                          "--XyZ\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"é\x00.png\"\r\n\r\n"
                          "x\r\n--XyZ--\r\n".encode()),
        "empty": (f"multipart/form-data; boundary={boundary}", b"--XyZ--\r\n"),
        "boundary-huge": ("multipart/form-data; boundary=" + "b" * 5000, b"--" + b"b" * 5000 + b"--\r\n"),
    }
    for name, (kind, body) in parts.items():
        case(f"multipart-{name}", request("POST", f"{graph}/adimages?{auth}", headers={"content-type": kind}, body=body))
    # the control API: garbage bodies on every path, foreign Host / Origin, wrong content types
    bodies = [b"{", b"[]", b"null", b"\"x\"", b"{\"unknown\": 1}", b"{\"at\": \"\x00\"}", b"\xff", b"1e999999"]
    for path in CONTROL_PATHS:
        for index, body in enumerate(bodies):
            case(f"control-{path}-{index}", request("POST", f"/__graphmock{path}",
                                                    headers={"content-type": "application/json"}, body=body))
        case(f"control-host-{path}", request("GET", f"/__graphmock{path}", headers={"host": "evil.example"}))
        case(f"control-origin-{path}", request("POST", f"/__graphmock{path}", body=b"{}",
                                                headers={"content-type": "application/json", "origin": "http://evil.example"}))
        case(f"control-text-{path}", request("POST", f"/__graphmock{path}", body=b"{}",
                                              headers={"content-type": "text/plain"}))
        case(f"control-head-{path}", request("HEAD", f"/__graphmock{path}"), head=True)
        case(f"control-query-{path}", request("GET", f"/__graphmock{path}?limit=-1&since=%FF&x[0][1]=2"))
    # batch
    batches = ['x', '{}', '[]', '[1]', '[{}]', '[{"method": "GET"}]', '[{"method": "GET", "relative_url": "\\u0000"}]',
               json.dumps([{"method": "GET", "relative_url": f"{act}?fields=name"}] * 60),
               json.dumps([{"method": "POST", "relative_url": f"{act}/campaigns", "body": "name=" + "%FF" * 10}]),
               json.dumps([{"method": "GET", "relative_url": "v1%0A/me", "headers": ["X-A: \r\nb"]}]),
               json.dumps([{"method": "PROPFIND", "relative_url": act}]),
               json.dumps([{"method": "GET", "relative_url": act, "name": "a", "depends_on": "a"}]),
               "[" * 1000 + "]" * 1000]
    for index, value in enumerate(batches):
        case(f"batch-{index}", request("POST", f"/v25.0/?{auth}", headers=form(""),
                                       body=f"batch={quote(value)}".encode()))


def check(reply: Any, options: dict[str, Any]) -> None:
    assert reply.complete, f"dropped connection or incomplete answer: {reply.raw_head[:300]!r}"
    assert 100 <= reply.status < 500, (reply.status, reply.body[:300])
    kind = reply.content_type
    if options.get("page") and reply.status < 400 and kind.startswith("text/html"):
        return  # the dashboard's own pages (/__graphmock/ui/) are HTML; its errors are JSON like the rest
    assert kind.startswith("application/json") or kind.startswith("text/javascript"), (kind, reply.body[:200])
    if not options.get("head") and reply.status != 304:
        json.loads(reply.body)


def test_hostile_input_gets_json_answers_and_bounded_memory(server: ServerProcess) -> None:
    """Issue 16 'done when': >= 500 distinct hostile requests; no 5xx, all JSON, none dropped, RSS bounded."""
    CASES.clear()
    build(server.act, server.token)
    assert len(CASES) >= 500, len(CASES)
    pid = server.proc.pid
    warm = exchange(server.port, request("GET", f"/v25.0/{server.act}?access_token={server.token}"))
    assert warm.status == 200
    before = rss_mb(pid)
    failures: list[str] = []
    for name, options in CASES.items():
        options = dict(options)
        data = options.pop("data")
        options["page"] = b" /__graphmock/ui" in data.split(b"\r\n", 1)[0]
        reply = exchange(server.port, data, head=options.get("head", False), tail=options.get("tail", b""),
                         pause=options.get("pause", 0.0), timeout=10.0)
        try:
            check(reply, options)
            if options.get("slow"):
                assert reply.status in (400, 408) and reply.seconds < BODY_TIMEOUT + 3, (reply.status, reply.seconds)
        except (AssertionError, ValueError) as exc:
            failures.append(f"{name}: {exc}")
    grown = rss_mb(pid) - before
    assert not failures, f"{len(failures)} of {len(CASES)} cases failed:\n" + "\n".join(failures[:40])
    assert grown < RSS_BOUND_MB, f"RSS grew {grown:.0f} MB over {len(CASES)} hostile requests"
    assert server.proc.poll() is None  # still serving


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own: the hostile cases above may replace the world (and its token)."""
    db = tmp_path_factory.mktemp("heads") / "heads.sqlite3"
    with ServerProcess(db, extra_args=["--body-timeout", str(BODY_TIMEOUT), "--quiet"]) as running:
        yield running


def test_a_request_head_that_stops_arriving_is_answered_408(quiet_server: ServerProcess) -> None:
    """docs/hardening.md: a head without its blank line is answered 408 (JSON) after --body-timeout, and the
    timer is armed only when a read ends inside a head (wire/malformed.py)."""
    reply = exchange(quiet_server.port, f"GET /v25.0/{quiet_server.act}?access_token={quiet_server.token} HTTP/1.1\r\nHost: x\r\n".encode())
    assert reply.status == 408 and reply.complete and reply.seconds < BODY_TIMEOUT + 3
    assert json.loads(reply.body)["error"]["code"] == 100  # schemas/rules/errors.hardening.json request_timeout


def test_a_head_split_over_two_reads_is_served(quiet_server: ServerProcess) -> None:
    """The head's second half arrives before the timeout: an ordinary answer, and the timer armed for the first
    half never fires on the kept-alive connection."""
    first = f"GET /v25.0/{quiet_server.act}?access_token={quiet_server.token}&fields=name HTTP/1.1\r\nHo".encode()
    reply = exchange(quiet_server.port, first, pause=BODY_TIMEOUT / 4, tail=b"st: 127.0.0.1\r\n\r\n")
    assert reply.status == 200 and b'"name"' in reply.body, reply.body

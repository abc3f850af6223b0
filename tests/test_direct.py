"""Direct calls (mock_server/wire/direct.py): a Graph call answered in the HTTP protocol sends the bytes the ASGI
path sends, and every request the direct path does not take still gets its ASGI answer (issue 18 point 1: the
cold paths faster, "keep every behaviour")."""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from uvicorn.server import ServerState

from helpers.server import ServerProcess
from helpers.transport import ServerSideTransport
from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.wire import direct
from mock_server.wire.malformed import protocol_class

FROZEN_AT = 1_790_000_000.0


class Wire:
    """One app behind `graphmock serve`'s protocol class, each request on a new connection; `direct=False`
    sends every request down the ASGI path."""

    def __init__(self, loop: asyncio.AbstractEventLoop, direct_calls: bool) -> None:
        self.app = create_app(ServerConfig(seed=11))
        self.app.state.graph.clock.freeze(FROZEN_AT)
        self.config = uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False)
        self.config.load()
        self.loop = loop
        self.direct_calls = direct_calls
        self.answered_directly = 0

    def exchange(self, raw: bytes) -> bytes:
        protocol = protocol_class(journal_after_send=True)(config=self.config, server_state=ServerState(), app_state={},
                                                           _loop=self.loop)  # as `graphmock serve` builds it
        transport = ServerSideTransport()
        protocol.connection_made(transport)
        if not self.direct_calls:
            protocol._direct = None
        protocol.data_received(raw)
        if transport.data:
            self.answered_directly += 1
        deadline = self.loop.time() + 10
        while not _complete(transport.data, raw.startswith(b"HEAD ")) and not transport.closed \
                and self.loop.time() < deadline:
            self.loop.run_until_complete(asyncio.sleep(0.001))
        protocol.connection_lost(None)
        return transport.data


def _complete(data: bytes, head_only: bool = False) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or head_only:
        return bool(sep)
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    return length is not None and len(body) >= int(length.group(1))


def _normal(answer: bytes) -> bytes:
    """Trace ids are random per response; uvicorn's date header is the server's second."""
    answer = re.sub(rb"(?im)^(x-fb-trace-id|date): [^\r]*\r\n", b"", answer)
    return re.sub(rb'"fbtrace_id":"[^"]*"', b'"fbtrace_id":""', answer)


@pytest.fixture(scope="module")
def wires() -> Iterator[tuple[Wire, Wire]]:
    """Two servers kept in step: every test using them sends each request to both."""
    loop = asyncio.new_event_loop()
    try:
        yield Wire(loop, True), Wire(loop, False)
    finally:
        loop.close()


@pytest.fixture()
def fast() -> Iterator[Wire]:
    """A server of its own, for tests that send to the direct side only."""
    loop = asyncio.new_event_loop()
    try:
        yield Wire(loop, True)
    finally:
        loop.close()


def _request(method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None,
             version: str = "1.1") -> bytes:
    lines = [f"{method} {target} HTTP/{version}", "Host: 127.0.0.1:8000"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _world(wire: Wire) -> dict[str, str]:
    return wire.app.state.graph.world.summary()  # type: ignore[no-any-return]


PATHS = st.sampled_from(["/v25.0/{act}/campaigns", "/v25.0/{act}", "/v25.0/me", "/v25.0/{last}", "/v25.0/{last}/adsets",
                         "/v25.0/", "/v99.0/me", "/v25.0/%0Aact", "/v25.0/{act}/adsets", "/me/adaccounts",
                         "/__graphmock/clock", "/v25.0/{act}/insights"])
FIELDS = st.lists(st.sampled_from(["name", "status", "objective", "effective_status", "daily_budget", "id", "nope",
                                   "adsets{name}", "created_time", "account_id", "a,b"]), max_size=4).map(",".join)
CAMPAIGN = st.fixed_dictionaries({"name": st.text(max_size=8), "objective": st.sampled_from(
    ["OUTCOME_TRAFFIC", "OUTCOME_SALES", "LINK_CLICKS", ""]), "status": st.sampled_from(["PAUSED", "ACTIVE", "nope"]),
    "special_ad_categories": st.sampled_from(["[]", "[\"HOUSING\"]", "{"])})
TOKENS = st.sampled_from(["{token}", "{token}", "bad-token", ""])
BODIES = st.one_of(
    st.just(("", b"")),
    CAMPAIGN.map(lambda d: ("application/x-www-form-urlencoded", urlencode(d).encode())),
    CAMPAIGN.map(lambda d: ("application/json", json.dumps(d).encode())),
    st.just(("application/json", b"{not json")),
    st.just(("text/plain", b"hello")),
    st.just(("application/x-www-form-urlencoded", urlencode({"batch": json.dumps(
        [{"method": "GET", "relative_url": "me"}])}).encode())),
    st.binary(max_size=30).map(lambda b: ("application/x-www-form-urlencoded", b)),
)
REQUESTS = st.tuples(st.sampled_from(["GET", "POST", "DELETE", "HEAD", "PUT"]), PATHS, FIELDS, TOKENS, BODIES,
                     st.sampled_from(["1.1", "1.1", "1.0"]), st.sampled_from([{}, {"X-Graphmock-Strict": "1"},
                                                                               {"If-None-Match": '"x"'},
                                                                               {"X-Forwarded-Proto": "https"}]))


@given(st.lists(REQUESTS, min_size=1, max_size=6))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_direct_answer_is_the_asgi_answer(wires: tuple[Wire, Wire], requests: list[Any]) -> None:
    """Any sequence of calls, good or malformed, gives the same bytes (trace ids and date aside) on a server
    answering in the protocol and on one that takes uvicorn's ASGI path for everything; both keep the same
    world, so later reads see the same objects."""
    fast, asgi = wires
    w = _world(fast)
    for method, path, fields, token, (content_type, body), version, headers in requests:
        last = getattr(fast, "last_id", w["ad_account_id"])
        query = {"fields": fields} if fields else {}
        if token:
            query["access_token"] = token.format(token=w["access_token"])
        target = path.format(act=w["ad_account_id"], last=last) + ("?" + urlencode(query) if query else "")
        extra = {**headers, **({"Content-Type": content_type} if content_type else {})}
        raw = _request(method, target, body if method != "GET" or body else b"", extra, version)
        got, expected = fast.exchange(raw), asgi.exchange(raw)
        assert _normal(got) == _normal(expected), raw
        found = re.search(rb'^\{"id":"(\d+)"', got.partition(b"\r\n\r\n")[2])
        if found:
            fast.last_id = found.group(1).decode()  # type: ignore[attr-defined]


def test_plain_calls_take_the_direct_path(fast: Wire) -> None:
    """A read and a create arrive whole and are answered before the protocol returns: no ASGI task."""
    w = _world(fast)
    before = fast.answered_directly
    fast.exchange(_request("GET", f"/v25.0/me?access_token={w['access_token']}"))
    body = urlencode({"name": "d", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"})
    fast.exchange(_request("POST", f"/v25.0/{w['ad_account_id']}/campaigns?access_token={w['access_token']}",
                           body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}))
    assert fast.answered_directly == before + 2


def test_calls_that_await_take_the_asgi_path() -> None:
    """An active fault may sleep or drop the connection: the app says so (None) and the ASGI path answers, with
    the parse kept in the scope. A batch awaits nothing (faults' latency is summed and waited out by the caller):
    it is answered directly. HEAD and the control API keep their ASGI handling."""
    app = create_app(ServerConfig())
    w = app.state.graph.world.summary()
    scope = {"type": "http", "method": "POST", "path": "/v25.0/", "raw_path": b"/v25.0/", "scheme": "http",
             "query_string": f"access_token={quote(w['access_token'])}".encode(), "http_version": "1.1",
             "headers": [(b"host", b"x"), (b"content-type", b"application/x-www-form-urlencoded")],
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    body = urlencode({"batch": json.dumps([{"method": "GET", "relative_url": "me"}])}).encode()
    call = contextvars.copy_context().run  # as the protocol calls it: the request's context vars stay its own
    answered = call(app.direct_call, dict(scope), body)
    assert answered.status_code == 200 and b'"code":200' in answered.body
    app.state.graph.faults.add(method="GET", path="me", times=1, latency_ms=10)
    assert call(app.direct_call, scope, body) is None
    assert scope["graphmock.parsed"].params["batch"]
    assert call(app.direct_call, {**scope, "path": "/__graphmock/clock", "method": "GET"}, b"") is None
    assert call(app.direct_call, {**scope, "method": "HEAD"}, b"") is None


def test_an_app_under_other_middleware_is_not_called_directly() -> None:
    class Wrapper:
        def __init__(self, app: Any) -> None:
            self.app = app

    app = create_app(ServerConfig())
    assert direct.direct_call_of(app) is not None
    assert direct.direct_call_of(Wrapper(app)) is None


# -- a real server: keep-alive, pipelining, split bodies, HTTP/1.0 ---------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path_factory.mktemp("direct") / "d.sqlite3", extra_args=["--quiet"]) as running:
        yield running


def _answers(sock: socket.socket, count: int) -> list[bytes]:
    data, out = b"", []
    while len(out) < count:
        while not _complete(data):
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} answers"
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        out.append(head + b"\r\n\r\n" + rest[:length])
        data = rest[length:]
    return out


def test_pipelined_calls_are_answered_in_order(server: ServerProcess) -> None:
    """Three requests in one send (RFC 9112 9.3.2): three answers, in the order asked."""
    w = server.world
    targets = [f"/v25.0/{w['ad_account_id']}?access_token={w['access_token']}&fields={f}" for f in ("name", "id", "currency")]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"".join(_request("GET", t) for t in targets))
        answers = _answers(sock, 3)
    for answer, key in zip(answers, (b'"name"', b'"id"', b'"currency"')):
        assert answer.startswith(b"HTTP/1.1 200") and key in answer


def test_a_body_split_over_two_sends_is_read_whole(server: ServerProcess) -> None:
    w = server.world
    body = urlencode({"name": "split", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                      "special_ad_categories": "[]"}).encode()
    raw = _request("POST", f"/v25.0/{w['ad_account_id']}/campaigns?access_token={w['access_token']}", body,
                   {"Content-Type": "application/x-www-form-urlencoded"})
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw[:-10])
        sock.sendall(raw[-10:])
        (answer,) = _answers(sock, 1)
    assert answer.startswith(b"HTTP/1.1 200") and b'{"id":"' in answer


def test_http_1_0_gets_its_answer_and_the_connection_closes(server: ServerProcess) -> None:
    w = server.world
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(_request("GET", f"/v25.0/me?access_token={w['access_token']}", version="1.0"))
        (answer,) = _answers(sock, 1)
        assert b"\r\nconnection: close\r\n" in answer.lower() and b'"name"' in answer
        assert sock.recv(100) == b""  # closed after the answer


def test_a_direct_call_is_journaled_once_answered(fast: Wire) -> None:
    """The journal entry of a direct call is written after its answer, before the protocol returns: a client's
    next call (a journal read included) always finds it (docs/request-log.md, issue 18 point 3)."""
    from mock_server.journal import query

    w = _world(fast)
    state = fast.app.state.graph
    before = query(state, {"limit": "1"})["last_seq"]
    fast.exchange(_request("GET", f"/v25.0/{w['ad_account_id']}?access_token={w['access_token']}&fields=nope"))
    after = query(state, {"limit": "1"})
    assert after["last_seq"] == before + 1
    (entry,) = after["data"]
    assert entry["status"] == 400 and entry["method"] == "GET"


def test_a_client_that_does_not_read_gets_no_direct_answers(fast: Wire) -> None:
    """While the transport's buffer is over its limit (uvicorn's flow control says write_paused), requests wait
    on the ASGI path, which waits for the buffer to drain: pipelined calls never pile up answers in memory."""
    w = _world(fast)
    protocol = protocol_class(journal_after_send=True)(config=fast.config, server_state=ServerState(), app_state={},
                                                       _loop=fast.loop)
    transport = ServerSideTransport()
    protocol.connection_made(transport)
    protocol.pause_writing()
    protocol.data_received(_request("GET", f"/v25.0/me?access_token={w['access_token']}"))
    assert transport.data == b"" and len(protocol.tasks) == 1  # held for the ASGI path, which awaits the drain
    protocol.resume_writing()
    deadline = fast.loop.time() + 5
    while not _complete(transport.data) and fast.loop.time() < deadline:
        fast.loop.run_until_complete(asyncio.sleep(0.001))
    assert transport.data.startswith(b"HTTP/1.1 200")
    protocol.connection_lost(None)


def _protocol(wire: Wire) -> tuple[Any, ServerSideTransport]:
    protocol = protocol_class(journal_after_send=True)(config=wire.config, server_state=ServerState(), app_state={},
                                                       _loop=wire.loop)
    transport = ServerSideTransport()
    protocol.connection_made(transport)
    return protocol, transport


def test_a_request_behind_a_direct_answer_runs_without_the_keep_alive_timer(fast: Wire) -> None:
    """A GET answered directly, then, in the same read, a POST whose body is still coming: the POST is in flight,
    so no keep-alive timer may close the connection under it (uvicorn queues it behind the GET: no timer)."""
    w = _world(fast)
    protocol, transport = _protocol(fast)
    protocol.timeout_keep_alive = 0.01
    post = (f"POST /v25.0/{w['ad_account_id']}/campaigns?access_token={w['access_token']} HTTP/1.1\r\n"
            "Host: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=abc").encode()
    protocol.data_received(_request("GET", f"/v25.0/me?access_token={w['access_token']}") + post)
    assert transport.data.startswith(b"HTTP/1.1 200") and len(protocol.tasks) == 1
    fast.loop.run_until_complete(asyncio.sleep(0.05))  # five keep-alive timeouts pass with the POST in flight
    assert not transport.closed
    protocol.connection_lost(None)
    fast.loop.run_until_complete(asyncio.sleep(0.01))  # the POST's task ends: its client is gone


def test_nothing_runs_behind_an_answer_that_closed_the_connection(fast: Wire) -> None:
    """HTTP/1.0 with `Connection: keep-alive` pipelined: uvicorn closes after the first answer; the second request
    is never started (it would run, and be journaled, with nobody to receive its answer)."""
    from mock_server.journal import query

    w = _world(fast)
    protocol, transport = _protocol(fast)
    before = query(fast.app.state.graph, {"limit": "1"})["last_seq"]
    one = _request("GET", f"/v25.0/me?access_token={w['access_token']}", headers={"Connection": "keep-alive"},
                   version="1.0")
    protocol.data_received(one + one)
    assert transport.closed and transport.data.count(b"HTTP/1.1 200") == 1 and not protocol.tasks
    assert query(fast.app.state.graph, {"limit": "1"})["last_seq"] == before + 1
    protocol.connection_lost(None)


def test_proxy_headers_in_chunked_trailers_take_the_asgi_path(wires: tuple[Wire, Wire]) -> None:
    """uvicorn's proxy middleware reads X-Forwarded-Proto from a chunked request's trailers too: such a request
    is answered by the ASGI path, with https paging links like any other proxied call."""
    fast, asgi = wires
    w = _world(fast)
    target = f"/v25.0/{w['ad_account_id']}/campaigns?access_token={w['access_token']}&limit=1"
    raw = (f"GET {target} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Forwarded-Proto\r\n\r\n"
           "0\r\nX-Forwarded-Proto: https\r\n\r\n").encode()
    before = fast.answered_directly
    got, expected = fast.exchange(raw), asgi.exchange(raw)
    assert fast.answered_directly == before and _normal(got) == _normal(expected)

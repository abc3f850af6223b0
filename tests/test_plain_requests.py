"""Plain requests read without the parser (mock_server/wire/plain_requests.py) get exactly the answer the parser
path gives: the same scope, body and keep-alive reach the app, and anything not plain is left to the parser."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from uvicorn.server import ServerState

from helpers.transport import ServerSideTransport
from mock_server.app import GraphResponse
from mock_server.wire.malformed import protocol_class
from mock_server.wire.plain_requests import parse_plain


class Echo:
    """An app that answers every direct call with what reached it (HEAD: the ASGI path, as the real app)."""

    def __init__(self) -> None:
        self.direct_calls = 0

    def direct_call(self, scope: dict[str, Any], body: bytes, journal_after_send: bool = False) -> Any:
        if scope["method"] not in ("GET", "POST", "DELETE"):
            return None
        self.direct_calls += 1
        return GraphResponse(self.seen(scope, body), 200, [])

    @staticmethod
    def seen(scope: dict[str, Any], body: bytes) -> bytes:
        keys = ("type", "http_version", "server", "client", "scheme", "root_path", "method", "path")
        return json.dumps({**{k: scope[k] for k in keys}, "asgi": scope["asgi"], "state": scope["state"],
                           "raw_path": scope["raw_path"].decode("latin-1"),
                           "query": scope["query_string"].decode("latin-1"),
                           "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in scope["headers"]],
                           "body": body.decode("latin-1")}).encode()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        content = self.seen(scope, body)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})


class Server:
    def __init__(self, loop: asyncio.AbstractEventLoop, plain: bool) -> None:
        self.app = Echo()
        self.config = uvicorn.Config(self.app, lifespan="off", log_level="critical", access_log=False)
        self.config.load()
        self.loop, self.plain = loop, plain
        self.state = ServerState()
        self.state.default_headers = [(b"date", b"Sun, 06 Dec 2026 07:00:00 GMT"), (b"server", b"uvicorn")]

    def exchange(self, reads: list[bytes]) -> tuple[bytes, bool]:
        protocol = protocol_class(journal_after_send=True)(config=self.config, server_state=self.state, app_state={},
                                                           _loop=self.loop)
        protocol.plain_requests = self.plain
        transport = ServerSideTransport()
        protocol.connection_made(transport)
        for data in reads:
            if transport.closed:
                break
            protocol.data_received(data)
            for _ in range(3):  # let an ASGI task (HEAD, a split body) run
                self.loop.run_until_complete(asyncio.sleep(0))
        closed = transport.closed
        protocol.connection_lost(None)
        for task in list(self.state.tasks):
            task.cancel()
        return transport.data, closed


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Server, Server]]:
    loop = asyncio.new_event_loop()
    try:
        yield Server(loop, True), Server(loop, False)
    finally:
        loop.close()


NAMES = st.sampled_from(["Host", "host", "User-Agent", "Content-Type", "Accept", "Connection", "Proxy-Connection",
                         "content-length",
                         "Content-Length", "Transfer-Encoding", "Expect", "X-Forwarded-For", "Upgrade", "X-Custom",
                         "Bad Name", "Bad:Name", "", "TE", "If-None-Match", "Authorization"])
VALUES = st.sampled_from(["127.0.0.1:8000", " spaced ", "\tx\t", "keep-alive", "close", "Keep-Alive", "upgrade",
                          "chunked", "100-continue", "5", "0", "007", "-1", "1 2", "", "a\x00b", "caf\xe9", "x\x7fy",
                          "application/x-www-form-urlencoded", "Bearer t0k", '"abc"', "a,b"])
TARGETS = st.sampled_from(["/v25.0/act_1/campaigns", "/v25.0/me?fields=name", "/v25.0/a%20b?x=%41&y=+", "/",
                           "/a/../b", "/?", "/x#frag", "*", "http://h/v25.0/me", "/caf\xe9", "/x?a=b?c", "/%zz",
                           "/v25.0/%0Aact"])
HEADS = st.tuples(st.sampled_from(["GET", "POST", "DELETE", "HEAD", "PUT", "get"]), TARGETS,
                  st.sampled_from(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 "]),
                  st.lists(st.tuples(NAMES, VALUES), max_size=6))


GOOD_NAMES = st.sampled_from(["Host", "host", "User-Agent", "Content-Type", "Accept", "Connection", "Connection",
                              "X-Custom",
                              "If-None-Match", "Authorization", "accept-encoding", "X-Graphmock-Strict"])
GOOD_VALUES = st.sampled_from(["127.0.0.1:8000", " spaced ", "\tx\t", "keep-alive", "close", "", "a,b", '"abc"',
                               "application/x-www-form-urlencoded", "Bearer t0k", "gzip, deflate", "*/*"])
GOOD_TARGETS = st.sampled_from(["/v25.0/act_1/campaigns", "/v25.0/me?fields=name", "/v25.0/a%20b?x=%41&y=+", "/",
                                "/a/../b", "/?", "/x?a=b?c", "/%zz", "/v25.0/%0Aact", "/__graphmock/clock"])


@st.composite
def raw_requests(draw: Any) -> bytes:
    """Half of them plain (as clients send), half anything the generators can make."""
    if draw(st.booleans()):
        method, target, version = draw(st.sampled_from(["GET", "POST", "DELETE"])), draw(GOOD_TARGETS), "HTTP/1.1"
        headers, eol, skew = draw(st.lists(st.tuples(GOOD_NAMES, GOOD_VALUES), max_size=5)), "\r\n", 0
    else:
        method, target, version, headers = draw(HEADS)
        eol = draw(st.sampled_from(["\r\n", "\r\n", "\r\n", "\n"]))
        skew = draw(st.sampled_from([0, 0, 0, 1, -1]))
    body = draw(st.sampled_from([b"", b"name=x&a=b", b'{"a":1}', b"0\r\n\r\n"]))
    lines = [f"{method} {target} {version}"] + [f"{name}: {value}" for name, value in headers]
    if body and draw(st.booleans()):
        lines.append(f"Content-Length: {len(body) + skew}")
    return (eol.join(lines) + eol + eol).encode("latin-1") + body


def normal(answer: bytes, closed: bool) -> tuple[bytes, bool]:
    """A 400's trace id is random per answer."""
    return re.sub(rb'"fbtrace_id":"[^"]*"', b'"fbtrace_id":""', answer), closed


def reads_of(requests: list[bytes], split: int | None) -> list[bytes]:
    """The requests as the socket delivers them: one read each, all in one read (pipelined), or split in two."""
    if split is None:
        return requests
    joined = b"".join(requests)
    return [joined] if split == 0 else [joined[:split], joined[split:]]


@given(requests=st.lists(raw_requests(), min_size=1, max_size=4), split=st.none() | st.integers(0, 60))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_request_gets_the_answer_the_parser_path_gives(servers: tuple[Server, Server], requests: list[bytes],
                                                           split: int | None) -> None:
    """Any sequence of requests, plain or not, well-formed or not, in any reads: the same bytes come back and the
    connection ends the same way whether plain requests skip the parser or not."""
    plain, parsed = servers
    reads = reads_of(requests, split)
    assert normal(*plain.exchange(reads)) == normal(*parsed.exchange(reads))


def test_a_malformed_request_after_an_answer_that_closed_writes_nothing_more(servers: tuple[Server, Server]) -> None:
    """Found by the property above: an HTTP/1.0 GET answered directly (the connection then closes), followed in the
    same read by bytes the parser refuses, had its 400 written after the `connection: close` answer."""
    for server in servers:
        answer, closed = server.exchange([b"GET /v25.0/act_1/campaigns HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                          b"name=x&a=b"])
        assert closed and answer.count(b"HTTP/1.1 ") == 1 and b"400 Bad Request" not in answer


def test_the_requests_clients_send_are_read_without_the_parser(servers: tuple[Server, Server]) -> None:
    """wrk's, the Python SDK's (requests) and the Node SDK's (axios) requests are plain: answered without the parser."""
    plain, _ = servers
    sent = [b"GET /v25.0/123?fields=name HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n",
            b"POST /v25.0/act_1/campaigns HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: fbbizsdk-python-v26.0.3\r\n"
            b"Accept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\nContent-Length: 10\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\nname=x&a=b",
            b"DELETE /v25.0/123 HTTP/1.1\r\nAccept: application/json, text/plain, */*\r\nUser-Agent: axios/1.7.9\r\n"
            b"Host: 127.0.0.1:8000\r\nConnection: close\r\n\r\n"]
    for data in sent:
        assert parse_plain(data) is not None
    before = plain.app.direct_calls
    answer, closed = plain.exchange(sent)
    assert plain.app.direct_calls == before + 3 and answer.count(b"HTTP/1.1 200 OK") == 3 and closed


def test_a_request_the_parser_must_judge_is_not_plain() -> None:
    """Chunked bodies, 100-continue, a body still to come, the next request in the same read, HTTP/1.0, a
    header line without CRLF, a control character, proxy headers (rewritten by uvicorn's middleware)."""
    head = b"POST /v25.0/act_1/campaigns HTTP/1.1\r\nHost: h\r\n"
    for data in (head + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", head + b"Expect: 100-continue\r\nContent-Length: 3\r\n\r\n",
                 head + b"Content-Length: 10\r\n\r\nname", head + b"\r\nGET / HTTP/1.1\r\n\r\n",
                 b"GET / HTTP/1.0\r\n\r\n", b"GET / HTTP/1.1\nHost: h\n\n", b"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n",
                 head + b"Content-Length: 1\r\nContent-Length: 1\r\n\r\nx"):
        assert parse_plain(data) is None, data
    assert parse_plain(b"GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n", proxy_headers=True) is None
    assert parse_plain(b"GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n") is None  # llhttp reads it as Connection


def test_any_connection_close_closes_as_the_parser_decides() -> None:
    """llhttp's keep-alive flags add up over the headers: a `Connection: close` anywhere closes the connection, a
    later `keep-alive` does not reopen it (found by review: the last header won)."""
    plain = parse_plain(b"GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n")
    assert plain is not None and plain.keep_alive is False


def _fields(plain: Any) -> Any:
    return None if plain is None else (plain.method, plain.target, plain.headers, plain.body, plain.keep_alive)


@settings(max_examples=200, deadline=None)
@given(data=raw_requests(), body=st.sampled_from([b"", b"name=x&a=b", b'{"a":1}']), proxy=st.booleans())
def test_a_kept_head_reads_as_a_fresh_parse(data: bytes, body: bytes, proxy: bool) -> None:
    """A request head read plain is kept for the next identical one (plain_requests._HEADS): the next request with
    that head, whatever its body, reads as it would with nothing kept, and what a caller does to one request's
    headers never reaches the next."""
    from mock_server.wire import plain_requests

    head = data[:data.find(b"\r\n\r\n") + 4] if b"\r\n\r\n" in data else data
    plain_requests._HEADS.clear()
    fresh = [_fields(parse_plain(raw, proxy)) for raw in (data, head + body)]
    plain_requests._HEADS.clear()
    first = parse_plain(data, proxy)
    if first is not None:
        first.headers.append((b"x-added", b"by a caller"))
    assert _fields(parse_plain(head + body, proxy)) == fresh[1]
    assert _fields(parse_plain(data, proxy)) == fresh[0]

"""One write per answer (mock_server/wire/single_write.py): the head rides with its body, nothing is lost,
reordered or held back (issue 18 point 1: "one response write per answer")."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.server import ServerProcess
from helpers.transport import FakeTransport, ServerSideTransport
from mock_server.wire.single_write import CorkedTransport


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_a_head_and_its_body_are_one_write() -> None:
    real = FakeTransport()
    corked = CorkedTransport(real)  # type: ignore[arg-type]
    corked.write(HEAD)
    assert real.writes == []
    corked.write(b"{}")
    assert real.writes == [HEAD + b"{}"]


def test_a_head_without_body_goes_out_when_the_response_completes() -> None:
    """A HEAD answer: uvicorn writes no body; the protocol flushes when it reports the response complete."""
    real = FakeTransport()
    corked = CorkedTransport(real)  # type: ignore[arg-type]
    corked.write(HEAD)
    corked.flush()
    assert real.writes == [HEAD]


def test_100_continue_is_never_held() -> None:
    """The client waits for the interim answer before it sends its body (RFC 9110 10.1.1)."""
    real = FakeTransport()
    corked = CorkedTransport(real)  # type: ignore[arg-type]
    corked.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert real.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]


def test_close_sends_a_held_head_first() -> None:
    real = FakeTransport()
    corked = CorkedTransport(real)  # type: ignore[arg-type]
    corked.write(HEAD)
    corked.close()
    assert real.writes == [HEAD] and real.closed
    assert corked.is_closing()  # everything else is the real transport's


CHUNKS = st.lists(st.one_of(st.just(HEAD), st.just(b"HTTP/1.1 100 Continue\r\n\r\n"), st.binary(max_size=20),
                            st.just("flush")), max_size=12)


@given(CHUNKS)
@settings(max_examples=60)
def test_bytes_and_order_are_those_written(chunks: list[Any]) -> None:
    """Whatever is written, flushed and closed, the bytes on the wire are exactly those written, in order."""
    real = FakeTransport()
    corked = CorkedTransport(real)  # type: ignore[arg-type]
    sent = b""
    for chunk in chunks:
        if chunk == "flush":
            corked.flush()
        else:
            corked.write(chunk)
            sent += chunk
    corked.close()
    assert b"".join(real.writes) == sent


# -- a real server -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path_factory.mktemp("single") / "s.sqlite3", extra_args=["--quiet"]) as running:
        yield running


def _read_answer(sock: socket.socket, head_only: bool = False) -> bytes:
    data = b""
    while True:
        chunk = sock.recv(65536)
        assert chunk, "connection closed"
        data += chunk
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
            if head_only or len(body) >= length:
                return data


def test_the_serving_protocol_writes_each_answer_once() -> None:
    """`graphmock serve`'s protocol class, fed two keep-alive requests and a HEAD: one write per answer."""
    import asyncio

    import uvicorn
    from uvicorn.server import ServerState

    from helpers.server import demo_world
    from mock_server.app import create_app
    from mock_server.wire.malformed import protocol_class

    w = demo_world()
    target = f"/v25.0/{w['ad_account_id']}?access_token={w['access_token']}&fields=name"
    loop = asyncio.new_event_loop()
    try:
        config = uvicorn.Config(create_app(), lifespan="off", log_level="warning", access_log=False)
        config.load()
        protocol = protocol_class()(config=config, server_state=ServerState(), app_state={}, _loop=loop)
        real = ServerSideTransport()
        protocol.connection_made(real)
        for method in ("GET", "GET", "HEAD"):
            before = len(real.writes)
            protocol.data_received(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            deadline = loop.time() + 5
            while len(real.writes) == before and loop.time() < deadline:
                loop.run_until_complete(asyncio.sleep(0.001))
            loop.run_until_complete(asyncio.sleep(0.01))
            assert len(real.writes) == before + 1, real.writes[before:]
            answer = real.writes[-1]
            assert answer.startswith(b"HTTP/1.1 200")
            assert (b'"name"' in answer) == (method == "GET")
        protocol.connection_lost(None)
    finally:
        loop.close()


def test_keep_alive_answers_arrive_whole(server: ServerProcess) -> None:
    """Three GETs and a HEAD on one connection of a real server: each answer complete and in order."""
    w = server.world
    target = f"/v25.0/{w['ad_account_id']}?access_token={w['access_token']}&fields=name"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            answer = _read_answer(sock)
            assert answer.startswith(b"HTTP/1.1 200") and b'"name"' in answer
        sock.sendall(f"HEAD {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        answer = _read_answer(sock, head_only=True)
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"\r\n\r\n")


def test_expect_100_continue_is_answered_before_the_body(server: ServerProcess) -> None:
    w = server.world
    body = b"name=single&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=[]"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall((f"POST /v25.0/{w['ad_account_id']}/campaigns?access_token={w['access_token']} HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n").encode())
        started = time.monotonic()
        interim = sock.recv(65536)
        assert interim.startswith(b"HTTP/1.1 100") and time.monotonic() - started < 2
        sock.sendall(body)
        answer = _read_answer(sock)
        assert answer.startswith(b"HTTP/1.1 200") and b'"id"' in answer


def test_a_big_body_is_not_copied_behind_its_head() -> None:
    real = FakeTransport()
    corked = CorkedTransport(real)  # type: ignore[arg-type]
    body = b"x" * (1 << 20)
    corked.write(HEAD)
    corked.write(body)
    assert real.writes == [HEAD, body] and real.writes[1] is body

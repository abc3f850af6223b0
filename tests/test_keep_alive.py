"""wire/keep_alive.py: `graphmock serve` closes a keep-alive connection that stays silent for uvicorn's
`timeout_keep_alive` after an answer, as uvicorn does, with one timer per connection. What a client relies on: a
connection in use is never closed under it, however long it lives; an idle one is closed once the timeout passes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from uvicorn.server import ServerState

from helpers.transport import ServerSideTransport
from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.wire.malformed import protocol_class

TIMEOUT = 0.05


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Any, asyncio.AbstractEventLoop, dict[str, str]]]:
    loop = asyncio.new_event_loop()
    app = create_app(ServerConfig(seed=5))
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False, timeout_keep_alive=1)
    config.load()
    try:
        yield config, loop, app.state.graph.world.summary()
    finally:
        loop.close()


def _connect(config: Any, loop: asyncio.AbstractEventLoop) -> tuple[Any, ServerSideTransport]:
    protocol = protocol_class(journal_after_send=True)(config=config, server_state=ServerState(), app_state={},
                                                       _loop=loop)
    protocol.timeout_keep_alive = TIMEOUT
    transport = ServerSideTransport()
    protocol.connection_made(transport)
    return protocol, transport


def _get(world: dict[str, str]) -> bytes:
    return (f"GET /v25.0/me?access_token={world['access_token']} HTTP/1.1\r\nHost: x\r\n\r\n").encode()


def test_an_idle_connection_is_closed_after_the_timeout(served) -> None:
    config, loop, world = served
    protocol, transport = _connect(config, loop)
    protocol.data_received(_get(world))
    assert transport.data.startswith(b"HTTP/1.1 200") and not transport.closed
    loop.run_until_complete(asyncio.sleep(TIMEOUT * 3))
    assert transport.closed
    protocol.connection_lost(None)


def test_a_busy_connection_outlives_the_timeout(served) -> None:
    """Requests every half timeout for four timeouts: the connection stays open throughout."""
    config, loop, world = served
    protocol, transport = _connect(config, loop)
    for _ in range(8):
        protocol.data_received(_get(world))
        loop.run_until_complete(asyncio.sleep(TIMEOUT / 2))
        assert not transport.closed
    assert transport.data.count(b"HTTP/1.1 200") == 8
    protocol.connection_lost(None)


def test_no_timeout_under_a_request_in_flight(served) -> None:
    """A POST whose body is still coming, for longer than the timeout: the connection is not closed under it."""
    config, loop, world = served
    protocol, transport = _connect(config, loop)
    protocol.data_received(_get(world))
    head = (f"POST /v25.0/{world['ad_account_id']}/campaigns?access_token={world['access_token']} HTTP/1.1\r\n"
            "Host: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=")
    protocol.data_received(head.encode())
    loop.run_until_complete(asyncio.sleep(TIMEOUT * 3))
    assert not transport.closed
    protocol.connection_lost(None)
    loop.run_until_complete(asyncio.sleep(0.01))  # the POST's task ends: its client is gone

"""Malformed HTTP that uvicorn refuses before any app code runs, answered as a Graph error envelope.

uvicorn answers a request line or header it cannot parse (`GET /\\x01`, a bare `GARBAGE` line, a header
without a colon, an invalid chunk size) with a plain-text 400 and closes the connection. graphmock keeps
that behaviour (400, `connection: close`) but sends JSON, so no answer escapes the Graph envelope.
Used by `graphmock serve` as uvicorn's `http` protocol class (docs/hardening.md lists these cases); the same
class sends each answer in one write (mock_server/wire/single_write.py) and answers complete Graph calls
without an ASGI task (mock_server/wire/direct.py).
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson

from mock_server.wire.errors import GraphError
from mock_server.wire.single_write import CorkedTransport


def envelope(error: GraphError) -> bytes:
    return orjson.dumps(error.envelope("A" + secrets.token_urlsafe(16)))


def protocol_class(head_timeout: float = 10.0, journal_after_send: bool = False) -> Any:
    """uvicorn's httptools protocol with JSON errors: 400 for what it cannot parse, 408 for a request head that
    stops arriving (`GET /` without its blank line) after `head_timeout` seconds; "auto" without httptools.
    `journal_after_send`: only HTTP reads the journal (`graphmock serve`), so direct calls journal once their
    answer is sent (wire/direct.py)."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        from mock_server.wire.direct import DirectCalls
        from mock_server.wire.keep_alive import IdleKeepAlive
        from mock_server.wire.plain_requests import PlainRequests
    except ImportError:  # pragma: no cover - uvicorn without [standard]
        return "auto"

    class GraphHttpToolsProtocol(PlainRequests, DirectCalls, IdleKeepAlive, HttpToolsProtocol):  # type: ignore[misc]
        _head_timer: Any = None

        def send_400_response(self, msg: str) -> None:
            detail = f"malformed HTTP request ({msg.rstrip('.')})"
            self._send_error(400, b"Bad Request", GraphError("body_unparseable", detail=detail))

        def _send_error(self, status: int, reason: bytes, error: GraphError) -> None:
            if self.transport.is_closing():  # an answer already ended the connection (`connection: close`, sent
                return  # directly before the parser read on): nothing may follow it on the wire
            body = envelope(error)
            head = [b"HTTP/1.1 %d %s\r\n" % (status, reason)]
            for name, value in self.server_state.default_headers:
                head += [name, b": ", value, b"\r\n"]
            head += [b"content-type: application/json; charset=UTF-8\r\n",
                     b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n\r\n", body]
            self.transport.write(b"".join(head))
            self.transport.close()

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(CorkedTransport(transport))  # head and body in one send (single_write.py)

        def on_response_complete(self) -> None:
            self.transport.flush()  # a HEAD answer's head has no body to ride with
            super().on_response_complete()

        _head_pending = False  # a request head has begun and is not complete yet

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            # the timer only when a read ends inside a head: a head that arrives whole (nearly every request)
            # costs no timer to arm and cancel
            if self._head_pending and self._head_timer is None and not self.transport.is_closing():
                self._head_timer = self.loop.call_later(head_timeout, self._head_timed_out)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._stop_timer()
            self._head_pending = True

        def on_headers_complete(self) -> None:
            self._head_pending = False
            self._stop_timer()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_timer()
            super().connection_lost(exc)

        def _stop_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if not self.transport.is_closing():
                self._send_error(408, b"Request Timeout", GraphError(
                    "request_timeout", detail=f"the request head was not complete after {head_timeout:g}s",
                    limit="body_timeout", value=head_timeout))

    GraphHttpToolsProtocol.journal_after_send = journal_after_send
    return GraphHttpToolsProtocol

"""Malformed HTTP that uvicorn refuses before any app code runs, answered as a Graph error envelope.

uvicorn answers a request line or header it cannot parse (`GET /\\x01`, a bare `GARBAGE` line, a header
without a colon, an invalid chunk size) with a plain-text 400 and closes the connection. graphmock keeps
that behaviour (400, `connection: close`) but sends JSON, so no answer escapes the Graph envelope.
Used by `graphmock serve` as uvicorn's `http` protocol class (docs/hardening.md lists these cases).
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson

from mock_server.wire.errors import GraphError


def envelope(message: str) -> bytes:
    error = GraphError("body_unparseable", detail=f"malformed HTTP request ({message.rstrip('.')})")
    return orjson.dumps(error.envelope("A" + secrets.token_urlsafe(16)))


def protocol_class() -> Any:
    """uvicorn's httptools protocol with a JSON 400; "auto" when httptools is not installed."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - uvicorn without [standard]
        return "auto"

    class GraphHttpToolsProtocol(HttpToolsProtocol):  # type: ignore[misc]
        def send_400_response(self, msg: str) -> None:
            body = envelope(msg)
            head = [b"HTTP/1.1 400 Bad Request\r\n"]
            for name, value in self.server_state.default_headers:
                head += [name, b": ", value, b"\r\n"]
            head += [b"content-type: application/json; charset=UTF-8\r\n",
                     b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n\r\n", body]
            self.transport.write(b"".join(head))
            self.transport.close()

    return GraphHttpToolsProtocol

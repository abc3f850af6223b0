"""ASGI wrapper that journals every Graph call and enforces strict mode, around an unchanged app.

Until `mock_server.app` records into the journal itself, this wrapper does it
from the outside: it reads the body once, parses it with the same wire
parser, lets the app answer, and records `(request, status, body)`. In strict
mode (`strict=True`, or header `X-Graphmock-Strict: 1`) a request with a
violation the real API would accept silently is refused with a Graph error
envelope *before* the app sees it, so nothing is written.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
from starlette.requests import Request

from mock_server import control
from mock_server.journal import Journal, journal_of
from mock_server.verify.verdicts import ERROR, Violation
from mock_server.wire import request as wire_request
from mock_server.wire.errors import GraphError

STRICT_HEADER = "x-graphmock-strict"
_CAPTURE_LIMIT = 1 << 20


def strict_error(violations: list[Violation]) -> GraphError:
    """The Graph error strict mode answers with: the first violation, naming its param."""
    first = violations[0]
    more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
    detail = f"graphmock strict mode: {first.kind}: {first.message}{more}"
    return GraphError("param_invalid", field=first.param or "request", detail=detail, value=None)


def wants_strict(default: bool, headers: dict[str, str]) -> bool:
    flag = headers.get(STRICT_HEADER)
    if flag is None:
        return default
    return flag.strip().lower() in ("1", "true", "yes", "on")


def strict_refusal(journal: Journal, graph_request: Any, strict: bool) -> GraphError | None:
    """Strict mode (server flag or X-Graphmock-Strict): the error that refuses a request with violations the real
    API would accept silently, journaled with them; None when the request may go on. Used for plain requests
    and for each operation of a batch."""
    if not wants_strict(strict, graph_request.headers):
        return None
    silent = journal.screen(graph_request)
    if not silent:
        return None
    error = strict_error(silent)
    # strict mode refused the request: what Graph would accept silently is an error for this client
    refused = [dataclasses.replace(v, severity=ERROR) for v in silent]
    journal.record(graph_request, error.http_status, None, violations=refused)
    return error


class JournalMiddleware:
    """Wrap a graphmock app: `JournalMiddleware(create_app(config), strict=False)`, or inside create_app as
    Starlette middleware: `Middleware(JournalMiddleware, graph=state, strict=..., journal_size=...)`.

    One journal per State: a second wrapper around an already journaled app only adds its `strict` flag.
    """

    def __init__(self, app: Any, *, graph: Any = None, strict: bool = False, journal_size: int | None = None) -> None:
        self.app = app
        self.graph = graph if graph is not None else app.state.graph
        if graph is None:
            self.state = app.state  # Starlette's app.state: `.graph` is the mock's State, as on the app itself
        self.journal: Journal = journal_of(self.graph, journal_size)
        self.strict = strict
        inner = getattr(self.graph, "_journal_middleware", None)
        self.active = inner is None
        if inner is None:
            self.graph._journal_middleware = self
        elif strict:
            inner.strict = True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not self.active or scope["type"] != "http" or scope.get("path", "").startswith(control.PREFIX):
            await self.app(scope, receive, send)
            return
        chunks, more_body = await _read(receive, self.graph.config.limits.max_body_bytes)
        graph_request = None
        try:
            graph_request = await wire_request.parse(Request(scope, _replay(chunks, more_body, receive)),
                                                     self.graph.config.limits)
        except GraphError:
            pass  # the app answers with the same error; the journal has no params to judge
        except Exception:  # noqa: BLE001 - never let journaling break a request
            graph_request = None
        refusal = strict_refusal(self.journal, graph_request, self.strict) if graph_request is not None else None
        if refusal is not None:
            from mock_server.app import error_response

            await error_response(self.graph, refusal, suppress=graph_request.suppress_http_code)(scope, receive, send)
            return
        captured: dict[str, Any] = {"status": 500, "body": bytearray()}

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
            elif message["type"] == "http.response.body" and len(captured["body"]) < _CAPTURE_LIMIT:
                captured["body"] += message.get("body", b"")
            await send(message)

        await self.app(scope, _replay(chunks, more_body, receive), capture)
        try:
            body = orjson.loads(bytes(captured["body"])) if captured["body"] else None
        except orjson.JSONDecodeError:
            body = None
        self.journal.record(graph_request, captured["status"], body)


async def _read(receive: Any, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Buffer request body messages up to `limit` bytes; says whether more remain unread."""
    chunks: list[dict[str, Any]] = []
    size = 0
    while True:
        message = await receive()
        chunks.append(message)
        if message["type"] != "http.request":
            return chunks, False
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            return chunks, False
        if size > limit:
            return chunks, True


def _replay(chunks: list[dict[str, Any]], more_body: bool, receive: Any) -> Any:
    queue = list(chunks)

    async def replay() -> dict[str, Any]:
        if queue:
            return queue.pop(0)
        return await receive()  # the rest of an oversized body, or the client's disconnect
    return replay

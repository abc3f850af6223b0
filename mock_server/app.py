"""The ASGI application: every path is a Graph call; every failure is a Graph error envelope."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import re
import time
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from mock_server import access, batch, control, dashboard, media, redaction
from mock_server.access.faults import ConnectionDropped, Fault
from mock_server.config import ServerConfig
from mock_server.control.guard import ControlGuard, without_body
from mock_server.dispatch import Answer, account_of, serve
from mock_server.journal import REQUEST_STARTED, Journal, journal_of
from mock_server.state import State
from mock_server.wire import request as wire_request
from mock_server.wire.errors import GraphError
from mock_server.wire.etag import encoded, not_modified
from mock_server.wire.request import GraphRequest
from mock_server.verify.middleware import strict_refusal

log = logging.getLogger("graphmock")
JSON = "application/json; charset=UTF-8"
LARGE_BODY = 1 << 20


_STATIC_HEADERS = [(b"content-type", JSON.encode()), (b"x-fb-rev", b"1000000"),
                   (b"cache-control", b"private, no-cache, no-store, must-revalidate"), (b"pragma", b"no-cache"),
                   (b"access-control-allow-origin", b"*")]


class GraphResponse(Response):
    """A JSON response whose raw headers are assembled directly (the constant ones are built once)."""

    after: Any = None  # what to do once the answer is sent (a direct call's journal entry: create_app.journaled)

    def __init__(self, content: bytes, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = status
        self.body = content
        self.background = None
        self.raw_headers = [(b"content-length", str(len(content)).encode()), *_STATIC_HEADERS, *headers]


def graph_response(state: State, status: int, body: Any, *, version: str | None = None,
                   extra: dict[str, str] | None = None, content: bytes | None = None) -> Response:
    """`body` as JSON (or `content`, already encoded) with Graph's headers."""
    if version is None or not wire_request.VERSION_RE.match(version):  # `/v1%0A`: never copy a path into a header
        version = state.config.latest_version
    headers = [(b"x-fb-trace-id", state.trace.next().encode()), (b"facebook-api-version", version.encode())]
    if extra:
        headers += extra_headers(extra)
    return GraphResponse(orjson.dumps(body) if content is None else content, status, headers)


def extra_headers(extra: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    """An answer's own headers as raw pairs. The usage headers repeat on every answer (the same strings, whose
    hashes Python keeps): the pairs of a set seen before are reused (a bounded memo)."""
    key = tuple(extra.items())
    raw = _EXTRA.get(key)
    if raw is None:
        raw = tuple([(k.lower().encode("latin-1"), header_value(v)) for k, v in key])
        if sum(len(k) + len(v) for k, v in key) <= 2048:
            if len(_EXTRA) >= 256:
                _EXTRA.clear()
            _EXTRA[key] = raw
    return raw


_EXTRA: dict[tuple[tuple[str, str], ...], tuple[tuple[bytes, bytes], ...]] = {}


def header_value(value: str) -> bytes:
    """A header value with control characters (CR, LF, NUL...) made spaces: the server refuses to send them.
    The usage headers repeat on every answer: their bytes are kept (a bounded memo)."""
    raw = _HEADER_VALUES.get(value)
    if raw is None:
        raw = value.encode("latin-1", "replace")
        if _CONTROL.search(raw):
            raw = raw.translate(_NO_CONTROLS)
        if len(value) <= 512:
            if len(_HEADER_VALUES) >= 1024:
                _HEADER_VALUES.clear()
            _HEADER_VALUES[value] = raw
    return raw


_HEADER_VALUES: dict[str, bytes] = {}


_NO_CONTROLS = bytes(b if 0x20 <= b != 0x7F else 0x20 for b in range(256))
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")  # one C scan, not a Python loop over every byte (~15 us a request)


def error_response(state: State, error: GraphError, *, suppress: bool = False) -> Response:
    body = redaction.error_body(error.envelope(state.trace.next()))
    status = 200 if suppress else error.http_status
    response = graph_response(state, status, body)
    if error.code in (190, 104, 102):
        response.raw_headers.append((b"www-authenticate", header_value(
            f'OAuth "Facebook Platform" "invalid_token" "{error.message[:200]}"')))
    return response


class DroppedConnection(Response):
    """Fault injection: start an answer, then abort, so the server closes the connection mid-response."""

    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", JSON.encode()), (b"content-length", b"1024")]})
        raise ConnectionDropped("graphmock fault injection: connection closed")


class _QuietDrops(logging.Filter):
    """Keep the server log free of tracebacks for connections graphmock drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def _quiet_uvicorn() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def _include_headers(graph_request: GraphRequest) -> bool:
    """`include_headers` of a batch (the wire parser keeps it out of params): the query's, else the body's."""
    value = graph_request.query.get("include_headers")
    if value is None:
        value = graph_request.body_include_headers
    return str(value).strip().lower() not in ("false", "0") if value is not None else True


class _JournalFlags:
    """Marks a State whose app journals itself; `strict` may be switched on by a wrapper (plugin, CLI)."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict


class _EveryMethod:
    """An ASGI endpoint (not a function), so Starlette routes any verb to it (TRACE, PROPFIND...), no text 405."""

    def __init__(self, endpoint: Any) -> None:
        self.endpoint = endpoint
        self.fallback: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" and self.fallback is not None:
            await self.fallback(scope, receive, send)
            return
        response = await self.endpoint(Request(scope, receive))
        await response(scope, receive, send)


class GraphApp(Starlette):
    """Graph calls go straight to the Graph endpoint (one prefix check instead of Starlette's middleware
    stack and route regexes, ~15 us per call); the control API and everything else take the normal route."""

    def __init__(self, graph_endpoint: Any, direct_endpoint: Any, config: ServerConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._graph_endpoint = graph_endpoint
        self._direct_endpoint = direct_endpoint
        self._control = ControlGuard(super().__call__, config)  # every path under /__graphmock/, UI included

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("path") in dashboard.PAGE_PATHS:
            page = dashboard.redirect_for(scope)  # a browser asking for / or /__graphmock gets the dashboard
            if page is not None:
                await page(scope, receive, send)
                return
        if scope["type"] == "http" and not scope.get("path", "").startswith(control.PREFIX):
            scope["app"] = self
            if scope.get("method") == "HEAD":  # answered like GET, without the body (a copy: the server's own
                scope = {**scope, "method": "GET"}  # scope must still say HEAD, or it waits for the body)
                send = without_body(send)
            await self._graph_endpoint(scope, receive, send)
            return
        if scope["type"] == "http" and hasattr(self.state, "graph"):
            self.state.graph.shared.sync()  # the dashboard and control API see other workers' changes too
        await (self._control if scope["type"] == "http" else super().__call__)(scope, receive, send)


    def direct_call(self, scope: dict[str, Any], body: bytes, journal_after_send: bool = False) -> Response | None:
        """A Graph call answered without ASGI (wire/direct.py), or None: the ASGI path takes the request.
        Only GET, POST and DELETE outside the control API and the dashboard's pages; HEAD and every other
        path keep their ASGI handling. `journal_after_send`: only the event loop reads the journal, so a lone
        server's entry may be written once the answer is sent (`response.after`)."""
        path = scope["path"]
        if scope["method"] not in _DIRECT_METHODS or path.startswith(control.PREFIX) or path in dashboard.PAGE_PATHS:
            return None
        scope["app"] = self
        return self._direct_endpoint(scope, body, journal_after_send)  # type: ignore[no-any-return]


_DIRECT_METHODS = frozenset({"GET", "POST", "DELETE"})
PARSED_KEY = "graphmock.parsed"  # a scope key: the GraphRequest a direct call parsed before it had to await


def create_app(config: ServerConfig | None = None, state: State | None = None) -> Starlette:
    """Build the ASGI app. Pass `state` to share one State between apps (tests) or keep the default."""
    state = state or State(config or ServerConfig())
    layer = access.install(state)
    _quiet_uvicorn()

    journal = journal_of(state, state.config.journal_size)
    state._journal_middleware = _JournalFlags(state.config.strict)  # outer JournalMiddleware wrappers stand down

    def respond(answer: Answer, graph_request: GraphRequest, suppress: bool, defer: bool = False) -> Response:
        """The answer's response, journaled; `defer`: journaled right after it is sent (`response.after`)."""
        if graph_request.method == "GET" and answer.status == 200:
            return respond_to_read(answer, graph_request, defer)
        status = 200 if suppress and answer.error is not None else answer.status
        response = graph_response(state, status, answer.body, version=graph_request.version, extra=answer.headers)
        entry = (graph_request, answer.status, answer.error if answer.error is not None else answer.body, answer.call)
        return journaled(response, entry, defer)

    def respond_to_read(answer: Answer, graph_request: GraphRequest, defer: bool) -> Response:
        """A successful read carries an ETag; If-None-Match naming it gets 304 and no body (wire/etag.py)."""
        kept = state.read_cache.encoded(answer.body)
        content, tag = kept if kept is not None else encoded(answer.body)
        if not_modified(graph_request.headers.get("if-none-match"), tag):
            response = graph_response(state, 304, None, version=graph_request.version, extra=answer.headers, content=b"")
            entry = (graph_request, 304, None, answer.call)
        else:
            response = graph_response(state, 200, None, version=graph_request.version, extra=answer.headers,
                                      content=content)
            entry = (graph_request, 200, answer.body, answer.call)
        response.raw_headers.append((b"etag", tag.encode()))  # a quoted hex digest (wire/etag.py), last as before
        return journaled(response, entry, defer)

    def journaled(response: GraphResponse, entry: tuple[Any, ...], defer: bool) -> GraphResponse:
        if defer:
            response.after = functools.partial(after_send, entry)
        else:
            journal.record(*entry)
        return response

    def after_send(entry: tuple[Any, ...]) -> None:
        """Once a direct call's answer is written: the inserts its store deferred (store/sqlite_deferred.py),
        then its journal entry."""
        run_deferred = getattr(state.store, "run_deferred", None)
        try:
            if run_deferred is not None:
                run_deferred()
        finally:
            journal.record(*entry)

    # A lone server's journal is this process's ring: an entry added right after the answer is sent is there
    # before the event loop takes the next request (the client's next call or any other), so under `graphmock
    # serve` a direct call sends first and journals (judging, the console line) after. Not when the journal is
    # shared (journal_store.py: another process may be asked for it the moment the client has its answer), nor
    # when code outside the loop reads the ring (GraphMock in a test's thread: the protocol says so).
    lone_journal = type(journal) is Journal

    def refuse_if_strict(graph_request: GraphRequest) -> Response | None:
        """Strict mode (server flag or X-Graphmock-Strict header): contract violations fail loudly."""
        error = strict_refusal(journal, graph_request, state._journal_middleware.strict)
        return None if error is None else error_response(state, error, suppress=graph_request.suppress_http_code)

    def call_now(graph_request: GraphRequest, suppress: bool, defer: bool = False) -> Response | None:
        """Shared state caught up, strict mode, then the call (or batch) and its response, without awaiting
        anything; None when the call must await an active fault (run_call)."""
        state.shared.sync()  # clock, world, seed, faults another worker changed (shared.py)
        if layer.faults.active:
            return None
        with state.clock.active():
            refused = refuse_if_strict(graph_request)
            if refused is not None:
                return refused
            if batch.is_batch(graph_request):  # no fault: no latency to wait out
                answer, _ = batch.run(state, graph_request, _include_headers(graph_request))
            else:
                answer = serve(state, graph_request)
        return respond(answer, graph_request, suppress, defer)

    async def run_call(graph_request: GraphRequest, suppress: bool) -> Response:
        """call_now, or the same steps with faults (latency, dropped connections) awaited."""
        now = call_now(graph_request, suppress)
        if now is not None:
            return now
        with state.clock.active():
            refused = refuse_if_strict(graph_request)
            if refused is not None:
                return refused
            fault: Fault | None = None
            if layer.faults.active:
                fault = layer.faults.match(graph_request.method, graph_request.segments,
                                           lambda: account_of(state, graph_request.segments))
            if fault is not None:
                if fault.latency_ms:
                    await asyncio.sleep(fault.latency_ms / 1000.0)
                if fault.close_connection:
                    return DroppedConnection()
                error = fault.graph_error()
                if error is not None:
                    return error_response(state, error, suppress=suppress)
            if batch.is_batch(graph_request):
                answer, latency = batch.run(state, graph_request, _include_headers(graph_request))
                if latency:
                    await asyncio.sleep(latency)
            else:
                answer = serve(state, graph_request)
        return respond(answer, graph_request, suppress)

    async def graph_endpoint(request: Request) -> Response:
        suppress = False
        REQUEST_STARTED.set(time.perf_counter())  # for the console request log's milliseconds
        try:
            graph_request = request.scope.get(PARSED_KEY)  # parsed already by a direct call that must await
            if graph_request is None:
                graph_request = await wire_request.parse(request, state.config.limits)
            suppress = graph_request.suppress_http_code
            if graph_request.method == "GET":  # one look at other processes' commits per read (shared.sync and
                with state.store.pinned():  # the read cache share it: repository.VersionPin)
                    return await run_call(graph_request, suppress)
            return await run_call(graph_request, suppress)
        except GraphError as error:
            return error_response(state, error, suppress=suppress)
        except Exception:  # a bug: log it, answer like Graph does, never a traceback
            log.exception("graphmock internal error on %s %s", request.method, request.url.path)
            return error_response(state, GraphError("unknown_error"))
        finally:
            if len(getattr(request, "_body", b"") or b"") > LARGE_BODY:
                gc.collect()  # a refused request's traceback cycles hold its decoded params; the CLI's lazy GC
                # (gc.set_threshold(100_000)) would keep megabytes per request (docs/hardening.md)

    def direct_endpoint(scope: dict[str, Any], body: bytes, journal_after_send: bool) -> Response | None:
        """graph_endpoint for a request whose body has arrived, called by the HTTP protocol (wire/direct.py);
        None when it must await: the ASGI path then answers it (with the parse kept in the scope)."""
        suppress = False
        REQUEST_STARTED.set(time.perf_counter())
        defer = journal_after_send and lone_journal
        try:
            graph_request = wire_request.parse_received(scope, body, state.config.limits)
            if graph_request is None:  # multipart: Starlette's form parser awaits
                return None
            suppress = graph_request.suppress_http_code
            if graph_request.method == "GET":
                with state.store.pinned():
                    answered = call_now(graph_request, suppress, defer)
            else:
                answered = call_now(graph_request, suppress, defer)
            if answered is None:
                scope[PARSED_KEY] = graph_request
            return answered
        except GraphError as error:
            return error_response(state, error, suppress=suppress)
        except Exception:  # a bug: log it, answer like Graph does, never a traceback
            log.exception("graphmock internal error on %s %s", scope.get("method"), scope.get("path"))
            return error_response(state, GraphError("unknown_error"))
        finally:
            if len(body) > LARGE_BODY:
                gc.collect()

    every = _EveryMethod(graph_endpoint)
    app = GraphApp(every, direct_endpoint, state.config, routes=[
        dashboard.slash_route(),
        Mount(dashboard.PATH, routes=dashboard.routes(state)),
        *media.routes(state),
        Mount(control.PREFIX, routes=control.routes(state)),
        Route("/{path:path}", every),
    ])
    every.fallback = app.router.not_found
    app.router.default = every  # paths the route pattern cannot match (a %0A in a segment) are Graph calls too
    app.state.graph = state
    return app

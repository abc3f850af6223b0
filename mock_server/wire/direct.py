"""Graph calls answered straight from the HTTP protocol, without an ASGI task.

uvicorn starts an asyncio task per request as soon as its head is parsed, then passes the body, the response
head and the response body as ASGI messages through coroutines, an Event and a scope dict: about 20-30 us of
Python per request, a fifth of a cached read. Nearly every Graph call arrives whole in one read and is answered
without awaiting anything, so `DirectCalls` holds the task back until the body is complete, hands the request
to the app's `direct_call(scope, body)` and writes the answer itself, in the same bytes uvicorn would send
(status line, uvicorn's `date`, the app's headers, `connection: close` when the connection ends) and with the
same access-log line when uvicorn's access log is on. A response's `after` (the journal entry of a lone
server: app.py `journaled`) runs once the answer is written, before the event loop takes the next request.

Everything else takes uvicorn's ASGI path unchanged: a body that continues in a later read, `Expect:
100-continue`, proxy headers uvicorn rewrites the scope for, an app wrapped in anything but uvicorn's proxy
middleware (uvicorn's message logger at `--log-level trace`, for one), and whatever `direct_call` returns None for (an active fault, multipart, the control API, HEAD).
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE  # the status lines uvicorn writes
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

log = logging.getLogger("graphmock")


def direct_call_of(app: Any) -> Any:
    """The app's `direct_call` under uvicorn's proxy-headers middleware, or None (another wrapper may need
    to see every ASGI message)."""
    while type(app).__name__ == "ProxyHeadersMiddleware":
        app = app.app
    return getattr(app, "direct_call", None)


def response_bytes(status: int, default_headers: list[tuple[bytes, bytes]], response: Any, keep_alive: bool) -> bytes:
    """What uvicorn writes for a response with a Content-Length: status line, its default headers, the
    response's, then the body (uvicorn's `RequestResponseCycle.send`)."""
    parts = [STATUS_LINE[status]]
    for name, value in default_headers:
        parts += (name, b": ", value, b"\r\n")
    for name, value in response.raw_headers:
        parts += (name, b": ", value, b"\r\n")
    if not keep_alive:
        parts.append(b"connection: close\r\n")
    parts += (b"\r\n", response.body)
    return b"".join(parts)


def _nothing() -> None:
    pass


class DirectCalls:
    """A mixin for uvicorn's `HttpToolsProtocol`: complete Graph calls are answered in the protocol."""

    _direct: Any = None  # the app's direct_call (None: every request takes the ASGI path)
    journal_after_send = False  # True when nothing outside the event loop reads the journal (`graphmock serve`)
    _held: Any = None  # (cycle, app) whose ASGI task waits for the end of the body
    _in_head = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._direct = direct_call_of(self.app)  # type: ignore[attr-defined]

    def on_headers_complete(self) -> None:
        self._in_head = True
        try:
            super().on_headers_complete()  # type: ignore[misc]
        finally:
            self._in_head = False

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        if self._in_head:
            if self.transport.is_closing():  # type: ignore[attr-defined]  # after a direct answer that closed the
                return  # connection (HTTP/1.0): uvicorn would have queued this request behind it, never to start
            if self._direct is not None and app is self.app and self._direct_eligible(cycle):  # type: ignore[attr-defined]
                self._held = (cycle, app)
                return
        self._asgi(cycle, app)

    def _asgi(self, cycle: Any, app: Any) -> None:
        """uvicorn's task for `cycle`. A direct answer earlier in the same read armed the keep-alive timer;
        uvicorn would have queued this request behind it instead: no timer runs while a request is in flight."""
        self._unset_keepalive_if_required()  # type: ignore[attr-defined]
        super()._start_asgi_task(cycle, app)  # type: ignore[misc]

    def _direct_eligible(self, cycle: Any) -> bool:
        if cycle.waiting_for_100_continue:
            return False
        if self.flow.write_paused:  # type: ignore[attr-defined]  # a client that does not read its answers: the
            return False  # ASGI path waits for the buffer to drain (and uvicorn stops reading meanwhile)
        return not self._forwarded(cycle)

    def _forwarded(self, cycle: Any) -> bool:
        """Proxy headers uvicorn's middleware rewrites the scope for (checked again once chunked trailers are in)."""
        if self.config.proxy_headers:  # type: ignore[attr-defined]
            for name, _ in cycle.scope["headers"]:
                if name.startswith(b"x-forwarded-"):
                    return True
        return False

    def on_message_complete(self) -> None:
        super().on_message_complete()  # type: ignore[misc]
        held = self._held
        if held is not None and held[0] is self.cycle:  # type: ignore[attr-defined]
            self._held = None
            if self._forwarded(held[0]):  # a chunked body's trailers may carry them
                self._asgi(*held)
            else:
                self._answer(*held)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        held = self._held
        if held is not None:  # the body goes on in a later read: the ASGI task reads it as it comes
            self._held = None
            if not self.transport.is_closing():  # type: ignore[attr-defined]
                self._asgi(*held)

    def _answer(self, cycle: Any, app: Any) -> None:
        # a context of its own, as the ASGI task would have (uvicorn's reset_contextvars: an empty one)
        context = contextvars.Context() if getattr(self.config, "reset_contextvars", False) else contextvars.copy_context()  # type: ignore[attr-defined]
        response = self._call_direct(context, self._direct, cycle.scope, bytes(cycle.body))
        if response is None:
            self._asgi(cycle, app)
            return
        self._send(cycle, response, context)

    def _call_direct(self, context: contextvars.Context, direct: Any, scope: dict[str, Any], body: bytes) -> Any:
        """The app's answer, or None: the ASGI path takes the request."""
        try:
            return context.run(direct, scope, body, self.journal_after_send)
        except Exception:  # direct_call answers its own errors; this is a bug in it: the ASGI path answers
            log.exception("graphmock internal error in a direct call")
            return None

    def _send(self, cycle: Any, response: Any, context: contextvars.Context) -> None:
        """Write `response` for `cycle`'s request as uvicorn would, then run its `after` and complete it."""
        cycle.response_started = cycle.response_complete = True
        if self.access_log:  # type: ignore[attr-defined]  # the line uvicorn's cycle logs when the response starts
            scope = cycle.scope
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', get_client_addr(scope), scope["method"],  # type: ignore[attr-defined]
                                    get_path_with_query_string(scope), scope["http_version"], response.status_code)
        self.transport.write(response_bytes(response.status_code, cycle.default_headers, response,  # type: ignore[attr-defined]
                                            cycle.keep_alive))
        if response.after is not None:  # bookkeeping (the journal entry) once the answer is on its way
            getattr(self.transport, "flush", _nothing)()  # type: ignore[attr-defined]
            try:
                context.run(response.after)
            except Exception:  # the answer is sent; a failure here must not touch the connection
                log.exception("graphmock internal error after a direct call")
        if not cycle.keep_alive:
            self.transport.close()  # type: ignore[attr-defined]
        self.on_response_complete()  # type: ignore[attr-defined]

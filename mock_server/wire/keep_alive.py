"""uvicorn's keep-alive timeout with one timer per connection instead of one per request.

uvicorn closes a keep-alive connection that stays silent for `timeout_keep_alive` seconds after an answer: it arms
a `call_later` as each response completes and cancels it as the next request's bytes arrive, two event-loop
operations on every request of a busy connection. Here the timer stays armed: an answer notes when the connection
went idle, a read marks it busy, and the timer, when it fires, closes a connection that has been idle for the whole
timeout, or waits out the rest of it. Same closing time, same rule (never under a request in flight).
"""

from __future__ import annotations

from typing import Any


class IdleKeepAlive:
    """A mixin for uvicorn's `HttpToolsProtocol` (before it in the bases)."""

    _idle_since: float | None = None  # loop time the last answer completed; None while a request is in flight
    timeout_keep_alive_task: Any = None  # uvicorn's attribute: here the connection's one timer

    def _unset_keepalive_if_required(self) -> None:
        self._idle_since = None  # busy: an armed timer finds it so and stands down

    def on_response_complete(self) -> None:
        """uvicorn's (count the request, resume reading, start a pipelined request), idle timer aside."""
        self.server_state.total_requests += 1  # type: ignore[attr-defined]
        if self.transport.is_closing():  # type: ignore[attr-defined]
            return
        self._idle_since = None
        self.flow.resume_reading()  # type: ignore[attr-defined]
        if self.pipeline:  # type: ignore[attr-defined]
            cycle, app = self.pipeline.pop()  # type: ignore[attr-defined]
            self._start_asgi_task(cycle, app)  # type: ignore[attr-defined]
            return
        loop: Any = self.loop  # type: ignore[attr-defined]
        self._idle_since = loop.time()
        if self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = loop.call_later(self.timeout_keep_alive, self._keep_alive_due)  # type: ignore[attr-defined]

    def _keep_alive_due(self) -> None:
        self.timeout_keep_alive_task = None
        idle = self._idle_since
        if idle is None:
            return  # a request is in flight: its answer arms the timer again
        left = idle + self.timeout_keep_alive - self.loop.time()  # type: ignore[attr-defined]
        if left > 0:
            self.timeout_keep_alive_task = self.loop.call_later(left, self._keep_alive_due)  # type: ignore[attr-defined]
        else:
            self.timeout_keep_alive_handler()  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)  # type: ignore[misc]
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None

"""`GraphMock`: the control API from Python, for in-process tests (and a real port when a client needs a URL).

    with GraphMock(seed=1) as mock:
        client = mock.client()            # in-process, no sockets
        mock.clock.freeze()
        ...
        mock.clock.advance(301)
        mock.reviews.approve(ad_id)
        mock.reset()                      # back to the fixtures, well under 5 ms in memory

    with GraphMock() as mock:
        FacebookAdsApi.init(access_token=mock.world["access_token"])  # ...pointing the SDK at mock.url

Every method calls the same functions as `/__graphmock/` (mock_server.control);
failures raise `ControlError` with the message the HTTP API would return. When
the HTTP server runs, calls are executed on its event loop, so they never
interleave with a request.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.control import clock as clock_ops
from mock_server.control import lifecycle, reviews
from mock_server.control.errors import ControlError
from mock_server.state import State
from mock_server.testing import InProcessClient

T = TypeVar("T")
Instant = float | int | str | datetime


class GraphMock:
    """One mock server: in-process by default; `url` (or `start()`) also serves it on a free 127.0.0.1 port."""

    def __init__(self, config: ServerConfig | None = None, *, seed: int | None = None,
                 fixtures: dict[str, Any] | str | Path | None = None, review: dict[str, Any] | None = None,
                 admin_token: str | None = None) -> None:
        config = config or ServerConfig()
        if seed is not None:
            config.seed = seed
        if review is not None:
            config.review = review
        if admin_token is not None:
            config.admin_token = admin_token
        if isinstance(fixtures, (str, Path)):
            config.fixtures = Path(fixtures)
        self.app = create_app(config)
        self.state: State = self.app.state.graph
        self.clock = ClockControl(self)
        self.reviews = ReviewControl(self)
        self.insights = InsightsControl(self)
        self._server: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        if isinstance(fixtures, dict):
            self.fixtures(fixtures)

    # -- serving --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL of the HTTP server (started on first use), e.g. http://127.0.0.1:54321."""
        return self._url or self.start()

    def start(self, timeout: float = 10.0) -> str:
        if self._url:
            return self._url
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        from mock_server.wire.malformed import protocol_class
        config = uvicorn.Config(self.app, lifespan="off", log_level="warning", access_log=False, server_header=False,
                                http=protocol_class(), ws="none")  # as `graphmock serve`: JSON for malformed HTTP,
        server = uvicorn.Server(config)  # one write per answer; Graph sends no `server` header
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(server.serve(sockets=[sock]))
            finally:
                loop.close()

        thread = threading.Thread(target=run, name="graphmock-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError("graphmock: the HTTP server did not start")
            time.sleep(0.005)
        self._server, self._loop, self._thread = server, loop, thread
        self._url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self._url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout=10)
        self._server = self._loop = self._thread = self._url = None

    def close(self) -> None:
        self.stop()
        self.state.store.close()

    def __enter__(self) -> GraphMock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, operation: Callable[..., T], *args: Any) -> T:
        """Run a control operation: on the server's loop when serving, else here; clock active either way."""
        def invoke() -> T:
            with self.state.clock.active():
                return operation(self.state, *args)

        if self._loop is None or self._thread is None or not self._thread.is_alive():
            return invoke()

        async def on_loop() -> T:
            return invoke()
        return asyncio.run_coroutine_threadsafe(on_loop(), self._loop).result(timeout=30)

    # -- controls -------------------------------------------------------------------------
    def client(self, *, version: str = "v25.0") -> InProcessClient:
        """A synchronous in-process Graph client on this mock (closing it leaves the mock running)."""
        return _SharedClient(app=self.app, version=version)

    @property
    def world(self) -> dict[str, Any]:
        """The demo ids and token (`graphmock fixtures`)."""
        return self.state.world.summary()

    def reset(self, ad_account_id: str | None = None) -> None:
        self._call(lifecycle.reset, {"ad_account_id": ad_account_id} if ad_account_id else None)

    def fixtures(self, document: dict[str, Any]) -> dict[str, Any]:
        """Load a fixtures document (shape of fixtures/demo.json), make it what reset goes back to, reset."""
        return self._call(lifecycle.load_fixtures, document)["world"]

    def snapshot(self, *, secrets: bool = False) -> dict[str, Any]:
        """The whole state; tokens and app secrets are redacted unless `secrets=True` (restoring a redacted
        snapshot into this mock takes them from the current state)."""
        return self._call(lifecycle.snapshot, {"secrets": secrets})

    def restore(self, snapshot: dict[str, Any]) -> None:
        self._call(lifecycle.restore, snapshot)

    def seed(self, seed: int | None, *, reset: bool = True) -> None:
        self._call(lifecycle.set_seed, {"seed": seed, "reset": reset})


class ClockControl:
    """The virtual clock: real time until frozen, set or advanced."""

    def __init__(self, mock: GraphMock) -> None:
        self._mock = mock

    def now(self) -> float:
        return self._mock.state.clock.now()

    def state(self) -> dict[str, Any]:
        return self._mock._call(clock_ops.get)

    def freeze(self, at: Instant | None = None) -> dict[str, Any]:
        return self._apply({"freeze": True, **({"at": _instant(at)} if at is not None else {})})

    def unfreeze(self) -> dict[str, Any]:
        return self._apply({"freeze": False})

    def set(self, at: Instant) -> dict[str, Any]:
        return self._apply({"at": _instant(at)})

    def advance(self, seconds: float | timedelta) -> dict[str, Any]:
        return self._apply({"advance": seconds.total_seconds() if isinstance(seconds, timedelta) else seconds})

    def _apply(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._mock._call(clock_ops.apply, body)


class ReviewControl:
    """Ad reviews: list pending ones, decide them, jump an ad to a review state, change the policy."""

    def __init__(self, mock: GraphMock) -> None:
        self._mock = mock

    def pending(self, ad_account_id: str | None = None) -> list[dict[str, Any]]:
        return self._mock._call(reviews.pending, {"ad_account_id": ad_account_id} if ad_account_id else None)["data"]

    def get(self, ad_id: str) -> dict[str, Any]:
        return self._mock._call(reviews.get_one, str(ad_id), None)

    def approve(self, ad_id: str) -> dict[str, Any]:
        return self._mock._call(reviews.decide, str(ad_id), {"action": "approve"})

    def disapprove(self, ad_id: str, reason: str | None = None, *, policy: str | None = None) -> dict[str, Any]:
        body = {"action": "disapprove", **({"reason": reason} if reason else {}), **({"policy": policy} if policy else {})}
        return self._mock._call(reviews.decide, str(ad_id), body)

    def jump(self, ad_id: str, state: str, *, reason: str | None = None) -> dict[str, Any]:
        return self._mock._call(reviews.decide, str(ad_id), {"state": state, **({"reason": reason} if reason else {})})

    def policy(self, ad_account_id: str | None = None) -> dict[str, Any]:
        return self._mock._call(reviews.get_policy, {"ad_account_id": ad_account_id} if ad_account_id else None)["policy"]

    def set_policy(self, policy: dict[str, Any] | None = None, *, ad_account_id: str | None = None,
                   **keys: Any) -> dict[str, Any]:
        """`set_policy(mode="manual")`, `set_policy({"banned_terms": [...]}, ad_account_id=...)`; no args clears."""
        merged = {**(policy or {}), **keys} or None
        body = {"policy": merged, **({"ad_account_id": ad_account_id} if ad_account_id else {})}
        return self._mock._call(reviews.set_policy, body)["policy"]


class InsightsControl:
    """Steer synthetic delivery: `set_profile("act_1", daily_spend=100)`, `no_delivery=True`, multipliers,
    `conversion_rate`; `fail_jobs(times=1)` makes the next async report runs answer 'Job Failed'."""

    def __init__(self, mock: GraphMock) -> None:
        self._mock = mock

    def set_profile(self, object_id: str, profile: dict[str, Any] | None = None, **keys: Any) -> dict[str, Any]:
        from mock_server.control import insights
        return self._mock._call(insights.set_profile, str(object_id), {**(profile or {}), **keys})["profile"]

    def profiles(self) -> dict[str, Any]:
        from mock_server.control import insights
        return self._mock._call(insights.get_profiles, None)["profiles"]

    def clear_profiles(self) -> None:
        from mock_server.control import insights
        self._mock._call(insights.clear_profiles, None)

    def fail_jobs(self, times: int = 1, *, ad_account_id: str | None = None, at_percent: int = 0) -> list[dict[str, Any]]:
        from mock_server.control import insights
        body = {"times": times, "at_percent": at_percent, **({"ad_account_id": ad_account_id} if ad_account_id else {})}
        return self._mock._call(insights.fail_jobs, body)["failures"]


class _SharedClient(InProcessClient):
    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


def _instant(value: Instant) -> float | str:
    return value.timestamp() if isinstance(value, datetime) else value


__all__ = ["GraphMock", "ClockControl", "ReviewControl", "InsightsControl", "ControlError"]

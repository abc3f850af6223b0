"""Where the driver's requests go: an in-process app (tests) or any HTTP server (`graphmock verify`)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from contract_tests.driver import SentRequest


def _decode(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"<non-JSON body>": response.text[:500]}


_THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})


def _throttled(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and error.get("code") in _THROTTLE_CODES


def _kwargs(request: SentRequest) -> dict[str, Any]:
    if request.body is None:
        return {}
    return {"json": request.body} if request.style == "json" else {"data": request.body}


class InProcessTarget:
    """Calls a `mock_server.testing.InProcessClient` (no sockets; its demo token is added for us)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, request: SentRequest) -> tuple[int, Any]:
        response = self.client.request(request.method, request.path, params=dict(request.params), **_kwargs(request))
        return response.status_code, _decode(response)


class HTTPTarget:
    """Calls a Graph-compatible server over HTTP with one access token."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self.calls = 0
        self.throttled = 0
        self.max_wait = 300.0

    def call(self, request: SentRequest) -> tuple[int, Any]:
        """One call; throttling answers (codes 4, 17, 32, 613, 80000-80014) are waited out and retried."""
        params = {**request.params, "access_token": self.token}
        waited, delay = 0.0, 1.0
        while True:
            self.calls += 1
            response = self.http.request(request.method, request.path, params=params, **_kwargs(request))
            body = _decode(response)
            if not _throttled(body) or waited >= self.max_wait:
                return response.status_code, body
            time.sleep(delay)
            waited += delay
            self.throttled += 1
            delay = min(delay * 2, 30.0)

    def close(self) -> None:
        self.http.close()

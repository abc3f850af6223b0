"""In-process access for tests: a synchronous client that calls the ASGI app without sockets.

`httpx.ASGITransport` is ~10x faster than Starlette's TestClient for the many
small requests property tests make.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.state import State


class InProcessClient:
    """Synchronous Graph client bound to one app; adds the demo token unless `token=None` is passed."""

    def __init__(self, config: ServerConfig | None = None, *, app: Any = None, version: str = "v25.0") -> None:
        self.app = app or create_app(config or ServerConfig())
        self.state: State = self.app.state.graph
        self.version = version
        self.token = self.state.world.summary()["access_token"]
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://graphmock.test")

    @property
    def world(self) -> dict[str, Any]:
        return self.state.world.summary()

    def url(self, path: str) -> str:
        path = path.lstrip("/")
        return path if path.startswith(("v", "/")) and path.split("/")[0].startswith("v") else f"/{self.version}/{path}"

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, data: Any = None,
                json: Any = None, files: Any = None, headers: dict[str, str] | None = None,
                content: bytes | None = None, token: Any = ...) -> httpx.Response:
        params = dict(params or {})
        token = self.token if token is ... else token
        if token is not None:
            params.setdefault("access_token", token)
        target = path if path.startswith("/") else self.url(path)
        if target.startswith("/__graphmock") and method.upper() in ("POST", "PUT", "PATCH") and data is None \
                and files is None and not any(k.lower() == "content-type" for k in (headers or {})):
            headers = {**(headers or {}), "content-type": "application/json"}  # as the control guard requires
        coro = self._client.request(method, target, params=params, data=data, json=json, files=files,
                                    headers=headers, content=content)
        return self._loop.run_until_complete(coro)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        self._loop.run_until_complete(self._client.aclose())
        self._loop.close()
        self.state.store.close()

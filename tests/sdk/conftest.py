"""The official SDKs against a real graphmock process (issue 7).

One `graphmock serve --db :memory: --seed 1` runs for the whole session on a free 127.0.0.1 port;
every test starts from the demo world (`POST /__graphmock/reset`). The Python SDK is pointed at it
by changing `FacebookSession.GRAPH` and nothing else (plus `crash_log=False`, so a failing test never
posts a crash report to Meta). The Node SDK runs as `node tests/sdk/node/<script>.js` (see node_runner.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from facebook_business.api import FacebookAdsApi
from facebook_business.session import FacebookSession

from helpers.server import ServerProcess

from node_runner import NodeRunner

SDK_TIMEOUT_S = 10


class Graphmock:
    """The session's server as tests see it: ids, URLs, and the control API."""

    def __init__(self, process: ServerProcess) -> None:
        self.process = process
        self.world: dict[str, Any] = process.world

    @property
    def url(self) -> str:
        return self.process.base_url

    @property
    def token(self) -> str:
        return str(self.world["access_token"])

    @property
    def act(self) -> str:
        return str(self.world["ad_account_id"])

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call `/__graphmock/<path>`; returns the decoded JSON, raises AssertionError on a non-2xx answer."""
        data = None if body is None else json.dumps(body).encode()
        request = Request(f"{self.url}/__graphmock/{path.lstrip('/')}", data=data, method=method,
                          headers={"Content-Type": "application/json"})
        try:
            with urlopen(request, timeout=SDK_TIMEOUT_S) as response:
                return json.loads(response.read() or b"null")
        except HTTPError as exc:
            raise AssertionError(f"control {method} {path} -> {exc.code}: {exc.read()[:1000]!r}") from None

    def reset(self) -> None:
        self.control("POST", "reset", {})


@pytest.fixture(scope="session")
def graphmock() -> Iterator[Graphmock]:
    """A real `python -m mock_server serve` process, stopped at the end of the session."""
    process = ServerProcess(":memory:", seed=1, version="v26.0")
    with process:
        yield Graphmock(process)


@pytest.fixture(autouse=True)
def fresh_world(graphmock: Graphmock) -> Graphmock:
    """Every test starts from the demo world (objects, clock, ids, review policy)."""
    graphmock.reset()
    return graphmock


@pytest.fixture(scope="session")
def graph_host(graphmock: Graphmock) -> Iterator[str]:
    """The one line a Python SDK user changes; restored when the session ends."""
    original = FacebookSession.GRAPH
    FacebookSession.GRAPH = graphmock.url
    yield graphmock.url
    FacebookSession.GRAPH = original


# The SDKs' own default versions, and v27.0 (the latest Marketing API version on 2026-12-05, issue 17) as a user
# on the newest version sets it: FacebookAdsApi.API_VERSION in Python, FacebookAdsApi.VERSION in Node.
SDK_VERSIONS = [None, "v27.0"]


@pytest.fixture(params=SDK_VERSIONS, ids=lambda v: v or "sdk-default")
def api(request: pytest.FixtureRequest, graph_host: str, graphmock: Graphmock,
        monkeypatch: pytest.MonkeyPatch) -> FacebookAdsApi:
    """`FacebookAdsApi.init` with the demo token, as the README shows it: at the SDK's default API version, and
    with `FacebookAdsApi.API_VERSION = "v27.0"` set first."""
    if request.param:
        monkeypatch.setattr(FacebookAdsApi, "API_VERSION", request.param)
    api = FacebookAdsApi.init(access_token=graphmock.token, crash_log=False, timeout=SDK_TIMEOUT_S)
    assert api._api_version == (request.param or FacebookAdsApi.API_VERSION)
    return api


@pytest.fixture(scope="session", params=SDK_VERSIONS, ids=lambda v: v or "sdk-default")
def node(request: pytest.FixtureRequest, graphmock: Graphmock) -> NodeRunner:
    """Runs the Node SDK scripts against the session's server; fails (never skips) without node_modules."""
    return NodeRunner(graphmock.url, graphmock.token, version=request.param)

"""What serving the dashboard costs a Graph call (issue 15 "Done when").

The only work the dashboard adds on the Graph path is GraphApp's check for a browser asking for `/` or
`/__graphmock` (one frozenset lookup). This times a cached `GET /<campaign>` through the app's ASGI entry
with today's `GraphApp.__call__` and with the one before the dashboard, interleaved round by round, plus a
second run of today's as an A/A control for the noise.

    python benchmarks/bench_dashboard.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
import timeit
from typing import Any

from mock_server import control
from mock_server.app import GraphApp, create_app
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

ROUNDS, CALLS = 30, 2000
WITH_DASHBOARD = GraphApp.__call__


async def without_dashboard(self: GraphApp, scope: Any, receive: Any, send: Any) -> None:
    """GraphApp.__call__ as it was before the dashboard."""
    if scope["type"] == "http" and not scope.get("path", "").startswith(control.PREFIX):
        scope["app"] = self
        await self._graph_endpoint(scope, receive, send)
        return
    await super(GraphApp, self).__call__(scope, receive, send)


def main() -> None:
    app = create_app(ServerConfig(seed=0))
    client = InProcessClient(app=app)
    act, token = client.world["ad_account_id"], client.world["access_token"]
    campaign = client.post(f"{act}/campaigns", data={"name": "b", "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED",
                                                     "special_ad_categories": "[]"}).json()["id"]
    path = f"/v25.0/{campaign}"
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": f"fields=id,name,status&access_token={token}".encode(), "scheme": "http",
             "headers": [(b"host", b"127.0.0.1"), (b"accept", b"*/*")], "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "http_version": "1.1", "asgi": {"version": "3.0"}}
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    async def run(calls: int) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            await app(dict(scope), receive, send)
        return (time.perf_counter() - started) / calls * 1e6

    async def measure() -> dict[str, list[float]]:
        variants = [("without dashboard", without_dashboard), ("with dashboard", WITH_DASHBOARD),
                    ("with dashboard (A/A)", WITH_DASHBOARD)]
        results: dict[str, list[float]] = {name: [] for name, _ in variants}
        await run(CALLS)
        for round_ in range(ROUNDS):
            for name, impl in variants[round_ % 3:] + variants[:round_ % 3]:
                GraphApp.__call__ = impl  # type: ignore[method-assign]
                results[name].append(await run(CALLS))
        GraphApp.__call__ = WITH_DASHBOARD  # type: ignore[method-assign]
        return results

    for name, values in asyncio.run(measure()).items():
        print(f"{name:22} median {statistics.median(values):6.2f} us per cached GET (min {min(values):.2f})")
    assert statuses == {200}, statuses
    check = timeit.Timer("s['type'] == 'http' and s.get('path') in p",
                         globals={"s": scope, "p": __import__("mock_server.dashboard").dashboard.PAGE_PATHS})
    loops, total = check.autorange()
    print(f"the added check alone: {total / loops * 1e9:.0f} ns per call")


if __name__ == "__main__":
    main()

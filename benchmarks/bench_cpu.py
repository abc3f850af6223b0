"""Server CPU per request of each bench_http scenario, in-process (no sockets, no uvicorn): the Python work
graphmock itself adds, measured with `time.thread_time()`. For working on the cold paths (issue 18 point 1):
robust to other load on the machine, and `--profile` names where the time goes.

    python benchmarks/bench_cpu.py                      # every scenario, 2000 requests each
    python benchmarks/bench_cpu.py --only "create ad set" --profile 25
    python benchmarks/bench_cpu.py --no-request-log     # what the console request log costs
    python benchmarks/bench_cpu.py --protocol           # through serve's HTTP protocol object: what it adds

The app is built like `graphmock serve` builds it (request log to a temp file, gc frozen and tuned), on a new
temp SQLite file, with the demo fixtures and rate limits off; `--no-read-cache` measures reads rendered afresh.
Figures are server-only: bench_http.py adds uvicorn and the sockets and reports ratios to a bare app.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import CAMPAIGN, FIXTURES  # noqa: E402


YIELD_EVERY = 16  # requests between two turns of the event loop


async def _yield() -> None:
    """One turn of the event loop: what `graphmock serve` runs between requests (the group's COMMIT when its timer
    is due, the journal's settling, the console log's flush) is counted with the requests, as on a socket. Every
    YIELD_EVERY requests: a turn costs a few microseconds of its own, which a socket's read pays anyway."""
    await asyncio.sleep(0)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's, as `graphmock serve` runs on (uvicorn's default when installed), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Driver:
    """Calls the app with a prebuilt scope, as `graphmock serve`'s protocol does (`direct_call`, else ASGI):
    the cost of one request to the app, nothing else."""

    def __init__(self, app: Any, direct: bool = True) -> None:
        self.app = app
        self.direct = direct
        self.loop = new_event_loop()

    def scope(self, method: str, target: str, body: bytes) -> dict[str, Any]:
        parts = urlsplit(target)
        headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench_cpu")]
        if body:
            headers += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", str(len(body)).encode())]
        return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
                "path": parts.path, "raw_path": parts.path.encode(), "query_string": parts.query.encode(),
                "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}

    async def _one(self, scope: dict[str, Any], body: bytes) -> tuple[int, bytes]:
        if self.direct:  # as `graphmock serve`'s protocol does (mock_server/wire/direct.py)
            scope = dict(scope)
            response = self.app.direct_call(scope, body)
            if response is not None:
                return response.status_code, response.body
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope if self.direct else dict(scope), receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    def call(self, method: str, target: str, body: str = "") -> Any:
        raw = body.encode()
        status, content = self.loop.run_until_complete(self._one(self.scope(method, target, raw), raw))
        assert status == 200, (target, content[:300])
        return json.loads(content)

    def run(self, method: str, target: str, bodies: list[str], count: int) -> float:
        """CPU microseconds per request over `count` requests (bodies sent in turn)."""
        prepared = [(self.scope(method, target, b.encode()), b.encode()) for b in bodies]

        async def many() -> float:
            started = time.thread_time()
            for i in range(count):
                scope, raw = prepared[i % len(prepared)]
                status, content = await self._one(scope, raw)
                if status != 200:
                    raise AssertionError(content[:300])
                if i % YIELD_EVERY == 0:
                    await _yield()
            return time.thread_time() - started

        return self.loop.run_until_complete(many()) / count * 1e6


class _NullTransport:
    """A connection's transport that keeps nothing of the answers: it counts those that are not a 200."""

    def __init__(self) -> None:
        self.bad = 0
        self.last = b""

    def write(self, data: bytes) -> None:
        if not data.startswith(b"HTTP/1.1 200 "):
            self.bad += 1
            self.last = data

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        raise AssertionError("the connection was closed")

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class ProtocolDriver(Driver):
    """`--protocol`: each request as raw bytes into `graphmock serve`'s own HTTP protocol object
    (wire/malformed.py), whose answer goes to a transport that keeps nothing: the plain-request read, the direct
    call, the one write and the work after it (the deferred inserts, the journal entry), as on a socket, without
    the kernel. What this adds to the direct calls is the protocol's share of a request."""

    def __init__(self, app: Any) -> None:
        import uvicorn
        from uvicorn.server import ServerState

        from mock_server.wire.malformed import protocol_class

        super().__init__(app)
        asyncio.set_event_loop(self.loop)
        config = uvicorn.Config(app, http=protocol_class(journal_after_send=True), ws="none", lifespan="off",
                                log_level="warning", access_log=False)  # as `graphmock serve` (mock_server/cli.py)
        config.load()
        self.transport = _NullTransport()

        async def connect() -> Any:
            protocol = config.http_protocol_class(config=config, server_state=ServerState(), app_state={},
                                                  _loop=self.loop)
            protocol.connection_made(self.transport)
            return protocol

        self.protocol = self.loop.run_until_complete(connect())

    def run(self, method: str, target: str, bodies: list[str], count: int) -> float:
        raws = []
        for body in bodies:
            raw = body.encode()
            head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: bench_cpu\r\n"
            if raw:
                head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(raw)}\r\n"
            raws.append(head.encode() + b"\r\n" + raw)
        feed, transport = self.protocol.data_received, self.transport

        async def many() -> float:
            started = time.thread_time()
            for i in range(count):
                feed(raws[i % len(raws)])
                if i % YIELD_EVERY == 0:
                    await _yield()
            return time.thread_time() - started

        us = self.loop.run_until_complete(many()) / count * 1e6
        if transport.bad:
            raise AssertionError(transport.last[:400])
        return us


def build(read_cache: bool, request_log: bool) -> tuple[Any, dict[str, str]]:
    from mock_server.app import create_app
    from mock_server.config import ServerConfig
    from mock_server.request_log import install

    db = str(Path(tempfile.mkdtemp()) / "cpu.sqlite3")
    app = create_app(ServerConfig(db=db, fixtures=Path(FIXTURES), read_cache=read_cache))
    state = app.state.graph
    if request_log:
        # a file, as CI's logs are (install skips the null device: nobody could read those lines)
        install(state.journal, tempfile.NamedTemporaryFile("w", suffix=".log", delete=True))  # noqa: SIM115
    return app, state.world.summary()


def scenarios(driver: Driver, w: dict[str, str], count: int) -> list[tuple[str, str, str, list[str]]]:
    """(name, method, path?query, bodies) as in bench_http.py, against a prepared store."""
    act, q = w["ad_account_id"], urlencode({"access_token": w["access_token"]})
    one = driver.call("POST", f"/v25.0/{act}/campaigns?{q}", urlencode(CAMPAIGN))["id"]
    for i in range(30):
        driver.call("POST", f"/v25.0/{act}/campaigns?{q}", urlencode({**CAMPAIGN, "name": f"list {i}"}))
    homes = [driver.call("POST", f"/v25.0/{act}/campaigns?{q}", urlencode({**CAMPAIGN, "name": f"home {i}"}))["id"]
             for i in range(count // 150 + 2)]
    ad_set = {"name": "bench set", "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "billing_event": "IMPRESSIONS",
              "daily_budget": "5000", "destination_type": "INSTAGRAM_DIRECT", "optimization_goal": "CONVERSATIONS",
              "status": "PAUSED", "promoted_object": json.dumps({"page_id": w["page_id"]}),
              "targeting": json.dumps({"geo_locations": {"countries": ["US", "CA"]}, "device_platforms": ["mobile"]})}
    for _ in range(5):
        driver.call("POST", f"/v25.0/{act}/adsets?{q}", urlencode({**ad_set, "campaign_id": one}))

    def get(path: str, fields: str, **extra: str) -> str:
        return f"{path}?{urlencode({'access_token': w['access_token'], 'fields': fields, **extra})}"

    return [
        ("create campaign", "POST", f"/v25.0/{act}/campaigns?{q}", [urlencode(CAMPAIGN)]),
        ("create ad set", "POST", f"/v25.0/{act}/adsets?{q}",
         [urlencode({**ad_set, "campaign_id": home}) for home in homes]),
        ("get campaign (4 fields)", "GET", get(f"/v25.0/{one}", "name,objective,status,effective_status"), [""]),
        ("get nested (adsets.limit(5){...})", "GET",
         get(f"/v25.0/{one}", "name,adsets.limit(5){name,daily_budget,targeting}"), [""]),
        ("list page (limit=25, 3 fields)", "GET", get(f"/v25.0/{act}/campaigns", "name,status,objective", limit="25"),
         [""]),
        ("batch of 50 GETs (one request)", "POST", f"/v25.0/?{q}",
         [urlencode({"batch": json.dumps([{"method": "GET", "relative_url": f"{one}?fields=name,status"}] * 50)})]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario (batches: a tenth)")
    parser.add_argument("--only", help="run the scenarios whose name contains this")
    parser.add_argument("--no-read-cache", action="store_true", help="reads rendered afresh (the cold reads)")
    parser.add_argument("--no-request-log", action="store_true", help="without the console request log")
    parser.add_argument("--asgi", action="store_true",
                        help="every request through the ASGI app (a test client's path), not the direct calls `serve` makes")
    parser.add_argument("--protocol", action="store_true",
                        help="raw bytes through `serve`'s HTTP protocol object (the direct call, the write, the work after it)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile each scenario: top N by tottime")
    args = parser.parse_args(argv)
    app, w = build(not args.no_read_cache, not args.no_request_log)
    driver = ProtocolDriver(app) if args.protocol else Driver(app, direct=not args.asgi)
    chosen = [s for s in scenarios(driver, w, args.requests) if not args.only or args.only in s[0]]
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)  # as `graphmock serve` (mock_server/cli.py)
    path = "ASGI" if args.asgi else "serve's HTTP protocol, no sockets" if args.protocol else "direct calls, as serve"
    print(f"in-process ({path}), read cache {'off' if args.no_read_cache else 'on'}, request log "
          f"{'off' if args.no_request_log else 'on'}; server CPU per request (thread_time)")
    for name, method, target, bodies in chosen:
        count = args.requests // 10 if name.startswith("batch") else args.requests
        driver.run(method, target, bodies, max(count // 10, 5))  # warm up
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        us = driver.run(method, target, bodies, count)
        per_op = f"  ({us / 50:.0f} us per operation)" if name.startswith("batch") else ""
        print(f"{name:40}{us:>9.0f} us{per_op}")
        if args.profile:
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile)
            print(out.getvalue())
    driver.loop.run_until_complete(asyncio.sleep(0.1))  # the request log's pending flush (docs/request-log.md)
    driver.loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

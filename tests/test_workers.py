"""`graphmock serve --workers N` (issue 18 point 3): several processes serve one world through one SQLite file.

The property: any interleaving of creates, updates, reads and clock moves, sent over fresh connections (so the
kernel hands them to either worker), leaves the same world as one worker does, and no read after an
acknowledged write or clock move is stale. Plus: concurrent creates across workers never lose or duplicate ids.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.server import ServerProcess
from test_concurrency import NO_THROTTLE, campaign_params

T0 = 1_767_225_600  # 2026-01-01T00:00:00+0000: the clock is frozen here at the start of each example


def call(server: ServerProcess, method: str, path: str, params: dict[str, Any] | None = None,
         json_body: Any = None) -> tuple[int, Any]:
    """One request on a new connection: each may land on any worker."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        if path.startswith("/__graphmock"):
            conn.request(method, path, body=json.dumps(json_body or {}), headers={"Content-Type": "application/json"})
        else:
            params = {"access_token": server.token, **(params or {})}
            target = f"/{server.version}/{path}"
            if method == "GET":
                conn.request("GET", f"{target}?{urlencode(params)}")
            else:
                conn.request(method, target, body=urlencode(params),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    workdir = tmp_path_factory.mktemp("workers")
    many = ServerProcess(workdir / "many.sqlite3", seed=11, fixtures=NO_THROTTLE,
                         extra_args=["--workers", "2", "--quiet"]).start()
    one = ServerProcess(workdir / "one.sqlite3", seed=11, fixtures=NO_THROTTLE, extra_args=["--quiet"]).start()
    try:
        yield many, one
    finally:
        many.stop()
        one.stop()


def test_the_workers_are_separate_processes(servers):
    many, _ = servers
    children = subprocess.run(["pgrep", "-P", str(many.proc.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 2, many.output()


operations = st.lists(st.one_of(
    st.tuples(st.just("create"), st.text("abcdefgh", min_size=1, max_size=6)),
    st.tuples(st.just("rename"), st.integers(0, 20), st.text("xyz", min_size=1, max_size=4)),
    st.tuples(st.just("pause"), st.integers(0, 20), st.sampled_from(["ACTIVE", "PAUSED"])),
    st.tuples(st.just("read"), st.integers(0, 20)),
    st.tuples(st.just("clock"), st.integers(1, 86_400)),
), min_size=1, max_size=12)


def run(server: ServerProcess, program: list[tuple[Any, ...]]) -> tuple[list[dict[str, Any]], float]:
    """Play `program` on `server`, checking each read against the acknowledged writes before it."""
    status, _ = call(server, "POST", "/__graphmock/reset")
    assert status == 200
    status, _ = call(server, "POST", "/__graphmock/clock", json_body={"freeze": True, "at": T0})
    assert status == 200
    expected: dict[str, dict[str, str]] = {}
    ids: list[str] = []
    now = float(T0)
    for op in program:
        if op[0] == "create":
            status, body = call(server, "POST", f"{server.act}/campaigns", campaign_params(op[1]))
            assert status == 200, body
            ids.append(body["id"])
            expected[body["id"]] = {"name": op[1], "status": "PAUSED"}
        elif op[0] in ("rename", "pause") and ids:
            target = ids[op[1] % len(ids)]
            field = "name" if op[0] == "rename" else "status"
            status, body = call(server, "POST", target, {field: op[2]})
            assert status == 200, body
            expected[target][field] = op[2]
        elif op[0] == "read" and ids:
            target = ids[op[1] % len(ids)]
            status, body = call(server, "GET", target, {"fields": "name,status"})
            assert status == 200 and {k: body[k] for k in ("name", "status")} == expected[target], (body, expected)
        elif op[0] == "clock":
            status, body = call(server, "POST", "/__graphmock/clock", json_body={"advance": op[1]})
            assert status == 200
            now += op[1]
            status, body = call(server, "GET", "/__graphmock/clock")
            assert body["now"] == now and body["frozen"], body  # a clock move is seen by the next request anywhere
    status, body = call(server, "GET", f"{server.act}/campaigns",
                        {"fields": "name,status,created_time,updated_time", "limit": "100"})
    assert status == 200
    listed = {item["id"]: {"name": item["name"], "status": item["status"]} for item in body["data"]}
    assert listed == expected  # every acknowledged write, nothing else
    return body["data"], call(server, "GET", "/__graphmock/clock")[1]["now"]


@settings(max_examples=25, deadline=None)
@given(program=operations)
def test_any_interleaving_across_workers_gives_the_same_world_as_one_worker(servers, program):
    many, one = servers
    assert run(many, program) == run(one, program)


def test_concurrent_creates_across_workers_never_lose_or_duplicate_ids(servers):
    many, _ = servers
    call(many, "POST", "/__graphmock/reset")
    acknowledged: list[str] = []
    failures: list[Any] = []
    lock = threading.Lock()

    def client(tag: int) -> None:
        for i in range(15):
            status, body = call(many, "POST", f"{many.act}/campaigns", campaign_params(f"w{tag}-{i}"))
            with lock:
                (acknowledged.append(body["id"]) if status == 200 else failures.append(body))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    assert len(set(acknowledged)) == len(acknowledged) == 90
    status, body = call(many, "GET", f"{many.act}/campaigns", {"limit": "100", "summary": "total_count"})
    assert sorted(item["id"] for item in body["data"]) == sorted(acknowledged)
    assert body["summary"]["total_count"] == 90


def test_control_state_set_on_one_worker_holds_on_every_worker(servers):
    """docs/shared-sandbox.md: faults, the review policy, the seed and fixtures reach every worker at once."""
    many, _ = servers
    call(many, "POST", "/__graphmock/reset")
    status, fault = call(many, "POST", "/__graphmock/faults",
                         json_body={"method": "GET", "path": "act_*/campaigns", "times": None, "status": 503})
    assert status == 200, fault
    for _ in range(8):  # fresh connections: both workers answer
        status, _body = call(many, "GET", f"{many.act}/campaigns")
        assert status == 503
    call(many, "DELETE", "/__graphmock/faults")
    for _ in range(8):
        assert call(many, "GET", f"{many.act}/campaigns")[0] == 200
    status, _ = call(many, "POST", "/__graphmock/seed", json_body={"seed": 99})
    assert status == 200
    first = [call(many, "POST", f"{many.act}/campaigns", campaign_params(f"s{i}"))[1]["id"] for i in range(4)]
    call(many, "POST", "/__graphmock/seed", json_body={"seed": 99})
    again = [call(many, "POST", f"{many.act}/campaigns", campaign_params(f"s{i}"))[1]["id"] for i in range(4)]
    assert first == again


def test_the_throttle_counts_every_workers_calls(tmp_path):
    """ACCOUNT-SURFACE rate limits: an ad account over its score gets 80004, however many workers serve it
    (scores are kept in the store with --workers, not once per process)."""
    with ServerProcess(tmp_path / "throttle.sqlite3", seed=3, extra_args=["--workers", "2", "--quiet"]) as server:
        status, _ = call(server, "POST", "/__graphmock/rate_limits",
                         json_body={"settings": {"enabled": True, "max_score": 6, "decay_seconds": 3600}})
        assert status == 200
        statuses = [call(server, "GET", f"{server.act}/campaigns")[0] for _ in range(10)]
        assert statuses[:6] == [200] * 6 and set(statuses[6:]) == {400}, str(statuses)


def test_the_dashboard_on_any_worker_shows_the_shared_clock(servers):
    """The dashboard reads the clock another worker set (docs/shared-sandbox.md)."""
    many, _ = servers
    call(many, "POST", "/__graphmock/clock", json_body={"freeze": True, "at": T0 + 12_345})
    for _ in range(6):
        conn = http.client.HTTPConnection("127.0.0.1", many.port, timeout=30)
        conn.request("GET", "/__graphmock/ui/clock")
        response = conn.getresponse()
        page = response.read().decode()
        conn.close()
        assert response.status == 200 and "2026-01-01T03:25:45" in page, page[:500]


def test_fixtures_loaded_on_one_worker_serve_on_every_worker(servers):
    """POST /__graphmock/fixtures (docs/control-api.md) changes the world every worker answers from."""
    from test_control_api import OTHER_ACT, two_account_fixtures

    many, _ = servers
    document = {**two_account_fixtures(), "rate_limits": "off"}
    try:
        status, body = call(many, "POST", "/__graphmock/fixtures", json_body=document)
        assert status == 200, body
        for _ in range(6):
            status, body = call(many, "GET", OTHER_ACT, {"fields": "name"})
            assert status == 200 and body["name"] == "Second account", body
    finally:
        call(many, "POST", "/__graphmock/fixtures", json_body={**demo_document(), "rate_limits": "off"})


def demo_document() -> dict[str, Any]:
    from mock_server.resources import default_fixtures_file

    return json.loads(Path(default_fixtures_file()).read_text(encoding="utf-8"))

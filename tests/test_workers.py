"""`graphmock serve --workers N` (issue 18 point 3): several processes serve one world through one SQLite file.

The property: any interleaving of creates, updates, reads and clock moves, sent over fresh connections (so the
kernel hands them to either worker), leaves the same world as one worker does, and no read after an
acknowledged write or clock move is stale. Plus: concurrent creates across workers never lose or duplicate ids.
"""

from __future__ import annotations

import http.client
import json
import os
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
    return traced(server, method, path, params, json_body)[:2]


def traced(server: ServerProcess, method: str, path: str, params: dict[str, Any] | None = None,
           json_body: Any = None, workers: list[int] | None = None) -> tuple[int, Any, Any, int | None]:
    """`call`, plus the response headers and, given the `workers` pids, which of them answered."""
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
        raw = response.read()
        try:
            body = json.loads(raw)
        except ValueError:  # a dashboard page
            body = raw.decode()
        return response.status, body, response.headers, answering(conn, server.port, workers) if workers else None
    finally:
        conn.close()


def worker_pids(server: ServerProcess) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    return sorted(map(int, found))


def answering(conn: http.client.HTTPConnection, port: int, pids: list[int]) -> int | None:
    """Which process holds the server end of this (still open, keep-alive) connection: its socket's inode from
    /proc/net/tcp, looked up among each worker's file descriptors."""
    client_port = conn.sock.getsockname()[1]
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
            if local == port and remote == client_port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


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
        readouts = by_worker(on_every_worker(server, "GET", "/__graphmock/rate_limits"))
        scores = {pid: {act: (s["score"], s["at"], s["blocked_for_seconds"] > 0) for act, s in body["accounts"].items()}
                  for pid, body in readouts.items()}  # the clock runs: blocked_for_seconds counts down
        assert len(set(map(str, scores.values()))) == 1, readouts  # every worker reads the world's scores
        assert next(iter(scores.values()))[server.act][::2] == (6.0, True)


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


def on_every_worker(server: ServerProcess, method: str, path: str, params: dict[str, Any] | None = None,
                    json_body: Any = None, *, at_least: int = 1, tries: int = 80) -> list[tuple[int, Any, Any, int]]:
    """Send the same request on fresh connections until each worker has answered it (and `at_least` were sent);
    (status, body, headers, pid) of each. The kernel picks the worker, so it may take a few tries."""
    pids = worker_pids(server)
    answers: list[tuple[int, Any, Any, int]] = []
    for _ in range(tries):
        answers.append(traced(server, method, path, params, json_body, workers=pids))  # type: ignore[arg-type]
        if len(answers) >= at_least and {a[3] for a in answers} >= set(pids):
            return answers
    raise AssertionError(f"workers {pids} did not all answer in {tries} connections: {[a[3] for a in answers]}")


def by_worker(answers: list[tuple[int, Any, Any, int]]) -> dict[int, Any]:
    return {pid: body for _status, body, _headers, pid in answers}


def test_the_journal_on_every_worker_lists_every_workers_requests(servers):
    """Issue 18 point 3: 'the journal and the dashboard see every worker's requests'. Requests answered by either
    worker; `GET /__graphmock/journal` answered by each lists all of them, once, in the order they were sent,
    with the same seqs; a request answered by one worker is in the journal the other serves right after."""
    many, _ = servers
    call(many, "DELETE", "/__graphmock/journal")
    sent = on_every_worker(many, "POST", f"{many.act}/campaigns", campaign_params("j0"), at_least=6)
    assert all(status == 200 for status, *_ in sent), sent
    readouts = by_worker(on_every_worker(many, "GET", "/__graphmock/journal"))
    first, second = readouts.values()
    assert first == second  # the same entries, seqs, verdicts and limits on every worker
    creates = [e for e in first["data"] if e["method"] == "POST"]
    assert len(creates) == len(sent) and [e["seq"] for e in creates] == sorted({e["seq"] for e in creates})
    assert all(e["verdict"] == "conforming" and "access_token" not in e["params"] for e in creates)
    assert many.token not in json.dumps(first)
    assert first["last_seq"] == creates[-1]["seq"] and first["bytes"] > 0
    pids = worker_pids(many)
    for i in range(6):  # written on the worker that answered, read on the other one at once
        writer = traced(many, "POST", f"{many.act}/campaigns", campaign_params(f"m{i}"), workers=pids)[3]
        for _status, body, _headers, reader in on_every_worker(many, "GET", "/__graphmock/journal?limit=1"):
            assert body["data"][-1]["params"]["name"] == f"m{i}", (writer, reader, body)
    assert call(many, "DELETE", "/__graphmock/journal")[0] == 200
    for status, body, _headers, _pid in on_every_worker(many, "GET", "/__graphmock/journal"):
        assert body["data"] == [] and body["last_seq"] >= creates[-1]["seq"]  # cleared for every worker


def test_concurrent_requests_on_both_workers_are_each_journaled_once_in_one_order(servers):
    """Issue 18 point 3 under load: 4 clients on fresh connections at once; the journal holds every request exactly
    once, with contiguous seqs (appends from both workers are serialised by the store, never lost or doubled)."""
    many, _ = servers
    call(many, "DELETE", "/__graphmock/journal")
    since = call(many, "GET", "/__graphmock/journal")[1]["last_seq"]
    failures: list[Any] = []

    def client(tag: int) -> None:
        for i in range(10):
            status, body = call(many, "GET", many.act, {"fields": "name", "appsecret_time": f"{tag}-{i}"})
            if status != 200:
                failures.append(body)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    entries = call(many, "GET", f"/__graphmock/journal?since={since}")[1]["data"]
    assert sorted(e["params"]["appsecret_time"] for e in entries) == sorted(f"{t}-{i}" for t in range(4) for i in range(10))
    assert [e["seq"] for e in entries] == list(range(since + 1, since + 41))


def test_the_dashboard_on_any_worker_lists_every_workers_requests(servers):
    """Issue 18 point 3: the dashboard's journal (list and one request's detail page) served by either worker shows
    the requests both workers answered."""
    many, _ = servers
    sent = on_every_worker(many, "POST", f"{many.act}/campaigns", campaign_params("dash"), at_least=2)
    seqs = [e["seq"] for e in call(many, "GET", f"/__graphmock/journal?limit={len(sent)}")[1]["data"]]
    for status, page, _headers, _pid in on_every_worker(many, "GET", "/__graphmock/ui/journal"):
        assert status == 200 and all(f'data-seq="{seq}"' in page for seq in seqs), page[:800]
    for status, page, _headers, _pid in on_every_worker(many, "GET", f"/__graphmock/ui/journal/{seqs[0]}"):
        assert status == 200 and "dash" in page and f"#{seqs[0]} POST" in page, page[:800]


requests = st.lists(st.one_of(
    st.tuples(st.just("POST"), st.sampled_from([{}, {"objective": "BAD"}, {"bogus_param": "1"}])),
    st.tuples(st.just("GET"), st.sampled_from(["name", "name,bogus_field", "name,account_status"])),
), min_size=1, max_size=6)


@settings(max_examples=15, deadline=None)
@given(program=requests)
def test_two_workers_journal_the_same_verdicts_as_one_worker(servers, program):
    """The shared journal judges each request before storing it: any mix of conforming and violating calls
    answered by two workers reads back (from any worker) with the verdicts one worker keeps in memory."""
    many, one = servers
    journals = []
    for server in (many, one):
        since = call(server, "GET", "/__graphmock/journal")[1]["last_seq"]
        for method, variant in program:
            if method == "POST":
                call(server, "POST", f"{server.act}/campaigns", {**campaign_params("v"), **variant})
            else:
                call(server, "GET", server.act, {"fields": variant})
        status, body = call(server, "GET", f"/__graphmock/journal?since={since}")
        assert status == 200
        journals.append([(e["method"], e["path"], e["status"], e["verdict"]) for e in body["data"]])
    assert journals[0] == journals[1]
    assert len(journals[0]) == len(program)


def test_a_fault_fires_its_times_in_total_across_workers(servers):
    """docs/control-api.md faults: `times: 3` means the next 3 matching requests, whichever worker answers them;
    every worker's fault listing shows the 3 fires."""
    many, _ = servers
    call(many, "DELETE", "/__graphmock/faults")
    status, fault = call(many, "POST", "/__graphmock/faults",
                         json_body={"method": "GET", "path": "act_*/campaigns", "times": 3, "status": 503})
    assert status == 200, fault
    answers = on_every_worker(many, "GET", f"{many.act}/campaigns", at_least=8)
    assert [a[0] for a in answers] == [503] * 3 + [200] * (len(answers) - 3)
    for status, body, _headers, _pid in on_every_worker(many, "GET", "/__graphmock/faults"):
        [listed] = body["data"]
        assert (listed["id"], listed["matched"], listed["remaining"]) == (fault["id"], 3, 0), body
    call(many, "DELETE", "/__graphmock/faults")


def test_seeded_workers_never_answer_the_same_trace_id(servers):
    """With a seed each worker has its own reproducible trace-id sequence (docs/shared-sandbox.md): two workers
    never hand a client the same x-fb-trace-id."""
    many, _ = servers
    answers = on_every_worker(many, "GET", many.act, at_least=16)
    traces = [headers["x-fb-trace-id"] for _status, _body, headers, _pid in answers]
    assert len(set(traces)) == len(traces), traces

"""Two graphmock servers (real processes) on one PostgreSQL database: one world (issue 19 point 3).

Clients write through either server and read through the other. Every acknowledged object is listed
once on both servers (no loss, no duplicate id), a read after an acknowledged write is never stale on
the other server (even an answer it had cached), paging stays correct while both write, and a SIGKILL
of one server loses nothing either had acknowledged. The DB password never reaches a server's output.
The journal, fault fire counts and rate-limit scores are the world's, read alike through either server.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path
from typing import Any

from helpers.postgres import PASSWORD
from helpers.server import ServerProcess
from test_concurrency import NO_THROTTLE, Connection, ad_set_params, campaign_params
from test_control_api import OTHER_ACT, two_account_fixtures
from test_workers import call, traced

WRITERS = 6
CAMPAIGNS_PER_WRITER = 15


def start_pair(url: str, workdir: Path, *, fixtures: dict[str, Any] = NO_THROTTLE,
               seed: int | None = None) -> tuple[ServerProcess, ServerProcess]:
    """Two servers on one database; the second starts after the first has set up schema and world (the first is
    stopped when the second fails to start)."""
    first = ServerProcess(url, fixtures=fixtures, seed=seed, workdir=workdir).start()
    try:
        second = ServerProcess(url, fixtures=fixtures, seed=seed, workdir=workdir).start()
    except Exception:
        first.stop()
        raise
    return first, second


class Seen:
    """What the clients were told, and everything that went wrong."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.campaigns: dict[str, tuple[str, float]] = {}  # id -> (last acknowledged name, first ack time)
        self.ad_sets: set[str] = set()
        self.failures: list[str] = []

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)

    def ack(self, campaign: str, name: str) -> None:
        with self.lock:
            if campaign in self.campaigns:
                self.failures.append(f"id {campaign} handed out twice")
            self.campaigns[campaign] = (name, time.monotonic())


def name_of(conn: Connection, object_id: str) -> str:
    status, body = conn.call("GET", object_id, {"fields": "name"})
    assert status == 200, (status, body)
    return str(body["name"])


def writer(n: int, here: ServerProcess, there: ServerProcess, seen: Seen, start: threading.Barrier) -> None:
    """Create on one server, check on the other at once; rename there after it has cached the old answer."""
    mine, other = Connection(here), Connection(there)
    start.wait()
    try:
        for i in range(CAMPAIGNS_PER_WRITER):
            name = f"w{n}-c{i}"
            status, body = mine.call("POST", f"{here.act}/campaigns", campaign_params(name))
            if status != 200:
                seen.fail(f"create {name}: {status} {body}")
                continue
            campaign = body["id"]
            seen.ack(campaign, name)
            if name_of(other, campaign) != name:
                seen.fail(f"{campaign} not readable on the other server right after its ack")
            if i % 3 == 0:
                assert name_of(other, campaign) == name  # the other server now holds this answer in its cache
                renamed = f"{name}-renamed"
                assert mine.call("POST", campaign, {"name": renamed}) == (200, {"success": True})
                with seen.lock:
                    seen.campaigns[campaign] = (renamed, seen.campaigns[campaign][1])
                if name_of(other, campaign) != renamed:
                    seen.fail(f"stale read of {campaign} on the other server after an acknowledged rename")
            if i % 5 == 0:  # a child on the other server under a parent created here
                status, body = other.call("POST", f"{there.act}/adsets", ad_set_params(there, campaign, f"{name}-set"))
                if status != 200:
                    seen.fail(f"ad set under {campaign} on the other server: {status} {body}")
                else:
                    with seen.lock:
                        seen.ad_sets.add(body["id"])
    except Exception as exc:  # noqa: BLE001 - any transport or assertion error is reported below
        seen.fail(f"writer {n}: {type(exc).__name__}: {exc}")
    finally:
        mine.close()
        other.close()


def reader(server: ServerProcess, seen: Seen, stop: threading.Event) -> None:
    """Walk the campaign list while both servers write: no id twice, nothing acknowledged before the walk missing."""
    conn = Connection(server)
    try:
        while not stop.is_set():
            started = time.monotonic()
            with seen.lock:
                known = {cid for cid, (_, at) in seen.campaigns.items() if at < started}
            listed = conn.walk(f"{server.act}/campaigns", fields="name", limit="7")
            if len(listed) != len(set(listed)):
                seen.fail("a walk during writes listed an id twice")
            if known - set(listed):
                seen.fail(f"a walk during writes missed acknowledged ids {sorted(known - set(listed))[:3]}")
    except Exception as exc:  # noqa: BLE001
        seen.fail(f"reader on {server.port}: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


def test_two_servers_serve_one_world_to_concurrent_clients(pg_url, tmp_path):
    first, second = start_pair(pg_url, tmp_path)
    try:
        seen, stop = Seen(), threading.Event()
        start = threading.Barrier(WRITERS)
        pair = (first, second)
        writers = [threading.Thread(target=writer, args=(n, pair[n % 2], pair[1 - n % 2], seen, start))
                   for n in range(WRITERS)]
        readers = [threading.Thread(target=reader, args=(server, seen, stop)) for server in pair]
        for thread in writers + readers:
            thread.start()
        for thread in writers:
            thread.join(timeout=120)
        stop.set()
        for thread in readers:
            thread.join(timeout=30)
        assert not seen.failures, seen.failures[:10]
        assert len(seen.campaigns) == WRITERS * CAMPAIGNS_PER_WRITER
        for server in pair:
            conn = Connection(server)
            items = conn.walk_items(f"{server.act}/campaigns", fields="name")
            assert sorted(item["id"] for item in items) == sorted(seen.campaigns)
            assert {item["id"]: item["name"] for item in items} == {k: v[0] for k, v in seen.campaigns.items()}
            assert set(conn.walk(f"{server.act}/adsets")) == seen.ad_sets
            status, body = conn.call("GET", f"{server.act}/campaigns", {"summary": "total_count", "limit": "1"})
            assert body["summary"]["total_count"] == len(seen.campaigns)
            conn.close()
    finally:
        first.stop()
        second.stop()
    for server in pair:  # the banner names the store, password masked; nothing else prints it
        output = server.log_path.read_text(errors="replace")  # the whole log: request lines follow the banner
        assert PASSWORD not in output and "graphmock:***@" in output, output


def stream(server: ServerProcess, acks: dict[str, str], stop: threading.Event, tag: str, errors: list[str]) -> None:
    """Create campaigns until told to stop or the server dies; record only acknowledged ones."""
    conn = Connection(server)
    i = 0
    try:
        while not stop.is_set():
            i += 1
            name = f"{tag}-{i}"
            status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(name))
            if status != 200:
                errors.append(f"{tag}: {status} {body}")
                return
            acks[body["id"]] = name
    except (ConnectionError, OSError, ValueError):
        return  # the server was killed under this client: whatever it had not answered is not acknowledged
    finally:
        conn.close()


def test_sigkill_of_one_server_loses_nothing_either_acknowledged(pg_url, tmp_path):
    doomed, survivor = start_pair(pg_url, tmp_path)
    try:
        stop_doomed, stop_survivor = threading.Event(), threading.Event()
        doomed_acks: list[dict[str, str]] = [{}, {}]
        survivor_acks: list[dict[str, str]] = [{}, {}]
        errors: list[str] = []
        threads = [threading.Thread(target=stream, args=(doomed, acks, stop_doomed, f"d{n}", errors))
                   for n, acks in enumerate(doomed_acks)]
        threads += [threading.Thread(target=stream, args=(survivor, acks, stop_survivor, f"s{n}", errors))
                    for n, acks in enumerate(survivor_acks)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        doomed.kill()  # SIGKILL mid-stream: its clients see the connection drop
        time.sleep(0.5)  # the survivor keeps writing after the other died
        stop_doomed.set()
        stop_survivor.set()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors, errors[:5]
        acknowledged: dict[str, str] = {}
        for acks in doomed_acks + survivor_acks:
            assert not set(acks) & set(acknowledged), "an id acknowledged twice"
            acknowledged.update(acks)
        assert all(doomed_acks) and all(survivor_acks), "every stream got acknowledgements"
        conn = Connection(survivor)
        listed = {item["id"]: item["name"] for item in conn.walk_items(f"{survivor.act}/campaigns", fields="name")}
        assert len(listed) == len(conn.walk(f"{survivor.act}/campaigns"))
        assert {k: listed.get(k) for k in acknowledged} == acknowledged  # nothing acknowledged is lost
        assert len(listed) - len(acknowledged) <= len(doomed_acks)  # at most the writes in flight at the kill
        status, body = conn.call("POST", f"{survivor.act}/campaigns", campaign_params("after"))
        assert status == 200 and body["id"] not in listed and int(body["id"]) > max(map(int, listed))
        conn.close()
        with ServerProcess(pg_url, fixtures=NO_THROTTLE, workdir=tmp_path) as restarted:  # the lost host comes back
            again = Connection(restarted)
            assert {k: name_of(again, k) for k in list(acknowledged)[:20]} == {k: acknowledged[k] for k in list(acknowledged)[:20]}
            assert len(again.walk(f"{restarted.act}/campaigns")) == len(listed) + 1
            again.close()
    finally:
        doomed.stop()
        survivor.stop()



def test_a_per_account_reset_on_one_server_keeps_the_other_accounts_writes_on_the_other(pg_url, tmp_path):
    """Parallel CI jobs each own an ad account (docs/shared-sandbox.md): job A resetting its account through
    server 1 while job B creates in its own account through server 2 must never lose one of B's writes."""
    document = two_account_fixtures()
    fixtures = {**NO_THROTTLE, "ad_accounts": document["ad_accounts"], "users": document["users"]}
    first, second = start_pair(pg_url, tmp_path, fixtures=fixtures)
    try:
        acks: dict[str, str] = {}
        errors: list[str] = []
        stop = threading.Event()

        def job_b() -> None:
            conn = Connection(second)
            for i in range(400):
                if stop.is_set():
                    break
                status, body = conn.call("POST", f"{OTHER_ACT}/campaigns", campaign_params(f"b{i}"))
                if status != 200:
                    errors.append(f"{status} {body}")
                    break
                acks[body["id"]] = f"b{i}"
            conn.close()

        thread = threading.Thread(target=job_b)
        thread.start()
        control = http.client.HTTPConnection("127.0.0.1", first.port, timeout=30)
        mine = Connection(first)
        for _ in range(15):
            mine.call("POST", f"{first.act}/campaigns", campaign_params("a"))
            control.request("POST", "/__graphmock/reset", body=json.dumps({"ad_account_id": first.act}),
                            headers={"Content-Type": "application/json"})
            response = control.getresponse()
            assert response.status == 200, response.read()
            response.read()
        stop.set()
        thread.join(timeout=60)
        assert not errors, errors[:3]
        listed = {item["id"]: item["name"] for item in mine.walk_items(f"{OTHER_ACT}/campaigns", fields="name")}
        assert {k: listed.get(k) for k in acks} == acks
        assert mine.walk(f"{first.act}/campaigns") == []
        mine.close()
        control.close()
    finally:
        first.stop()
        second.stop()


def test_two_servers_share_the_journal_fault_counts_rate_limits_and_distinct_trace_ids(pg_url, tmp_path):
    """Issue 19 point 1: 'the clock, reviews, journal, faults and rate limits shared'. A request answered by one
    server is in the journal the other serves at once (same seqs, one order); a `times: 3` fault fires 3 times
    in all; both servers read the same rate-limit scores; seeded servers never repeat each other's trace ids."""
    first, second = start_pair(pg_url, tmp_path, seed=5)
    pair = (first, second)
    try:
        assert call(first, "DELETE", "/__graphmock/journal")[0] == 200
        traces = []
        for i in range(8):
            status, body, headers, _ = traced(pair[i % 2], "POST", f"{first.act}/campaigns", campaign_params(f"p{i}"))
            assert status == 200, body
            traces.append(headers["x-fb-trace-id"])
            latest = call(pair[1 - i % 2], "GET", "/__graphmock/journal?limit=1")[1]["data"]
            assert latest[-1]["params"]["name"] == f"p{i}", latest  # visible on the other server at once
        assert len(set(traces)) == len(traces), traces
        journals = [call(server, "GET", "/__graphmock/journal")[1] for server in pair]
        assert journals[0] == journals[1]
        assert [e["params"]["name"] for e in journals[0]["data"]] == [f"p{i}" for i in range(8)]
        assert PASSWORD not in json.dumps(journals[0]) and first.token not in json.dumps(journals[0])

        status, fault = call(first, "POST", "/__graphmock/faults",
                             json_body={"method": "GET", "path": "act_*/campaigns", "times": 3, "status": 503})
        assert status == 200, fault
        statuses = [call(pair[i % 2], "GET", f"{first.act}/campaigns")[0] for i in range(8)]
        assert statuses == [503] * 3 + [200] * 5, statuses
        for server in pair:
            [listed] = call(server, "GET", "/__graphmock/faults")[1]["data"]
            assert (listed["matched"], listed["remaining"]) == (3, 0), listed
        call(first, "DELETE", "/__graphmock/faults")

        status, _ = call(second, "POST", "/__graphmock/rate_limits",
                         json_body={"settings": {"enabled": True, "max_score": 6, "decay_seconds": 3600}})
        assert status == 200
        statuses = [call(pair[i % 2], "GET", f"{first.act}/campaigns")[0] for i in range(8)]
        assert statuses == [200] * 6 + [400] * 2, statuses
        scores = [call(server, "GET", "/__graphmock/rate_limits")[1]["accounts"][first.act] for server in pair]
        assert [(s["score"], s["at"]) for s in scores] == [(6.0, scores[0]["at"])] * 2, scores
    finally:
        first.stop()
        second.stop()

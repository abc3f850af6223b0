"""SIGKILL in the middle of a stream of writes (issue 8 point 3; issue 2 point 6).

Writers stream creates (campaigns, ad sets under acknowledged campaigns, ads
in acknowledged ad sets) and renames over several connections; the server process is killed with SIGKILL at
a random moment. After a restart on the same file: every write whose response
reached the client is present and intact (a write in flight may or may not have
landed, never half), no ad or ad set points at a missing parent, SQLite's integrity
check passes, and new writes get fresh ids. A lone server commits in groups (docs/group-commit.md): the last
acknowledged writes before the kill are replayed from its redo file, which the test checks happened.
"""

from __future__ import annotations

import http.client
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.server import ServerProcess
from mock_server.store.sqlite import SQLiteRepository
from mock_server.store.sqlite_group import recover
from mock_server.store.sqlite_redo import REDO_SUFFIX, RedoFile
from test_concurrency import NO_THROTTLE, Connection, ad_params, ad_set_params, campaign_params, make_creative

WRITERS = 4
ROUNDS = 3


@dataclass
class Writer:
    """One client's acknowledged writes, and the write it had sent when the server died."""

    n: int
    names: dict[str, str] = field(default_factory=dict)  # campaign id -> last acknowledged name
    ad_sets: dict[str, tuple[str, str]] = field(default_factory=dict)  # ad set id -> (name, campaign id)
    ads: dict[str, tuple[str, str]] = field(default_factory=dict)  # ad id -> (name, ad set id)
    in_flight: tuple[str, str, str] | None = None  # (kind, id or "", name)
    acks: int = 0
    error: str | None = None


def stream(server: ServerProcess, writer: Writer, round_no: int, stop: threading.Event, creative: str) -> None:
    conn = Connection(server)
    rng = random.Random(writer.n * 1000 + round_no)
    i = 0
    try:
        while not stop.is_set():
            i += 1
            name = f"r{round_no}-w{writer.n}-{i}"
            own = list(writer.names)
            roll = rng.random()
            if own and roll < 0.25:
                target = rng.choice(own)
                writer.in_flight = ("rename", target, name)
                status, body = conn.call("POST", target, {"name": name})
                assert status == 200 and body == {"success": True}, (status, body)
                writer.names[target] = name
            elif writer.ad_sets and roll < 0.35:
                parent = rng.choice(list(writer.ad_sets))
                writer.in_flight = ("ad", parent, name)
                status, body = conn.call("POST", f"{server.act}/ads", ad_params(parent, creative, name))
                assert status == 200 and "id" in body, (status, body)
                writer.ads[body["id"]] = (name, parent)
            elif own and roll < 0.5:
                parent = rng.choice(own)
                writer.in_flight = ("adset", parent, name)
                status, body = conn.call("POST", f"{server.act}/adsets", ad_set_params(server, parent, name))
                assert status == 200 and "id" in body, (status, body)
                writer.ad_sets[body["id"]] = (name, parent)
            else:
                writer.in_flight = ("campaign", "", name)
                status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(name))
                assert status == 200 and "id" in body, (status, body)
                writer.names[body["id"]] = name
            writer.in_flight = None
            writer.acks += 1
    except (ConnectionError, OSError, TimeoutError, http.client.HTTPException):
        pass  # the kill: this write's outcome is unknown and it stays in `in_flight`
    except AssertionError as exc:
        writer.error = f"server answered a write with an error before the kill: {exc}"
    finally:
        conn.close()


def test_sigkill_mid_stream_loses_no_acknowledged_write(tmp_path):
    db = tmp_path / "crash.sqlite3"
    rng = random.Random(8)
    writers = [Writer(n) for n in range(WRITERS)]
    probes: dict[str, str] = {}  # campaigns created after each restart
    creative = ""
    replayed = 0
    for round_no in range(ROUNDS):
        server = ServerProcess(db, fixtures=NO_THROTTLE).start()
        creative = creative or make_creative(server)
        stop = threading.Event()
        threads = [threading.Thread(target=stream, args=(server, w, round_no, stop, creative), daemon=True)
                   for w in writers]
        before = sum(w.acks for w in writers)
        for thread in threads:
            thread.start()
        target = before + rng.randint(150, 500)
        deadline = time.monotonic() + 20
        while sum(w.acks for w in writers) < target and time.monotonic() < deadline:
            time.sleep(0.001)
        server.kill()  # SIGKILL while the writers are mid-request
        stop.set()
        for thread in threads:
            thread.join(10)
        assert not any(t.is_alive() for t in threads)
        assert not [w.error for w in writers if w.error], [w.error for w in writers]
        assert sum(w.acks for w in writers) > before, "no write was acknowledged in this round"

        plain = sqlite3.connect(str(db), isolation_level=None)
        redo = RedoFile(f"{db}{REDO_SUFFIX}", durable=False)
        try:  # a lone serve commits in groups: its last acknowledged writes come back from the redo file
            replayed += recover(plain, redo)
        finally:
            redo.close()
            plain.close()
        repo = SQLiteRepository(str(db))
        assert repo.integrity_check() == "ok"
        repo.close()
        with ServerProcess(db, fixtures=NO_THROTTLE) as restarted:
            _verify(restarted, writers, probes)
            for w in writers:  # the in-flight write was either applied whole or not at all; forget it now
                _settle(restarted, w)
    assert replayed > 0, "no round killed the server with acknowledged writes only in the redo file"


def _verify(server: ServerProcess, writers: list[Writer], probes: dict[str, str]) -> None:
    conn = Connection(server)
    try:
        expected_names: dict[str, set[str]] = {cid: {name} for cid, name in probes.items()}
        maybe_new: set[str] = set()
        for w in writers:
            for cid, name in w.names.items():
                expected_names[cid] = {name}
            if w.in_flight and w.in_flight[0] == "rename":
                expected_names[w.in_flight[1]].add(w.in_flight[2])
            if w.in_flight and w.in_flight[0] in ("campaign", "adset", "ad"):
                maybe_new.add(w.in_flight[2])
        for cid, names in expected_names.items():
            status, body = conn.call("GET", cid, {"fields": "name,objective,status"})
            assert status == 200, (cid, body)
            assert body["name"] in names and body["objective"] == "OUTCOME_ENGAGEMENT" and body["status"] == "PAUSED", body
        for w in writers:
            for sid, (name, parent) in w.ad_sets.items():
                status, body = conn.call("GET", sid, {"fields": "name,campaign_id,daily_budget"})
                assert status == 200 and body == {"id": sid, "name": name, "campaign_id": parent, "daily_budget": "5000"}, body

        listed = conn.walk(f"{server.act}/campaigns", fields="name")
        assert len(listed) == len(set(listed))
        extra = set(listed) - set(expected_names)
        assert len(extra) <= sum(1 for w in writers if w.in_flight and w.in_flight[0] == "campaign"), extra
        for cid in extra:  # an in-flight create that committed before the kill: whole, with its name
            status, body = conn.call("GET", cid, {"fields": "name"})
            assert body["name"] in maybe_new, body

        sets_of = {sid: parent for w in writers for sid, (_, parent) in w.ad_sets.items()}
        for w in writers:
            for aid, (name, parent) in w.ads.items():
                status, body = conn.call("GET", aid, {"fields": "name,adset_id,campaign_id"})
                assert status == 200 and body == {"id": aid, "name": name, "adset_id": parent,
                                                  "campaign_id": sets_of[parent]}, body
        listed_ads = conn.walk(f"{server.act}/ads", fields="adset_id")
        assert {aid for w in writers for aid in w.ads} <= set(listed_ads)
        for item in conn.walk_items(f"{server.act}/ads", fields="adset_id"):  # no ad whose ad set is missing
            status, parent = conn.call("GET", item["adset_id"], {"fields": "id"})
            assert status == 200, (item, parent)

        acknowledged_sets = {sid for w in writers for sid in w.ad_sets}
        listed_sets = conn.walk(f"{server.act}/adsets", fields="campaign_id")
        assert acknowledged_sets <= set(listed_sets)
        for sid in listed_sets:  # no ad set whose campaign is missing
            _, body = conn.call("GET", sid, {"fields": "campaign_id"})
            status, parent = conn.call("GET", body["campaign_id"], {"fields": "id"})
            assert status == 200, (sid, parent)

        status, fresh = conn.call("POST", f"{server.act}/campaigns", campaign_params(f"after-restart-{len(probes)}"))
        assert status == 200 and fresh["id"] not in expected_names and fresh["id"] not in listed
        assert int(fresh["id"]) > max(int(i) for i in [*listed, *listed_sets, *listed_ads])
        probes[fresh["id"]] = f"after-restart-{len(probes)}"
    finally:
        conn.close()


def _settle(server: ServerProcess, writer: Writer) -> None:
    """Fold the outcome of the in-flight write into what the writer knows, so the next round checks exact state."""
    if writer.in_flight is None:
        return
    kind, target, name = writer.in_flight
    conn = Connection(server)
    if kind == "rename":
        writer.names[target] = conn.call("GET", target, {"fields": "name"})[1]["name"]
    elif kind == "campaign":
        writer.names.update({c["id"]: name for c in conn.walk_items(f"{server.act}/campaigns", fields="name")
                             if c["name"] == name})
    elif kind == "adset":
        writer.ad_sets.update({s["id"]: (name, target) for s in conn.walk_items(f"{target}/adsets", fields="name")
                               if s["name"] == name})
    else:
        writer.ads.update({a["id"]: (name, target) for a in conn.walk_items(f"{target}/ads", fields="name")
                           if a["name"] == name})
    conn.close()
    writer.in_flight = None


def _names(db: object) -> set[str]:
    """Campaign names committed in the file, read by a plain sqlite3 connection (no redo replay)."""
    import orjson

    conn = sqlite3.connect(str(db))
    try:
        return {orjson.loads(data).get("name") for (data,) in conn.execute(
            "SELECT data FROM objects WHERE type = 'Campaign'")}
    finally:
        conn.close()


def test_group_commit_clean_stop_reset_and_sigkill(tmp_path):
    """docs/group-commit.md on a real `graphmock serve`: a stop (SIGTERM) commits the open group, so another
    process reading the file sees every acknowledged write and no redo file is left; writes acknowledged after
    a reset and just before a SIGKILL come back from the redo file, and the reset stays done."""
    db = tmp_path / "group.sqlite3"
    server = ServerProcess(db, fixtures=NO_THROTTLE).start()
    conn = Connection(server)
    try:
        for n in range(5):
            status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(f"before-{n}"))
            assert status == 200, body
    finally:
        conn.close()
    server.stop()
    assert {f"before-{n}" for n in range(5)} <= _names(db)  # committed: a plain reader sees them
    plain = sqlite3.connect(str(db), isolation_level=None)
    try:
        assert recover(plain, RedoFile(f"{db}{REDO_SUFFIX}", durable=False)) == 0  # nothing left for a replay
    finally:
        plain.close()

    server = ServerProcess(db, fixtures=NO_THROTTLE).start()
    conn = Connection(server)
    try:
        conn.conn.request("POST", "/__graphmock/reset", body=b"{}", headers={"Content-Type": "application/json"})
        response = conn.conn.getresponse()
        assert response.status == 200, response.read()
        response.read()
        ids = []
        for n in range(5):
            status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(f"after-{n}"))
            assert status == 200, body
            ids.append(body["id"])
        server.kill()  # at once: the last creates are in the open group, acknowledged through the redo file
    finally:
        conn.close()
    assert (tmp_path / "group.sqlite3-redo").stat().st_size > 0
    with ServerProcess(db, fixtures=NO_THROTTLE) as restarted:
        conn = Connection(restarted)
        try:
            listed = conn.walk(f"{restarted.act}/campaigns")
            assert sorted(listed) == sorted(ids)  # nothing from before the reset, nothing lost after it
            status, body = conn.call("POST", f"{restarted.act}/campaigns", campaign_params("fresh"))
            assert status == 200 and body["id"] not in ids, body
        finally:
            conn.close()


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.one_of(st.tuples(st.just("create"), st.integers(0, 0)),
                              st.tuples(st.just("rename"), st.integers(0, 20)),
                              st.tuples(st.just("pause"), st.floats(0.0, 0.03))), min_size=1, max_size=12))
def test_sigkill_after_any_run_of_writes_restarts_with_exactly_the_acknowledged_campaigns(tmp_path_factory, ops):
    """docs/group-commit.md: a real `graphmock serve` takes creates and renames (pauses let some groups commit,
    others stay open), then SIGKILL: the restarted server lists exactly the acknowledged campaigns with their
    acknowledged names, and a new create gets an id above all of them."""
    db = tmp_path_factory.mktemp("kill") / "kill.sqlite3"
    server = ServerProcess(db, fixtures=NO_THROTTLE).start()
    conn = Connection(server)
    try:
        names = {item["id"]: item["name"] for item in conn.walk_items(f"{server.act}/campaigns", fields="name")}
        for n, (kind, arg) in enumerate(ops):
            if kind == "create":
                status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(f"c{n}"))
                assert status == 200, body
                names[body["id"]] = f"c{n}"
            elif kind == "rename" and names:
                target = sorted(names)[int(arg) % len(names)]
                status, body = conn.call("POST", target, {"name": f"r{n}"})
                assert status == 200 and body == {"success": True}, body
                names[target] = f"r{n}"
            elif kind == "pause":
                time.sleep(arg)
        server.kill()
    finally:
        conn.close()
        server.stop()
    with ServerProcess(db, fixtures=NO_THROTTLE) as restarted:
        conn = Connection(restarted)
        try:
            listed = {item["id"]: item["name"] for item in conn.walk_items(f"{restarted.act}/campaigns", fields="name")}
            assert listed == names
            status, body = conn.call("POST", f"{restarted.act}/campaigns", campaign_params("after"))
            assert status == 200 and int(body["id"]) > max(map(int, names), default=0), body
        finally:
            conn.close()

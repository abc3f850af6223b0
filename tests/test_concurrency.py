"""16 concurrent clients against a real uvicorn server (issue 8 point 2).

Each client creates campaigns, ad sets under them and ads in those over its own keep-alive
connection while a reader walks list pages. Every acknowledged id must be
unique, readable with what was written, and counted exactly once when all
pages are walked; no request may deadlock or answer 5xx ("database is locked"
must never escape).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from helpers.server import ServerProcess

CLIENTS = 16
CAMPAIGNS_PER_CLIENT = 200
AD_SETS_PER_CLIENT = 25
ADS_PER_CLIENT = 25
PNG = (Path(__file__).parent / "assets" / "red_4x3.png").read_bytes()
DEADLINE_S = 90
NO_THROTTLE = {"rate_limits": "off"}  # 3 200 writes in seconds would rightly hit Graph's 80004 ad-account limit


class Connection:
    """One keep-alive HTTP/1.1 connection; returns (status, decoded JSON)."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def call(self, method: str, path: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
        params = {"access_token": self.server.token, **(params or {})}
        target = path if path.startswith("/") else f"/{self.server.version}/{path}"
        if method == "GET":
            self.conn.request("GET", f"{target}?{urlencode(params)}")
        else:
            self.conn.request(method, target, body=urlencode(params),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"non_json": raw[:300].decode(errors="replace")}

    def walk(self, path: str, **params: str) -> list[str]:
        """All ids of a list edge, following `paging.next` (absolute URLs back to the server)."""
        return [item["id"] for item in self.walk_items(path, **params)]

    def walk_items(self, path: str, **params: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        status, body = self.call("GET", path, {"limit": "100", **params})
        while True:
            assert status == 200, body
            items += body["data"]
            nxt = body["paging"].get("next")
            if not nxt:
                return items
            parts = urlsplit(nxt)
            assert parts.port == self.server.port, nxt
            self.conn.request("GET", f"{parts.path}?{parts.query}")
            response = self.conn.getresponse()
            status, body = response.status, json.loads(response.read())

    def close(self) -> None:
        self.conn.close()


def campaign_params(name: str) -> dict[str, str]:
    return {"name": name, "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED", "special_ad_categories": "[]"}


def ad_set_params(server: ServerProcess, campaign_id: str, name: str) -> dict[str, str]:
    """Seed 000's ad set, trimmed to what the endpoint requires."""
    return {"name": name, "campaign_id": campaign_id, "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
            "billing_event": "IMPRESSIONS", "daily_budget": "5000", "destination_type": "INSTAGRAM_DIRECT",
            "optimization_goal": "CONVERSATIONS", "status": "PAUSED",
            "promoted_object": json.dumps({"page_id": server.world["page_id"]}),
            "targeting": json.dumps({"geo_locations": {"countries": ["US"]}})}


def make_creative(server: ServerProcess) -> str:
    """Upload an image (multipart, as curl -F) and build a seed-000 creative on it; the ads share it."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    boundary = "graphmock-concurrency"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="filename"; filename="red.png"\r\n'
            f"Content-Type: image/png\r\n\r\n").encode() + PNG + f"\r\n--{boundary}--\r\n".encode()
    conn.request("POST", f"/{server.version}/{server.act}/adimages?access_token={server.token}", body=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = conn.getresponse()
    image = json.loads(response.read())
    assert response.status == 200, image
    conn.close()
    spec = {"page_id": server.world["page_id"], "instagram_user_id": server.world["instagram_user_id"],
            "link_data": {"message": "Chat with us", "image_hash": image["images"]["red.png"]["hash"],
                          "call_to_action": {"type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}}}}
    status, creative = Connection(server).call("POST", f"{server.act}/adcreatives",
                                                {"name": "shared creative", "object_story_spec": json.dumps(spec)})
    assert status == 200, creative
    return str(creative["id"])


def ad_params(ad_set_id: str, creative_id: str, name: str) -> dict[str, str]:
    return {"name": name, "adset_id": ad_set_id, "creative": json.dumps({"creative_id": creative_id}), "status": "PAUSED"}


class Tally:
    """What the clients saw: acknowledged objects (with ack time), and every unexpected answer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.campaigns: dict[str, tuple[str, float]] = {}
        self.ad_sets: dict[str, tuple[str, str, float]] = {}
        self.ads: dict[str, tuple[str, str]] = {}  # ad id -> (name, ad set id)
        self.acks: list[str] = []
        self.failures: list[str] = []
        self.walks = 0

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what)


def writer(server: ServerProcess, n: int, tally: Tally, start: threading.Barrier, creative: str) -> None:
    conn = Connection(server)
    start.wait()
    try:
        own: list[str] = []
        own_sets: list[str] = []
        for i in range(CAMPAIGNS_PER_CLIENT):
            name = f"client{n}-campaign{i}"
            status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(name))
            if status != 200 or "id" not in body:
                tally.fail(f"create campaign {name}: {status} {body}")
                continue
            with tally.lock:
                tally.acks.append(body["id"])
                if body["id"] in tally.campaigns:
                    tally.failures.append(f"duplicate id {body['id']}")
                tally.campaigns[body["id"]] = (name, time.monotonic())
            own.append(body["id"])
        for i in range(AD_SETS_PER_CLIENT):
            parent = own[i % len(own)]
            name = f"client{n}-adset{i}"
            status, body = conn.call("POST", f"{server.act}/adsets", ad_set_params(server, parent, name))
            if status != 200 or "id" not in body:
                tally.fail(f"create ad set {name}: {status} {body}")
                continue
            with tally.lock:
                tally.acks.append(body["id"])
                tally.ad_sets[body["id"]] = (name, parent, time.monotonic())
            own_sets.append(body["id"])
        for i in range(ADS_PER_CLIENT):
            parent = own_sets[i % len(own_sets)]
            name = f"client{n}-ad{i}"
            status, body = conn.call("POST", f"{server.act}/ads", ad_params(parent, creative, name))
            if status != 200 or "id" not in body:
                tally.fail(f"create ad {name}: {status} {body}")
                continue
            with tally.lock:
                tally.acks.append(body["id"])
                tally.ads[body["id"]] = (name, parent)
    except Exception as exc:  # noqa: BLE001 - any transport error is a test failure, reported below
        tally.fail(f"client {n}: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


def reader(server: ServerProcess, tally: Tally, stop: threading.Event) -> None:
    """Walk the campaign list while writes happen: no duplicates, nothing acknowledged before the walk missing."""
    conn = Connection(server)
    try:
        while not stop.is_set():
            started = time.monotonic()
            with tally.lock:
                known = {cid for cid, (_, at) in tally.campaigns.items() if at < started}
            seen = conn.walk(f"{server.act}/campaigns", fields="name")
            if len(seen) != len(set(seen)):
                tally.fail(f"a walk during writes listed {len(seen) - len(set(seen))} ids twice")
            with tally.lock:
                tally.walks += 1
            missing = known - set(seen)
            if missing:
                tally.fail(f"a walk during writes missed acknowledged ids {sorted(missing)[:5]}")
    except Exception as exc:  # noqa: BLE001
        tally.fail(f"reader: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


def test_sixteen_concurrent_clients_every_ack_unique_readable_listed_once(tmp_path):
    with ServerProcess(tmp_path / "concurrency.sqlite3", fixtures=NO_THROTTLE) as server:
        tally = Tally()
        creative = make_creative(server)
        start, stop = threading.Barrier(CLIENTS), threading.Event()
        writers = [threading.Thread(target=writer, args=(server, n, tally, start, creative), daemon=True)
                   for n in range(CLIENTS)]
        walker = threading.Thread(target=reader, args=(server, tally, stop), daemon=True)
        for thread in writers:
            thread.start()
        walker.start()
        deadline = time.monotonic() + DEADLINE_S
        for thread in writers:
            thread.join(max(0.0, deadline - time.monotonic()))
        stop.set()
        walker.join(max(1.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in [*writers, walker]), f"clients still running after {DEADLINE_S}s (deadlock?)"
        assert not tally.failures, tally.failures[:10]
        assert tally.walks >= 1, "the reader never finished a walk while writes happened"

        expected_campaigns = CLIENTS * CAMPAIGNS_PER_CLIENT
        assert len(tally.campaigns) == expected_campaigns
        assert len(tally.ad_sets) == CLIENTS * AD_SETS_PER_CLIENT
        assert len(tally.ads) == CLIENTS * ADS_PER_CLIENT
        assert len(set(tally.acks)) == len(tally.acks) == expected_campaigns + CLIENTS * (AD_SETS_PER_CLIENT + ADS_PER_CLIENT)

        conn = Connection(server)
        listed = conn.walk(f"{server.act}/campaigns", fields="name")
        assert len(listed) == len(set(listed)) == expected_campaigns
        assert set(listed) == set(tally.campaigns)
        status, body = conn.call("GET", f"{server.act}/campaigns", {"summary": "total_count", "limit": "1"})
        assert status == 200 and body["summary"]["total_count"] == expected_campaigns

        listed_sets = conn.walk(f"{server.act}/adsets")
        assert len(listed_sets) == len(set(listed_sets)) and set(listed_sets) == set(tally.ad_sets)
        for parent in {p for _, p, _ in tally.ad_sets.values()}:
            under = conn.walk(f"{parent}/adsets")
            assert set(under) == {a for a, (_, p, _) in tally.ad_sets.items() if p == parent}
        listed_ads = conn.walk(f"{server.act}/ads")
        assert len(listed_ads) == len(set(listed_ads)) and set(listed_ads) == set(tally.ads)
        conn.close()

        _read_back_concurrently(server, tally)


def _read_back_concurrently(server: ServerProcess, tally: Tally) -> None:
    """Every acknowledged object answers GET with exactly what its creator wrote (16 readers at once)."""
    set_parent = {oid: parent for oid, (_, parent, _) in tally.ad_sets.items()}
    items: list[tuple[str, str, dict[str, str]]] = [
        (oid, "name,objective", {"name": name, "objective": "OUTCOME_ENGAGEMENT"}) for oid, (name, _) in tally.campaigns.items()]
    items += [(oid, "name,campaign_id", {"name": name, "campaign_id": parent})
              for oid, (name, parent, _) in tally.ad_sets.items()]
    items += [(oid, "name,adset_id,campaign_id", {"name": name, "adset_id": parent, "campaign_id": set_parent[parent]})
              for oid, (name, parent) in tally.ads.items()]
    problems: list[str] = []

    def check(chunk: list[tuple[str, str, dict[str, str]]]) -> None:
        conn = Connection(server)
        try:
            for oid, fields, expected in chunk:
                status, body = conn.call("GET", oid, {"fields": fields})
                want = {"id": oid, **expected}
                if status != 200 or body != want:
                    problems.append(f"{oid}: {status} {body} != {want}")
        finally:
            conn.close()

    threads = [threading.Thread(target=check, args=(items[i::CLIENTS],), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_S)
    assert not any(t.is_alive() for t in threads), "readers did not finish"
    assert not problems, problems[:10]


def test_two_servers_on_one_sqlite_file_never_answer_database_is_locked(tmp_path):
    """Two processes sharing a file contend for SQLite's write lock: writers wait (busy_timeout), never 5xx,
    and ids allocated inside the write transaction stay unique across both processes."""
    db = tmp_path / "shared.sqlite3"
    with ServerProcess(db, fixtures=NO_THROTTLE) as first, ServerProcess(db, fixtures=NO_THROTTLE) as second:
        tally = Tally()
        servers = [first, second]
        start = threading.Barrier(CLIENTS)

        def write(n: int) -> None:
            server = servers[n % 2]
            conn = Connection(server)
            start.wait()
            try:
                for i in range(100):
                    name = f"shared{n}-{i}"
                    status, body = conn.call("POST", f"{server.act}/campaigns", campaign_params(name))
                    if status != 200:
                        tally.fail(f"{name}: {status} {body}")
                        continue
                    with tally.lock:
                        tally.acks.append(body["id"])
            finally:
                conn.close()

        threads = [threading.Thread(target=write, args=(n,), daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DEADLINE_S)
        assert not any(t.is_alive() for t in threads), "writers did not finish (deadlock?)"
        assert not tally.failures, tally.failures[:10]
        assert len(tally.acks) == len(set(tally.acks)) == CLIENTS * 100
        for server in servers:
            conn = Connection(server)
            listed = conn.walk(f"{server.act}/campaigns")
            conn.close()
            assert len(listed) == len(set(listed)) and set(listed) == set(tally.acks)

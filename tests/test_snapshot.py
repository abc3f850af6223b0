"""Snapshot / restore (issue 4 point 5): "Snapshot -> arbitrary changes -> restore gives back a
byte-identical listing of every object." Part of the store contract suite: every test taking `client` runs on
SQLite and on PostgreSQL (the `client` fixture below)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import GraphMock, ServerConfig
from mock_server.handlers.routes import ROUTES
from mock_server.testing import InProcessClient
from test_control_api import OTHER_ACT, assert_control_error, two_account_fixtures

T0 = 1_767_225_600
LISTED = ["ACTIVE", "PAUSED", "ARCHIVED", "CAMPAIGN_PAUSED", "ADSET_PAUSED", "PENDING_REVIEW", "DISAPPROVED",
          "PREAPPROVED", "PENDING_BILLING_INFO", "IN_PROCESS", "WITH_ISSUES"]
EDGES = {"campaigns": "Campaign", "adsets": "AdSet", "ads": "Ad", "adcreatives": "AdCreative"}


@pytest.fixture
def client(backend_client: InProcessClient) -> InProcessClient:
    """conftest's `client`, once on SQLite :memory: and once on PostgreSQL (dump/load/clear are store contract)."""
    return backend_client


def plain_fields(client: InProcessClient, node_type: str) -> str:
    plans = client.state.node_types[node_type].fields.values()
    return ",".join(sorted(p.name for p in plans if p.kind not in ("edge", "ref")))


def listing(client: InProcessClient, act: str, ids: list[str]) -> list[bytes]:
    """Every list edge (every listable status) and every object by id, as raw response bytes."""
    out: list[bytes] = []
    for edge, node_type in EDGES.items():
        if ("AdAccount", edge, "GET") not in ROUTES or node_type not in client.state.node_types:
            continue
        params = {"fields": plain_fields(client, node_type), "limit": "500", "summary": "true"}
        if edge != "adcreatives":
            statuses = LISTED if edge == "ads" else [s for s in LISTED if s not in ("ADSET_PAUSED", "PENDING_REVIEW",
                                                                                     "DISAPPROVED", "PREAPPROVED",
                                                                                     "PENDING_BILLING_INFO")]
            params["effective_status"] = json.dumps(statuses if edge != "campaigns" else
                                                    ["ACTIVE", "PAUSED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"])
        response = client.get(f"{act}/{edge}", params=params)
        assert response.status_code == 200, response.text
        out.append(response.content)
    for object_id in ids:
        record = client.state.store.get(int(object_id))
        fields = plain_fields(client, record.type) if record else "id"
        out.append(client.get(object_id, params={"fields": fields}).content)
    return out


CAMPAIGN = {"objective": "OUTCOME_ENGAGEMENT", "special_ad_categories": "[]"}


def adset_params(world: dict[str, Any], campaign: str, status: str) -> dict[str, str]:
    return {"name": "set", "campaign_id": campaign, "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
            "billing_event": "IMPRESSIONS", "daily_budget": "5000", "destination_type": "INSTAGRAM_DIRECT",
            "optimization_goal": "CONVERSATIONS", "promoted_object": json.dumps({"page_id": world["page_id"]}),
            "status": status, "targeting": json.dumps({"geo_locations": {"countries": ["US"]}})}


NAMES = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs",)), min_size=1, max_size=12)
STATUS = st.sampled_from(["ACTIVE", "PAUSED"])
OPS = st.lists(st.one_of(
    st.tuples(st.just("campaign"), STATUS, NAMES),
    st.tuples(st.just("adset"), st.integers(0, 20), STATUS),
    st.tuples(st.just("ad"), st.integers(0, 20), STATUS),
    st.tuples(st.just("review"), st.integers(0, 20), st.sampled_from(["approve", "disapprove"])),
    st.tuples(st.just("rename"), st.integers(0, 20), NAMES),
    st.tuples(st.just("status"), st.integers(0, 20), st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"])),
    st.tuples(st.just("delete"), st.integers(0, 20), st.none()),
    st.tuples(st.just("advance"), st.integers(1, 10**6), st.none()),
), max_size=10)


def of_type(client: InProcessClient, ids: list[str], node_type: str) -> list[str]:
    return [i for i in ids if (r := client.state.store.get(int(i))) is not None and r.type == node_type]


def creative(client: InProcessClient, act: str) -> str:
    """One creative per test case (creatives dedupe identical specs anyway)."""
    spec = {"page_id": client.world["page_id"], "link_data": {"message": "Hello", "link": "https://example.com/"}}
    response = client.post(f"{act}/adcreatives", data={"name": "cr", "object_story_spec": json.dumps(spec)})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def apply(client: InProcessClient, act: str, ids: list[str], ops: list[tuple[Any, ...]]) -> None:
    """Apply operations; a Graph rejection (e.g. editing an ARCHIVED object) is part of the exercise."""
    for op, a, b in ops:
        campaigns = of_type(client, ids, "Campaign")
        if op == "campaign":
            response = client.post(f"{act}/campaigns", data={**CAMPAIGN, "status": a, "name": b})
            ids.append(response.json()["id"])
        elif op == "adset" and campaigns:
            response = client.post(f"{act}/adsets", data=adset_params(client.world, campaigns[a % len(campaigns)], b))
            if response.status_code == 200:
                ids.append(response.json()["id"])
        elif op == "ad" and of_type(client, ids, "AdSet"):
            adsets = of_type(client, ids, "AdSet")
            response = client.post(f"{act}/ads", data={"name": "ad", "adset_id": adsets[a % len(adsets)], "status": b,
                                                       "creative": json.dumps({"creative_id": creative(client, act)})})
            if response.status_code == 200:
                ids.append(response.json()["id"])
        elif op == "review" and of_type(client, ids, "Ad"):
            ads = of_type(client, ids, "Ad")
            client.post(f"/__graphmock/reviews/{ads[a % len(ads)]}", json={"action": b})
        elif op in ("rename", "status", "delete") and ids:
            target = ids[a % len(ids)]
            if op == "rename":
                client.post(target, data={"name": b})
            elif op == "status":
                client.post(target, data={"status": b})
            else:
                client.delete(target)
        elif op == "advance":
            client.post("/__graphmock/clock", json={"advance": a})
        assert client.get("/__graphmock/clock").json()["frozen"] is True


@settings(max_examples=20)
@given(before=OPS, after=OPS)
def test_snapshot_changes_restore_is_byte_identical(client, act, before, after):
    client.post("/__graphmock/reset")
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    ids: list[str] = []
    apply(client, act, ids, before)
    expected, known = listing(client, act, ids), list(ids)
    snapshot = client.get("/__graphmock/snapshot").json()
    apply(client, act, ids, after)
    client.post("/__graphmock/reviews/policy", json={"policy": {"mode": "manual"}})
    restored = client.post("/__graphmock/restore", json=snapshot)
    assert restored.status_code == 200 and restored.json()["success"] is True
    assert listing(client, act, known) == expected
    for created_after in ids[len(known):]:
        assert client.get(created_after).json()["error"]["error_subcode"] == 33
    assert client.get("/__graphmock/reviews/policy").json()["policy"]["mode"] == "after"


def test_snapshot_document_shape(client, act):
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    campaign = client.post(f"{act}/campaigns", data={**CAMPAIGN, "status": "PAUSED", "name": "x"}).json()["id"]
    snapshot = client.get("/__graphmock/snapshot").json()
    assert snapshot["graphmock_snapshot"] == 1 and snapshot["seed"] == 7
    assert snapshot["clock"] == {"now": T0, "now_iso": "2026-01-01T00:00:00+0000", "frozen": True, "offset": 0.0}
    assert snapshot["world"]["ad_accounts"][0]["id"] == act
    objects = snapshot["store"]["objects"]  # also the fixture video and saved audiences (issue 14); the campaign's
    assert {o["type"] for o in objects} == {"Campaign", "AdVideo", "SavedAudience"}  # create entry is its stamp
    [stored] = [o for o in objects if o["type"] == "Campaign"]
    assert stored["id"] == campaign and isinstance(stored["id"], str)  # ids > 2**53 travel as strings
    assert stored["type"] == "Campaign" and stored["status"] == "PAUSED" and stored["data"]["name"] == "x"
    assert isinstance(snapshot["id_floor"], str) and int(snapshot["id_floor"]) < int(campaign)


def test_restore_brings_back_clock_seed_fixtures_and_id_sequence():
    with GraphMock(seed=11, fixtures=two_account_fixtures()) as mock:
        c = mock.client()
        mock.clock.freeze(T0)
        first = c.post(f"{OTHER_ACT}/campaigns", data={**CAMPAIGN, "status": "PAUSED", "name": "a"}).json()["id"]
        saved = mock.snapshot(secrets=True)  # the fixtures change in between: keep their secrets
        mock.seed(99)
        mock.fixtures({"ad_accounts": [], "users": []})
        mock.clock.unfreeze()
        mock.restore(saved)
        assert mock.clock.state()["now"] == T0 and mock.state.config.seed == 11
        assert c.get(first, params={"fields": "name"}).json() == {"name": "a", "id": first}
        nxt = c.post(f"{OTHER_ACT}/campaigns", data={**CAMPAIGN, "status": "PAUSED", "name": "b"}).json()["id"]
        assert int(nxt) == int(first) + 1
        mock.reset()  # reset goes back to the fixtures that were current when the snapshot was taken
        assert c.get(OTHER_ACT, params={"fields": "name"}).json()["name"] == "Second account"


def test_restore_survives_a_restart_on_a_file_store(db_target, act):
    db = db_target
    first = InProcessClient(ServerConfig(db=db, seed=3))
    campaign = first.post(f"{act}/campaigns", data={**CAMPAIGN, "status": "PAUSED", "name": "kept"}).json()["id"]
    saved = first.get("/__graphmock/snapshot").json()
    first.post("/__graphmock/reset")
    first.post("/__graphmock/restore", json=saved)
    first.close()
    second = InProcessClient(ServerConfig(db=db, seed=3))
    try:
        assert second.get(campaign, params={"fields": "name"}).json() == {"name": "kept", "id": campaign}
    finally:
        second.close()


def test_restore_refuses_what_is_not_a_snapshot_and_changes_nothing(client, act):
    campaign = client.post(f"{act}/campaigns", data={**CAMPAIGN, "status": "PAUSED", "name": "x"}).json()["id"]
    good = client.get("/__graphmock/snapshot").json()
    assert_control_error(client.post("/__graphmock/restore", json={}), 400, "not a graphmock snapshot")
    assert_control_error(client.post("/__graphmock/restore", json={**good, "store": {"objects": "x"}}), 400,
                  "snapshot.store.objects must be a list")
    broken = json.loads(json.dumps(good))
    broken["store"]["objects"][0]["id"] = "12ab"
    assert_control_error(client.post("/__graphmock/restore", json=broken), 400, "snapshot.store.objects[0].id must be a numeric id")
    assert_control_error(client.post("/__graphmock/restore", json={**good, "world": {"ad_accounts": [{}]}}), 400,
                  "snapshot.world is not a fixtures document")
    assert_control_error(client.post("/__graphmock/restore", json={**good, "clock": {"now": "soon"}}), 400, "snapshot.clock")
    assert client.get(campaign, params={"fields": "name"}).json() == {"name": "x", "id": campaign}

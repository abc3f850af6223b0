"""The cold read paths' shortcuts answer exactly what the plain paths answer (issue 18 point 1).

A list page renders each item with the values its effective_status predicate computed, a read seeds its children's
parent lookups with its own record, a batch parses a bodiless GET once per URL and reads the store version once,
and the read cache runs a handler pinned at the version it looked up. Each must be invisible: the same ad set reads
the same by id, in its campaign's nested edge, in the campaign's list edge and as a batch operation, whatever the
mix of statuses, fields and limits; and a batch still sees its own writes (GRAPH-BEHAVIOUR 5, 6.3).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import make_adset, make_campaign
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

FIELDS = ["name", "status", "effective_status", "configured_status", "daily_budget", "targeting", "created_time",
          "campaign_id", "campaign{name,effective_status}"]


@pytest.fixture(scope="module")
def file_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessClient]:
    """A file store (data_version, the pinned version) with the read cache on, as `graphmock serve` runs."""
    db = Path(tmp_path_factory.mktemp("cold")) / "graph.sqlite3"
    client = InProcessClient(ServerConfig(seed=7, db=str(db)))
    yield client
    client.close()


def _batch(client: InProcessClient, operations: list[dict[str, Any]]) -> list[Any]:
    response = client.post("", data={"batch": json.dumps(operations), "include_headers": "false"})
    assert response.status_code == 200, response.text
    return [None if item is None else (item["code"], json.loads(item["body"])) for item in response.json()]


@settings(max_examples=25)
@given(campaign_status=st.sampled_from(["ACTIVE", "PAUSED"]),
       adsets=st.lists(st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"]), min_size=1, max_size=6),
       fields=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True),
       limit=st.integers(1, 7))
def test_an_ad_set_reads_the_same_by_id_nested_listed_and_batched(file_client, campaign_status, adsets, fields, limit):
    client = file_client
    act, world = client.world["ad_account_id"], client.world
    campaign = make_campaign(client, act, status=campaign_status)
    for status in adsets:
        adset = make_adset(client, act, world, campaign, status="PAUSED")  # only ACTIVE/PAUSED at creation
        if status == "DELETED":
            assert client.delete(adset).status_code == 200
        elif status != "PAUSED":
            assert client.post(adset, data={"status": status}).status_code == 200
    selection = ",".join(fields)
    nested = client.get(campaign, params={"fields": f"name,adsets.limit({limit}){{{selection}}}"})
    listed = client.get(f"{campaign}/adsets", params={"fields": selection, "limit": str(limit)})
    assert nested.status_code == listed.status_code == 200, (nested.text, listed.text)
    items = listed.json()["data"]
    assert nested.json()["adsets"]["data"] == items
    assert len(items) == min(limit, sum(s in ("ACTIVE", "PAUSED") for s in adsets))  # no ARCHIVED/DELETED by default
    singles = [client.get(item["id"], params={"fields": selection}) for item in items]
    assert [s.json() for s in singles] == items
    if items:
        batched = _batch(client, [{"method": "GET", "relative_url": f"{item['id']}?fields={selection}"}
                                  for item in items * 2])  # twice: the second run of each URL reuses its parse
        assert batched == [(200, item) for item in items * 2]


def test_a_batch_reads_its_own_writes_and_a_repeated_get_sees_them(file_client):
    """The batch pins the store version once, yet an update inside it shows in the next operation's read, also when
    the same GET already ran (and was kept by the read cache) earlier in the batch."""
    client = file_client
    act, world = client.world["ad_account_id"], client.world
    adset = make_adset(client, act, world, make_campaign(client, act))
    read = {"method": "GET", "relative_url": f"{adset}?fields=name,status"}
    answers = _batch(client, [read, {"method": "POST", "relative_url": adset, "body": "name=renamed&status=ACTIVE"},
                              read])
    assert answers[0] == (200, {"name": "Click to Instagram Ad Set", "status": "ACTIVE", "id": adset})
    assert answers[1] == (200, {"success": True})
    assert answers[2] == (200, {"name": "renamed", "status": "ACTIVE", "id": adset})

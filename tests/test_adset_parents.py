"""The parent campaigns ad set creates reuse (domain/adsets.py `Parents`, docs/cold-writes.md): a campaign whose
row changed in any way is read again before the next create under it (seed 000: 'A valid ... campaign';
GRAPH-BEHAVIOUR 6-8: what the campaign says decides the ad set rules)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from mock_server.config import ServerConfig
from mock_server.domain import adsets
from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository
from mock_server.testing import InProcessClient
from test_adsets import create, make_campaign


def _refused(response: Any) -> bool:
    """Refused naming campaign_id (adset_campaign_invalid: not a live campaign of this ad account)."""
    return response.status_code == 400 and "campaign_id" in response.json()["error"]["error_data"]


def test_a_changed_campaign_is_read_again(client, act, world):
    """A campaign budget set since makes an ad set budget an error (1885621); an archived campaign refuses the
    next ad set."""
    campaign = make_campaign(client, act)
    assert create(client, act, world, campaign).status_code == 200
    assert client.post(campaign, data={"daily_budget": "10000"}).status_code == 200
    response = create(client, act, world, campaign)
    assert response.status_code == 400 and response.json()["error"]["error_subcode"] == 1885621
    assert create(client, act, world, campaign, daily_budget=None).status_code == 200
    assert client.post(campaign, data={"status": "ARCHIVED"}).status_code == 200
    assert _refused(create(client, act, world, campaign, daily_budget=None))


def test_a_deleted_campaign_and_a_reset_are_seen(client, act, world):
    campaign = make_campaign(client, act)
    assert create(client, act, world, campaign).status_code == 200
    assert client.delete(campaign).status_code == 200
    assert _refused(create(client, act, world, campaign))
    other = make_campaign(client, act)
    assert create(client, act, world, other).status_code == 200
    assert client.post("/__graphmock/reset").status_code == 200
    assert _refused(create(client, act, world, other))


def test_a_failed_create_leaves_the_remembered_campaign_right(client, act, world):
    """A create refused by a rule (no location: GRAPH-BEHAVIOUR 9) after the campaign was read changes nothing:
    the next one under it passes, and the campaign's later change is still seen."""
    campaign = make_campaign(client, act)
    assert create(client, act, world, campaign).status_code == 200
    assert create(client, act, world, campaign, targeting=json.dumps({"geo_locations": {}})).status_code == 400
    assert create(client, act, world, campaign).status_code == 200
    assert client.post(campaign, data={"status": "ARCHIVED"}).status_code == 200
    assert _refused(create(client, act, world, campaign))


def _campaign(store: SQLiteRepository, status: str = "ACTIVE") -> Record:
    record = Record(id=store.next_id(), type="Campaign", account_id="1", status=status,
                    data={"status": status, "objective": "OUTCOME_TRAFFIC"})
    with store.transaction():
        store.insert(record)
    return record


def _read(store: SQLiteRepository, campaign_id: int) -> Record | None:
    with store.transaction():
        record, at = adsets.parents_of(store).lookup(store, store.get, campaign_id)
        adsets.parents_of(store).wrote(store, at)  # as the create does once its ad set is inserted
    return record


@pytest.mark.parametrize("in_batch", [False, True])
def test_another_connections_commit_is_seen(tmp_path: Path, in_batch: bool) -> None:
    """A second server on the same file (serve --workers, docs/shared-sandbox.md) archives the campaign: the next
    read here answers the archived row (SQLite's data_version moved). Inside a batch too: a batch runs pinned
    (batch.py), `version()` then keeps the other processes' part read when the pin began, so the memo stands aside
    while pinned (found by review)."""
    path = str(tmp_path / "store.sqlite3")
    here, there = SQLiteRepository(path), SQLiteRepository(path)
    try:
        campaign = _campaign(here)
        with here.pinned() if in_batch else contextlib.nullcontext():
            assert _read(here, campaign.id).status == "ACTIVE"  # type: ignore[union-attr]
            stored = there.get(campaign.id)
            assert stored is not None
            stored.status = "ARCHIVED"
            with there.transaction():
                there.update(stored)
            assert _read(here, campaign.id).status == "ARCHIVED"  # type: ignore[union-attr]
    finally:
        here.close()
        there.close()


def test_a_rolled_back_campaign_is_forgotten(tmp_path: Path) -> None:
    """A campaign read inside a transaction that rolls back (its insert undone) is not answered afterwards."""
    store = SQLiteRepository(str(tmp_path / "store.sqlite3"))
    try:
        with pytest.raises(RuntimeError), store.transaction():
            record = Record(id=store.next_id(), type="Campaign", account_id="1", status="ACTIVE", data={})
            store.insert(record)
            assert _read(store, record.id) is not None
            raise RuntimeError("the request fails after reading its campaign")
        assert _read(store, record.id) is None
    finally:
        store.close()


def test_one_store_and_a_bounded_memo(tmp_path: Path) -> None:
    """Another store (a new server in the same process) never answers from this one's records, nor empties its
    memo; a memo keeps at most LIMIT campaigns."""
    first, second = SQLiteRepository(":memory:"), SQLiteRepository(":memory:")
    campaign = _campaign(first)
    assert _read(first, campaign.id) is not None
    assert _read(second, campaign.id) is None
    for campaign_id in range(1, adsets.Parents.LIMIT + 50):
        _read(second, campaign_id)
    assert len(adsets.parents_of(second).records) <= adsets.Parents.LIMIT
    assert campaign.id in adsets.parents_of(first).records  # the other store's reads left this memo alone


def test_creates_under_many_campaigns_read_each_once(tmp_path: Path) -> None:
    """The memo's point (docs/cold-writes.md): creates that alternate between campaigns, with nothing else written
    in between, read each campaign from the store once."""
    client = InProcessClient(ServerConfig(db=str(tmp_path / "store.sqlite3")))
    world = client.world
    act = world["ad_account_id"]
    campaigns = [make_campaign(client, act) for _ in range(3)]
    store = client.state.store
    reads: list[int] = []
    get = store.get  # the ObservedRepository's, bound to the inner store's (store/observed.py `_HOT`)
    store.get = lambda object_id: reads.append(object_id) or get(object_id)  # type: ignore[method-assign]
    try:
        for _ in range(3):
            for campaign in campaigns:
                assert create(client, act, world, campaign).status_code == 200
    finally:
        store.get = get  # type: ignore[method-assign]
    assert sorted(set(reads) & {int(c) for c in campaigns}) == sorted(int(c) for c in campaigns)
    assert all(reads.count(int(c)) == 1 for c in campaigns), reads

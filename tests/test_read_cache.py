"""Reused GET answers (mock_server/read_cache.py) must be indistinguishable from fresh ones.

The property: two servers with the same seed and clock, one reusing answers and one not, given the same
interleaving of writes and reads, answer every read with the same body. The examples pin the invalidation
causes one by one: a write, another process's commit on the same file, a reset, and the clock.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.twins import twin_clients
from helpers_envelope import assert_graph_error
from mock_server import GraphMock, read_cache
from mock_server.config import ServerConfig
from test_lifecycle_state_machine import DELAY, T0, _adset_params, make_adset, make_campaign, read, tree

READS = [
    ("{campaign}", {"fields": "name,status,effective_status,daily_budget,updated_time"}),
    ("{campaign}", {"fields": "name,adsets.limit(2){name,status,effective_status}"}),
    ("{act}/campaigns", {"fields": "name,status", "limit": "3"}),
    ("{act}/campaigns", {"fields": "name", "summary": "true", "effective_status": '["PAUSED"]'}),
    ("{act}/campaigns", {"fields": "name", "effective_status": '["ARCHIVED","ACTIVE"]', "limit": "2"}),
    ("{act}/adsets", {"fields": "name,effective_status,campaign{name,status}"}),
    ("{campaign}/adsets", {"fields": "name,status"}),
]
WRITES = st.one_of(
    st.tuples(st.just("create_campaign"), st.sampled_from(["ACTIVE", "PAUSED"])),
    st.tuples(st.just("create_adset"), st.sampled_from(["ACTIVE", "PAUSED"])),
    st.tuples(st.just("rename"), st.text("abcxyz ", min_size=1, max_size=8)),
    st.tuples(st.just("status"), st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"])),
    st.tuples(st.just("budget"), st.integers(100, 10_000)),
)
STEPS = st.lists(st.one_of(st.tuples(st.just("read"), st.integers(0, len(READS) - 1), st.integers(0, 5)),
                           st.tuples(st.just("write"), WRITES, st.integers(0, 5))), min_size=1, max_size=25)


class Twin:
    """One server of the pair: the demo world, seed 7, clock frozen at T0, one campaign."""

    def __init__(self, read_cache: bool) -> None:
        self.mock = GraphMock(ServerConfig(read_cache=read_cache), seed=7)
        self.mock.clock.freeze(T0)
        self.c = self.mock.client()
        self.act = self.mock.world["ad_account_id"]
        self.campaigns = [make_campaign(self.c, self.act, "PAUSED")]

    def write(self, op: tuple[str, Any], pick: int) -> Any:
        kind, value = op
        campaign = self.campaigns[pick % len(self.campaigns)]
        if kind == "create_campaign":
            self.campaigns.append(make_campaign(self.c, self.act, value))
            return None
        if kind == "create_adset":
            response = self.c.post(f"{self.act}/adsets", data=_adset_params(self.mock.world, campaign, value))
        else:
            data = {"rename": {"name": value}, "status": {"status": value}, "budget": {"daily_budget": str(value)}}[kind]
            response = self.c.post(campaign, data=data)
        return _comparable(response)

    def read(self, index: int, pick: int) -> Any:
        path, params = READS[index]
        target = path.format(act=self.act, campaign=self.campaigns[pick % len(self.campaigns)])
        return _comparable(self.c.get(target, params=params))


def _comparable(response: Any) -> tuple[int, Any, str | None]:
    """Status, body and ETag: a kept answer is sent from its kept encoding, so its tag must match too."""
    body = response.json()
    if "error" in body:
        body["error"].pop("fbtrace_id", None)
    return response.status_code, body, response.headers.get("etag")


@settings(max_examples=100)
@given(steps=STEPS)
def test_reused_answers_equal_fresh_answers_under_any_interleaving(steps):
    cached, fresh = Twin(read_cache=True), Twin(read_cache=False)
    repeats = 0
    try:
        for step in steps:
            if step[0] == "read":
                answer = cached.read(step[1], step[2])
                assert answer == fresh.read(step[1], step[2]), step
                assert cached.read(step[1], step[2]) == answer  # asked again: now from the cache
                repeats += answer[0] == 200
            else:
                assert cached.write(step[1], step[2]) == fresh.write(step[1], step[2]), step
        assert cached.mock.state.read_cache.hits >= repeats  # every repeated successful read was reused
        assert fresh.mock.state.read_cache.hits == 0
    finally:
        cached.mock.close()
        fresh.mock.close()


def test_a_repeated_read_is_answered_from_the_cache_until_a_write():
    with GraphMock(seed=3) as mock:
        c, act = mock.client(), mock.world["ad_account_id"]
        campaign = make_campaign(c, act)
        cache = mock.state.read_cache
        first = read(c, campaign, "name")
        hits = cache.hits
        assert read(c, campaign, "name") == first and cache.hits == hits + 1
        assert c.post(campaign, data={"name": "renamed"}).json() == {"success": True}
        assert read(c, campaign, "name") == {"name": "renamed", "id": campaign}


def test_seed_000_ad_goes_from_pending_review_to_active_on_the_clock_even_when_read_repeatedly():
    """Seed 000: 'effective_status will be PENDING_REVIEW. Once approved, the status will automatically update
    to ACTIVE'. Time-derived answers are never reused: nothing is written when the review decides."""
    with GraphMock(seed=1) as mock:
        mock.clock.freeze(T0)
        c, ad, _ = tree(mock, ad_status="ACTIVE")
        act = mock.world["ad_account_id"]
        for _ in range(3):
            assert read(c, ad)["effective_status"] == "PENDING_REVIEW"
            assert [row["id"] for row in c.get(f"{act}/ads", params={"effective_status": '["PENDING_REVIEW"]'}).json()["data"]] == [ad]
        mock.clock.advance(DELAY)
        assert read(c, ad)["effective_status"] == "ACTIVE"
        assert c.get(f"{act}/ads", params={"effective_status": '["PENDING_REVIEW"]'}).json()["data"] == []


def test_is_completed_follows_the_clock_even_when_read_repeatedly():
    """Seed 004 lists `is_completed`: a campaign is completed once its stop_time has passed."""
    with GraphMock(seed=2) as mock:
        mock.clock.freeze(T0)
        c, act = mock.client(), mock.world["ad_account_id"]
        adset = make_adset(c, act, mock.world, make_campaign(c, act))
        assert c.post(adset, data={"end_time": str(T0 + 86_400 * 2), "daily_budget": "5000"}).status_code == 200

        def completed() -> list[str]:
            response = c.get(f"{act}/adsets", params={"is_completed": "true", "fields": "id"})
            assert response.status_code == 200, response.text
            return [row["id"] for row in response.json()["data"]]

        assert completed() == [] and completed() == []
        mock.clock.advance(86_400 * 3)
        assert completed() == [adset]


def test_a_commit_by_another_process_on_the_same_file_is_seen(db_target):
    """Two servers on one SQLite file or PostgreSQL database (e.g. a second `graphmock serve`): a write by one
    shows in the other's next read, even one it has answered before."""
    with twin_clients(db=db_target, seed=5) as (first, second):
        act = first.world["ad_account_id"]
        campaign = make_campaign(first, act)
        assert read(first, campaign, "name")["name"] == read(first, campaign, "name")["name"] == "Click to Instagram Campaign"
        assert second.post(campaign, data={"name": "from the other process"}).json() == {"success": True}
        assert read(first, campaign, "name")["name"] == "from the other process"


def test_reset_through_the_control_api_is_seen_by_a_repeated_read():
    with GraphMock(seed=4) as mock:
        c, act = mock.client(), mock.world["ad_account_id"]
        campaign = make_campaign(c, act)

        def listed() -> list[str]:
            response = c.get(f"{act}/campaigns", params={"fields": "name"})
            assert response.status_code == 200, response.text
            return [row["id"] for row in response.json()["data"]]

        assert listed() == listed() == [campaign]
        assert c.post("/__graphmock/reset", json={}).status_code == 200
        assert listed() == []
        assert_graph_error(c.get(campaign, params={"fields": "name"}), code=100, subcode=33)


def test_memory_is_bounded_whatever_the_pages_sizes(monkeypatch):
    """Big pages (limit up to 5000) are rendered each time rather than kept; kept answers stay under the cap."""
    with GraphMock(ServerConfig(), seed=6) as mock:
        c, act = mock.client(), mock.world["ad_account_id"]
        for _ in range(60):
            make_campaign(c, act)
        cache = mock.state.read_cache
        cache.max_bytes = 20_000
        page = {"fields": "name,objective,status,effective_status,special_ad_categories,created_time", "limit": "60"}
        first = c.get(f"{act}/campaigns", params=page).json()
        assert len(first["data"]) == 60
        hits = cache.hits
        assert c.get(f"{act}/campaigns", params=page).json() == first and cache.hits == hits + 1
        for limit in range(1, 40):
            c.get(f"{act}/campaigns", params={**page, "limit": str(limit)})
            assert cache._bytes <= cache.max_bytes
        monkeypatch.setattr(read_cache, "MAX_ENTRY_BYTES", 1000)
        cache.clear()
        for _ in range(2):
            hits = cache.hits
            assert c.get(f"{act}/campaigns", params=page).json()["data"] == first["data"]
            assert cache.hits == hits  # too big to keep: rendered both times

"""ETag / If-None-Match on reads (GRAPH-BEHAVIOUR 5, M-ASYNC: 'each response has an ETag; If-None-Match => 304
with no body, which still counts toward limits'; the SDKs treat an empty 200/304 as success)."""

from __future__ import annotations

import json
import re

import pytest

from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient
from mock_server.wire.etag import not_modified
from test_ratelimit import DEV_TOKEN, T0

CAMPAIGN = {"name": "Tagged", "objective": "OUTCOME_ENGAGEMENT", "status": "PAUSED", "special_ad_categories": "[]"}
TAG = re.compile(r'^"[0-9a-f]{40}"$')


def _campaign(client: InProcessClient) -> str:
    return str(client.post(f"{client.world['ad_account_id']}/campaigns", data=CAMPAIGN).json()["id"])


def test_a_read_carries_an_etag_and_if_none_match_gets_304_without_a_body():
    client = InProcessClient(ServerConfig(seed=3))
    campaign = _campaign(client)
    first = client.get(campaign, params={"fields": "name,status"})
    tag = first.headers["etag"]
    assert first.status_code == 200 and TAG.match(tag) and first.json()["name"] == "Tagged"
    again = client.get(campaign, params={"fields": "name,status"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert "x-business-use-case-usage" in again.headers and "x-fb-trace-id" in again.headers
    other_fields = client.get(campaign, params={"fields": "name"}, headers={"If-None-Match": tag})
    assert other_fields.status_code == 200 and other_fields.headers["etag"] != tag  # another answer, another tag
    entries = client.state.journal.entries()
    assert [e.status for e in entries[-3:]] == [200, 304, 200] and entries[-2].conforming
    client.close()


def test_a_write_changes_the_tag_so_the_next_conditional_read_gets_the_new_body():
    client = InProcessClient(ServerConfig(seed=3))
    campaign = _campaign(client)
    tag = client.get(campaign, params={"fields": "name"}).headers["etag"]
    assert client.post(campaign, data={"name": "Renamed"}).json() == {"success": True}
    fresh = client.get(campaign, params={"fields": "name"}, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.json()["name"] == "Renamed" and fresh.headers["etag"] != tag
    assert client.get(campaign, params={"fields": "name"}, headers={"If-None-Match": fresh.headers["etag"]}).status_code == 304
    client.close()


def test_lists_are_tagged_and_writes_and_errors_are_not():
    client = InProcessClient(ServerConfig(seed=3))
    act = client.world["ad_account_id"]
    created = client.post(f"{act}/campaigns", data=CAMPAIGN)
    missing = client.get("999999999999999", params={"fields": "name"})
    listed = client.get(f"{act}/campaigns", params={"fields": "name"})
    assert "etag" not in created.headers and "etag" not in missing.headers and missing.status_code == 400
    assert client.get(f"{act}/campaigns", params={"fields": "name"},
                      headers={"If-None-Match": listed.headers["etag"]}).status_code == 304
    client.close()


def test_a_304_still_counts_toward_the_rate_limit():
    """M-RL: a read costs 1 point of the development tier's 60, answered in full or not modified."""
    client = InProcessClient(ServerConfig(seed=3))
    client.state.clock.freeze(T0)
    act = client.world["ad_account_id"]
    first = client.get(act, params={"fields": "name"}, token=DEV_TOKEN)
    second = client.get(act, params={"fields": "name"}, token=DEV_TOKEN, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 304
    used = [json.loads(r.headers["x-ad-account-usage"])["acc_id_util_pct"] for r in (first, second)]
    assert used == [1.67, 3.33]
    client.close()


@pytest.mark.parametrize(("header", "expected"), [
    ('"b"', True), ('"a", "b"', True), ('W/"b"', True), ("*", True), ('"a",*', True),
    ('"a"', False), ('"bb"', False), ("b", False), ("", False), (None, False), ('W/"a", "c"', False),
])
def test_if_none_match_follows_rfc_9110(header, expected):
    """RFC 9110 13.1.2: `*` matches any current tag; otherwise any listed tag, compared weakly (W/ ignored)."""
    assert not_modified(header, '"b"') is expected

"""The smaller differences of issue 17 point 8: offset paging, nested summary, `fields` checked before a write,
documented image crop keys, fault statuses from the catalogue, the ad set budget-change limit.

Sources quoted per test: GRAPH-BEHAVIOUR 3.1 (G-PAGE: "Offset pagination (`offset`, `limit`) ... also exist"),
3.2 (summary=true => summary.total_count), 11 (read-after-write: "If the read fails ... you get a standard error
response"), 1.2 (HTTP status per code), 1.3 (2490085 crop key), 2 and 8 (M-RL: "You can only change your ad set
budget 4 times per hour", 613/1487632); the facebook-business SDK's AdsImageCrops (the documented crop keys).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import link_spec, make_adset, make_campaign, upload
from helpers_envelope import assert_graph_error
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def _campaigns(client, act, n: int) -> list[str]:
    return [client.post(f"{act}/campaigns", data={**CAMPAIGN, "name": f"c{i}"}).json()["id"] for i in range(n)]


# -- offset paging ------------------------------------------------------------------------------------

def test_offset_paging_is_honoured_and_next_carries_the_next_offset(client, act):
    """G-PAGE (GRAPH-BEHAVIOUR 3.1): offset + limit pages through an edge; `paging.next` carries the next offset,
    `previous` the one before; the last page has no `next`. The pages cover the edge exactly once."""
    ids = _campaigns(client, act, 5)
    newest_first = list(reversed(ids))
    first = client.get(f"{act}/campaigns", params={"offset": "0", "limit": "2"}).json()
    assert [d["id"] for d in first["data"]] == newest_first[:2] and "previous" not in first["paging"]
    seen, page = [], first
    while True:
        seen += [d["id"] for d in page["data"]]
        if "next" not in page["paging"]:
            break
        query = parse_qs(urlsplit(page["paging"]["next"]).query)
        assert query["limit"] == ["2"] and "access_token" in query
        page = client.get(f"{act}/campaigns", params={"offset": query["offset"][0], "limit": "2"}).json()
    assert seen == newest_first
    middle = client.get(f"{act}/campaigns", params={"offset": "2", "limit": "2", "summary": "true"}).json()
    assert [d["id"] for d in middle["data"]] == newest_first[2:4] and middle["summary"] == {"total_count": 5}
    assert parse_qs(urlsplit(middle["paging"]["previous"]).query)["offset"] == ["0"]
    assert client.get(f"{act}/campaigns", params={"offset": "50"}).json()["data"] == []


def test_a_bad_offset_is_refused_not_ignored(client, act):
    """Never ignored: an offset that is not a non-negative integer answers (#100)."""
    for bad in ("-1", "two", "1.5"):
        assert_graph_error(client.get(f"{act}/campaigns", params={"offset": bad}), 100, blame="offset")


def test_nested_offset_and_summary(client, act, world):
    """G-FE modifiers on a nested edge: `.offset(n)` skips, `.summary(true)` / `.summary(total_count)` add
    summary.total_count (GRAPH-BEHAVIOUR 3.2)."""
    campaign = make_campaign(client, act)
    adsets = [make_adset(client, act, world, campaign) for _ in range(3)]
    for modifier in ("summary(true)", "summary(total_count)"):
        body = client.get(campaign, params={"fields": f"adsets.limit(1).{modifier}{{id}}"}).json()["adsets"]
        assert body["summary"] == {"total_count": 3} and len(body["data"]) == 1
    skipped = client.get(campaign, params={"fields": "adsets.offset(1).limit(5){id}"}).json()["adsets"]
    assert [d["id"] for d in skipped["data"]] == list(reversed(adsets))[1:]
    assert "summary" not in client.get(campaign, params={"fields": "adsets{id}"}).json()["adsets"]


# -- fields before a write ----------------------------------------------------------------------------

def test_a_bad_fields_on_a_create_writes_nothing(client, act):
    """GRAPH-BEHAVIOUR 11: a read-after-write whose read fails answers a standard error; graphmock checks
    `fields` first, so the failed call created nothing and a retry does not duplicate (issue 17)."""
    for fields in ("name,nope", "name{", "campaign{nope}"):
        response = client.post(f"{act}/campaigns", data={**CAMPAIGN, "fields": fields})
        assert response.status_code == 400, response.text
    assert client.get(f"{act}/campaigns").json()["data"] == []
    created = client.post(f"{act}/campaigns", data={**CAMPAIGN, "fields": "name"}).json()
    assert created["name"] == "c"


def test_a_bad_fields_on_an_update_changes_nothing(client, act):
    campaign = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
    assert_graph_error(client.post(campaign, data={"name": "renamed", "fields": "nope"}), 100)
    assert client.get(campaign, params={"fields": "name"}).json()["name"] == "c"


# -- image crops -------------------------------------------------------------------------------------

def test_documented_crop_keys_only(client, act, world):
    """AdsImageCrops (facebook-business SDK, Meta's spec): 100x100, 100x72, 191x100, 300x400, 400x150, 400x500,
    600x360, 90x160, each [[x1, y1], [x2, y2]]; another key is 100 / 2490085 (GRAPH-BEHAVIOUR 1.3, crop key)."""
    image = upload(client, act)

    def post(crops):
        spec = link_spec(world, image, image_crops=crops)
        return client.post(f"{act}/adcreatives", data={"name": "n", "object_story_spec": json.dumps(spec)})

    assert post({"191x100": [[0, 0], [191, 100]], "100x100": [[0, 0], [100, 100]]}).status_code == 200
    error = assert_graph_error(post({"120x120": [[0, 0], [120, 120]]}), 100, 2490085)
    assert "image_crops" in json.loads(error["error_data"])["blame_field_specs"][0]
    assert_graph_error(post({"191x100": [[0, 0]]}), 100)


# -- injected faults ----------------------------------------------------------------------------------

def test_fault_without_status_answers_the_catalogue_status_of_its_code(client, act):
    """GRAPH-BEHAVIOUR 1.2: code 4 (app limit) is 403, code 1 is 500, code 17 is 400; a fault that names only a
    code answers with that status, one that names http_status keeps it."""
    for code, status in ((4, 403), (1, 500), (17, 400), (200, 403)):
        client.state.faults.add(method="GET", path="act_*", error={"code": code, "message": f"(#{code}) x"})
        assert client.get(act).status_code == status, code
    client.state.faults.add(method="GET", path="act_*", error={"code": 4, "http_status": 400})
    assert client.get(act).status_code == 400


# -- budget changes ----------------------------------------------------------------------------------

def test_fifth_budget_change_in_an_hour_is_613_1487632(client, act, world):
    """M-RL (GRAPH-BEHAVIOUR 2, 8): 'You can only change your ad set budget 4 times per hour. Please wait to make
    more changes.' (613 / 1487632). Other edits are not counted; an hour later the budget may change again."""
    client.state.clock.freeze(1_900_000_000)
    adset = make_adset(client, act, world, make_campaign(client, act))
    for amount in ("6000", "7000", "8000", "9000"):
        assert client.post(adset, data={"daily_budget": amount}).json() == {"success": True}
    assert client.post(adset, data={"name": "renamed"}).status_code == 200
    error = assert_graph_error(client.post(adset, data={"daily_budget": "9500"}), 613, 1487632)
    assert error["message"] == ("You can only change your ad set budget 4 times per hour. Please wait to make "
                                "more changes.") and error["is_transient"] is True
    assert client.get(adset, params={"fields": "daily_budget"}).json()["daily_budget"] == "9000"
    client.state.clock.freeze(1_900_003_601)
    assert client.post(adset, data={"daily_budget": "9500"}).json() == {"success": True}


def test_budget_change_limit_is_a_switch():
    """The rule is a table entry (schemas/rules/budget_changes.json); ServerConfig(budget_change_limit=False)
    turns it off, as the contract-kit fixture does together with rate limits."""
    c = InProcessClient(ServerConfig(seed=2, budget_change_limit=False))
    try:
        act, world = c.world["ad_account_id"], c.world
        adset = make_adset(c, act, world, make_campaign(c, act))
        for amount in range(6000, 12000, 1000):
            assert c.post(adset, data={"daily_budget": str(amount)}).status_code == 200
    finally:
        c.close()


@settings(max_examples=25)
@given(count=st.integers(0, 7), limit=st.integers(1, 4), start=st.integers(0, 3))
def test_offset_pages_cover_the_edge_once_in_cursor_order(count, limit, start):
    """Property (G-PAGE): following `paging.next` from any offset lists exactly the objects the cursor pages
    list from that position, in the same order, each once."""
    c = InProcessClient(ServerConfig(seed=4))
    try:
        act = c.world["ad_account_id"]
        _campaigns(c, act, count)
        by_cursor = [d["id"] for d in c.get(f"{act}/campaigns", params={"limit": "100"}).json()["data"]]
        seen, params = [], {"offset": str(start), "limit": str(limit)}
        for _ in range(count + 2):
            page = c.get(f"{act}/campaigns", params=params).json()
            seen += [d["id"] for d in page["data"]]
            if "next" not in page["paging"]:
                break
            params = {k: v[0] for k, v in parse_qs(urlsplit(page["paging"]["next"]).query).items()
                      if k in ("offset", "limit")}
        assert seen == by_cursor[start:]
    finally:
        c.close()

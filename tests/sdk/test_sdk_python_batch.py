"""Batch requests and multi-reads through the unmodified Python SDK (GRAPH-BEHAVIOUR 4 and 5).

`api.new_batch()` posts `batch=[...]` to `/v26.0/` with unversioned relative URLs and url-encoded bodies;
the answer is an array of {code, headers, body: "<json string>"} in request order, and the SDK calls each
op's success or failure callback. `Campaign.get_by_ids` sends `GET /v26.0//?ids=a,b` (double slash).
"""

from __future__ import annotations

from typing import Any

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookResponse

GOOD = {"objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": []}


def test_batch_of_10_creates_calls_success_and_failure_callbacks(api, graphmock):
    """Ops 2, 5 and 8 lack special_ad_categories: their failure callback gets Graph's error, the other seven
    succeed with their own ids, in order; nothing comes back null, so execute() returns no retry batch."""
    account = AdAccount(graphmock.act)
    succeeded: list[tuple[int, dict[str, Any]]] = []
    failed: list[tuple[int, Any]] = []
    batch = api.new_batch()
    for i in range(10):
        params = {"name": f"Batch {i}", **GOOD}
        if i % 3 == 2:
            del params["special_ad_categories"]
        account.create_campaign(
            params=params, batch=batch,
            success=lambda response, i=i: succeeded.append((i, response.json())),
            failure=lambda response, i=i: failed.append((i, response)))

    assert batch.execute() is None

    assert [i for i, _ in succeeded] == [0, 1, 3, 4, 6, 7, 9]
    ids = [body["id"] for _, body in succeeded]
    assert all(set(body) == {"id"} for _, body in succeeded) and len(set(ids)) == 7
    assert [i for i, _ in failed] == [2, 5, 8]
    for _, response in failed:
        assert isinstance(response, FacebookResponse) and response.status() == 400
        error = response.error()
        assert (error.api_error_code(), error.api_error_subcode()) == (100, None)
        assert error.api_error_message() == "(#100) The parameter special_ad_categories is required"
        assert error.api_transient_error() is False

    listed = account.get_campaigns(fields=["name"])
    assert {c.get_id(): c["name"] for c in listed} == {body["id"]: f"Batch {i}" for i, body in succeeded}


def test_batch_reads_and_updates(api, graphmock):
    """GET ops carry their params in relative_url, POST ops in the url-encoded body; a read in the same
    batch after an update sees the update (ops run in order)."""
    campaign = AdAccount(graphmock.act).create_campaign(params={"name": "Before", **GOOD})
    seen: list[dict[str, Any]] = []
    batch = api.new_batch()
    Campaign(campaign.get_id()).api_update(params={"name": "After"}, batch=batch,
                                           success=lambda r: seen.append(r.json()))
    Campaign(campaign.get_id()).api_get(fields=["name", "status"], batch=batch, success=lambda r: seen.append(r.json()))
    assert batch.execute() is None
    assert seen == [{"success": True}, {"name": "After", "status": "PAUSED", "id": campaign.get_id()}]


def test_get_by_ids_reads_several_nodes_in_one_call(api, graphmock):
    """GRAPH-BEHAVIOUR 4: `?ids=a,b` answers {"a": {...}, "b": {...}}; the SDK sends it as GET /v26.0//?ids=."""
    account = AdAccount(graphmock.act)
    first = account.create_campaign(params={"name": "First", **GOOD}).get_id()
    second = account.create_campaign(params={"name": "Second", **GOOD}).get_id()
    read = Campaign.get_by_ids([first, second], fields=["name"])
    assert sorted((c.get_id(), c["name"]) for c in read) == sorted([(first, "First"), (second, "Second")])
    assert all(isinstance(c, Campaign) for c in read)

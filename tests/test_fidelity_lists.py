"""`fields` as a list and status `filtering` (issue 17 points 2 and 3).

Sources: issue 17 (the official SDK sends `fields=["a","b"]` as JSON for insights; a data-loading connector sends
Python's list repr `fields=['a', 'b']` on every list call against the live API); GRAPH-BEHAVIOUR 3.3-3.4 (M-STATUS:
"Query as edges with status filter: yes if the status filter contains ARCHIVED"; DELETED in the filter is an error).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import make_adset, make_campaign
from helpers_envelope import assert_graph_error
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

CAMPAIGN_FIELDS = ["name", "objective", "status", "effective_status", "configured_status", "buying_type",
                   "special_ad_categories", "created_time", "updated_time", "start_time", "account_id",
                   "adsets{name,status}", "adsets.limit(1){id}"]


@pytest.fixture(scope="module")
def shared() -> Any:
    c = InProcessClient(ServerConfig(seed=17))
    act = c.world["ad_account_id"]
    campaign = make_campaign(c, act, status="PAUSED")
    make_adset(c, act, c.world, campaign, status="PAUSED")
    yield c, act, campaign
    c.close()


def _forms(names: list[str]) -> list[str]:
    return [",".join(names), json.dumps(names), repr(names)]


@settings(max_examples=40)
@given(st.lists(st.sampled_from(CAMPAIGN_FIELDS), min_size=1, max_size=6, unique=True))
def test_comma_json_array_and_python_repr_give_identical_answers(shared, names):
    """Issue 17 point 2 (property): the three spellings of one field set read the same node and the same edge."""
    c, act, campaign = shared
    node = [c.get(campaign, params={"fields": form}) for form in _forms(names)]
    edge = [c.get(f"{act}/campaigns", params={"fields": form, "limit": "2"}) for form in _forms(names)]
    for answers in (node, edge):
        assert {r.status_code for r in answers} == {200}, [r.text for r in answers]
        first = answers[0].json()
        if "paging" in first:  # `next` links echo the param as sent
            for answer in answers:
                answer_body = answer.json()
                answer_body.pop("paging")
                assert answer_body["data"] == first["data"]
        else:
            assert all(r.json() == first for r in answers)


def test_connector_python_repr_on_a_list_call(shared):
    """Issue 17: `fields=['id', 'name']` (Python's repr, as a connector sends it daily) is not a syntax error."""
    c, act, campaign = shared
    body = c.get(f"{act}/campaigns", params={"fields": "['id', 'name']"}).json()
    assert {"id": campaign, "name": "Click to Instagram Campaign"} in body["data"]


@pytest.mark.parametrize("bad", ["[1, 2]", "['name',", "[{}]"])
def test_a_list_of_non_names_is_still_a_syntax_error(shared, bad):
    """GRAPH-BEHAVIOUR 4: a malformed `fields` answers Graph's 2500 syntax error."""
    c, _, campaign = shared
    assert_graph_error(c.get(campaign, params={"fields": bad}), 2500)


# -- status filtering ---------------------------------------------------------------------------------

def _filter(field: str, statuses: list[str], operator: str = "IN") -> str:
    return json.dumps([{"field": field, "operator": operator, "value": statuses}])


def test_filtering_on_effective_status_lists_archived_like_the_param(client, act):
    """Issue 17 / M-STATUS: `filtering=[{"field":"campaign.effective_status","operator":"IN","value":["ARCHIVED"]}]`
    returns the archived campaign, as `effective_status=["ARCHIVED"]` does."""
    archived = make_campaign(client, act, status="PAUSED")
    client.post(archived, data={"status": "ARCHIVED"})
    by_param = client.get(f"{act}/campaigns", params={"effective_status": '["ARCHIVED"]'}).json()["data"]
    for field in ("campaign.effective_status", "effective_status", "campaign.status", "campaign.configured_status"):
        by_filter = client.get(f"{act}/campaigns", params={"filtering": _filter(field, ["ARCHIVED"])}).json()["data"]
        assert by_filter == by_param == [{"id": archived}], field
    equal = json.dumps([{"field": "campaign.effective_status", "operator": "EQUAL", "value": "ARCHIVED"}])
    assert client.get(f"{act}/campaigns", params={"filtering": equal}).json()["data"] == [{"id": archived}]


def test_filtering_on_deleted_is_refused_like_the_param(client, act):
    """M-STATUS: a status filter containing DELETED is an error ("No if status filter does not contain DELETED,
    and error if it does")."""
    assert_graph_error(client.get(f"{act}/campaigns", params={"effective_status": '["DELETED"]'}), 100)
    assert_graph_error(client.get(f"{act}/campaigns",
                                  params={"filtering": _filter("campaign.effective_status", ["DELETED"])}), 100)


STATUS_SETS = st.lists(st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED"]), min_size=1, max_size=3, unique=True)


@settings(max_examples=25)
@given(campaigns=st.lists(st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED"]), min_size=1, max_size=4),
       adsets=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED"])), max_size=3),
       wanted=STATUS_SETS)
def test_filtering_and_the_effective_status_param_agree_on_random_worlds(campaigns, adsets, wanted):
    """Issue 17 point 3 (property): for any world of campaigns and ad sets (archived ones among them), the
    `filtering` form and the `effective_status` form list the same objects."""
    c = InProcessClient(ServerConfig(seed=3))
    try:
        act, world = c.world["ad_account_id"], c.world
        ids = []
        for status in campaigns:
            cid = make_campaign(c, act, status="PAUSED" if status == "ARCHIVED" else status)
            if status == "ARCHIVED":
                c.post(cid, data={"status": "ARCHIVED"})
            ids.append(cid)
        for index, status in adsets:
            parent = ids[index % len(ids)]
            if campaigns[index % len(ids)] == "ARCHIVED":
                continue  # an archived campaign takes no new ad sets
            sid = make_adset(c, act, world, parent, status="PAUSED" if status == "ARCHIVED" else status)
            if status == "ARCHIVED":
                c.post(sid, data={"status": "ARCHIVED"})
        for edge, prefix in (("campaigns", "campaign"), ("adsets", "adset")):
            by_param = c.get(f"{act}/{edge}", params={"effective_status": json.dumps(wanted), "limit": "50"})
            by_filter = c.get(f"{act}/{edge}", params={"filtering": _filter(f"{prefix}.effective_status", wanted),
                                                       "limit": "50"})
            assert by_param.status_code == by_filter.status_code == 200, by_filter.text
            assert by_param.json()["data"] == by_filter.json()["data"], (edge, wanted)
    finally:
        c.close()

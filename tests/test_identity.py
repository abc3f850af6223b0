"""Identity and discovery (issue 14 point 1; ACCOUNT-SURFACE 1): `me`, users, businesses, roles, permissions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import openapi

DEMO_USER = "1500000000000001"
SECOND = "GMDEMO-second-account-token"
DEMO_BUSINESS = "1300000000000001"
AGENCY = "1300000000000003"


def ids(body):
    return [row["id"] for row in body["data"]]


def test_me_is_the_tokens_user_with_id_and_name_by_default(client):
    """ACCOUNT-SURFACE 1.1: /me is the person whose token is used; 1.2: the default fields are id, name."""
    assert client.get("me").json() == {"name": "graphmock Demo User", "id": DEMO_USER}
    assert client.get("me", token=SECOND).json()["id"] == "1500000000000003"  # a system user's token: the system user


@pytest.mark.parametrize("token", [None, "1200000000000001|graphmock-demo-app-secret"])
def test_me_without_a_user_token_is_2500(client, token):
    """ACCOUNT-SURFACE 1.1 [WIRE]: no user -> 2500 'An active access token must be used ...', HTTP 400 [INFER]."""
    response = client.get("me", token=token)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (2500, "OAuthException")
    assert error["message"] == "An active access token must be used to query information about the current user."


def test_me_adaccounts_defaults_to_id_and_account_id_and_lists_only_granted_accounts(client):
    """ACCOUNT-SURFACE 1.2: the AdAccount defaults are id and account_id; the list is the token's reach."""
    body = client.get("me/adaccounts").json()
    assert body["data"] == [{"account_id": "1000000000000001", "id": "act_1000000000000001"}]
    assert ids(client.get("me/adaccounts", token="GMDEMO-ads-read-token").json()) == [
        "act_1000000000000001", "act_1000000000000011"]
    assert ids(client.get("me/adaccounts", token=SECOND).json()) == ["act_1000000000000011"]


def test_me_adaccounts_serves_the_fields_connectors_request(client):
    """ACCOUNT-SURFACE 1.2: the field list public clients request on /me/adaccounts, all served."""
    fields = ("name,account_id,account_status,currency,timezone_name,disable_reason,funding_source,amount_spent,"
              "spend_cap,business{id,name},user_tasks,balance,timezone_offset_hours_utc,min_daily_budget,capabilities")
    row = client.get("me/adaccounts", params={"fields": fields}).json()["data"][0]
    assert set(row) == set(fields.replace("business{id,name}", "business").split(",")) | {"id"}
    assert row["business"] == {"id": DEMO_BUSINESS, "name": "graphmock Demo Business"}
    assert row["user_tasks"] == ["MANAGE", "ADVERTISE", "ANALYZE"]
    assert row["timezone_offset_hours_utc"] in (-8.0, -7.0)
    assert isinstance(row["amount_spent"], str) and isinstance(row["spend_cap"], str)


def test_me_adaccounts_pages_with_graph_cursors(client):
    """GRAPH-BEHAVIOUR 3: cursor paging; next carries the token and the cursor."""
    first = client.get("me/adaccounts", token="GMDEMO-ads-read-token", params={"limit": 1, "summary": "true"}).json()
    assert len(first["data"]) == 1 and first["summary"] == {"total_count": 2}
    assert "access_token=GMDEMO-ads-read-token" in first["paging"]["next"]
    after = first["paging"]["cursors"]["after"]
    second = client.get("me/adaccounts", token="GMDEMO-ads-read-token", params={"limit": 1, "after": after}).json()
    assert ids(second) == ["act_1000000000000011"] and "next" not in second["paging"]
    assert "previous" in second["paging"]


def test_me_permissions_lists_the_grants(client):
    """ACCOUNT-SURFACE 1.2 (G-PERM): {"permission": "ads_management", "status": "granted"} rows; filters work."""
    body = client.get("me/permissions").json()
    assert {"permission": "ads_management", "status": "granted"} in body["data"]
    assert {row["permission"] for row in body["data"]} == {
        "ads_management", "pages_manage_ads", "pages_read_engagement", "pages_show_list"}
    one = client.get("me/permissions", params={"permission": "pages_show_list"}).json()["data"]
    assert one == [{"permission": "pages_show_list", "status": "granted"}]
    assert client.get("me/permissions", params={"status": "declined"}).json()["data"] == []


def test_me_needs_no_ads_permission_but_me_adaccounts_does(client):
    """Reading who you are is not an ad-object read; listing ad accounts is (GRAPH-BEHAVIOUR 1.3 code 200)."""
    assert client.get("me", token="GMDEMO-pages-only-token").status_code == 200
    assert client.get("me/adaccounts", token="GMDEMO-pages-only-token").json()["error"]["code"] == 200


def test_businesses_and_their_ad_accounts(client):
    """ACCOUNT-SURFACE 1.3: Business defaults id, name; owned_ad_accounts with summary.total_count; client accounts
    carry permitted_tasks."""
    assert client.get("me/businesses").json()["data"] == [{"name": "graphmock Demo Business", "id": DEMO_BUSINESS}]
    business = client.get(DEMO_BUSINESS, params={"fields": "name,verification_status,created_time"}).json()
    assert business["verification_status"] == "verified"
    owned = client.get(f"{DEMO_BUSINESS}/owned_ad_accounts", params={"summary": "true"}).json()
    assert ids(owned) == ["act_1000000000000001"] and owned["summary"] == {"total_count": 1}
    clients = client.get(f"{AGENCY}/client_ad_accounts", token=SECOND, params={"fields": "name,permitted_tasks"}).json()
    assert clients["data"] == [{"name": "graphmock Second Ad Account", "permitted_tasks": ["ADVERTISE", "ANALYZE"],
                                "id": "act_1000000000000011"}]


def test_owned_ad_accounts_lists_only_what_the_token_reaches(client):
    """Both tokens reach the demo business; each sees only its own granted accounts in it."""
    assert ids(client.get(f"{DEMO_BUSINESS}/owned_ad_accounts", token=SECOND).json()) == ["act_1000000000000011"]
    assert client.get(AGENCY).json()["error"]["error_subcode"] == 33  # the demo token never reaches the agency


def test_business_users_and_roles(client):
    """ACCOUNT-SURFACE 1.4: /me/business_users, one per business the person belongs to, with role."""
    rows = client.get("me/business_users").json()["data"]
    assert rows == [{"name": "graphmock Demo User", "business": {"id": DEMO_BUSINESS, "name": "graphmock Demo Business"},
                     "role": "ADMIN", "id": DEMO_USER}]
    people = client.get(f"{DEMO_BUSINESS}/business_users").json()["data"]
    assert {(p["name"], p["role"]) for p in people} >= {("graphmock Demo User", "ADMIN"), ("graphmock Analyst", "EMPLOYEE")}


def test_account_users_have_name_and_tasks_by_default(client, act):
    """ACCOUNT-SURFACE 1.4 (M-AAU): /act_<id>/users -> {id, name, tasks}; name and tasks are default."""
    rows = client.get(f"{act}/users").json()["data"]
    assert {"name": "graphmock Demo User", "tasks": ["MANAGE", "ADVERTISE", "ANALYZE"], "id": DEMO_USER} in rows
    assert {"name": "graphmock Analyst", "tasks": ["ANALYZE"], "id": "1500000000000002"} in rows


def test_assigned_users_requires_business_and_carries_tasks(client, act):
    """ACCOUNT-SURFACE 1.4 (M-ASSIGN): GET requires `business`; per-node tasks is the default field."""
    missing = client.get(f"{act}/assigned_users").json()["error"]
    assert (missing["code"], missing["message"]) == (100, "(#100) The parameter business is required")
    rows = client.get(f"{act}/assigned_users", params={"business": DEMO_BUSINESS}).json()["data"]
    assert {"tasks": ["MANAGE", "ADVERTISE", "ANALYZE"], "id": DEMO_USER} in rows
    full = client.get(f"{act}/assigned_users", params={"business": DEMO_BUSINESS,
                                                        "fields": "name,user_type,business,permitted_tasks"}).json()
    assert full["data"][0]["user_type"] == "BUSINESS_USER" and full["data"][0]["business"]["id"] == DEMO_BUSINESS


def test_user_tasks_on_the_account_is_the_callers(client, act):
    """ACCOUNT-SURFACE 1.4: AdAccount user_tasks is the caller's tasks [INFER]."""
    assert client.get(act, params={"fields": "user_tasks"}).json()["user_tasks"] == ["MANAGE", "ADVERTISE", "ANALYZE"]
    analyst = client.get(act, token="GMDEMO-ads-read-token", params={"fields": "user_tasks"}).json()
    assert analyst["user_tasks"] == ["ANALYZE"]


def test_discovery_nests_and_batches(client):
    """GRAPH-BEHAVIOUR 4 (nested edges) and 5 (batch) reach the same discovery edges."""
    body = client.get("me", params={"fields": "name,adaccounts.limit(1){name,campaigns{name}}"}).json()
    assert body["adaccounts"]["data"][0]["name"] == "graphmock Demo Ad Account"
    batch = client.post("", data={"batch": json.dumps([{"method": "GET", "relative_url": "me/adaccounts"},
                                                         {"method": "GET", "relative_url": "me?fields=name"}])}).json()
    assert [item["code"] for item in batch] == [200, 200]
    assert json.loads(batch[1]["body"])["name"] == "graphmock Demo User"


def test_discovery_params_are_in_the_contract(client):
    """Issue 14 point 7: the edges' params are schemas, so strict mode and the journal judge them with no extra code."""
    strict = {"X-Graphmock-Strict": "1"}
    error = client.get("me/adaccounts", params={"bogus": "1"}, headers=strict).json()["error"]
    assert "'bogus' is not a parameter of GET /<USER_ID>/adaccounts" in error["message"]
    assert client.get("me/permissions", params={"status": "granted"}, headers=strict).status_code == 200
    paths = openapi.build()["paths"]
    assert {"/{id}/adaccounts", "/act_{ad_account_id}/assigned_users", "/{id}/promotable_posts",
            "/{id}/previews", "/act_{ad_account_id}/connected_instagram_accounts_with_iabp"} <= set(paths)


@settings(max_examples=30)
@given(limit=st.integers(min_value=1, max_value=5),
       path=st.sampled_from(["me/permissions", "act_1000000000000001/users", "me/adaccounts"]),
       token=st.sampled_from(["GMDEMO-ads-management-token", "GMDEMO-ads-read-token"]))
def test_fixture_lists_page_forward_and_back_to_the_same_rows(client, limit, path, token):
    """GRAPH-BEHAVIOUR 3: following `after` visits every row once in order; `before` from the last page walks
    back over the same rows."""
    key = "permission" if path.endswith("permissions") else "id"
    everything = [r[key] for r in client.get(path, token=token, params={"limit": 100}).json()["data"]]
    seen, cursors, params = [], [], {"limit": limit}
    while True:
        body = client.get(path, token=token, params=params).json()
        seen += [r[key] for r in body["data"]]
        cursors.append(body["paging"].get("cursors", {}).get("before"))
        if "next" not in body["paging"]:
            break
        params = {"limit": limit, "after": body["paging"]["cursors"]["after"]}
    assert seen == everything
    back, before = [], cursors[-1]
    while before:
        body = client.get(path, token=token, params={"limit": limit, "before": before}).json()
        back = [r[key] for r in body["data"]] + back
        before = body["paging"]["cursors"]["before"] if "previous" in body["paging"] else None
    assert back + seen[len(back):] == everything


def test_declined_permissions_read_as_declined(client):
    """G-PERM: status is granted, declined or expired; a fixture token may list declined permissions."""
    from helpers_creatives import with_world

    def decline(document):
        document["users"][0]["tokens"][0]["declined_permissions"] = ["business_management"]
    with_world(client, decline)
    rows = client.get("me/permissions", params={"status": "declined"}).json()["data"]
    assert rows == [{"permission": "business_management", "status": "declined"}]
    assert client.get("me/businesses").status_code == 200


def test_a_two_factor_business_and_its_pages_need_a_passed_session(client):
    """GRAPH-BEHAVIOUR 1.3: 415/1404120 'accessing a 2fac-protected asset like a page that is owned by a
    2fac-protected business manager'; a session that passed two-factor (or a system user) reads them."""
    from helpers_creatives import with_world

    def protect(document):
        document["pages"][0]["business_id"] = "1300000000000002"
        for token in document["users"][0]["tokens"]:
            if token["access_token"].startswith("GMDEMO-two-factor"):
                token["pages"] = ["1100000000000001"]
    with_world(client, protect)
    for object_id in ("1300000000000002", "1100000000000001", "1100000000000001_1110000000000001", "17841400000000001"):
        error = client.get(object_id, token="GMDEMO-two-factor-token").json()["error"]
        assert (error["code"], error["error_subcode"]) == (415, 1404120), object_id
        assert client.get(object_id, token="GMDEMO-two-factor-passed-token").status_code == 200
    assert client.get("1100000000000001/posts", token="GMDEMO-two-factor-token").json()["error"]["code"] == 415

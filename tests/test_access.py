"""Tokens, permissions, app tier, two-factor businesses, appsecret_proof and account isolation (issue 5 points 1-2).

Every documented error is checked as the Python SDK's FacebookRequestError sees it (code, subcode, message,
is_transient, type) plus the HTTP status. Tokens and accounts are the access worlds of fixtures/demo.json.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import httpx
import pytest
from facebook_business.exceptions import FacebookRequestError
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_envelope import assert_graph_error, explanation
from mock_server.access.policy import appsecret_proof
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

SECOND_ACT = "act_1000000000000011"  # not a test account
TWO_FACTOR_ACT = "act_1000000000000021"
SECOND_ACCOUNT_TOKEN = "GMDEMO-second-account-token"
ADS_READ_TOKEN = "GMDEMO-ads-read-token"
CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def assert_sdk_error(response: httpx.Response, code: int, subcode: int | None, *, status: int, type_: str = "OAuthException",
              message: str | None = None, transient: bool = False) -> FacebookRequestError:
    """The response as the Python SDK reports it, checked field by field (and against the envelope schema)."""
    assert_graph_error(response, code, subcode, status=status)
    error = FacebookRequestError("Call was not successful", {"method": response.request.method},
                                 response.status_code, response.headers, response.text)
    assert error.http_status() == status
    assert (error.api_error_code(), error.api_error_subcode()) == (code, subcode)
    assert error.api_error_type() == type_
    assert error.api_transient_error() is transient
    if message is not None:
        assert error.api_error_message() == message, error.api_error_message()
    return error


def new_campaign(client: InProcessClient, act: str, token: Any = ..., **extra: str) -> str:
    response = client.post(f"{act}/campaigns", data={**CAMPAIGN, **extra}, token=token)
    assert response.status_code == 200, response.text
    return response.json()["id"]


# -- the token ---------------------------------------------------------------------------------------
def test_no_token_is_104(client, act):
    """GRAPH-BEHAVIOUR 1.3: no token -> 104 'An access token is required to request this resource.' (HTTP 400)."""
    response = client.get(act, token=None)
    assert_sdk_error(response, 104, None, status=400, message="An access token is required to request this resource.")
    assert response.headers["www-authenticate"].startswith('OAuth "Facebook Platform" "invalid_token"')


@pytest.mark.parametrize("token,message", [
    ("not a token!", "Invalid OAuth access token - Cannot parse access token"),
    ("GMDEMO-no-such-token", "Invalid OAuth access token data."),
])
def test_malformed_or_unknown_token_is_190(client, act, token, message):
    """GRAPH-BEHAVIOUR 1.3: a bad token -> 190 (OAuthException, HTTP 400), no subcode."""
    assert_sdk_error(client.get(act, token=token), 190, None, status=400, message=message)


def test_expired_token_is_190_463_on_the_virtual_clock(client, act):
    """GRAPH-BEHAVIOUR 1.3: expired -> 190/463 'Error validating access token: Session has expired on
    Thursday, 30-Apr-26 21:00:00 PDT...'. Expiry compares expires_at with the virtual clock."""
    expires_at = 1767225600  # GMDEMO-expired-token: 2026-01-01T00:00:00Z
    client.state.clock.freeze(expires_at - 60)
    assert client.get(act, token="GMDEMO-expired-token").status_code == 200
    client.state.clock.advance(3600)
    error = assert_sdk_error(client.get(act, token="GMDEMO-expired-token"), 190, 463, status=400)
    assert error.api_error_message() == ("Error validating access token: Session has expired on Wednesday, "
                                         "31-Dec-25 16:00:00 PST. The current time is Wednesday, 31-Dec-25 16:59:00 PST.")
    assert re.fullmatch(r"Error validating access token: Session has expired on \w+day, \d\d-\w{3}-\d\d "
                        r"\d\d:\d\d:\d\d P[SD]T\. The current time is .+\.", error.api_error_message())


def test_appsecret_proof_required_by_the_app(client, act):
    """An app with require_appsecret_proof: missing -> 'API calls from the server require an appsecret_proof
    argument', wrong -> 'Invalid appsecret_proof provided in the API argument' (GraphMethodException 100, HTTP 400);
    the right one is the hex HMAC-SHA256 of the token keyed with the app secret."""
    token = "GMDEMO-proof-app-token"
    assert_sdk_error(client.get(act, token=token), 100, None, status=400, type_="GraphMethodException",
              message="API calls from the server require an appsecret_proof argument")
    assert_sdk_error(client.get(act, token=token, params={"appsecret_proof": "0" * 64}), 100, None, status=400,
              type_="GraphMethodException", message="Invalid appsecret_proof provided in the API argument")
    proof = appsecret_proof(token, "graphmock-proof-app-secret")
    assert client.get(act, token=token, params={"appsecret_proof": proof}).json() == {"id": act}
    assert client.post(f"{act}/campaigns", token=token, params={"appsecret_proof": proof}, data=CAMPAIGN).status_code == 200


def test_a_wrong_proof_is_ignored_when_the_app_does_not_require_one(client, act):
    """The demo app does not require appsecret_proof; SDK-computed proofs with another secret still work."""
    assert client.get(act, params={"appsecret_proof": "x" * 64}).status_code == 200


# -- permissions -------------------------------------------------------------------------------------
def test_reading_without_ads_permissions_is_200(client, act):
    """Seed 004 'Permissions error' (code 200, HTTP 403): a token with neither ads_read nor ads_management."""
    assert_sdk_error(client.get(f"{act}/campaigns", token="GMDEMO-pages-only-token"), 200, None, status=403,
              message="(#200) Ad account owner has NOT grant ads_management or ads_read permission")


def test_ads_read_reads_but_cannot_write(client, act):
    """'(#200) Requires ads_management permission to manage the object' (403) for every write by an ads_read
    token (create, update, delete, bulk delete); its reads work and nothing changes."""
    campaign = new_campaign(client, act, name="kept")
    assert client.get(campaign, token=ADS_READ_TOKEN, params={"fields": "name"}).json() == {"name": "kept", "id": campaign}
    message = "(#200) Requires ads_management permission to manage the object"
    writes = [client.post(f"{act}/campaigns", token=ADS_READ_TOKEN, data=CAMPAIGN),
              client.post(campaign, token=ADS_READ_TOKEN, data={"name": "changed"}),
              client.delete(campaign, token=ADS_READ_TOKEN),
              client.delete(f"{act}/campaigns", token=ADS_READ_TOKEN, params={"delete_strategy": "DELETE_ANY"})]
    for response in writes:
        error = assert_sdk_error(response, 200, None, status=403, message=message)
        assert "error_user_msg" not in error.body()["error"]  # a simple (#200) envelope (GRAPH-BEHAVIOUR 1.3)
    assert "ads_management" in explanation(client)  # graphmock's explanation lives in the journal
    assert client.get(campaign, params={"fields": "name,status"}).json() == {"name": "kept", "status": "PAUSED",
                                                                            "id": campaign}
    assert len(client.get(f"{act}/campaigns").json()["data"]) == 1


def test_a_creative_needs_pages_manage_ads(client, act, world):
    """Seed 000 lists pages_manage_ads: a creative speaks for a Page, so ads_management alone is not enough."""
    document = copy.deepcopy(client.state.fixtures_document)
    token = dict(document["users"][0]["tokens"][0], access_token="GMTEST-no-pages-token",
                 permissions=["ads_management", "pages_read_engagement"])
    document["users"][0]["tokens"].append(token)
    client.state.load_fixtures(document)
    spec = {"page_id": world["page_id"], "link_data": {"link": "https://example.com", "message": "m"}}
    response = client.post(f"{act}/adcreatives", token="GMTEST-no-pages-token",
                           data={"name": "cr", "object_story_spec": json.dumps(spec)})
    assert_sdk_error(response, 200, None, status=403, message="(#200) Requires pages_manage_ads permission to manage the object")


# -- app tier, two-factor business -------------------------------------------------------------------
def test_development_tier_app_on_a_real_account_is_270(client, act):
    """GRAPH-BEHAVIOUR 1.3: '(#270) Development access is not allowed to access business API ...'; a
    development-tier app may use test accounts only."""
    token = "GMDEMO-dev-app-token"
    error = assert_sdk_error(client.get(f"{SECOND_ACT}/campaigns", token=token), 270, None, status=403,
                      message="(#270) Development access is not allowed to access business API get:AdAccount/campaigns.")
    assert "development access level" in explanation(client)
    assert_sdk_error(client.post(f"{SECOND_ACT}/campaigns", token=token, data=CAMPAIGN), 270, None, status=403,
              message="(#270) Development access is not allowed to access business API post:AdAccount/campaigns.")
    assert client.get(f"{act}/campaigns", token=token).status_code == 200  # the demo account is a test account


def test_two_factor_business_is_415(client):
    """Seed 004: 415 'Two factor authentication required. User have to enter a code from SMS or TOTP code
    generator to pass 2fac. ...' for an account of a 2FA-protected business, until the session passed 2FA."""
    message = ("Two factor authentication required. User have to enter a code from SMS or TOTP code generator to "
               "pass 2fac. This could happen when accessing a 2fac-protected asset like a page that is owned by a "
               "2fac-protected business manager.")
    assert_sdk_error(client.get(TWO_FACTOR_ACT, token="GMDEMO-two-factor-token"), 415, 1404120, status=400, message=message)
    assert_sdk_error(client.post(f"{TWO_FACTOR_ACT}/campaigns", token="GMDEMO-two-factor-token", data=CAMPAIGN), 415, 1404120,
              status=400, message=message)
    assert client.get(TWO_FACTOR_ACT, token="GMDEMO-two-factor-passed-token").json() == {"id": TWO_FACTOR_ACT}


def test_system_user_tokens_skip_two_factor(client):
    """System users cannot pass 2FA; their tokens work on a 2FA business's accounts (graphmock's choice)."""
    document = copy.deepcopy(client.state.fixtures_document)
    system = next(u for u in document["users"] if u.get("system_user"))
    system["tokens"][0]["ad_accounts"].append(TWO_FACTOR_ACT)
    client.state.load_fixtures(document)
    assert client.get(TWO_FACTOR_ACT, token=SECOND_ACCOUNT_TOKEN).json() == {"id": TWO_FACTOR_ACT}


# -- versions ----------------------------------------------------------------------------------------
WARNING = "x-ad-api-version-warning"


def test_the_version_deprecated_last_is_auto_upgraded_with_a_warning(client, act):
    """GRAPH-BEHAVIOUR 12 (M-VER): calls to a deprecated version on endpoints not affected by the next version
    are upgraded and answered with 'X-Ad-Api-Version-Warning: The call has been auto-upgraded to vXXX as vXXX
    has been deprecated'. Served on 2026-12-05 (schemas/rules/versions.json): v25.0-v27.0, so v24.0 (expired
    2026-11-10) is served as v25.0 and the 2635 message names v27.0 (issue 17, Marketing API changelog)."""
    response = client.get(f"/v24.0/{act}", params={"fields": "name"})
    assert response.status_code == 200 and response.json()["id"] == act
    assert response.headers[WARNING] == "The call has been auto-upgraded to v25.0 as v24.0 has been deprecated"
    assert response.headers["facebook-api-version"] == "v25.0"
    assert client.post(f"/v24.0/{act}/campaigns", data=CAMPAIGN).status_code == 200
    assert WARNING not in client.get(f"/v25.0/{act}").headers
    error = assert_sdk_error(client.get(f"/v23.0/{act}"), 2635, None, status=400)
    assert error.api_error_message() == ("(#2635) You are calling a deprecated version of the Ads API. "
                                         "Please update to the latest version: v27.0.")


def test_affected_endpoints_and_apps_without_auto_upgrade_get_2635(client, act):
    """M-VER: endpoints the next version changed fail instead (documented: POST /act_{id}/adsets and
    POST /{adset-id} at v18); the app dashboard can switch auto-upgrade off."""
    old = InProcessClient(ServerConfig(seed=1, versions=("v19.0", "v20.0")))
    assert old.get(f"/v18.0/{act}").headers[WARNING] == ("The call has been auto-upgraded to v19.0 as v18.0 has "
                                                        "been deprecated")
    assert_sdk_error(old.post(f"/v18.0/{act}/adsets", data={"name": "s"}), 2635, None, status=400,
              message="(#2635) You are calling a deprecated version of the Ads API. Please update to the latest "
                      "version: v20.0.")
    old.close()
    document = copy.deepcopy(client.state.fixtures_document)
    document["apps"][0]["version_auto_upgrade"] = False
    client.state.load_fixtures(document)
    assert_sdk_error(client.get(f"/v24.0/{act}"), 2635, None, status=400)


# -- isolation ---------------------------------------------------------------------------------------
def _same_as_missing(client: InProcessClient, response: httpx.Response, object_id: str, missing_id: str,
                     request: Any) -> None:
    """A foreign object's error is byte for byte the error for an id that does not exist."""
    other = request(missing_id)
    assert response.status_code == other.status_code == 400
    mine, theirs = response.json()["error"], other.json()["error"]
    mine.pop("fbtrace_id"), theirs.pop("fbtrace_id")
    assert json.loads(json.dumps(theirs).replace(missing_id, object_id)) == mine
    assert mine["code"] == 100 and mine["error_subcode"] == 33


def test_objects_of_another_account_are_invisible_and_untouchable(client, act):
    """GRAPH-BEHAVIOUR 1.3 'Object with ID ... does not exist, cannot be loaded due to missing permissions':
    a token sees only its ad accounts; read, update, delete and edges of another account's campaign answer
    exactly like a missing id, and nothing changes."""
    theirs = new_campaign(client, SECOND_ACT, token=SECOND_ACCOUNT_TOKEN, name="theirs")
    missing = str(int(theirs) + 10**6)
    _same_as_missing(client, client.get(theirs, params={"fields": "name"}), theirs, missing,
                     lambda i: client.get(i, params={"fields": "name"}))
    _same_as_missing(client, client.post(theirs, data={"name": "mine now"}), theirs, missing,
                     lambda i: client.post(i, data={"name": "mine now"}))
    _same_as_missing(client, client.delete(theirs), theirs, missing, lambda i: client.delete(i))
    _same_as_missing(client, client.get(f"{theirs}/adsets"), theirs, missing, lambda i: client.get(f"{i}/adsets"))
    _same_as_missing(client, client.get(f"{SECOND_ACT}/campaigns"), SECOND_ACT, "act_1999999999999999",
                     lambda i: client.get(f"{i}/campaigns"))
    _same_as_missing(client, client.post(f"{SECOND_ACT}/campaigns", data=CAMPAIGN), SECOND_ACT,
                     "act_1999999999999999", lambda i: client.post(f"{i}/campaigns", data=CAMPAIGN))
    _same_as_missing(client, client.get("", params={"ids": f"{theirs}"}), theirs, missing,
                     lambda i: client.get("", params={"ids": i}))
    owner = client.get(theirs, token=SECOND_ACCOUNT_TOKEN, params={"fields": "name,status"}).json()
    assert owner == {"name": "theirs", "status": "PAUSED", "id": theirs}
    assert client.get(f"{SECOND_ACT}/campaigns", token=SECOND_ACCOUNT_TOKEN).json()["data"] == [{"id": theirs}]


def test_nested_expansion_and_edges_show_own_objects_only(client, act):
    """Field expansion (`campaigns{name}`) and list edges list the token's account only."""
    mine = new_campaign(client, act, name="mine")
    new_campaign(client, SECOND_ACT, token=SECOND_ACCOUNT_TOKEN, name="theirs")
    body = client.get(act, params={"fields": "name,campaigns{name}"}).json()
    assert body["campaigns"]["data"] == [{"name": "mine", "id": mine}]
    assert [c["id"] for c in client.get(f"{act}/campaigns").json()["data"]] == [mine]


def test_ad_set_under_another_accounts_campaign_is_refused_like_a_missing_one(client, act, world):
    """campaign_id of another account: the same answer as a campaign id that does not exist."""
    theirs = new_campaign(client, SECOND_ACT, token=SECOND_ACCOUNT_TOKEN, objective="OUTCOME_ENGAGEMENT")
    missing = str(int(theirs) + 10**6)

    def create(campaign_id: str) -> httpx.Response:
        return client.post(f"{act}/adsets", data={
            "name": "s", "campaign_id": campaign_id, "billing_event": "IMPRESSIONS", "daily_budget": "5000",
            "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "destination_type": "INSTAGRAM_DIRECT",
            "optimization_goal": "CONVERSATIONS", "promoted_object": json.dumps({"page_id": world["page_id"]}),
            "status": "PAUSED", "targeting": json.dumps({"geo_locations": {"countries": ["US"]}})})
    mine, other = create(theirs), create(missing)
    assert mine.status_code == other.status_code and mine.status_code >= 400
    strip = [mine.json()["error"], other.json()["error"]]
    for error in strip:  # error_user_msg is graphmock's own help text (it names the other account for now)
        error.pop("fbtrace_id"), error.pop("error_user_msg", None)
    assert json.loads(json.dumps(strip[1]).replace(missing, theirs)) == strip[0]
    assert client.get(f"{SECOND_ACT}/adsets", token=SECOND_ACCOUNT_TOKEN).json()["data"] == []


# -- isolation as a property --------------------------------------------------------------------------
PROP_ACTS = ("act_2000000000000001", "act_2000000000000002")
MISSING_ACT = "act_2999999999999999"
MISSING_ID = "999999999999999999"
PERMISSIONS = ["ads_management", "ads_read", "pages_manage_ads", "pages_read_engagement", "pages_show_list",
               "business_management"]


def _two_account_world(base: dict[str, Any], grants: list[tuple[list[str], list[str]]]) -> dict[str, Any]:
    """The demo app and page, two test ad accounts, an admin token on both and one token per grant."""
    document = copy.deepcopy(base)
    template = dict(document["ad_accounts"][0], business_id="1300000000000001", is_test_account=True)
    document["ad_accounts"] = [dict(template, id=act, name=act) for act in PROP_ACTS]
    token = {"app_id": "1200000000000001", "pages": ["1100000000000001"], "expires_at": None}
    tokens = [dict(token, access_token="GMPROP-admin", permissions=PERMISSIONS, ad_accounts=list(PROP_ACTS))]
    tokens += [dict(token, access_token=f"GMPROP-{i}", permissions=perms, ad_accounts=accounts)
               for i, (accounts, perms) in enumerate(grants)]
    document["users"] = [{"id": "1500000000000009", "name": "property user", "tokens": tokens}]
    return document


def _adset_form(campaign_id: str) -> dict[str, str]:
    return {"name": "s", "campaign_id": campaign_id, "billing_event": "IMPRESSIONS", "daily_budget": "5000",
            "bid_strategy": "LOWEST_COST_WITHOUT_CAP", "destination_type": "INSTAGRAM_DIRECT",
            "optimization_goal": "CONVERSATIONS", "promoted_object": '{"page_id":"1100000000000001"}',
            "status": "PAUSED", "targeting": '{"geo_locations":{"countries":["US"]}}'}


# (method, path, params): {X} is a foreign object (campaign, ad set or ad account), {OWN} the token's account
PROBES = [
    ("GET", "{X}", {"fields": "name,status,account_id"}),
    ("GET", "{X}", {"fields": "adsets{name,campaign{name}},campaigns{name}"}),
    ("POST", "{X}", {"name": "hijacked", "status": "ACTIVE"}),
    ("DELETE", "{X}", {}),
    ("GET", "{X}/adsets", {"fields": "name"}),
    ("GET", "{X}/campaigns", {"fields": "name", "summary": "true"}),
    ("POST", "{X}/campaigns", CAMPAIGN),
    ("DELETE", "{X}/campaigns", {"delete_strategy": "DELETE_ANY"}),
    ("GET", "", {"ids": "{OWN},{X}", "fields": "name"}),
    ("POST", "{OWN}/adsets", _adset_form("{X}")),
    ("POST", "", {"batch": json.dumps([{"method": "GET", "relative_url": "{X}?fields=name"},
                                       {"method": "POST", "relative_url": "{X}", "body": "name=hijacked"},
                                       {"method": "GET", "relative_url": "{OWN}/campaigns?fields=name"}])}),
]


def _fill(value: Any, x: str, own: str) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, x, own) for k, v in value.items()}
    return value.replace("{X}", x).replace("{OWN}", own) if isinstance(value, str) else value


def _comparable(response: httpx.Response, replace: tuple[str, str] | None = None) -> Any:
    """Status and body without trace ids and graphmock's help text (error_user_msg); batch bodies decoded."""
    text = response.text if replace is None else response.text.replace(*replace)
    body = json.loads(text)

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in ("fbtrace_id", "error_user_msg", "headers")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    if isinstance(body, list):
        body = [e if e is None else {**e, "body": json.loads(e["body"])} for e in body]
    return response.status_code, clean(body)


@pytest.fixture(scope="module")
def shared() -> Any:
    """One server for all examples: each example loads its own world (a reset)."""
    c = InProcessClient()
    demo = copy.deepcopy(c.state.fixtures_document)
    yield c, demo
    c.close()

GRANTS = st.tuples(st.sampled_from([[], [PROP_ACTS[0]], [PROP_ACTS[1]]]),
                   st.lists(st.sampled_from(PERMISSIONS), unique=True))


@settings(max_examples=60)
@given(grants=st.lists(GRANTS, min_size=1, max_size=3), data=st.data())
def test_no_token_sees_or_changes_an_account_it_may_not_use(shared, grants, data):
    """For random worlds of two accounts and tokens with random grants: every request on another account's
    campaign, ad set or the account itself (reads, field expansion, edges, writes, ids=, batch, ad set under its
    campaign) answers exactly like a missing id, never shows its objects, and changes nothing there."""
    client, demo = shared
    client.state.load_fixtures(_two_account_world(demo, grants))
    objects: dict[str, list[str]] = {}
    for act in PROP_ACTS:
        campaign = new_campaign(client, act, token="GMPROP-admin", objective="OUTCOME_ENGAGEMENT")
        adset = client.post(f"{act}/adsets", token="GMPROP-admin", data=_adset_form(campaign))
        assert adset.status_code == 200, adset.text
        objects[act] = [act, campaign, adset.json()["id"]]
    before = [o for o in client.state.store.dump()["objects"]]
    index = data.draw(st.integers(0, len(grants) - 1), label="token")
    accounts, _ = grants[index]
    token = f"GMPROP-{index}"
    own = accounts[0] if accounts else PROP_ACTS[0]
    foreign = [act for act in PROP_ACTS if act not in accounts]
    for _ in range(data.draw(st.integers(1, 4), label="probes")):
        act = data.draw(st.sampled_from(foreign), label="foreign account")
        target = data.draw(st.sampled_from(objects[act]), label="target")
        method, path, params = data.draw(st.sampled_from(PROBES), label="probe")
        missing = MISSING_ACT if target.startswith("act_") else MISSING_ID

        def send(x: str) -> httpx.Response:
            filled = _fill(params, x, own)
            url = _fill(path, x, own) or "/v25.0/"
            if method == "GET":
                return client.get(url, token=token, params=filled)
            if method == "DELETE":
                return client.delete(url, token=token, params=filled)
            return client.post(url, token=token, data=filled)
        response, reference = send(target), send(missing)
        assert _comparable(response) == _comparable(reference, (missing, target)), (method, path)
        hidden = [o for o in objects[act] if o != act]
        for header, value in response.headers.items():
            assert act.removeprefix("act_") not in value, header
        if response.status_code == 200 and not isinstance(response.json(), list):
            assert not any(o in response.text for o in hidden), response.text
    after = client.state.store.dump()["objects"]
    for act in foreign:
        digits = act.removeprefix("act_")
        assert [o for o in after if o["account_id"] == digits] == [o for o in before if o["account_id"] == digits]

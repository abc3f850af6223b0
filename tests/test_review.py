"""The ad review state machine (GRAPH-BEHAVIOUR 6.4; seed 000 "effective_status will be PENDING_REVIEW. Once
approved, the status will automatically update to ACTIVE") and the reviews control endpoints.

Domain rules are tested on records; the HTTP publishing sequence is in test_lifecycle_state_machine.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import GraphMock
from mock_server.domain import review
from mock_server.domain.review import ReviewPolicy
from mock_server.domain.status import derive
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError
from test_control_api import assert_control_error

T0 = 1_767_225_600.0
AFTER = ReviewPolicy.from_layers()  # review.json default: after 300 s
IMMEDIATE = ReviewPolicy.from_layers({"mode": "immediate"})
MANUAL = ReviewPolicy.from_layers({"mode": "manual"})


def ad(status: str = "ACTIVE", ad_id: int = 1, account: str = "1000000000000001", **data) -> Record:
    return Record(id=ad_id, type="Ad", account_id=account, status=status, data={"name": "ad", "status": status, **data})


def effective(record: Record, now: float, campaign: str = "ACTIVE", adset: str = "ACTIVE") -> str:
    return derive(record.status, campaign, adset, review.state(record, now)[0])


# -- policy ---------------------------------------------------------------------------------------
def test_default_policy_is_the_rule_table():
    """review.json: mode after, 300 s on the virtual clock, approve unless a banned term matches."""
    assert AFTER.mode == "after" and AFTER.delay_seconds == 300 and AFTER.outcome == "APPROVED"
    assert [t.term for t in AFTER.banned_terms] == ["graphmock-disapprove", "miracle cure"]


def test_policy_layers_merge_key_by_key_and_validate():
    merged = ReviewPolicy.from_layers({"mode": "manual"}, {"delay_seconds": 10}, None, {"banned_terms": ["x"]})
    assert (merged.mode, merged.delay_seconds, [t.term for t in merged.banned_terms]) == ("manual", 10, ["x"])
    assert merged.banned_terms[0].reason == "The ad text contains the banned term 'x'."
    for bad, message in [({"mode": "never"}, "mode must be one of"), ({"delay_seconds": "5"}, "delay_seconds"),
                         ({"outcome": "ACTIVE"}, "outcome must be one of"), ({"banned_terms": [3]}, "banned term"),
                         ({"whatever": 1}, "unknown review policy key")]:
        with pytest.raises(review.PolicyError, match=message):
            ReviewPolicy.from_layers(bad)


# -- submission and the lazy decision ---------------------------------------------------------------
def test_after_policy_pending_until_the_delay_has_passed_on_the_clock():
    record = ad()
    review.on_create(record, T0, AFTER, ["Great shoes"])
    assert effective(record, T0) == "PENDING_REVIEW"
    assert effective(record, T0 + 299.999) == "PENDING_REVIEW"
    assert effective(record, T0 + 300) == "ACTIVE"
    assert review.state(record, T0 + 300) == (None, {})
    assert effective(record, T0 + 10) == "PENDING_REVIEW"  # derived from the clock, never stored stale


def test_immediate_and_manual_policies():
    now_decided, waiting = ad(), ad(ad_id=2)
    review.submit(now_decided, T0, IMMEDIATE, [])
    review.submit(waiting, T0, MANUAL, [])
    assert effective(now_decided, T0) == "ACTIVE"
    assert effective(waiting, T0 + 10**9) == "PENDING_REVIEW"
    review.decide(waiting, T0 + 5, review.APPROVED)
    assert effective(waiting, T0 + 5) == "ACTIVE"


def test_banned_term_disapproves_with_feedback_and_issues_info():
    """A banned term in the creative text -> DISAPPROVED, ad_review_feedback {"global": {policy: reason}}, issues_info."""
    record = ad()
    texts = review.creative_texts({"object_story_spec": {"link_data": {"message": "Try this MIRACLE CURE today"}}})
    review.submit(record, T0, AFTER, texts)
    assert effective(record, T0) == "PENDING_REVIEW"
    own, fields = review.state(record, T0 + 300)
    assert own == "DISAPPROVED" and effective(record, T0 + 300) == "DISAPPROVED"
    reason = "Ads must not make unrealistic health claims such as 'miracle cure'."
    assert fields == {
        "ad_review_feedback": {"global": {"Health and Wellness": reason}},
        "issues_info": [{"level": "AD", "error_code": 2490427, "error_summary": "Ad rejected",
                         "error_type": "HARD_ERROR", "error_message": reason}],
    }


def test_outcome_disapproved_policy_uses_the_default_reason():
    record = ad()
    review.submit(record, T0, ReviewPolicy.from_layers({"mode": "immediate", "outcome": "DISAPPROVED"}), [])
    own, fields = review.state(record, T0)
    assert own == "DISAPPROVED"
    assert fields["ad_review_feedback"] == {"global": {"Advertising Policies":
                                                       "Your ad was rejected because it doesn't comply with our Advertising Policies."}}


def test_creative_texts_reads_text_keys_at_any_depth_only():
    creative = {"name": "miracle cure internal name", "object_story_spec": {"page_id": "1", "link_data": {
        "message": "m", "link": "https://miracle-cure.example", "call_to_action": {"type": "SHOP_NOW"}}},
        "asset_feed_spec": {"bodies": [{"text": "b1"}, {"text": "b2"}], "titles": [{"text": "t"}]}, "body": "top"}
    assert sorted(review.creative_texts(creative)) == ["b1", "b2", "m", "t", "top"]


# -- what triggers review (GRAPH-BEHAVIOUR 6.4 re-review triggers) ---------------------------------
def test_created_paused_is_not_reviewed_until_activated():
    """Seed 000: ad created PAUSED -> POST status=ACTIVE -> PENDING_REVIEW."""
    record = ad("PAUSED")
    review.on_create(record, T0, AFTER, [])
    assert "review" not in record.data and effective(record, T0) == "PAUSED"
    record.status = "ACTIVE"
    review.on_update(record, "PAUSED", ["status"], T0 + 60, AFTER, [])
    assert effective(record, T0 + 60) == "PENDING_REVIEW"
    assert effective(record, T0 + 360) == "ACTIVE"


def test_approval_survives_pause_and_resume():
    record = ad()
    review.on_create(record, T0, IMMEDIATE, [])
    record.status = "PAUSED"
    review.on_update(record, "ACTIVE", ["status"], T0 + 1, AFTER)
    record.status = "ACTIVE"
    review.on_update(record, "PAUSED", ["status"], T0 + 2, AFTER)
    assert effective(record, T0 + 2) == "ACTIVE"


def test_creative_edit_of_an_active_ad_goes_back_to_review():
    """M-BP: "Any changes to your creative ... " trigger review."""
    record = ad()
    review.on_create(record, T0, IMMEDIATE, ["old"])
    review.on_update(record, "ACTIVE", ["creative"], T0 + 10, AFTER, ["new"])
    assert effective(record, T0 + 10) == "PENDING_REVIEW"
    assert effective(record, T0 + 310) == "ACTIVE"


def test_creative_edit_while_paused_drops_the_approval():
    record = ad()
    review.on_create(record, T0, IMMEDIATE, [])
    record.status = "PAUSED"
    review.on_update(record, "ACTIVE", ["status", "creative"], T0 + 1, AFTER, [])
    assert effective(record, T0 + 1) == "PAUSED"
    record.status = "ACTIVE"
    review.on_update(record, "PAUSED", ["status"], T0 + 2, AFTER)
    assert effective(record, T0 + 2) == "PENDING_REVIEW"


def test_bid_budget_schedule_and_name_edits_do_not_trigger_review():
    """M-BP: "Changes to bid amount, budget, and ad set schedule will not have any effect on the review status."""
    table = review.table()
    for node_type, fields in table["no_review_on"].items():
        assert not review.resubmits(node_type, fields), node_type
    assert review.resubmits("AdSet", ["targeting"]) and review.resubmits("AdSet", ["optimization_goal"])
    assert review.resubmits("AdSet", ["billing_event"]) and review.resubmits("Ad", ["creative"])
    record = ad()
    review.on_create(record, T0, IMMEDIATE, [])
    review.on_update(record, "ACTIVE", ["name", "bid_amount"], T0 + 1, AFTER)
    assert effective(record, T0 + 1) == "ACTIVE"


def test_re_enabling_a_disapproved_ad_fails_like_graph():
    """M-ERR 2490427: "Your ad has been rejected in its latest review and is currently disabled..." """
    record = ad()
    review.on_create(record, T0, IMMEDIATE, ["graphmock-disapprove"])
    record.status = "PAUSED"
    review.on_update(record, "ACTIVE", ["status"], T0 + 1, AFTER)
    record.status = "ACTIVE"
    with pytest.raises(GraphError) as caught:
        review.on_update(record, "PAUSED", ["status"], T0 + 2, AFTER)
    envelope = caught.value.envelope("t")["error"]
    assert (envelope["code"], envelope["error_subcode"]) == (100, 2490427)
    assert envelope["error_user_msg"].startswith("Your ad has been rejected in its latest review")
    assert envelope["error_data"] == '{"blame_field_specs":[["status"]]}'
    # a creative change is the way out: it goes back to review
    review.on_update(record, "PAUSED", ["status", "creative"], T0 + 3, AFTER, ["fixed text"])
    assert effective(record, T0 + 3) == "PENDING_REVIEW"


def test_terminal_statuses_are_not_reviewed_and_parents_take_precedence():
    """GRAPH-BEHAVIOUR 6.2: own/inherited ARCHIVED/DELETED, own PAUSED, CAMPAIGN_PAUSED, ADSET_PAUSED, then review."""
    record = ad()
    review.on_create(record, T0, AFTER, [])
    assert effective(record, T0, campaign="PAUSED") == "CAMPAIGN_PAUSED"
    assert effective(record, T0, adset="PAUSED") == "ADSET_PAUSED"
    assert effective(record, T0, campaign="ARCHIVED") == "ARCHIVED"
    record.status = "DELETED"
    review.on_update(record, "ACTIVE", ["status", "creative"], T0 + 1, AFTER)
    assert effective(record, T0 + 1) == "DELETED"


# -- manual decisions and jumps ---------------------------------------------------------------------
def test_manual_disapproval_keeps_a_banned_term_reason_unless_one_is_given():
    proposed, overridden = ad(), ad(ad_id=2)
    for record in (proposed, overridden):
        review.submit(record, T0, MANUAL, ["graphmock-disapprove"])
        assert review.describe(record, T0)["outcome"] == "DISAPPROVED"  # the proposal
    review.decide(proposed, T0, review.DISAPPROVED)
    review.decide(overridden, T0, review.DISAPPROVED, reason="Misleading", policy_name="Misinformation")
    assert review.state(proposed, T0)[1]["ad_review_feedback"]["global"] == {
        "Test Disapproval": "The ad text contains the graphmock test term 'graphmock-disapprove'."}
    assert review.state(overridden, T0)[1]["ad_review_feedback"]["global"] == {"Misinformation": "Misleading"}


@pytest.mark.parametrize("target,reads_as", [("PREAPPROVED", "PREAPPROVED"), ("PENDING_BILLING_INFO", "PENDING_BILLING_INFO"),
                                             ("IN_PROCESS", "IN_PROCESS"), ("WITH_ISSUES", "WITH_ISSUES"),
                                             ("APPROVED", "ACTIVE"), ("DISAPPROVED", "DISAPPROVED"),
                                             ("PENDING_REVIEW", "PENDING_REVIEW")])
def test_jump_to_any_review_state(target, reads_as):
    record = ad()
    review.force(record, T0, target)
    assert effective(record, T0 + 10**6) == reads_as
    if target == "WITH_ISSUES":
        assert review.state(record, T0)[1]["issues_info"][0]["error_type"] == "SOFT_ERROR"
    with pytest.raises(review.PolicyError, match="state must be one of"):
        review.force(record, T0, "ACTIVE")


@settings(max_examples=60)
@given(delay=st.integers(0, 10**6), elapsed=st.integers(0, 2 * 10**6), banned=st.booleans(),
       mode=st.sampled_from(["immediate", "after", "manual"]))
def test_decision_is_a_pure_function_of_the_clock(delay, elapsed, banned, mode):
    policy = ReviewPolicy.from_layers({"mode": mode, "delay_seconds": delay})
    record = ad()
    review.submit(record, T0, policy, ["graphmock-disapprove"] if banned else ["fine"])
    decided = mode == "immediate" or (mode == "after" and elapsed >= delay)
    expected = ("DISAPPROVED" if banned else "ACTIVE") if decided else "PENDING_REVIEW"
    assert effective(record, T0 + elapsed) == expected
    assert review.is_pending(record, T0 + elapsed) == (not decided)


# -- the control endpoints, on stored ads ------------------------------------------------------------
def stored_ad(mock: GraphMock, ad_id: int, status: str = "ACTIVE", policy: ReviewPolicy = AFTER) -> Record:
    record = ad(status, ad_id=ad_id)
    review.on_create(record, mock.clock.now(), policy, [])
    with mock.state.store.transaction():
        mock.state.store.insert(record)
    return record


def test_reviews_endpoints_list_decide_and_jump():
    with GraphMock(seed=1) as mock:
        c = mock.client()
        mock.clock.freeze(T0)
        first, second = stored_ad(mock, 10), stored_ad(mock, 11)
        pending = c.get("/__graphmock/reviews").json()
        assert [r["ad_id"] for r in pending["data"]] == ["11", "10"] and pending["now"] == T0
        assert pending["data"][0] == {"ad_id": "11", "ad_account_id": "act_1000000000000001", "name": "ad",
                                      "status": "ACTIVE", "review_state": "PENDING", "mode": "after",
                                      "submitted_at": T0, "decide_at": T0 + 300, "decided_at": None,
                                      "outcome": "APPROVED"}
        body = c.post("/__graphmock/reviews/10", json={"action": "disapprove", "reason": "No", "policy": "P"}).json()
        assert body["review_state"] == "DISAPPROVED" and body["ad_review_feedback"] == {"global": {"P": "No"}}
        assert [r["ad_id"] for r in mock.reviews.pending()] == ["11"]
        assert mock.reviews.jump("11", "PREAPPROVED")["review_state"] == "PREAPPROVED"
        assert mock.reviews.pending() == []
        assert mock.reviews.approve("10")["review_state"] == "APPROVED"  # a later decision overrides
        assert mock.state.store.get(10).data["review"]["state"] == "APPROVED"
        assert_control_error(c.post("/__graphmock/reviews/10", json={}), 400, "exactly one of action")
        assert_control_error(c.post("/__graphmock/reviews/10", json={"action": "approve", "state": "APPROVED"}), 400, "exactly one")
        assert_control_error(c.post("/__graphmock/reviews/10", json={"action": "maybe"}), 400, "approve or disapprove")
        assert_control_error(c.post("/__graphmock/reviews/10", json={"state": "ACTIVE"}), 400, "state must be one of")
        assert_control_error(c.post("/__graphmock/reviews/10", json={"action": "disapprove", "reason": ""}), 400,
                      "reason must be a non-empty string")
        assert first.id == 10 and second.id == 11


def test_pending_list_follows_the_clock_and_the_account_filter():
    with GraphMock(seed=1) as mock:
        mock.clock.freeze(T0)
        stored_ad(mock, 20)
        stored_ad(mock, 21, policy=MANUAL)
        assert len(mock.reviews.pending("act_1000000000000001")) == 2
        mock.clock.advance(300)
        assert [r["ad_id"] for r in mock.reviews.pending()] == ["21"]
        assert mock.reviews.get("20")["review_state"] == "APPROVED"
        assert mock.reviews.get("20")["decide_at"] is None


def test_ad_set_targeting_change_resubmits_its_active_ads_with_the_reviewed_texts():
    """M-BP: "Any changes to targeting" trigger review; the ad's creative text is re-checked."""
    active, paused = ad(), ad("PAUSED", ad_id=2)
    review.on_create(active, T0, IMMEDIATE, ["graphmock-disapprove"])
    assert effective(active, T0) == "DISAPPROVED"
    assert review.resubmits("AdSet", {"targeting", "daily_budget"})
    for record in (active, paused):
        review.on_material_change(record, T0 + 1, AFTER)
    assert effective(active, T0 + 1) == "PENDING_REVIEW"
    assert effective(active, T0 + 301) == "DISAPPROVED"
    assert "review" not in paused.data

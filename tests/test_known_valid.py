"""Request params known valid by their text (contract/known_valid.py, docs/cold-writes.md): a request validated
with the params seen before skipped answers exactly what validating it whole answers, for any mix of valid and
invalid params, sent in any order (the decoded values, or the same first contract error)."""

from __future__ import annotations

from datetime import timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.contract.known_valid import KnownValid
from mock_server.contract.registry import default_registry
from mock_server.contract.validate import Contract
from mock_server.wire.errors import GraphError

REGISTRY = default_registry()
_TEXTS: dict[str, list[str]] = {  # each param's texts: valid ones and invalid ones
    "name": ["Ad set", "", "x" * 500, '"quoted"'],
    "campaign_id": ["120200000000000001", "abc", "-1"],
    "status": ["ACTIVE", "PAUSED", "NOPE"],
    "billing_event": ["IMPRESSIONS", "BAD"],
    "optimization_goal": ["REACH", "LINK_CLICKS", "BAD"],
    "daily_budget": ["5000", "-1", "abc", "1.5"],
    "targeting": ['{"geo_locations":{"countries":["US"]}}', '{"age_min": 5}', "[]", "not json", '{"age_min": 20}',
                  '{"geo_locations":{"countries":"US"}}'],
    "promoted_object": ['{"page_id":"1"}', '{"page_id": []}', '"x"'],
    "start_time": ["2026-01-01T00:00:00+0000", "bad", "0"],
    "special_ad_categories": ["[]", '["HOUSING"]', '["NOT_ONE"]', "HOUSING"],
    "objective": ["OUTCOME_TRAFFIC", "TRAFFIC", "BAD"],
    "not_a_param": ["1"],
}
_SCHEMAS = ["requests/adset.create", "requests/campaign.create", "requests/adset.update"]
_requests = st.lists(st.dictionaries(st.sampled_from(sorted(_TEXTS)), st.integers(0, 5), min_size=1, max_size=10),
                     min_size=1, max_size=8)


def _outcome(contract: Contract, schema: str, params: dict[str, Any], tz: Any = timezone.utc) -> Any:
    try:
        decoded = contract.decode(schema, params, tz)
    except GraphError as error:
        return error.key, dict(error.values), error.blame, str(error)
    return decoded.values, decoded.unknown, decoded.relaxed


@settings(max_examples=60)
@given(st.sampled_from(_SCHEMAS), _requests, st.lists(st.sampled_from([timezone.utc, ZoneInfo("America/Los_Angeles")]),
                                                     min_size=1))
def test_known_valid_params_answer_as_the_whole_validation(schema: str, requests: list[dict[str, int]],
                                                            zones: list[Any]) -> None:
    """Each request of a run (then the run again, its params known) answers as the whole validation does, in the
    account time zones drawn (datetimes decode in them)."""
    fast, whole = Contract(REGISTRY), Contract(REGISTRY)
    whole._split = lambda name, decoder: None  # type: ignore[method-assign]  # always the whole validation
    for index, picks in enumerate(requests * 2):
        params = {name: _TEXTS[name][pick % len(_TEXTS[name])] for name, pick in picks.items()}
        tz = zones[index % len(zones)]
        assert _outcome(fast, schema, params, tz) == _outcome(whole, schema, params, tz)


def test_a_valid_request_then_a_missing_required_param_or_an_invalid_one_is_refused() -> None:
    """Known params do not excuse a missing required one, nor an invalid value of a known one's neighbour
    (seed 000: name, campaign_id, billing_event, optimization_goal, targeting are required)."""
    contract = Contract(REGISTRY)
    good = {name: _TEXTS[name][0] for name in ("name", "campaign_id", "billing_event", "optimization_goal",
                                                "targeting", "daily_budget", "status")}
    contract.decode("requests/adset.create", good)
    split = contract._known["requests/adset.create"]
    assert split is not None and good["targeting"] in split.seen["targeting"] and good["name"] in split.seen["name"]
    for broken in ({k: v for k, v in good.items() if k != "targeting"}, {**good, "daily_budget": "-1"},
                   {**good, "name": "x" * 500}):
        try:
            contract.decode("requests/adset.create", broken)
        except GraphError:
            continue
        raise AssertionError(f"accepted {broken}")


def test_a_json_body_with_objects_and_numbers_is_validated_as_sent() -> None:
    """A JSON body's params are typed (lists, numbers): never taken for a known text, whatever was seen."""
    contract, whole = Contract(REGISTRY), Contract(REGISTRY)
    whole._split = lambda name, decoder: None  # type: ignore[method-assign]
    texts = {"name": "C", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": "[]", "daily_budget": "5000"}
    contract.decode("requests/campaign.create", texts)
    for typed in ({**texts, "special_ad_categories": []}, {**texts, "special_ad_categories": ["NOT_ONE"]},
                  {**texts, "daily_budget": 5000}, {**texts, "daily_budget": -1}, {**texts, "name": ["C"]}):
        assert _outcome(contract, "requests/campaign.create", typed) == _outcome(whole, "requests/campaign.create", typed)


def test_schemas_relating_params_are_validated_whole() -> None:
    """Only an object of independent properties splits: a keyword across params (allOf, dependentRequired,
    additionalProperties, ...) keeps the whole validation."""
    assert KnownValid.applies({"type": "object", "properties": {}, "required": ["a"], "x-graph-error": {}})
    for keyword in ("allOf", "dependentRequired", "additionalProperties", "if", "minProperties", "oneOf"):
        assert not KnownValid.applies({"type": "object", "properties": {}, keyword: {}})
    assert all(KnownValid.applies(doc) for name, doc in REGISTRY.documents.items() if name.startswith("requests/"))


def test_the_known_texts_stay_bounded() -> None:
    contract = Contract(REGISTRY)
    base = {"name": "C", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": "[]"}
    for i in range(3000):
        contract.decode("requests/campaign.create", {**base, "name": f"campaign {i}"})
    split = contract._known["requests/campaign.create"]
    assert split is not None and all(len(texts) <= 512 for texts in split.seen.values())
    for i in range(300):  # long texts: the characters kept stay bounded too
        contract.decode("requests/campaign.create", {**base, "name": f"{i:04d}" + "x" * 396})
    assert split.chars == sum(len(text) for texts in split.seen.values() for text in texts) <= 65536

"""Create plans (domain/adset_plans.py, issue 18 point 1, docs/cold-writes.md "Create plans"): an ad set create
answered from the plan its shape left answers, stores and logs exactly what the full path does, whatever ran
before it; the plans are bounded."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.domain import adset_plans
from mock_server.store.repository import ListQuery
from mock_server.testing import InProcessClient

T0 = 1_790_000_000
PAGE = "1100000000000001"  # the demo page (fixtures)
BASE = {"bid_strategy": "LOWEST_COST_WITHOUT_CAP", "billing_event": "IMPRESSIONS", "daily_budget": "5000",
        "destination_type": "INSTAGRAM_DIRECT", "optimization_goal": "CONVERSATIONS",
        "promoted_object": json.dumps({"page_id": PAGE}), "status": "PAUSED",
        "targeting": json.dumps({"geo_locations": {"countries": ["US", "CA"]}, "device_platforms": ["mobile"]})}
CAMPAIGNS = [  # the campaigns every run creates first, in each server
    {"name": "engagement", "objective": "OUTCOME_ENGAGEMENT", "status": "ACTIVE", "special_ad_categories": "[]"},
    {"name": "with budget", "objective": "OUTCOME_ENGAGEMENT", "status": "ACTIVE", "special_ad_categories": "[]",
     "daily_budget": "20000", "bid_strategy": "LOWEST_COST_WITHOUT_CAP"},
    {"name": "traffic", "objective": "OUTCOME_TRAFFIC", "status": "ACTIVE", "special_ad_categories": "[]"},
]


@contextmanager
def twins(dbs: tuple[str, str] = (":memory:", ":memory:")) -> Iterator[tuple[InProcessClient, InProcessClient]]:
    """Two servers of the same seed: the first plans its creates, the second builds every one the full way."""
    planned, full = InProcessClient(ServerConfig(seed=7, db=dbs[0])), InProcessClient(ServerConfig(seed=7, db=dbs[1]))
    adset_plans.plans_of(full.state.store).enabled = False
    for client in (planned, full):  # both clocks at one instant, moved alike
        client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    try:
        yield planned, full
    finally:
        planned.close()
        full.close()


def _answer(response: Any) -> tuple[int, Any]:
    return response.status_code, response.json()


def _stored(client: InProcessClient) -> list[tuple[int, str, bytes]]:
    """Every ad set as stored: id, status and the data's exact JSON (key order and types included)."""
    account = client.world["account_id"]
    return [(r.id, r.status, orjson.dumps(r.data)) for r in client.state.store.iterate(ListQuery("AdSet", account_id=account))]


_CHANGES = [  # (param, value) a shape may change in BASE; None: not sent
    ("daily_budget", "50"), ("daily_budget", "5000000"),  # 50: under the minimum (GRAPH-BEHAVIOUR 7.4)
    ("promoted_object", json.dumps({"page_id": "999"})), ("promoted_object", json.dumps({"application_id": "77"})),
    ("status", "ACTIVE"), ("status", "bogus"), ("bid_strategy", None), ("bid_strategy", None),
    ("optimization_goal", "THRUPLAY"), ("destination_type", None),  # THRUPLAY: not under OUTCOME_TRAFFIC
    ("bid_strategy", "COST_CAP"), ("bid_amount", "500"), ("optimization_goal", "LINK_CLICKS"),
    ("targeting", json.dumps({"geo_locations": {"countries": ["DE"]}})),  # EU: the DSA rules and their defaults
    ("targeting", json.dumps({"geo_locations": {"countries": ["US"]}, "age_min": 30})),
    ("targeting", "{'geo_locations': {'countries': ['US']}}"),  # relaxed JSON: the journal says so each time
    ("dsa_payor", "Payor"), ("execution_options", '["validate_only"]'),
    ("start_time", "2030-01-01T00:00:00+0000"), ("end_time", "2001-01-01T00:00:00+0000"),
    ("end_time", "2030-01-02T00:00:00+0000"), ("not_a_param", "x")]
_SHAPES = st.lists(st.lists(st.sampled_from(_CHANGES), max_size=2).map(dict), max_size=2).map(lambda s: [{}, *s])
_NAMES = st.sampled_from(["set 1", "set 2", "set 3", "ensemble \u00e9t\u00e9", '"quoted"', "", "  ", "x" * 300])
_CREATE = st.tuples(st.just("create"), st.sampled_from([0, 0, 0, 0, 1, 2, 3]), st.integers(0, 2), _NAMES, st.booleans(),
                    st.sampled_from(["v25.0", "v25.0", "v26.0"]))  # campaign 3: an id that is no campaign
_EDITS = [  # (campaign, params) of a campaign update; each changes what some create answers, or nothing
    (0, {"daily_budget": "30000"}), (0, {"special_ad_categories": '["HOUSING"]', "special_ad_category_country": '["US"]'}),
    (0, {"name": "renamed"}), (0, {"status": "PAUSED"}), (0, {"status": "ARCHIVED"}), (1, {"bid_strategy": "COST_CAP"}),
    (1, {"daily_budget": "30000"}), (2, {"status": "PAUSED"})]
_CAMPAIGN_EDIT = st.sampled_from(_EDITS).map(lambda edit: ("campaign", *edit))
_CLOCK = st.tuples(st.just("clock"), st.sampled_from([1, 3600, 86400 * 400]))
_WORLD = st.tuples(st.just("world"), st.sampled_from(["no pages", "JPY", "DSA defaults"]))


def _world_change(kind: str) -> Any:
    def change(document: dict[str, Any]) -> None:
        account = document["ad_accounts"][0]
        if kind == "no pages":
            document["pages"] = []
        elif kind == "JPY":
            account["currency"] = "JPY"
        else:
            account["default_dsa_payor"] = account["default_dsa_beneficiary"] = "Default"
    return change


def _run(client: InProcessClient, op: tuple[Any, ...], campaigns: list[str], shapes: list[dict[str, Any]]) -> Any:
    act = client.world["ad_account_id"]
    kind = op[0]
    if kind == "create":
        _, which, shape, name, thrice, version = op
        campaign = campaigns[which] if which < len(campaigns) else "120299999999999999"
        sent = {"name": name, "campaign_id": campaign, **BASE, **shapes[shape % len(shapes)]}
        params = {k: v for k, v in sent.items() if v is not None}
        answers = [_answer(client.post(f"/{version}/{act}/adsets", data=params)) for _ in range(3 if thrice else 1)]
        return answers
    if kind == "campaign":
        return _answer(client.post(campaigns[op[1]], data=op[2]))
    if kind == "clock":
        return _answer(client.post("/__graphmock/clock", json={"advance": op[1]}))
    document = copy.deepcopy(client.state.fixtures_document)  # reloading resets the store: the campaigns again
    _world_change(op[1])(document)
    client.state.load_fixtures(document)
    client.post("/__graphmock/reset", json={"seed": 7})  # the seed's ids again
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})  # a reset runs the clock again; at T0 the
    # campaigns come back byte for byte (the seed's ids again): only the account differs
    campaigns[:] = _campaigns(client)
    return None


def _campaigns(client: InProcessClient) -> list[str]:
    act = client.world["ad_account_id"]
    return [client.post(f"{act}/campaigns", data=campaign).json()["id"] for campaign in CAMPAIGNS]


_OPS = st.sampled_from([_CREATE] * 8 + [_CAMPAIGN_EDIT] * 3 + [_CLOCK, _WORLD]).flatmap(lambda op: op)


_SET = ("create", 0, 0, "set 1", False, "v25.0")  # the first shape under the first campaign
_PLANNED = ("create", 0, 0, "set 0", True, "v25.0")  # ... sent three times: planned from the second on


@settings(max_examples=100)
@given(_SHAPES, st.lists(_OPS, min_size=4, max_size=16))
@example([{"optimization_goal": "THRUPLAY", "destination_type": None}],
         [_PLANNED, ("create", 2, 0, "set 1", False, "v25.0")])  # a campaign alike but for its objective
@example([{}], [_PLANNED, ("campaign", *_EDITS[0]), _SET])  # an ad set budget under a campaign that now has its own
@example([{"bid_strategy": None, "daily_budget": None}], [("create", 1, 0, "a", True, "v25.0"), ("campaign", *_EDITS[5]),
                                                             ("create", 1, 0, "b", False, "v25.0")])  # its strategy in force
@example([{}], [_PLANNED, ("world", "no pages"), _SET])  # the promoted page is gone (RECHECKED)
@example([{"daily_budget": "100"}], [_PLANNED, ("world", "JPY"), _SET])  # the minimum in the account's currency
@example([{"end_time": "2030-01-02T00:00:00+0000"}], [_PLANNED, ("clock", 86400 * 400), _SET])  # end_time now past
@example([{"start_time": "2030-01-01T00:00:00+0000"}], [_PLANNED])  # not the clock's
@example([{"not_a_param": "x"}], [_PLANNED])  # reported on each create
@example([{"targeting": "{'geo_locations': {'countries': ['US']}}"}], [_PLANNED])
@example([{}], [_PLANNED, ("create", 0, 0, '"quoted"', False, "v25.0")])  # a JSON-quoted name decodes
def test_a_planned_create_answers_and_stores_what_the_full_path_does(shapes: list[dict[str, Any]],
                                                                      ops: list[tuple[Any, ...]]) -> None:
    """Any run of ad set creates (repeated shapes, other names, other versions, params that fail each kind of rule,
    datetimes, unknown params, validate_only), campaign edits, clock moves and fixture changes (pages, currency,
    DSA defaults) answers the same in a planning server as in one that builds every create the full way, and leaves
    the same ad sets, byte for byte (their derived activity entries read from the same stored data)."""
    with twins() as (planned, full):
        ids = [_campaigns(planned), _campaigns(full)]
        assert ids[0] == ids[1]
        for op in ops:
            assert _run(planned, op, ids[0], shapes) == _run(full, op, ids[1], shapes), op
        assert _stored(planned) == _stored(full)
        assert planned.get("/__graphmock/journal").json()["data"] == full.get("/__graphmock/journal").json()["data"]


def test_a_shape_is_planned_from_its_second_create_on(monkeypatch: Any) -> None:
    """A shape sent once leaves no plan (it costs a number); the second create of it leaves one, and the third,
    under another name, builds nothing the full way and stores its own name and times."""
    with twins() as (planned, _):
        [campaign, *_] = _campaigns(planned)
        act = planned.world["ad_account_id"]
        plans = adset_plans.plans_of(planned.state.store)
        first = planned.post(f"{act}/adsets", data={"name": "one", "campaign_id": campaign, **BASE})
        assert first.status_code == 200, first.text
        assert len(plans.shapes) == 0 and len(plans.seen) == 1
        assert planned.post(f"{act}/adsets", data={"name": "two", "campaign_id": campaign, **BASE}).status_code == 200
        assert len(plans.shapes) == 1
        built: list[Any] = []
        monkeypatch.setattr(adset_plans, "build_with_spec", lambda *a: built.append(a))
        planned.post("/__graphmock/clock", json={"advance": 90})
        third = planned.post(f"{act}/adsets", data={"name": "three", "campaign_id": campaign, **BASE})
        assert third.status_code == 200, third.text
        assert built == []
        fields = "name,start_time,created_time,updated_time,targeting"
        one, three = (planned.get(r.json()["id"], params={"fields": fields}).json() for r in (first, third))
        assert (one["name"], three["name"]) == ("one", "three")
        assert three["created_time"] > one["created_time"] and three["start_time"] == three["created_time"]
        assert one["targeting"] == three["targeting"]


def test_a_planned_create_still_counts_the_campaigns_ad_sets() -> None:
    """GRAPH-BEHAVIOUR 8/11 (M-CAMP Limits): 'Max 200 ad sets per campaign' holds for planned creates: the 201st
    is refused as the full path refuses it."""
    with twins() as (planned, full):
        answers = []
        for client in (planned, full):
            [campaign, *_] = _campaigns(client)
            act = client.world["ad_account_id"]
            for i in range(200):
                assert client.post(f"{act}/adsets", data={"name": f"s{i}", "campaign_id": campaign, **BASE}).status_code == 200
            answers.append(_answer(client.post(f"{act}/adsets", data={"name": "over", "campaign_id": campaign, **BASE})))
        assert answers[0] == answers[1] and answers[0][0] == 400


def test_plans_are_bounded() -> None:
    """Each shape sent twice leaves a plan, each sent once a number: what clients send is unbounded, what is kept
    is not."""
    with twins() as (planned, _):
        act = planned.world["ad_account_id"]
        homes = [planned.post(f"{act}/campaigns", data=CAMPAIGNS[0]).json()["id"] for _ in range(4)]
        for i in range(adset_plans._PLANS + 20):  # each shape twice: planned (at most 200 ad sets a campaign)
            for home in (homes[2 * i % 4], homes[(2 * i + 1) % 4]):
                response = planned.post(f"{act}/adsets", data={"name": "n", "campaign_id": home, **BASE,
                                                               "daily_budget": str(5000 + i)})
                assert response.status_code == 200, response.text
        plans = adset_plans.plans_of(planned.state.store)
        assert 0 < len(plans.shapes) <= adset_plans._PLANS
        for i in range(adset_plans._SEEN + 20):  # shapes sent once: numbers, bounded too
            planned.post(f"{act}/adsets", data={"name": "n", "campaign_id": homes[0], **BASE, "status": str(i)})
        assert 0 < len(plans.seen) <= adset_plans._SEEN


class _Watched(dict):  # type: ignore[type-arg]
    """A spec that notes every key read."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def test_the_rechecked_rules_read_only_what_a_plan_keeps_of_the_spec() -> None:
    """A plan keeps only RECHECKED_READS of the filled spec: the rules it runs again read nothing else of it."""
    from mock_server.domain.rules import adset as rules
    from mock_server.domain.rules.adset import AdSetContext

    with twins() as (planned, _):
        state = planned.state
        [campaign_id, *_] = _campaigns(planned)
        campaign = state.store.get(int(campaign_id))
        account = state.world.ad_accounts[planned.world["ad_account_id"]]
        token = next(iter(state.world.tokens.values()))
        for promoted in ({"page_id": PAGE}, {"page_id": "999"}, {"application_id": "77"}, None):
            spec = _Watched({**BASE, "promoted_object": promoted, "name": "n", "daily_budget": 5000})
            ctx = AdSetContext(state.registry, account, state.world, token, campaign, T0, count=state.store.count)
            for rule in rules.RECHECKED:
                rule(spec, ctx)
            assert spec.read <= set(rules.RECHECKED_READS)


def _traceless(answer: Any) -> Any:
    """An answer without its fbtrace_id."""
    if isinstance(answer, dict):
        return {k: _traceless(v) for k, v in answer.items() if k != "fbtrace_id"}
    if isinstance(answer, (list, tuple)):
        return [_traceless(v) for v in answer]
    return answer


def test_planned_creates_answer_as_built_ones_on_a_file_store_and_on_postgresql(backend: str, request: Any,
                                                                              tmp_path: Any) -> None:
    """The stores `graphmock serve` runs on (a SQLite file with group commit and deferred inserts, PostgreSQL,
    where every create reads its campaign afresh): planned creates, campaign edits between them and the limit's
    count answer and store as the full path does."""
    if backend == "sqlite":
        dbs = (str(tmp_path / "planned.sqlite3"), str(tmp_path / "full.sqlite3"))
    else:
        from helpers.pg_fixtures import fresh_schema_url
        cluster = request.getfixturevalue("postgres_cluster")
        dbs = (fresh_schema_url(cluster), fresh_schema_url(cluster))
    shapes = [{}, {"bid_strategy": None, "daily_budget": None}]
    ops = [_PLANNED, ("create", 0, 0, "set 1", True, "v26.0"), ("campaign", *_EDITS[0]), _SET,
           ("create", 1, 1, "a", True, "v25.0"), ("campaign", *_EDITS[5]), ("create", 1, 1, "b", True, "v25.0"),
           ("clock", 3600), ("create", 2, 0, "c", True, "v25.0")]
    with twins(dbs) as (planned, full):
        ids = [_campaigns(planned), _campaigns(full)]
        for op in ops:  # two PostgreSQL servers of one seed draw trace ids from streams of their own
            assert _traceless(_run(planned, op, ids[0], shapes)) == _traceless(_run(full, op, ids[1], shapes)), op
        assert len(adset_plans.plans_of(planned.state.store).shapes) >= 2
        assert _stored(planned) == _stored(full)
        assert planned.get("/__graphmock/journal").json()["data"] == full.get("/__graphmock/journal").json()["data"]

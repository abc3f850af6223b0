"""Wire-level parsers: relaxed JSON, `fields` expressions, Graph datetimes, schema-driven param decoding."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server.contract.registry import default_registry
from mock_server.contract.validate import Contract
from mock_server.domain import timefmt
from mock_server.wire import relaxed_json
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import parse_fields

def json_values(integers: st.SearchStrategy[int], texts: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(st.none() | st.booleans() | integers | texts,
                        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                        max_leaves=20)


JSON_VALUES = json_values(st.integers(-(2**63), 2**64 - 1), st.text(max_size=10))


@given(JSON_VALUES)
def test_strict_json_is_read_unchanged(value):
    assert relaxed_json.loads(json.dumps(value)) == (value, True)


@given(json_values(st.integers(-(10**400), 10**400), st.text("abz09 _", max_size=6)), st.booleans())
def test_a_form_value_decodes_like_the_same_json_body_and_can_always_be_stored(value, relaxed):
    """Any JSON number, however long: the form decoder reads what orjson reads from a JSON body (integers outside
    64 bits as floats), and orjson can write the result back (the store does; a 24-digit id in adlabels was a 500)."""
    text = json.dumps(value)
    if relaxed:
        text = text.replace('"', "'")  # the relaxed reader's path (single quotes), same numbers
    try:
        decoded, _ = relaxed_json.loads(text)
    except relaxed_json.RelaxedJSONError:
        with pytest.raises(orjson.JSONDecodeError):  # only a number beyond a double is refused, by both
            orjson.loads(json.dumps(value))
        return
    orjson.dumps(decoded)
    if not relaxed:
        assert decoded == orjson.loads(text)


def test_relaxed_forms_graph_accepts():
    """Seed 000 sends {'type':MESSAGE_PAGE,...}, objects with trailing commas and members without commas."""
    assert relaxed_json.loads("{'type':MESSAGE_PAGE,'value':{'app_destination':'MESSENGER'}}") == (
        {"type": "MESSAGE_PAGE", "value": {"app_destination": "MESSENGER"}}, False)
    assert relaxed_json.loads('{\n "a": "x"\n "b": [1,2,],\n}')[0] == {"a": "x", "b": [1, 2]}
    with pytest.raises(relaxed_json.RelaxedJSONError):
        relaxed_json.loads("[" * 100)
    with pytest.raises(relaxed_json.RelaxedJSONError):
        relaxed_json.loads("{'a': ")


def test_fields_grammar():
    specs = parse_fields("name, adsets.limit(5){name,ads{creative{id}}},campaign{objective}.limit(1)")
    assert [s.name for s in specs] == ["name", "adsets", "campaign"]
    assert specs[1].modifiers == {"limit": "5"} and specs[1].children[1].children[0].name == "creative"
    assert specs[2].modifiers == {"limit": "1"}
    for bad in ("a{", "a}", "a,,{b}", "a.limit(", "a b"):
        with pytest.raises(GraphError) as caught:
            parse_fields(bad)
        assert caught.value.code == 2500


@given(st.text(max_size=60))
def test_fields_parser_never_crashes(text):
    try:
        parse_fields(text)
    except GraphError as error:
        assert error.code in (100, 2500)


@pytest.mark.parametrize("text", ["2015-03-12 23:59:59-07:00", "2015-03-12 23:59:59 PDT", "1426229999",
                                  "2015-03-12T23:59:59-0700", "2015-03-13T06:59:59Z", "2015-03-13T06:59:59+00:00"])
def test_seed_000_datetime_forms(text):
    """Seed 000: 'Example: 2015-03-12 23:59:59-07:00 or 2015-03-12 23:59:59 PDT. UTC UNIX timestamp.'"""
    assert timefmt.parse(text) == 1426229999
    assert timefmt.format_graph(1426229999) == "2015-03-13T06:59:59+0000"


def test_naive_datetimes_are_read_in_the_account_timezone():
    assert timefmt.parse("2026-01-02 03:04:05", timefmt.zone("America/Los_Angeles")) == 1767351845


def test_decoding_follows_the_declared_param_type():
    contract = Contract(default_registry())
    decoded = contract.decode("requests/campaign.create", {
        "name": '"Quoted"', "objective": "OUTCOME_SALES", "special_ad_categories": "[]", "daily_budget": "5000",
        "is_skadnetwork_attribution": "0", "start_time": "2026-01-02T00:00:00+0000", "surprise": "x"})
    assert decoded.values["name"] == "Quoted" and decoded.values["special_ad_categories"] == []
    assert decoded.values["daily_budget"] == 5000 and decoded.values["is_skadnetwork_attribution"] is False
    assert decoded.values["start_time"] == 1767312000
    assert decoded.unknown == ["surprise"]


@given(st.text(max_size=40))
def test_relaxed_reader_never_crashes(text):
    """Any text either parses or raises RelaxedJSONError; any other exception fails the test."""
    try:
        _, strict = relaxed_json.loads(text)
    except relaxed_json.RelaxedJSONError:
        return
    assert strict in (True, False)

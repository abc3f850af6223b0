"""Error envelopes exactly as Graph shapes them (issue 17 point 5).

Sources: GRAPH-BEHAVIOUR 1.1 (G-ERR shape; the M-ADSET DSA example with error_data as a JSON string, subcode,
is_transient, titles) and 1.3 ("(#100) <text>" param errors carry no user title; validation errors use "Invalid
parameter" with a subcode plus error_user_title/msg; the nonexisting-field WIRE example is
{message, type, code, fbtrace_id}); issue 17 (strict decoders reject `"error_subcode": null`).
"""

from __future__ import annotations

import json

import pytest

from helpers_envelope import assert_graph_error
from mock_server.contract.registry import default_registry
from mock_server.wire.errors import GraphError, catalogue, envelope_rules

OPTIONAL = {"error_subcode", "is_transient", "error_user_title", "error_user_msg", "error_data"}


def _nulls_or_empties(error: dict) -> list[str]:
    return [k for k, v in error.items() if v is None or v == "" or v == [] or v == {}]


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_catalogue_entry_renders_a_null_free_envelope(key):
    """Every catalogue error, rendered with and without a blamed field, validates against
    schemas/envelopes/error.json (which forbids nulls and empty strings) and carries only its key set."""
    validator = default_registry().get("envelopes/error").detailed
    for blame in (None, "name"):
        error = GraphError(key, field=blame)
        body = error.envelope("AbCdEf123")
        validator.validate(body)
        assert not _nulls_or_empties(body["error"]), body
        assert set(body["error"]) - {"message", "type", "code", "fbtrace_id"} <= set(error.keys) | {"is_transient"}


def test_schema_refuses_null_subcode_and_empty_title():
    """The schema is the guard: `"error_subcode": null` or an empty title is not a Graph envelope."""
    validator = default_registry().get("envelopes/error").detailed
    base = {"message": "m", "type": "OAuthException", "code": 100, "fbtrace_id": "x"}
    assert validator.is_valid({"error": base})
    assert not validator.is_valid({"error": {**base, "error_subcode": None}})
    assert not validator.is_valid({"error": {**base, "error_user_title": ""}})


def test_nonexisting_field_is_the_simple_four_key_envelope(client, act):
    """GRAPH-BEHAVIOUR 4 (WIRE): `{"error":{"message":"(#100) Tried accessing nonexisting field (<field>) on node
    type (<NodeType>)","type":"OAuthException","code":100,"fbtrace_id":"…"}}`."""
    error = assert_graph_error(client.get(act, params={"fields": "nope"}), 100)
    assert list(error) == ["message", "type", "code", "fbtrace_id"]


def test_token_errors_are_simple(client, act):
    """G-ERR / GRAPH-BEHAVIOUR 1.3: 190 'Invalid OAuth access token data.' has no subcode, hence no subcode key."""
    error = assert_graph_error(client.get(act, token="GMDEMO-nobody"), 190)
    assert set(error) == {"message", "type", "code", "fbtrace_id"}


def test_dsa_validation_error_has_graph_key_order_and_string_error_data():
    """M-ADSET DSA example: message, type, code, error_data (a JSON string), error_subcode, is_transient,
    error_user_title, error_user_msg, fbtrace_id, in that order."""
    body = GraphError("adset_dsa_payor_required",
                      field="dsa_payor").envelope("T")
    assert list(body["error"]) == [k for k in envelope_rules()["order"] if k in body["error"]]
    assert {"error_subcode", "is_transient", "error_user_title", "error_user_msg", "error_data"} <= set(body["error"])
    assert json.loads(body["error"]["error_data"]) == {"blame_field_specs": [["dsa_payor"]]}
    assert body["error"]["is_transient"] is False


def test_throttle_is_transient_even_without_a_subcode():
    """python-business-sdk #416 (GRAPH-BEHAVIOUR 1.1): is_transient is true on throttling; a transient error
    always says so."""
    body = GraphError("app_request_limit").envelope("T")["error"]
    assert body["is_transient"] is True and "error_subcode" not in body


def test_injected_fault_keys_appear_only_when_given():
    """A fault without a subcode sends no error_subcode key; one that names a title sends it."""
    plain = GraphError("injected_error", overrides={"code": 17, "message": "(#17) User request limit reached"})
    assert "error_subcode" not in plain.envelope("T")["error"]
    titled = GraphError("injected_error", overrides={"code": 17, "error_user_title": "Slow down"})
    assert titled.envelope("T")["error"]["error_user_title"] == "Slow down"


def test_a_seeded_servers_trace_ids_are_the_sequence_one_draw_per_id_gave() -> None:
    """Deterministic trace ids (brief: a CI fixture is deterministic): with a seed, ids drawn ahead in batches are
    exactly the ids one draw of 16 random bytes per answer gave, and stay 'A' + 22 URL-safe base64 characters."""
    import base64
    import random
    import re

    from mock_server.state import TraceIds

    ids, one_by_one = TraceIds(5), random.Random(5)
    for _ in range(200):
        trace_id = ids.next()
        assert trace_id == "A" + base64.urlsafe_b64encode(one_by_one.randbytes(16)).decode()[:22]
        assert re.fullmatch(r"A[A-Za-z0-9_-]{22}", trace_id)


def test_an_answers_own_headers_are_encoded_alike_every_time() -> None:
    """The usage headers repeat on every answer and are encoded once: a repeated set gives the same pairs, a
    changed value its own, control characters are still made spaces, and the kept pairs cannot be changed by an answer."""
    from mock_server.app import extra_headers, header_value

    def fresh(extra: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
        return tuple((k.lower().encode("latin-1"), header_value(v)) for k, v in extra.items())

    usage = {"X-App-Usage": '{"call_count":0}', "x-ad-account-usage": '{"acc_id_util_pct":0}'}
    for extra in (usage, dict(usage), {**usage, "X-App-Usage": '{"call_count":7}'}, {"x-bad": "a\r\nb"}, usage):
        first = extra_headers(extra)
        assert first == fresh(extra) == extra_headers(extra)
        assert isinstance(first, tuple)  # shared between answers: no caller can change the next answer's

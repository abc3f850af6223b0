"""The write paths' memos (issue 18 point 1, docs/cold-writes.md): each answers exactly what the path it skips
answers, for any input, and stays bounded."""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.contract import decoding
from mock_server.contract.decoding import ParamDecoder, _decode
from mock_server.contract.registry import default_registry

REGISTRY = default_registry()
_DECODER = ParamDecoder(REGISTRY, "requests/adset.create")


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same types throughout and the same key order (what a stored record's JSON shows)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return repr(a) == repr(b)


_leaves = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False)
           | st.text(max_size=8))
_json = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=4), max_leaves=12)
_texts = st.one_of(
    _json.map(json.dumps),
    _json.map(lambda v: json.dumps(v).replace('"', "'")),  # the relaxed reader's single quotes
    _json.map(lambda v: json.dumps(v) + ","),
    st.sampled_from(["[1,]", "{a:1}", '{"a":1,}', "[" * 70 + "]" * 70, '["\\ud800"]', "[18446744073709551616]",
                     "[-0.0]", "[1e400]", '{"a":1,"a":2}', " [1] ", "[1] x", "{}", "[]"]),
    st.text(max_size=12),
)


@settings(max_examples=60)
@given(_texts, st.sampled_from(["array", "object", "any"]))
def test_a_json_param_decodes_the_same_remembered_or_not(raw: str, kind: str) -> None:
    """A container's JSON text remembered as plain (`_PLAIN_JSON`) is read by orjson alone: the value, its types
    and key order, and the relaxed report are _decode's, the first time and every time after; each read is a
    value of its own (the record built from it may be changed in place)."""
    expected, strict = _decode(raw, kind, timezone.utc)
    _DECODER.kinds["probe"] = kind
    try:
        first = _DECODER.decode({"probe": raw}, timezone.utc)
        again = _DECODER.decode({"probe": raw}, timezone.utc)
    finally:
        del _DECODER.kinds["probe"]
    for decoded in (first, again):
        assert _same(decoded.values["probe"], expected)
        assert decoded.relaxed == ([] if strict else ["probe"])
    if isinstance(expected, (dict, list)) and expected:
        assert first.values["probe"] is not again.values["probe"]


def test_plain_json_texts_are_remembered_only_when_orjson_reads_them_alike() -> None:
    """Relaxed or spaced texts, and those orjson refuses (a lone surrogate, a number beyond a double), take the full
    way every time."""
    for raw in ["{a:1}", "[1,]", " [1] ", '["\\ud800"]', "[1e400]"]:
        _DECODER.decode({"targeting": raw}, timezone.utc)
        assert raw not in decoding._PLAIN_JSON
    _DECODER.decode({"targeting": '{"geo_locations":{"countries":["US"]}}'}, timezone.utc)
    assert '{"geo_locations":{"countries":["US"]}}' in decoding._PLAIN_JSON


def test_plain_json_memo_is_bounded() -> None:
    for i in range(decoding._PLAIN_JSON_LIMIT + 10):
        _DECODER.decode({"targeting": json.dumps({"n": i})}, timezone.utc)
    assert 0 < len(decoding._PLAIN_JSON) <= decoding._PLAIN_JSON_LIMIT
    _DECODER.decode({"targeting": json.dumps({"n": "x" * 5000})}, timezone.utc)
    assert json.dumps({"n": "x" * 5000}) not in decoding._PLAIN_JSON

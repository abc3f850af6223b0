"""wire/form_decoding.py `_unquote`: the form decoding of each name and value (`+` a space, `%XX` a UTF-8 byte, invalid
UTF-8 refused) through CPython's C escape decoder. What a client relies on: every body and query string decodes
exactly as `urllib.parse` decodes it (`parse_qsl(keep_blank_values=True, errors="strict")`), whatever it holds."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote_plus, unquote_to_bytes

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.wire.errors import GraphError
from mock_server.wire.limits import Limits
from mock_server.wire.form_decoding import _parse_urlencoded, _unquote

PIECES = st.lists(st.one_of(st.sampled_from(["%", "%4", "%41", "%e2%82%ac", "%E2%82", "%zz", "%%", "+", "\\", "\\x41",
                                             "\\%41", "=", "&", "%5C", "%2B", "%00", "%ff"]),
                            st.text(max_size=4)), max_size=12).map("".join)


def _reference(text: str) -> str:
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")


@settings(max_examples=300, deadline=None)
@given(PIECES)
def test_unquote_is_urllib_unquote(text: str) -> None:
    try:
        expected: str | type[Exception] = _reference(text)
    except UnicodeDecodeError:
        expected = UnicodeDecodeError
    if expected is UnicodeDecodeError:
        with pytest.raises(UnicodeDecodeError):
            _unquote(text)
    else:
        assert _unquote(text) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=40)), max_size=6))
def test_an_encoded_form_decodes_as_parse_qsl(pairs: list[tuple[str, str]]) -> None:
    raw = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs).encode()
    expected = parse_qsl(raw.decode(), keep_blank_values=True, errors="strict")
    assert _parse_urlencoded(raw, "body", Limits()) == expected


def test_targeting_spec_in_a_form_body() -> None:
    """The SDKs send JSON params URL-encoded in a form body (shared/reference/sdk-wire-python.json)."""
    raw = b"targeting=%7B%22geo_locations%22%3A+%7B%22countries%22%3A+%5B%22US%22%5D%7D%7D&name=a+b%5Cn"
    assert _parse_urlencoded(raw, "body", Limits()) == [("targeting", '{"geo_locations": {"countries": ["US"]}}'),
                                                        ("name", "a b\\n")]
    with pytest.raises(GraphError):
        _parse_urlencoded(b"name=%ff", "body", Limits())  # not UTF-8: body_unparseable


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=4))
def test_a_kept_piece_decodes_as_a_fresh_one(texts: list[str]) -> None:
    """Pieces with escapes are kept for the next identical one (form_decoding._PIECES): a body read again, from what
    was kept, decodes as parse_qsl decodes it, and one it refuses (invalid UTF-8) is refused every time."""
    from mock_server.wire import form_decoding

    raw = "&".join(texts).encode()
    try:
        expected: object = parse_qsl(raw.decode(), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        expected = GraphError
    form_decoding._PIECES.clear()
    for _ in range(2):
        if expected is GraphError:
            with pytest.raises(GraphError):
                _parse_urlencoded(raw, "body", Limits())
        else:
            assert _parse_urlencoded(raw, "body", Limits()) == expected

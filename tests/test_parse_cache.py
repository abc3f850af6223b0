"""wire/request.py keeps the parse of a bodiless GET for the next identical request head. What a user relies on:
a GET that carries a body (Graph reads params from it) is parsed afresh every time, whatever came before with
the same head; a GET saying `Content-Length: 0` (wrk, some HTTP libraries) is as bodiless as one without it."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given, settings, strategies as st

from mock_server.wire import request as wire_request
from mock_server.wire.limits import Limits

LIMITS = Limits()
NAMES = st.text(alphabet="abcdefgh_", min_size=1, max_size=6).filter(lambda n: n not in wire_request.WIRE_PARAMS)
VALUES = st.text(alphabet="xyz019 %&=", max_size=8)


def _scope(query: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "method": "GET", "path": "/v25.0/act_1/campaigns", "raw_path": b"/v25.0/act_1/campaigns",
            "query_string": query.encode(), "root_path": "", "scheme": "http", "server": ("127.0.0.1", 8000),
            "http_version": "1.1", "headers": headers}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dictionaries(NAMES, VALUES, max_size=3), min_size=1, max_size=4))
def test_a_get_with_a_body_is_never_answered_from_an_earlier_parse(bodies: list[dict[str, str]]) -> None:
    """Property: GETs with one head (path, query, headers but Content-Length) and any bodies each parse to
    their own params."""
    for params in bodies:
        body = urlencode(params).encode()
        headers = [(b"host", b"h"), (b"content-type", b"application/x-www-form-urlencoded"),
                   (b"content-length", str(len(body)).encode())]
        parsed = wire_request.parse_received(_scope("fields=name", headers), body, LIMITS)
        assert parsed is not None
        assert {k: v for k, v in parsed.params.items() if k != "fields"} == params


def test_content_length_zero_is_a_bodiless_get() -> None:
    headers = [(b"host", b"h"), (b"content-length", b"0")]
    scope = _scope("fields=name&limit=3", headers)
    first = wire_request.parse_received(scope, b"", LIMITS)
    key = wire_request._parse_key(scope, LIMITS)
    assert key in wire_request._PARSED  # kept for the next identical head
    again = wire_request.parse_received(_scope("fields=name&limit=3", headers), b"", LIMITS)
    assert again is not None and first is not None
    assert (again.params, again.path, again.headers) == (first.params, first.path, first.headers)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40) | st.dictionaries(NAMES, VALUES, max_size=3).map(lambda d: urlencode(d).encode()),
                min_size=1, max_size=6))
def test_a_kept_query_string_parses_as_it_did_the_first_time(queries: list[bytes]) -> None:
    """A write's query string (`?access_token=...`, repeated by a client on every call) is kept parsed: each
    query, repeated or not, valid UTF-8 or not, reads as the parser reads it afresh (an invalid one refused
    each time)."""
    for raw in queries + queries:
        try:
            fresh: object = wire_request._parse_urlencoded(raw, "query string", LIMITS)
        except wire_request.GraphError as error:
            fresh = error.code
        try:
            kept: object = wire_request._query_pairs(raw, LIMITS)
        except wire_request.GraphError as error:
            kept = error.code
        assert kept == fresh


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="/v25.0act_1me", max_size=20), min_size=1, max_size=5))
def test_a_path_split_again_splits_as_the_first_time(paths: list[str]) -> None:
    """A path is split once and kept; every later split of it gives the same version and segments, in a list of
    its own (a caller may change its copy without changing the next one's)."""
    for path in paths + paths:
        parts = [part for part in path.split("/") if part]
        expected = (parts[0], parts[1:]) if parts and wire_request.LOOKS_LIKE_VERSION.match(parts[0]) else (None, parts)
        version, segments = wire_request.split_path(path)
        assert (version, segments) == expected
        segments.append("changed")
        assert wire_request.split_path(path) == expected


HEADER_NAMES = st.sampled_from([b"Host", b"host", b"User-Agent", b"X-Thing", b"content-type", b"Accept"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(HEADER_NAMES, st.binary(max_size=12)), max_size=6))
def test_kept_headers_read_as_fresh_ones(headers: list[tuple[bytes, bytes]]) -> None:
    """wire/request.py keeps each set of request headers decoded: the next request with the same headers reads
    them as a first decoding does (the first of repeated names, lower-cased), and a caller changing one request's
    dict never changes the next one's."""
    wire_request._HEADERS.clear()
    fresh = {}
    for name, value in headers:
        fresh.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    first = wire_request.headers_of({"headers": list(headers)})
    assert first == fresh
    first["x-changed"] = "by a caller"
    assert wire_request.headers_of({"headers": list(headers)}) == fresh

"""Parse an HTTP request into a `GraphRequest`: version, path, params, token, files.

Params are merged from the query string and the body (form, multipart or a
JSON object); PHP-style keys (`targeting[geo_locations][countries][0]=US`) are
folded into nested values as Graph does. Size limits are enforced while the
body is read, before any parsing, so a hostile body costs bounded memory.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request

from mock_server.wire import relaxed_json
from mock_server.wire.errors import GraphError
from mock_server.wire.limits import Limits, ascii_digits, over_limit, too_large
from mock_server.wire.form_decoding import _parse_urlencoded, _unquote  # noqa: F401 (tests import them here)
from mock_server.wire.memo import Memo
from mock_server.wire.php_keys import fold

VERSION_RE = re.compile(r"^v(\d{1,3})\.(\d{1,3})\Z")  # \Z: `$` would accept "v25.0\n" (a %0A in the path)
LOOKS_LIKE_VERSION = re.compile(r"^v\d")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "GET"})
WIRE_PARAMS = frozenset({"access_token", "appsecret_proof", "method", "suppress_http_code", "pretty", "format",
                         "callback", "locale", "debug", "_", "__paging_token", "transport", "sdk", "include_headers"})


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class GraphRequest:
    method: str
    path: str
    version: str | None
    segments: list[str]
    params: dict[str, Any]
    query: dict[str, str]
    base_url: str
    access_token: str | None = None
    appsecret_proof: str | None = None
    files: list[UploadedFile] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    suppress_http_code: bool = False
    notes: list[str] = field(default_factory=list)
    body_kind: str = "none"
    body_include_headers: Any = None  # a batch's `include_headers` sent in a form or JSON body (a wire param)
    wire_bytes: int = -1  # the path's, query string's, body's and headers' bytes as received (-1: not known)

    def copy(self) -> GraphRequest:
        """A shallow copy: after parsing only `version` is ever reassigned (auto-upgrade), nothing is mutated."""
        clone = object.__new__(GraphRequest)
        clone.__dict__.update(self.__dict__)
        return clone

    @property
    def fields(self) -> str | None:
        value = self.params.get("fields")
        if value is None:
            return None
        text = value if isinstance(value, str) else ",".join(map(str, value)) if isinstance(value, list) else str(value)
        text = text.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        return text


async def read_body(request: Request, limits: Limits, headers: dict[str, str] | None = None) -> bytes:
    headers = headers if headers is not None else headers_of(request.scope)
    declared = _declared_length(headers, limits)
    if declared is None and (request.method == "GET" and "transfer-encoding" not in headers
          and str(request.scope.get("http_version", "1.1")).startswith("1")):
        request._body = b""  # an HTTP/1.x GET without Content-Length or chunking has no body (RFC 9112 6.3)
        return b""
    chunks: list[bytes] = []
    size = 0
    receive = request.receive  # straight from ASGI: Request.stream() costs an async generator per request
    while True:
        message = await _receive_within(receive, limits)
        if message["type"] != "http.request":
            raise GraphError("body_unparseable", detail="the client disconnected before sending the whole body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise too_large(limits, f"body exceeds {limits.max_body_bytes} bytes")
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # Starlette re-reads this for multipart parsing
    return body


def _declared_length(headers: dict[str, str], limits: Limits) -> str | None:
    """Content-Length as sent, refused when it is not a number or promises more than the body limit."""
    declared = headers.get("content-length")
    if declared is not None:
        if not ascii_digits(declared.strip()):
            raise GraphError("body_unparseable", detail="Content-Length is not a number")
        if int(declared) > limits.max_body_bytes:
            raise too_large(limits, f"Content-Length {declared} exceeds {limits.max_body_bytes} bytes")
    return declared


async def _receive_within(receive: Any, limits: Limits) -> dict[str, Any]:
    """The next ASGI message, or a 408 when the client stops sending before the body it announced is complete."""
    try:  # asyncio.timeout, not wait_for: no task per read, only a timer (~10 us a POST)
        async with asyncio.timeout(limits.body_timeout):
            return await receive()  # type: ignore[no-any-return]
    except TimeoutError:
        raise GraphError("request_timeout", detail=f"no body bytes for {limits.body_timeout:g}s", limit="body_timeout",
                         value=limits.body_timeout) from None


_MAX_PARSED = 256
_PARSED: Memo = Memo(_MAX_PARSED)  # bodiless GETs already parsed, by everything that made them


async def parse(request: Request, limits: Limits) -> GraphRequest:
    """Build the GraphRequest; raises GraphError for anything unreadable.

    A bodiless GET is a pure function of its path, query string and headers, and clients poll the same
    ones: those are parsed once and copied after (about a fifth of a cached read's cost)."""
    scope = request.scope
    key, seen = _seen(scope, limits)
    if seen is not None:
        return seen
    headers = headers_of(scope)
    query_pairs = _parse_urlencoded(scope.get("query_string", b""), "query string", limits)
    method = request.method.upper()
    body = await read_body(request, limits, headers) if method in _BODY_METHODS else b""
    multipart = None
    if body.strip() and _content_type(headers) == "multipart/form-data":
        multipart = await _parse_multipart(request, limits)
    return _kept(key, _assemble(scope, headers, query_pairs, method, body, limits, multipart))


def parse_received(scope: dict[str, Any], body: bytes, limits: Limits) -> GraphRequest | None:
    """`parse` for a request whose whole body has already arrived (wire/direct.py): nothing to await.
    None for a multipart body, which Starlette's form parser reads asynchronously."""
    key, seen = _seen(scope, limits)
    if seen is not None:
        return seen
    headers = headers_of(scope)
    query_pairs = _query_pairs(scope.get("query_string", b""), limits)
    method = scope["method"].upper()
    if method in _BODY_METHODS:
        _declared_length(headers, limits)
    else:
        body = b""
    if len(body) > limits.max_body_bytes:
        raise too_large(limits, f"body exceeds {limits.max_body_bytes} bytes")
    content_type = _content_type(headers) if body and not body.isspace() else ""
    if content_type == "multipart/form-data":
        return None
    return _kept(key, _assemble(scope, headers, query_pairs, method, body, limits, None, content_type))


def _query_pairs(raw: bytes, limits: Limits) -> list[tuple[str, Any]]:
    """`_parse_urlencoded` of a query string; a short one is kept: a client repeats its `?access_token=...` on
    every write (bodiless GETs are kept whole by `_seen`). The pairs are never mutated (_assemble copies them)."""
    if len(raw) > 512:
        return _parse_urlencoded(raw, "query string", limits)
    key = (raw, limits)
    pairs = _QUERIES.get(key)
    if pairs is None:
        pairs = _parse_urlencoded(raw, "query string", limits)
        _QUERIES.keep(key, pairs)
    return pairs


_QUERIES: Memo = Memo(_MAX_PARSED)  # (query string, limits) -> its pairs


def _seen(scope: dict[str, Any], limits: Limits) -> tuple[Any, GraphRequest | None]:
    """The cache key of a bodiless GET (None for anything else), and a copy of its parse when one is kept."""
    key = _parse_key(scope, limits)
    seen = _PARSED.get(key) if key is not None else None
    return key, (seen.copy() if seen is not None else None)


def _kept(key: Any, parsed: GraphRequest) -> GraphRequest:
    """A bodiless GET's parse is kept for the next identical one."""
    if key is not None and parsed.body_kind == "none" and not _may_have_body(parsed.headers):
        _PARSED.keep(key, parsed.copy())
    return parsed


def _parse_key(scope: dict[str, Any], limits: Limits) -> Any:
    if scope.get("method") != "GET" or not str(scope.get("http_version", "1.1")).startswith("1"):
        return None  # HTTP/2 may stream a body without Content-Length
    key = (scope.get("path"), scope.get("query_string"), scope.get("scheme"), scope.get("server"),
           scope.get("http_version"), tuple(scope.get("headers", ())), limits)
    try:
        hash(key)
    except TypeError:  # headers as lists (some ASGI servers): not worth converting
        return None
    return key


def _may_have_body(headers: dict[str, str]) -> bool:
    """Whether a GET with these headers may carry a body (the parse cache's key holds the head, not the body).
    `Content-Length: 0` (what wrk and some HTTP libraries send on every GET) says there is none."""
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


def _content_type(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _assemble(scope: dict[str, Any], headers: dict[str, str], query_pairs: list[tuple[str, Any]], method: str,
              body: bytes, limits: Limits, multipart: tuple[list[tuple[str, Any]], list[UploadedFile]] | None,
              content_type: str | None = None) -> GraphRequest:
    """The GraphRequest from a received request (`multipart`: a multipart body's fields and files, parsed;
    `content_type`: the caller's `_content_type(headers)`, when it has it)."""
    body_pairs: list[tuple[str, Any]] = []
    files: list[UploadedFile] = []
    body_kind = "none"
    notes: list[str] = []
    if body and not body.isspace():  # what `body.strip()` tests, without copying the body
        if content_type is None:
            content_type = _content_type(headers)
        if content_type == "application/json" or (not content_type and body.lstrip()[:1] in (b"{", b"[")):
            body_kind = "json"
            values = body.count(b",") + body.count(b"[") + body.count(b"{")
            if values > limits.max_json_values:
                raise over_limit(limits, "max_json_values", f"a JSON body with more than {limits.max_json_values} values")
            try:
                decoded = orjson.loads(body)
            except orjson.JSONDecodeError as exc:
                raise GraphError("body_unparseable", detail=f"invalid JSON ({str(exc)[:80]})") from None
            if not isinstance(decoded, dict):
                raise GraphError("body_unparseable", detail="a JSON body must be an object")
            if body.count(b"[") + body.count(b"{") > relaxed_json.MAX_DEPTH:  # orjson nests 1024 deep, the store 254
                try:
                    for value in decoded.values():  # each param as deep as the same value in a form field may be
                        relaxed_json.checked(value)
                except relaxed_json.RelaxedJSONError as exc:
                    raise GraphError("body_unparseable", detail=f"invalid JSON ({exc})") from None
            body_pairs = list(decoded.items())
        elif content_type == "application/x-www-form-urlencoded" or not content_type:
            body_kind = "form"
            body_pairs = _parse_urlencoded(body, "body", limits)
        elif content_type == "multipart/form-data" and multipart is not None:
            body_kind = "multipart"
            body_pairs, files = multipart
        else:
            notes.append(f"body with unsupported Content-Type {content_type!r} was ignored")
    if len(query_pairs) + len(body_pairs) > limits.max_params:
        raise too_large(limits, f"more than {limits.max_params} params")
    params = fold(query_pairs, limits)
    if body_pairs:
        params.update(fold(body_pairs, limits))

    token = _token(params, headers.get("authorization"))
    proof = params.pop("appsecret_proof", None)
    override = params.get("method")
    if isinstance(override, str) and override.upper() in ("GET", "POST", "DELETE") and method in ("GET", "POST"):
        method = override.upper()
    suppress = str(params.get("suppress_http_code", "")).strip() in ("1", "true")
    included = None
    if "include_headers" in params and body_kind in ("form", "json"):
        included = next((value for name, value in reversed(body_pairs) if name == "include_headers"), None)
    for name in WIRE_PARAMS.intersection(params):
        del params[name]
    query = {k: v for k, v in query_pairs if isinstance(v, str)}
    path = scope.get("path", "/")
    version, segments = split_path(path)
    return GraphRequest(
        method=method, path=path, version=version, segments=segments, params=params, query=query,
        base_url=_base_url(scope, headers), access_token=token, appsecret_proof=proof if isinstance(proof, str) else None,
        files=files, headers=headers, suppress_http_code=suppress, notes=notes, body_kind=body_kind,
        body_include_headers=included,
        wire_bytes=(len(path) + len(scope.get("query_string") or b"") + len(body) + sum(map(len, headers.values()))
                    + sum(map(len, headers))))


def headers_of(scope: dict[str, Any]) -> dict[str, str]:
    """Request headers by lower-case name (the first of repeated ones, as Starlette's `.get` returns). A client
    sends the same headers again and again: those seen before are decoded once (each caller gets its own dict)."""
    raw = scope.get("headers", ())
    try:
        key = tuple(raw)
        kept = _HEADERS.get(key)
    except TypeError:  # headers as lists (some ASGI servers): decoded every time
        key, kept = None, None
    if kept is not None:
        return kept.copy()
    out: dict[str, str] = {}
    for raw_name, raw_value in raw:
        name = raw_name.decode("latin-1").lower()
        if name not in out:
            out[name] = raw_value.decode("latin-1")
    if key is not None and len(key) <= 64 and sum(len(n) + len(v) for n, v in key) <= _HEADERS_LIMIT:
        _HEADERS.keep(key, out.copy())
    return out


_HEADERS: Memo = Memo(_MAX_PARSED)  # the scope's header pairs -> their dict
_HEADERS_LIMIT = 4096  # bytes of names and values: longer header sets are decoded every time (memory bounded)


def split_path(path: str) -> tuple[str | None, list[str]]:
    """`/v25.0/act_1/campaigns/` -> ("v25.0", ["act_1", "campaigns"]); empty segments are dropped. A path seen
    before is split once (a client calls a few paths again and again); each caller gets its own list."""
    kept = _SPLIT.get(path)
    if kept is None:
        segments = [s for s in path.split("/") if s]
        kept = (segments[0], tuple(segments[1:])) if segments and LOOKS_LIKE_VERSION.match(segments[0]) \
            else (None, tuple(segments))
        if len(path) <= 512:
            _SPLIT.keep(path, kept)
    return kept[0], list(kept[1])


_SPLIT: Memo = Memo(_MAX_PARSED)  # path -> (version, segments)


async def _parse_multipart(request: Request, limits: Limits) -> tuple[list[tuple[str, Any]], list[UploadedFile]]:
    try:
        form = await request.form(max_files=64, max_fields=limits.max_params)
    except Exception as exc:  # python-multipart raises several types for malformed input
        if "Too many" in str(getattr(exc, "detail", exc)):  # Starlette's max_fields/max_files guard
            raise too_large(limits, f"more than {limits.max_params} params or 64 files") from None
        raise GraphError("body_unparseable", detail=f"malformed multipart body ({type(exc).__name__})") from None
    pairs: list[tuple[str, Any]] = []
    files: list[UploadedFile] = []
    for key, value in form.multi_items():
        if isinstance(value, str):
            pairs.append((key, value))
        else:
            data = await value.read()
            files.append(UploadedFile(key, value.filename or key, value.content_type or "application/octet-stream", data))
    return pairs, files


def _token(params: dict[str, Any], authorization: str | None) -> str | None:
    token = params.get("access_token")
    if isinstance(token, str) and token.strip():
        return token.strip()
    if authorization:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() in ("bearer", "oauth") and credentials.strip():
            return credentials.strip()
    return None


def _base_url(scope: dict[str, Any], headers: dict[str, str]) -> str:
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"

"""Batch requests (GRAPH-BEHAVIOUR 5): `POST /` or `/vNN.N/` with `batch=[...]`.

Each operation is turned into a plain request (the same wire parser, then
`dispatch.serve`: auth, validation, permissions, rate limits) and answered as
`{"code", "headers": [{"name", "value"}], "body": "<JSON text>"}`, in order.
An operation without its own access_token uses the top-level one, which is
required. `{result=<name>:<JSONPath>}` in relative_url or body is replaced by
the named earlier operation's values (several joined by commas);
`depends_on` orders without data. A named operation another one depends on is
answered `null` on success unless `omit_response_on_success=false`. A
dependency on a later or unknown name fails the whole batch (400,
GraphBatchException); an operation whose dependency failed is not run and
answers a GraphBatchException error of its own. Each operation that runs is
journaled with its own verdict, and refused in strict mode, like a request of
its own (the batch itself is journaled too). 'Batch requests cannot include
multiple Adsets under the same Campaign': the later ones are refused
(`OncePerBatch`, rule table schemas/rules/access.json `batch`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_plus

import orjson

from mock_server import access as access_layer
from mock_server.access import Exchange, versions
from mock_server.dispatch import Answer, account_of, error_answer, serve
from mock_server.journal import journal_of
from mock_server.state import State
from mock_server.verify.middleware import strict_refusal
from mock_server.wire import request as wire_request
from mock_server.wire.errors import GraphError
from mock_server.wire.request import GraphRequest

log = logging.getLogger("graphmock")
_REF = re.compile(r"\{result=([^:{}]+):(\$[^{}]*)\}")
_PATH_TOKEN = re.compile(r"\.([^.\[\]]+)|\[\s*(\*|\d+|'[^']*'|\"[^\"]*\")\s*\]")
_TRUE = ("true", "1")
CONTENT_TYPE = "text/javascript; charset=UTF-8"  # what Graph labels batch bodies (GRAPH-BEHAVIOUR 5)


@dataclass
class Operation:
    index: int
    method: str
    relative_url: str
    body: str | dict[str, Any] | None
    name: str | None
    depends_on: list[str]
    omit: bool | None
    files: list[str]
    references: set[str] = field(default_factory=set)


@dataclass
class Outcome:
    """An executed operation: its answer (None = no answer, like a dropped connection)."""

    answer: Answer | None
    value: Any = None  # the decoded body, for JSONPath references

    @property
    def failed(self) -> bool:
        return self.answer is None or self.answer.error is not None or self.answer.status >= 400


def is_batch(request: GraphRequest) -> bool:
    return not request.segments and request.method == "POST" and "batch" in request.params


def run(state: State, request: GraphRequest, include_headers: bool = True) -> tuple[Answer, float]:
    """The batch answer (HTTP 200 with the array) and the latency injected faults asked for, in seconds (the
    caller waits it out: nothing here awaits, so a batch without faults is answered as a direct call)."""
    access = access_layer.of(state)
    exchange = Exchange()
    try:
        versions.check(state.config, request, access.rules["versions"])
        exchange.grant = access.policy().authenticate(request.access_token, request.appsecret_proof, state.now())
        operations = parse_operations(state, request.params)
    except GraphError as error:
        answer = error_answer(state, error)
        answer.headers.update(access.usage_headers(exchange))
        return answer, 0.0
    outcomes: list[Outcome] = []
    names: dict[str, int] = {}
    once = OncePerBatch(access.rules["batch"]["one_per_batch"])
    latency = 0.0
    parsed: dict[tuple[Any, ...], GraphRequest] = {}  # each distinct operation is parsed once per batch
    with state.store.pinned():  # one look at other processes' commits for the whole batch (VersionPin)
        for op in operations:
            outcome, delay = _execute(state, request, op, outcomes, names, exchange, once, parsed)
            latency += delay
            outcomes.append(outcome)
            if op.name:
                names[op.name] = op.index
    referenced = {names[n] for op in operations for n in op.references | set(op.depends_on) if n in names}
    listed: dict[tuple[tuple[str, str], ...], list[dict[str, str]]] = {}  # equal headers are listed once
    body = [_element(state, op, outcome, op.index in referenced, include_headers, listed)
            for op, outcome in zip(operations, outcomes)]
    answer = Answer(200, body)
    answer.headers.update(access.usage_headers(exchange))
    return answer, latency


def parse_operations(state: State, params: dict[str, Any]) -> list[Operation]:
    """Decode and check `batch` (contract schema requests/batch), and every dependency's name."""
    raw = params.get("batch")
    decoded = state.contract.decode("requests/batch", {"batch": raw})
    operations: list[Operation] = []
    seen: set[str] = set()
    for index, item in enumerate(decoded.values["batch"]):
        depends = item.get("depends_on") or []
        depends = [d.strip() for d in (depends.split(",") if isinstance(depends, str) else depends) if d.strip()]
        omit = item.get("omit_response_on_success")
        op = Operation(
            index=index, method=str(item.get("method") or "GET").upper(), relative_url=item["relative_url"],
            body=item.get("body"), name=item.get("name") or None, depends_on=depends,
            omit=None if omit is None else str(omit).lower() in _TRUE,
            files=[f.strip() for f in str(item.get("attached_files") or "").split(",") if f.strip()])
        op.references = {m.group(1) for text in _texts(op) for m in _REF.finditer(text)}
        for name in sorted(op.references | set(depends)):
            if name not in seen:
                raise GraphError("batch_unresolved_dependency", index=index, name=name)
        if op.name:
            seen.add(op.name)
        operations.append(op)
    return operations


def _texts(op: Operation) -> list[str]:
    """The texts a reference may sit in: as sent and URL-decoded, only those naming `result` (a `{result=...}`
    needs it; a text without '%' or '+' decodes to itself): most operations have none to scan."""
    body = op.body if isinstance(op.body, str) else orjson.dumps(op.body).decode() if op.body else ""
    texts = [op.relative_url, body]
    texts += [unquote_plus(text) for text in texts if "%" in text or "+" in text]
    return [text for text in texts if "result" in text]


def _execute(state: State, top: GraphRequest, op: Operation, outcomes: list[Outcome], names: dict[str, int],
             exchange: Exchange, once: OncePerBatch, parsed: dict[tuple[Any, ...], GraphRequest],
             ) -> tuple[Outcome, float]:
    for name in op.depends_on:
        if outcomes[names[name]].failed:
            return _blocked(state, op, names[name], name, "depends_on"), 0.0
    try:
        relative_url = _substitute(op.relative_url, outcomes, names)
        body = _substitute(op.body, outcomes, names)
    except _Unresolved as missing:
        return _blocked(state, op, names[missing.name], missing.name, missing.path), 0.0
    try:
        key = (op.method, relative_url, body if not isinstance(body, dict) else orjson.dumps(body), tuple(op.files))
        seen = parsed.get(key)
        if seen is None:
            seen = parsed[key] = _sub_request(state, top, op, relative_url, body)
        sub = seen.copy()  # parsed requests are never mutated (GraphRequest.copy): the copy is for `version`
    except GraphError as error:
        return Outcome(error_answer(state, error)), 0.0
    journal = journal_of(state)
    refused = strict_refusal(journal, sub, getattr(getattr(state, "_journal_middleware", None), "strict", False))
    if refused is not None:
        return Outcome(error_answer(state, refused)), 0.0
    repeated = once.check(op.index, sub)
    if repeated is not None:
        journal.record(sub, repeated.http_status, repeated)
        return Outcome(error_answer(state, repeated)), 0.0
    access = access_layer.of(state)
    fault = access.faults.match(sub.method, sub.segments, lambda: account_of(state, sub.segments))
    delay = fault.latency_ms / 1000.0 if fault else 0.0
    if fault is not None and fault.close_connection:
        return Outcome(None), delay
    error = fault.graph_error() if fault is not None else None
    if error is not None:
        return Outcome(error_answer(state, error)), delay
    try:
        answer = serve(state, sub)
    except Exception:  # a bug: this operation fails like Graph's unknown error; the batch goes on
        log.exception("graphmock internal error in batch operation %d %s %s", op.index, op.method, op.relative_url)
        answer = error_answer(state, GraphError("unknown_error"))
    journal.record(sub, answer.status, answer.body, answer.call)
    if answer.exchange is not None:
        exchange.touched.update(answer.exchange.touched)
        exchange.app_limits = exchange.app_limits or answer.exchange.app_limits
    return Outcome(answer, answer.body), delay


class OncePerBatch:
    """GRAPH-BEHAVIOUR 5: 'Batch requests cannot include multiple Adsets under the same Campaign' - operations of
    which one batch may hold one per value of a param (schemas/rules/access.json `batch.one_per_batch`)."""

    def __init__(self, rules: list[dict[str, str]]) -> None:
        self.rules = rules
        self.first: dict[tuple[int, str], int] = {}  # (rule, param value) -> the request that used it

    def check(self, index: int, sub: GraphRequest) -> GraphError | None:
        """The error for a later operation with a value already used in this batch; records first uses."""
        for number, rule in enumerate(self.rules):
            if sub.method != rule["method"] or len(sub.segments) != 2 or sub.segments[1] != rule["edge"]:
                continue
            value = str(sub.params.get(rule["param"], "")).strip().strip('"')
            if not value:
                continue
            first = self.first.setdefault((number, value), index)
            if first != index:
                return GraphError("batch_one_per_param", field=rule["param"], objects=rule["objects"],
                                  parent=rule["parent"], first_index=first, value=value)
        return None


def _blocked(state: State, op: Operation, failed_index: int, name: str, path: str) -> Outcome:
    error = GraphError("batch_dependency_failed", index=op.index, name=name, failed_index=failed_index, path=path)
    return Outcome(error_answer(state, error))


def _sub_request(state: State, top: GraphRequest, op: Operation, relative_url: str,
                       body: str | dict[str, Any] | None) -> GraphRequest:
    """Parse the operation exactly like a request of its own; the top-level token is the fallback."""
    target, _, query = relative_url.strip().partition("?")
    path = "/" + unquote(target).lstrip("/")
    if not wire_request.split_path(path)[0] and top.version:
        path = f"/{top.version}{path}"
    if isinstance(body, dict):
        payload, content_type = orjson.dumps(body), b"application/json"
    else:
        payload, content_type = (body or "").encode("utf-8"), b"application/x-www-form-urlencoded"
    scheme, _, host = top.base_url.partition("://")
    method = op.method if op.method in ("GET", "POST", "DELETE") else "GET"
    headers = [(b"host", host.encode()), (b"content-type", content_type)]
    if payload or method != "GET":  # a bodiless GET is parsed once per distinct URL (wire/request.py `parse`)
        headers.append((b"content-length", str(len(payload)).encode()))
    scope = {"type": "http", "method": method,
             "path": path, "raw_path": path.encode(), "query_string": query.encode("utf-8"), "root_path": "",
             "scheme": scheme or "http", "server": None, "http_version": "1.1", "headers": headers}
    sub = wire_request.parse_received(scope, payload, state.config.limits)
    assert sub is not None  # a form or JSON body: never multipart
    if not sub.access_token:
        sub.access_token, sub.appsecret_proof = top.access_token, sub.appsecret_proof or top.appsecret_proof
    sub.headers = {**top.headers, **{"content-type": content_type.decode()}}
    sub.wire_bytes += sum(map(len, top.headers)) + sum(map(len, top.headers.values()))  # the batch's headers too
    if op.files:
        sub.files = [f for f in top.files if f.field in op.files]
    return sub


class _Unresolved(Exception):
    def __init__(self, name: str, path: str) -> None:
        super().__init__(name)
        self.name, self.path = name, path


def _substitute(value: Any, outcomes: list[Outcome], names: dict[str, int]) -> Any:
    """Replace every {result=name:$.path} in a string (raw and URL-encoded forms) or an object's strings."""
    if isinstance(value, dict):
        return {k: _substitute(v, outcomes, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, outcomes, names) for v in value]
    if not isinstance(value, str) or "result" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        name, path = match.group(1), match.group(2)
        outcome = outcomes[names[name]]
        found = [] if outcome.failed else jsonpath(outcome.value, path)
        if not found:
            raise _Unresolved(name, path)
        return ",".join(_scalar(v) for v in found)
    text = _REF.sub(replace, value)
    if "%7B" in text.upper():
        encoded = re.compile(r"%7Bresult%3D(.+?)%3A(%24.*?)%7D", re.IGNORECASE)
        text = encoded.sub(lambda m: _REF.sub(replace, "{result=" + unquote_plus(m.group(1)) + ":"
                                              + unquote_plus(m.group(2)) + "}"), text)
    return text


def jsonpath(value: Any, path: str) -> list[Any]:
    """The JSONPath subset batches use: `$.id`, `$.data.*.id`, `$.images.*.hash`, `$.data[0].id`, `$['k']`."""
    path = path.strip()
    if not path.startswith("$"):
        return []
    current = [value]
    rest = path[1:]
    position = 0
    while position < len(rest):
        match = _PATH_TOKEN.match(rest, position)
        if match is None:
            return []
        position = match.end()
        key = match.group(1) if match.group(1) is not None else match.group(2).strip("'\"")
        current = [child for item in current for child in _children(item, key)]
    return [v for v in current if v is not None and not isinstance(v, (dict, list))]


def _children(item: Any, key: str) -> list[Any]:
    if key == "*":
        return list(item.values()) if isinstance(item, dict) else list(item) if isinstance(item, list) else []
    if isinstance(item, dict):
        return [item[key]] if key in item else []
    if isinstance(item, list) and key.isascii() and key.isdigit() and int(key) < len(item):
        return [item[int(key)]]
    return []


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(state: State, op: Operation, outcome: Outcome, referenced: bool, include_headers: bool,
             listed: dict[tuple[tuple[str, str], ...], list[dict[str, str]]]) -> dict[str, Any] | None:
    answer = outcome.answer
    if answer is None:
        return None
    if not outcome.failed and (op.omit or (op.omit is None and referenced)):
        return None
    element: dict[str, Any] = {"code": answer.status}
    if include_headers:
        key = tuple(answer.headers.items())
        named = listed.get(key)
        if named is None:
            headers = {"Content-Type": CONTENT_TYPE, **{_header_name(k): v for k, v in key}}
            named = listed[key] = [{"name": k, "value": v} for k, v in headers.items()]
        element["headers"] = named
    kept = state.read_cache.encoded(answer.body)  # a kept read's JSON is already encoded
    element["body"] = (kept[0] if kept is not None else orjson.dumps(answer.body)).decode()
    return element


def _header_name(name: str) -> str:
    return "WWW-Authenticate" if name == "www-authenticate" else name

"""A request's contract verdict: conforming, or the list of ways it departs from the contract.

Two sources, so nothing is judged twice: the request itself, decoded against
the request schema its operation names (unknown params, relaxed JSON,
`x-graph-recommended` limits — things the real API accepts silently — plus
missing/ill-typed/out-of-enum values), and the server's answer (a rejection
the schema does not explain is a broken rule; 2635 a deprecated version;
`nonexisting field` an unknown field in `fields`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import timezone
from functools import cache
from typing import Any

from mock_server.contract.decoding import Decoded
from mock_server.contract.violations import field_path
from mock_server.domain import timefmt
from mock_server.resources import schemas_dir
from mock_server.verify.operations import find
from mock_server.domain import reach
from mock_server.verify import memo
from mock_server.verify import recommended as recommended_limits
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import parse_fields
from mock_server.wire.limits import ascii_digits

ERROR, WARNING, INFO = "error", "warning", "info"
# Violations the real API would accept without complaint: strict mode turns these into errors.
SILENT = frozenset({"unknown_param", "ignored_param", "non_strict_json", "recommended_exceeded"})
UNIVERSAL_PARAMS = frozenset({"fields"})
_KEYWORD_KIND = {"required": "missing_required", "enum": "bad_enum", "const": "bad_enum", "type": "wrong_type",
                 "anyOf": "wrong_type", "pattern": "wrong_type"}
_ERROR_KIND = {"param_required": "missing_required", "special_ad_categories_required": "missing_required",
               "param_enum": "bad_enum", "run_status_invalid": "bad_enum", "param_type": "wrong_type",
               "param_datetime": "wrong_type", "body_unparseable": "wrong_type", "deprecated_version": "deprecated_version",
               "nonexisting_field": "unknown_field", "unknown_fields_alias": "unknown_field"}


@cache
def severity_table() -> dict[str, Any]:
    """schemas/rules/verdicts.json: each verdict kind's severity and the reason for it."""
    with open(schemas_dir() / "rules" / "verdicts.json", encoding="utf-8") as fh:
        return json.load(fh)


def severity_of(kind: str) -> str:
    table = severity_table()
    entry = table["severity"].get(kind)
    return str(entry["severity"]) if entry else str(table["default_severity"])


@dataclass(frozen=True)
class Violation:
    kind: str  # unknown_param | wrong_type | missing_required | bad_enum | invalid_value | rule_broken | ...
    param: str | None
    message: str
    severity: str = ""  # "" -> the kind's severity in schemas/rules/verdicts.json

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", severity_of(self.kind))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f" [{self.param}]" if self.param else ""
        return f"{self.severity}: {self.kind}{where}: {self.message}"


def node_of(state: Any, segments: list[str], call: Any = None) -> str | None:
    """Node type the path's first segment names (None when unknown). A handler's Call already resolved it
    (not the root node of `GET /generatepreviews`: its first segment is an edge, which names no node)."""
    node = getattr(call, "node", None) if call is not None else None
    if node is not None and node.id:
        return node.type
    if not segments:
        return None
    head = segments[0]
    if head.startswith("act_"):
        return "AdAccount"
    if ascii_digits(head) and len(head) <= 20:
        record = state.store.get(int(head))
        if record is not None:
            return record.type
    if head == "me":
        return "User"
    fixture = reach.find(state.world, head)  # users, businesses, pages, posts, IG accounts, media
    return fixture.type if fixture is not None else None


def from_request(state: Any, request: Any, call: Any = None) -> list[Violation]:
    """What the params themselves say, judged against the operation's request schema."""
    if request is None or len(request.segments) > 2:
        return []
    if call is not None and _nothing_to_add(state, request, call):
        return []
    node = node_of(state, request.segments, call)
    memos = memo.of(state)
    same = memo.same_parse(memos, request, node, state.world)
    if same is not None:
        return list(same)
    out = _from_params(state, request, call, node, memos)
    memo.remember_parse(memos, request, node, state.world, out)
    return out


def _from_params(state: Any, request: Any, call: Any, node: str | None, memos: memo.Memos) -> list[Violation]:
    edge = request.segments[1] if len(request.segments) == 2 else None
    operation = find(state.registry, request.method, node or "", edge) if node else None
    if operation is None:
        return []
    decoded = _decoded_by_handler(call, operation.schema)
    if decoded is not None:
        return _judge(state, request, operation, node, edge, decoded, validated=True)
    zone = _zone(state, request)
    key = memo.request_key(request, node, zone)
    found = memos.requests.get(key) if key is not None else None
    if found is not None:
        return list(found)
    decoded = state.contract.decoder(operation.schema).decode(request.params, zone)
    out = _judge(state, request, operation, node, edge, decoded, validated=False)
    if key is not None:
        memo.remember(memos.requests, key, out)
    return out


def _judge(state: Any, request: Any, operation: Any, node: str, edge: str | None, decoded: Decoded, *,
           validated: bool) -> list[Violation]:
    out: list[Violation] = []
    if decoded.unknown or decoded.relaxed:
        out += _unknown_params(request, decoded, f"{request.method} {operation.template}")
    known = {k: v for k, v in decoded.values.items() if k not in decoded.unknown} if decoded.unknown else decoded.values
    if not validated:
        compiled = state.registry.get(operation.schema)
        if not compiled.is_valid(known):
            for error in compiled.detailed.iter_errors(known):
                out.append(_schema_violation(error))
    out += recommended(state.registry, operation.schema, known)
    if request.fields:
        out += unknown_fields(state, request, node, edge)
    return out


_quiet: tuple[Any, dict[tuple[Any, ...], bool]] | None = None  # the registry last judged, and its _nothing_to_add


def _nothing_to_add(state: Any, request: Any, call: Any) -> bool:
    """True when judging would find nothing, seen in fewer steps (issue 18: ~3 us of each create's journal line):
    the handler decoded the params against its operation's own schema with no unknown or relaxed name, no
    `fields` was sent, and that schema has no recommended length (`_judge` with validated=True then finds
    nothing). Whether an operation's schema is such is a function of the static registry: remembered per
    (method, node type, edge, decoded schema)."""
    decoded = getattr(call, "decoded", None)
    if decoded.__class__ is not Decoded or decoded.unknown or decoded.relaxed or "fields" in request.params:
        return False
    node = getattr(call, "node", None)
    if node is None or not node.id:
        return False
    global _quiet
    registry = state.registry
    held = _quiet  # read once: another thread may swap in another registry's table meanwhile
    if held is None or held[0] is not registry:
        held = _quiet = (registry, {})
    table = held[1]
    segments = request.segments
    key = (request.method, node.type, segments[1] if len(segments) == 2 else None, getattr(call, "decoded_schema", None))
    quiet = table.get(key)
    if quiet is None:
        operation = find(registry, key[0], key[1], key[2])
        quiet = operation is None or (operation.schema == key[3]
                                      and recommended_limits.plan(registry, operation.schema) is None)
        if len(table) >= memo.MAX_ENTRIES:
            table.clear()
        table[key] = quiet
    return quiet


def _decoded_by_handler(call: Any, schema: str) -> Decoded | None:
    """The handler's decoded params when it decoded them against `schema` itself (Call.params records which).
    Contract.decode returned them, so the same values gave `is_valid` true, or the detailed validator found no
    error (it raises otherwise): judging them again would add nothing. Decoded against another schema (or by a
    Call that does not say which), they are decoded again here."""
    decoded = getattr(call, "decoded", None) if call is not None else None
    if isinstance(decoded, Decoded) and getattr(call, "decoded_schema", None) == schema:
        return decoded
    return None


def _unknown_params(request: Any, decoded: Decoded, where: str) -> list[Violation]:
    out: list[Violation] = []
    ignored = severity_table()["ignored_params"]
    for name in decoded.unknown:
        if name in UNIVERSAL_PARAMS or (name == "id" and request.params.get("id") == request.segments[0]):
            continue  # the Node SDK repeats the path's id in the body
        if name in ignored:
            out.append(Violation("ignored_param", name, f"'{name}' is not a parameter of {where}; Graph ignores it "
                                                        "silently (the answer is Graph's)"))
            continue
        out.append(Violation("unknown_param", name, f"'{name}' is not a parameter of {where}; Graph ignores it silently"))
    for name in decoded.relaxed:
        out.append(Violation("non_strict_json", name, f"'{name}' is not strict JSON; only Graph's lenient reader accepts it"))
    return out


def unknown_fields(state: Any, request: Any, node: str, edge: str | None) -> list[Violation]:
    """Names in `fields` the node does not have (Graph rejects them even when a list comes back empty).
    A function of the static node types and schemas only: remembered per (node, edge, fields)."""
    fields = request.fields
    if not fields:
        return []
    if len(fields) > memo.MAX_CHARS:
        return _unknown_fields(state, fields, node, edge)
    memos = memo.of(state).fields
    key = (node, edge, fields)
    found = memos.get(key)
    if found is None:
        found = _unknown_fields(state, fields, node, edge)
        memo.remember(memos, key, found)
    return list(found)


def _unknown_fields(state: Any, fields: str, node: str, edge: str | None) -> list[Violation]:
    owner = state.node_types.get(node)
    target = state.node_types.get(owner.edges.get(edge, "")) if owner is not None and edge else owner
    if target is None:
        return []
    try:
        specs = parse_fields(fields)
    except GraphError:
        return []  # a syntax error: the server's own rejection says so
    out = [Violation("unknown_field", "fields", f"'{spec.name}' is not a field of {target.name} ({target.graph_type})")
           for spec in specs if spec.name not in target.fields]
    notes = state.registry.documents.get(f"nodes/{target.name}", {}).get("properties", {})
    for spec in specs:
        prop = notes.get(spec.name) or {}
        if prop.get("x-graph-unmodelled"):
            out.append(Violation("unmodelled_field", "fields", f"'{spec.name}' is documented on {target.name} but "
                                 "graphmock does not model it: Graph would answer a value, graphmock answers none"))
        elif prop.get("x-graph-legacy"):
            out.append(Violation("legacy_field", "fields", f"'{spec.name}' is a legacy field of {target.name} that "
                                 "Graph still serves"))
    return out


def _zone(state: Any, request: Any) -> Any:
    head = request.segments[0] if request.segments else ""
    account = state.world.ad_accounts.get(head) if head.startswith("act_") else None
    return timefmt.zone(account.timezone_name) if account else timezone.utc


def _schema_violation(error: Any) -> Violation:
    keyword = str(error.validator)
    path = list(error.absolute_path)
    if keyword == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else "?"
        return Violation("missing_required", field_path(path + [missing]), f"required parameter {field_path(path + [missing])} is missing")
    kind = _KEYWORD_KIND.get(keyword, "invalid_value")
    if kind == "bad_enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(map(str, error.validator_value[:8])) + (", ..." if len(error.validator_value) > 8 else "")
        detail = f"{_short(error.instance)} is not one of {allowed}"
    else:
        detail = f"{_short(error.instance)}: {_trim(error.message)}"
    return Violation(kind, field_path(path) or None, detail)


def _trim(text: str) -> str:
    return text if len(text) <= 160 else text[:157] + "..."


def recommended(registry: Any, schema_name: str, values: dict[str, Any]) -> list[Violation]:
    """`x-graph-recommended` (e.g. seed 003: title 25, body 90 characters) exceeded: a warning, never an error."""
    site = recommended_limits.plan(registry, schema_name)
    if site is None:
        return []  # most schemas: no recommended length anywhere
    found: list[tuple[list[Any], int, Any]] = []
    recommended_limits.check(site, values, [], found)
    return [Violation("recommended_exceeded", field_path(path), f"{length} characters; {limit} or fewer are recommended",
                      WARNING) for path, length, limit in found]


def from_response(status: int, body: Any, already: list[Violation]) -> list[Violation]:
    """What a rejection says that the params did not already explain."""
    key, error = _error_of(body)
    if error is None or status < 400 and not key:
        return []
    if error.get("is_transient") or status >= 500:
        return []  # the server's trouble (or an injected fault), not the client's
    kind = _ERROR_KIND.get(key or "", "")
    if not kind:
        message = str(error.get("message", ""))
        kind = ("deprecated_version" if error.get("code") == 2635 else
                "unknown_field" if "nonexisting field" in message else "rule_broken")
    if any(v.severity == ERROR and v.kind not in SILENT for v in already):
        return []
    code = f"code {error.get('code')}" + (f"/{error['error_subcode']}" if error.get("error_subcode") else "")
    user_msg = error.get("error_user_msg") or _catalogue_hint(body)
    hint = f" — {user_msg}" if user_msg else ""
    return [Violation(kind, _blamed(error), f"rejected (HTTP {status}, {code}): {error.get('message', '')}{hint}")]


def _catalogue_hint(body: Any) -> str:
    """The catalogue's explanation of a GraphError whose envelope does not carry it (simple Graph errors)."""
    entry = getattr(body, "entry", None)
    if not isinstance(entry, dict) or not entry.get("error_user_msg"):
        return ""
    return str(entry["error_user_msg"]).format_map(body.values)


def _error_of(body: Any) -> tuple[str | None, dict[str, Any] | None]:
    if hasattr(body, "envelope") and hasattr(body, "key"):  # a GraphError
        return body.key, body.envelope("-")["error"]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return None, body["error"]
    return None, None


def _blamed(error: dict[str, Any]) -> str | None:
    try:
        specs = json.loads(error.get("error_data") or "{}").get("blame_field_specs") or []
    except (TypeError, ValueError, AttributeError):
        return None
    return field_path(specs[0]) if specs and specs[0] else None


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."

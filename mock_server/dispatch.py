"""From a parsed GraphRequest to a handler: version, token, path resolution, visibility, permissions, limits.

`dispatch` runs one Graph call (a plain request or one operation of a batch):
version check -> token (expiry, appsecret_proof) -> the node the path names,
if the token may use its ad account (else the same error as a missing id) ->
permissions, app tier, two-factor business -> rate limits -> the handler.
`serve` wraps it for the app and the batch runner: the answer plus the usage
headers, whatever happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from mock_server import redaction
from mock_server import access as access_layer
from mock_server.access import Exchange, versions
from mock_server.domain import reach
from mock_server.domain.world import Token
from mock_server.handlers import multi
from mock_server.handlers.call import Call
from mock_server.handlers.routes import ROUTES
from mock_server.state import NodeRef, State
from mock_server.wire import base_url
from mock_server.wire.errors import GraphError
from mock_server.wire.request import GraphRequest

_NUMERIC = re.compile(r"^[0-9]{1,20}$")
_ACT = re.compile(r"^act_[0-9]{1,20}$")
_POST = re.compile(r"^[0-9]{1,20}_[0-9]{1,20}$")  # <page_id>_<post_id>
_ROOT_EDGES = frozenset({"generatepreviews"})  # edges of the root node (GET /generatepreviews, ACCOUNT-SURFACE 7)
_ROOT = NodeRef("Root", "")
_IMAGE_ID = re.compile(r"^([0-9]{1,20}):([0-9a-f]{32})$")
_AUTH_CODES = (190, 104, 102)


@dataclass
class Answer:
    """What a Graph call answered: status, JSON body (the envelope for an error) and extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    error: GraphError | None = None
    exchange: Exchange | None = None

    @property
    def call(self) -> Any:
        """The Call that produced this answer (a stand-in with the node for a kept read; None for an error before
        dispatch): its node and decoded params spare the journal a second decode when it judges the request."""
        return self.exchange.call if self.exchange is not None else None


def resolve(state: State, token: Token, object_id: str, method: str) -> NodeRef:
    """The node an id names, if this token may see it; otherwise the Graph 'does not exist' error."""
    image = _IMAGE_ID.match(object_id)
    if image:  # an AdImage id is <account_id>:<hash> (ACCOUNT-SURFACE 4)
        record = state.store.find_by_key("AdImage", image[1], image[2])
        if record is None or f"act_{image[1]}" not in token.ad_accounts:
            raise _missing(object_id, method)
        return NodeRef("AdImage", object_id, account=state.world.ad_accounts.get(f"act_{image[1]}"), record=record)
    if object_id == "me" or not (_NUMERIC.match(object_id) or _ACT.match(object_id)):
        return _fixture_node(state, token, object_id, method)
    if _ACT.match(object_id):
        account = state.world.ad_accounts.get(object_id)
        if account is None or object_id not in token.ad_accounts:
            raise _missing(object_id, method)
        return NodeRef("AdAccount", object_id, account=account)
    if not _NUMERIC.match(object_id):
        raise GraphError("alias_not_found", alias=object_id[:100])
    record = state.store.get(int(object_id))
    if record is not None:
        act = f"act_{record.account_id}"
        if act not in token.ad_accounts:
            raise _missing(object_id, method)
        return NodeRef(record.type, object_id, account=state.world.ad_accounts.get(act), record=record)
    return _fixture_node(state, token, object_id, method)


def _fixture_node(state: State, token: Token, object_id: str, method: str) -> NodeRef:
    """`me` and the fixture world's users, businesses, pages, IG accounts, posts and media (domain/reach.py)."""
    node = reach.me(state.world, token) if object_id == "me" else reach.find(state.world, object_id)
    if node is None:
        if object_id == "me" or _NUMERIC.match(object_id) or _POST.match(object_id):
            raise _missing(object_id, method)
        raise GraphError("alias_not_found", alias=object_id[:100])
    if not reach.reaches(state.world, token, node):
        raise _missing(object_id, method)
    return NodeRef(node.type, node.id, world=node.raw)


def _user_token_required(state: State, request: GraphRequest) -> None:
    """`me` needs a user (or system user) token: none, or an app token `<app_id>|<secret>`, is 2500 (ACCOUNT-SURFACE 1.1)."""
    token = request.access_token or ""
    app_id, bar, secret = token.partition("|")
    if not token or (bar and app_id in state.world.apps and state.world.apps[app_id].get("secret") == secret):
        raise GraphError("me_requires_user_token")


def _unserved(state: State, node_type: str, edge: str | None, method: str, segments: list[str]) -> GraphError:
    """No route: a documented edge graphmock does not serve says so; any other name is Graph's unknown field."""
    documented = state.registry.rules("surface")["documented_edges"].get(node_type, {})
    if edge is not None and method in documented.get(edge, ()):
        return GraphError("not_implemented", method=method, path="/" + "/".join(segments))
    node = state.node_types.get(node_type)
    graph_type = node.graph_type if node else node_type
    if edge is not None and (node is None or edge not in node.fields) and edge not in documented:
        return GraphError("nonexisting_field", field=edge, blame=[], node_type=graph_type)
    return GraphError(f"unsupported_{method.lower()}", object_id=segments[0])


def _missing(object_id: str, method: str) -> GraphError:
    """Unknown and invisible objects get the same answer (GRAPH-BEHAVIOUR 1.3: 100/33)."""
    return GraphError(f"unsupported_{method.lower()}", object_id=object_id)


def account_of(state: State, segments: list[str]) -> str | None:
    """The ad account a path targets (for fault matching), without any visibility check."""
    head = segments[0] if segments else ""
    if _ACT.match(head):
        return head
    if _NUMERIC.match(head):
        record = state.store.get(int(head))
        return f"act_{record.account_id}" if record is not None else None
    return None


def dispatch(state: State, request: GraphRequest, exchange: Exchange | None = None) -> tuple[int, Any]:
    access = access_layer.of(state)
    base_url.use(request.base_url)
    exchange = exchange if exchange is not None else Exchange()
    version_rules = access.rules["versions"]
    deprecated = versions.check(state.config, request, version_rules)
    method = request.method
    if method not in ("GET", "POST", "DELETE"):
        raise GraphError("unsupported_method", method=method.lower())
    policy = access.policy()
    if request.segments[:1] == ["me"]:
        _user_token_required(state, request)
    grant = exchange.grant = policy.authenticate(request.access_token, request.appsecret_proof, state.now())
    token = grant.token
    segments = request.segments
    if not segments:
        if method == "GET" and "ids" in request.params:
            if deprecated:
                versions.upgrade(state.config, request, version_rules, "- ids GET", grant.app, exchange.headers)

            def checked(state: State, token: Token, object_id: str, method: str) -> NodeRef:
                node = resolve(state, token, object_id, method)
                policy.authorize(grant, node.account, node.type, None, method)
                if node.world is not None:
                    policy.authorize_business_asset(grant, reach.owning_business(state.world, node.type, node.id, node.world))
                access.charge(exchange, node.account, method)  # each id counts as one call (G-RL FAQ)
                return node
            return multi.read_many(state, request, token, checked)
        raise GraphError(f"unsupported_{method.lower()}", object_id="")
    if len(segments) > 2:
        raise GraphError("unknown_path_components", path="/" + "/".join(segments[2:]),
                         versions=", ".join(state.config.versions))
    lookup = state.read_cache.consult(state.store, state.world, request) if method == "GET" else None
    kept = lookup.entry if lookup is not None else None
    # a kept answer was produced for this token, world and store version: the path resolves the same way
    root_edge = len(segments) == 1 and segments[0] in _ROOT_EDGES
    node = kept.node if kept is not None else (_ROOT if root_edge else resolve(state, token, segments[0], method))
    edge = segments[0] if root_edge else (segments[1] if len(segments) == 2 else None)
    if deprecated:
        versions.upgrade(state.config, request, version_rules, f"{node.type} {edge or '-'} {method}", grant.app,
                         exchange.headers)
    policy.authorize(grant, node.account, node.type, edge, method)
    if node.world is not None:
        policy.authorize_business_asset(grant, reach.owning_business(state.world, node.type, node.id, node.world))
    access.charge(exchange, node.account, method)
    if kept is not None:
        exchange.call = SimpleNamespace(node=node)  # the journal judges from the node the kept answer resolved
        return kept.answer
    handler = ROUTES.get((node.type, edge, method))
    if handler is None:
        raise _unserved(state, node.type, edge, method, segments)
    call = exchange.call = Call(state, request, token, node, edge)
    if method != "GET":
        call.check_written_fields()  # before any write (issue 17)
    if lookup is not None:
        return state.read_cache.answer(lookup, state.store, node, lambda: handler(call))
    return handler(call)


def serve(state: State, request: GraphRequest) -> Answer:
    """Dispatch and always answer: the body or the error envelope, with usage and version headers."""
    exchange = Exchange()
    try:
        status, body = dispatch(state, request, exchange)
        answer = Answer(status, body)
    except GraphError as error:
        answer = error_answer(state, error)
    answer.headers.update(exchange.headers)
    answer.headers.update(access_layer.of(state).usage_headers(exchange))
    if request.segments[-1:] == ["insights"]:
        answer = insights_answer(state, answer)
    answer.exchange = exchange
    return answer


def insights_answer(state: State, answer: Answer) -> Answer:
    """Insights answers carry X-FB-Ads-Insights-Throttle and throttle with 80000 / 4 (INSIGHTS.md 6.4)."""
    from mock_server.domain.insights.throttle import header, throttled
    replaced = throttled(answer.error)
    if replaced is not None:
        headers = answer.headers
        answer = error_answer(state, replaced)
        answer.headers.update(headers)
    answer.headers["x-fb-ads-insights-throttle"] = header(answer.headers)
    usage = answer.headers.get("x-business-use-case-usage")
    if usage:  # insights calls count under their own BUC type (GRAPH-BEHAVIOUR 2.1)
        answer.headers["x-business-use-case-usage"] = usage.replace('"type":"ads_management"', '"type":"ads_insights"')
    return answer


def error_answer(state: State, error: GraphError) -> Answer:
    answer = Answer(error.http_status, redaction.error_body(error.envelope(state.trace.next())), error=error)
    if error.code in _AUTH_CODES:
        answer.headers["www-authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{error.message[:200]}"'
    return answer

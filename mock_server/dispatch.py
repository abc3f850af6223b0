"""From a parsed GraphRequest to a handler: version, token, path resolution, visibility."""

from __future__ import annotations

import re
from typing import Any

from mock_server.config import version_key
from mock_server.domain.world import Token
from mock_server.handlers.call import Call
from mock_server.handlers.routes import ROUTES
from mock_server.state import NodeRef, State
from mock_server.wire.errors import GraphError
from mock_server.wire.request import VERSION_RE, GraphRequest

_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-\.|:~]{4,512}$")
_NUMERIC = re.compile(r"^[0-9]{1,20}$")
_ACT = re.compile(r"^act_[0-9]{1,20}$")


def check_version(state: State, request: GraphRequest) -> None:
    """Supported -> ok; a known older vNN.N -> 2635; anything else version-like -> unknown path (2500)."""
    version = request.version
    if version is None or version in state.config.versions:
        return
    versions = ", ".join(state.config.versions)
    if VERSION_RE.match(version) and version_key(version) < version_key(state.config.oldest_version):
        raise GraphError("deprecated_version", version=version, latest=state.config.latest_version, versions=versions)
    rest = "/" + "/".join(request.segments) if request.segments else "/"
    raise GraphError("unknown_path_components", path=rest, versions=versions)


def authenticate(state: State, request: GraphRequest) -> Token:
    token = request.access_token
    if not token:
        raise GraphError("access_token_required")
    if not _TOKEN_CHARS.match(token):
        raise GraphError("access_token_malformed")
    known = state.world.tokens.get(token)
    if known is None:
        raise GraphError("access_token_unknown")
    return known


def resolve(state: State, token: Token, object_id: str, method: str) -> NodeRef:
    """The node an id names, if this token may see it; otherwise the Graph 'does not exist' error."""
    missing = GraphError(f"unsupported_{method.lower()}", object_id=object_id)
    if _ACT.match(object_id):
        account = state.world.ad_accounts.get(object_id)
        if account is None or object_id not in token.ad_accounts:
            raise missing
        return NodeRef("AdAccount", object_id, account=account)
    if not _NUMERIC.match(object_id):
        raise GraphError("alias_not_found", alias=object_id[:100])
    record = state.store.get(int(object_id))
    if record is not None:
        act = f"act_{record.account_id}"
        if act not in token.ad_accounts:
            raise missing
        return NodeRef(record.type, object_id, account=state.world.ad_accounts.get(act), record=record)
    raise missing


def dispatch(state: State, request: GraphRequest) -> tuple[int, Any]:
    check_version(state, request)
    if request.method not in ("GET", "POST", "DELETE"):
        raise GraphError("unsupported_method", method=request.method.lower())
    token = authenticate(state, request)
    segments = request.segments
    if not segments:
        raise GraphError("unsupported_get" if request.method == "GET" else f"unsupported_{request.method.lower()}", object_id="")
    if len(segments) > 2:
        raise GraphError("unknown_path_components", path="/" + "/".join(segments[2:]), versions=", ".join(state.config.versions))
    node = resolve(state, token, segments[0], request.method)
    edge = segments[1] if len(segments) == 2 else None
    handler = ROUTES.get((node.type, edge, request.method))
    if handler is None:
        node_type = state.node_types.get(node.type)
        graph_type = node_type.graph_type if node_type else node.type
        if edge is not None and (node_type is None or edge not in node_type.fields):
            raise GraphError("nonexisting_field", field=edge, blame=[], node_type=graph_type)
        raise GraphError(f"unsupported_{request.method.lower()}", object_id=segments[0])
    return handler(Call(state, request, token, node, edge))

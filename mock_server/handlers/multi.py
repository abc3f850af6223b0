"""GET /?ids=a,b&fields=... : several nodes in one call, keyed by id (GRAPH-BEHAVIOUR 4).

The Python SDK sends it as `GET /v26.0//?ids=11,12`. Any id the token cannot see fails the whole call,
as a single read of it would.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain.world import Token
from mock_server.handlers.call import Call
from mock_server.handlers.routes import ROUTES
from mock_server.state import NodeRef, State
from mock_server.wire.errors import GraphError
from mock_server.wire.relaxed_json import RelaxedJSONError, loads
from mock_server.wire.request import GraphRequest

MAX_IDS = 50


def parse_ids(raw: Any) -> list[str]:
    if isinstance(raw, list):
        ids = [str(i) for i in raw]
    else:
        text = str(raw).strip()
        if text.startswith("["):
            try:
                value, _ = loads(text)
            except RelaxedJSONError:
                raise GraphError("param_type", field="ids", expected="a comma-separated list of ids", value=text) from None
            ids = [str(i) for i in value] if isinstance(value, list) else []
        else:
            ids = [part.strip() for part in text.split(",")]
    ids = [i for i in ids if i]
    if not ids:
        raise GraphError("param_required", field="ids")
    if len(ids) > MAX_IDS:
        raise GraphError("param_length", field="ids", bound=f"at most {MAX_IDS} items long", value=len(ids))
    return ids


def read_many(state: State, request: GraphRequest, token: Token, resolve: Any) -> tuple[int, Any]:
    """`resolve(state, token, id, method) -> NodeRef` is dispatch's resolver (visibility included)."""
    out: dict[str, Any] = {}
    params = {k: v for k, v in request.params.items() if k != "ids"}  # one copy: a request's params are never mutated
    for object_id in parse_ids(request.params.get("ids")):
        node: NodeRef = resolve(state, token, object_id, "GET")
        handler = ROUTES.get((node.type, None, "GET"))
        if handler is None:
            raise GraphError("unsupported_get", object_id=object_id)
        sub = GraphRequest(method="GET", path=request.path, version=request.version, segments=[object_id],
                           params=params, query=request.query, base_url=request.base_url,
                           access_token=request.access_token)
        _, body = handler(Call(state, sub, token, node))
        out[object_id] = body
    return 200, out

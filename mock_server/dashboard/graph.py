"""Graph reads for the dashboard, through the handlers' own code path.

The dashboard must show exactly what `GET /<id>` answers, so it resolves the id
with `dispatch.resolve` (the token's visibility) and calls the route table's
handler with a `Call`, as `dispatch` does. It skips the access layer's
charging and the journal on purpose: looking at the world must not use up a
client's rate-limit budget or add requests to the contract journal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from mock_server import access as access_layer
from mock_server.access.policy import appsecret_proof
from mock_server.dispatch import resolve
from mock_server.domain.world import Token
from mock_server.handlers.call import Call
from mock_server.handlers.routes import ROUTES
from mock_server.state import State
from mock_server.wire.errors import GraphError
from mock_server.wire.request import GraphRequest

log = logging.getLogger("graphmock.dashboard")
ADMIN_VIEW = ""  # the token choice meaning "everything in the world"


@dataclass
class Reply:
    """One internal Graph answer: the JSON body, or the error message when the call failed."""

    status: int
    body: Any
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def viewer(state: State, token: str | None) -> Token:
    """The chosen fixture token, or an all-seeing one for the admin view (unknown tokens see nothing)."""
    if token:
        found = state.world.tokens.get(token)
        return found or Token(token, "", None, frozenset(), frozenset(), frozenset(), None)
    return Token(ADMIN_VIEW, "", None, frozenset(), frozenset(state.world.ad_accounts),
                 frozenset(state.world.pages), None)


def served(state: State, node_type: str, edge: str | None) -> bool:
    """Whether this graphmock build answers GET <node>/<edge> (insights and activities may be absent)."""
    return (node_type, edge, "GET") in ROUTES


def read(state: State, token: Token, object_id: str, edge: str | None = None,
         params: dict[str, Any] | None = None) -> Reply:
    """GET /<object_id>[/<edge>] as `token`, rendered by the Graph handler; never raises."""
    segments = [object_id] + ([edge] if edge else [])
    version = state.config.latest_version
    request = GraphRequest(method="GET", path=f"/{version}/" + "/".join(segments), version=version,
                           segments=segments, params=dict(params or {}), query={}, base_url="",
                           access_token=token.access_token or None)
    try:
        with state.clock.active():
            node = resolve(state, token, object_id, "GET")
            permitted(state, token, node.account, node.type, edge)
            handler = ROUTES.get((node.type, edge, "GET"))
            if handler is None:
                return Reply(404, None, f"graphmock does not serve GET {node.type}/{edge or ''} yet")
            status, body = handler(Call(state, request, token, node, edge))
        return Reply(status, body)
    except GraphError as error:
        return Reply(error.http_status, error.envelope("dashboard"), error.message)
    except Exception:  # a handler bug must not break the page; the log has the traceback
        log.exception("dashboard read of %s failed", "/".join(segments))
        return Reply(500, None, "graphmock failed to answer this read (see the server log)")


def permitted(state: State, token: Token, account: Any, node_type: str, edge: str | None) -> None:
    """A fixture token's own checks (expiry, permissions, tier, two-factor), as `dispatch` runs them; the
    dashboard signs appsecret_proof itself, as the token's app would. The admin view has no checks."""
    if not token.access_token:
        return
    policy = access_layer.of(state).policy()
    grant = policy.grants.get(token.access_token)
    app = grant.app if grant is not None else None
    proof = appsecret_proof(token.access_token, app.secret or "") if app is not None and app.require_proof else None
    policy.authorize(policy.authenticate(token.access_token, proof, state.now()), account, node_type, edge, "GET")


def every_field(state: State, node_type: str) -> str:
    """All readable non-edge fields of a node type, for a `fields=` that shows the whole object."""
    plan = state.node_types.get(node_type)
    if plan is None:
        return ""
    return ",".join(name for name, spec in plan.fields.items() if spec.kind != "edge")


def full(state: State, token: Token, object_id: str, node_type: str) -> Reply:
    """The object with every field; falls back to the default field set if the full list is refused."""
    reply = read(state, token, object_id, params={"fields": every_field(state, node_type)})
    return reply if reply.ok else read(state, token, object_id)


def rows(reply: Reply) -> list[dict[str, Any]]:
    body = reply.body if reply.ok else None
    data = body.get("data") if isinstance(body, dict) else None
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []

"""The ASGI application: every path is a Graph call; every failure is a Graph error envelope."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from mock_server import control
from mock_server.config import ServerConfig
from mock_server.dispatch import dispatch
from mock_server.state import State
from mock_server.wire import request as wire_request
from mock_server.wire.errors import GraphError

log = logging.getLogger("graphmock")
JSON = "application/json; charset=UTF-8"
_METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"]


def graph_response(state: State, status: int, body: Any, *, version: str | None = None) -> Response:
    headers = {
        "x-fb-trace-id": state.trace.next(),
        "x-fb-rev": "1000000",
        "facebook-api-version": version or state.config.latest_version,
        "cache-control": "private, no-cache, no-store, must-revalidate",
        "pragma": "no-cache",
        "access-control-allow-origin": "*",
    }
    return Response(orjson.dumps(body), status_code=status, media_type=JSON, headers=headers)


def error_response(state: State, error: GraphError, *, suppress: bool = False) -> Response:
    body = error.envelope(state.trace.next())
    status = 200 if suppress else error.http_status
    response = graph_response(state, status, body)
    if error.code in (190, 104, 102):
        response.headers["www-authenticate"] = f'OAuth "Facebook Platform" "invalid_token" "{error.message[:200]}"'
    return response


def create_app(config: ServerConfig | None = None, state: State | None = None) -> Starlette:
    """Build the ASGI app. Pass `state` to share one State between apps (tests) or keep the default."""
    state = state or State(config or ServerConfig())

    async def graph_endpoint(request: Request) -> Response:
        suppress = False
        try:
            graph_request = await wire_request.parse(request, state.config.limits)
            suppress = graph_request.suppress_http_code
            status, body = dispatch(state, graph_request)
            return graph_response(state, status, body, version=graph_request.version)
        except GraphError as error:
            return error_response(state, error, suppress=suppress)
        except Exception:  # a bug: log it, answer like Graph does, never a traceback
            log.exception("graphmock internal error on %s %s", request.method, request.url.path)
            return error_response(state, GraphError("unknown_error"))

    app = Starlette(routes=[
        Mount(control.PREFIX, routes=control.routes(state)),
        Route("/{path:path}", graph_endpoint, methods=_METHODS),
    ])
    app.state.graph = state
    return app

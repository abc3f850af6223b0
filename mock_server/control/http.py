"""The control API over HTTP: JSON in, JSON out, optional admin token, JSON errors for every failure."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mock_server.control import access, clock, lifecycle, reviews
from mock_server.control import insights
from mock_server.control.errors import ControlError
from mock_server.state import State

log = logging.getLogger("graphmock.control")
JSON = "application/json; charset=UTF-8"
_IGNORED_QUERY = frozenset({"access_token"})  # Graph clients (and InProcessClient) add it everywhere

# path -> {method: (operation, takes a JSON body)}; operations take (state, [path param,] body)
Operation = Callable[..., Any]
TABLE: dict[str, dict[str, tuple[Operation, bool]]] = {
    "/": {"GET": (lambda state, body: index(), False)},
    "/reset": {"POST": (lifecycle.reset, True)},
    "/fixtures": {"GET": (lifecycle.get_fixtures, False), "POST": (lifecycle.load_fixtures, True)},
    "/snapshot": {"GET": (lifecycle.snapshot, False)},
    "/restore": {"POST": (lifecycle.restore, True)},
    "/seed": {"GET": (lifecycle.get_seed, False), "POST": (lifecycle.set_seed, True)},
    "/clock": {"GET": (clock.get, False), "POST": (clock.apply, True)},
    "/reviews": {"GET": (reviews.pending, False)},
    "/reviews/policy": {"GET": (reviews.get_policy, False), "POST": (reviews.set_policy, True)},
    "/reviews/{ad_id}": {"GET": (reviews.get_one, False), "POST": (reviews.decide, True)},
    "/faults": {"GET": (access.list_faults, False), "POST": (access.add_fault, True), "DELETE": (access.clear_faults, False)},
    "/faults/{fault_id}": {"DELETE": (access.clear_fault, False)},
    "/rate_limits": {"GET": (access.rate_limits, False), "POST": (access.configure_rate_limits, True)},
    "/journal": {"GET": (access.read_journal, False), "DELETE": (access.clear_journal, False)},
    "/openapi.json": {"GET": (access.openapi_document, False)},
    "/insights/profiles": {"GET": (insights.get_profiles, False), "DELETE": (insights.clear_profiles, False)},
    "/insights/profiles/{object_id}": {"POST": (insights.set_profile, True)},
    "/insights/job_failures": {"GET": (insights.get_failures, False), "POST": (insights.fail_jobs, True),
                               "DELETE": (insights.clear_failures, False)},
}


def index() -> dict[str, Any]:
    return {"graphmock_control": {path: sorted(methods) for path, methods in TABLE.items()},
            "docs": "docs/control-api.md"}


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON)


def check_token(state: State, request: Request) -> None:
    expected = state.config.admin_token
    if not expected:
        return
    given = request.headers.get("x-graphmock-admin-token")
    if given is None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        given = value.strip() if scheme.lower() == "bearer" else None
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ControlError("the control API needs the admin token: send 'Authorization: Bearer <token>' "
                           "or 'X-Graphmock-Admin-Token: <token>'", 401)


async def read_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ControlError(f"the body is not valid JSON: {exc}") from None


def _endpoint(state: State, methods: dict[str, tuple[Operation, bool]]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            check_token(state, request)
            operation, takes_body = methods[request.method]
            if takes_body:
                body = await read_body(request)
            else:
                body = {k: v for k, v in request.query_params.items() if k not in _IGNORED_QUERY} or None
            state.shared.sync()  # another worker's control call first (shared.py)
            with state.clock.active():
                result = operation(state, *request.path_params.values(), body)
            return json_response(result)
        except ControlError as error:
            return json_response(error.body(), error.code)
        except Exception:  # a bug: log it, still answer in JSON
            log.exception("graphmock control error on %s %s", request.method, request.url.path)
            return json_response(ControlError("internal error in the control API (see the server log)", 500).body(), 500)
    return endpoint


def _fallback(state: State) -> Callable[[Request], Any]:
    """Unknown path -> 404, known path with another method -> 405; both JSON."""
    patterns = [(Route(path, index).path_regex, methods) for path, methods in TABLE.items()]

    async def endpoint(request: Request) -> Response:
        path = "/" + request.path_params.get("rest", "")
        try:
            check_token(state, request)
            for regex, methods in patterns:
                if regex.match(path):
                    raise ControlError(f"{request.method} is not allowed on {path}; use {', '.join(sorted(methods))}", 405)
            raise ControlError(f"unknown control endpoint {path}; known: {', '.join(TABLE)}", 404)
        except ControlError as error:
            return json_response(error.body(), error.code)
    return endpoint


def build_routes(state: State) -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route(path, _endpoint(state, methods), methods=list(methods))
                               for path, methods in TABLE.items()]
    routes.append(Route("/{rest:path}", _fallback(state), methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]))
    return routes

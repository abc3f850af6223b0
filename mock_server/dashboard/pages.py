"""The dashboard's endpoints: the page shell, one HTML fragment per panel, and the action endpoint.

The shell holds no state, so it needs no admin token; every fragment and action
checks the control API's admin token (the page's script sends it as a header).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from mock_server import access as access_layer
from mock_server.control import access, reviews
from mock_server.control.errors import ControlError
from mock_server.control.http import check_token
from mock_server.dashboard import actions, detail, graph, insights, tree
from mock_server.journal import journal_of
from mock_server.state import State
from mock_server.wire.errors import GraphError

log = logging.getLogger("graphmock.dashboard")
HERE = Path(__file__).parent
JOURNAL_ROWS = 200
templates = Jinja2Templates(directory=str(HERE / "templates"))


def when(seconds: Any) -> str:
    """A virtual-clock instant as UTC text."""
    try:
        return datetime.fromtimestamp(float(seconds), timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (TypeError, ValueError, OverflowError, OSError):
        return "—"


def within(seconds: Any) -> str:
    """A duration like '4m 10s' (negative: 'due')."""
    try:
        left = int(float(seconds))
    except (TypeError, ValueError, OverflowError):
        return ""
    if left <= 0:
        return "due"
    parts = [(left // 86400, "d"), (left % 86400 // 3600, "h"), (left % 3600 // 60, "m"), (left % 60, "s")]
    return " ".join(f"{n}{unit}" for n, unit in parts if n)[:12] or "0s"


templates.env.filters["when"] = when
templates.env.filters["within"] = within
templates.env.filters["json"] = lambda value: orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _fragment(state: State, name: str, build: Any) -> Any:
    """An endpoint: admin token check, then `build(request) -> context`, rendered with `name`; never a 500."""
    async def endpoint(request: Request) -> Response:
        try:
            check_token(state, request)
            with state.clock.active():
                context = build(request)
            return templates.TemplateResponse(request, name, context)
        except ControlError as error:
            return templates.TemplateResponse(request, "message.html", {"message": error.message, "code": error.code},
                                              status_code=401 if error.code == 401 else 200)
        except Exception:
            log.exception("dashboard fragment %s failed", name)
            return templates.TemplateResponse(request, "message.html", {"message": "this panel failed to render "
                                              "(see the server log)", "code": 500}, status_code=200)
    return endpoint


def routes(state: State) -> list[BaseRoute]:
    def token_of(request: Request) -> str:
        return request.query_params.get("token", graph.ADMIN_VIEW)

    def tree_view(request: Request) -> dict[str, Any]:
        token = token_of(request)
        viewer = graph.viewer(state, token)
        archived = request.query_params.get("archived") == "on"
        return {"tree": tree.build(state, viewer, request.query_params.get("account"), archived), "token": token,
                "archived": archived,
                "tokens": list(state.world.tokens), "accounts": tree.accounts_for(state, viewer)}

    def object_view(request: Request) -> dict[str, Any]:
        token = token_of(request)
        query = {key: request.query_params.get(key, "")[:40] for key in ("preset", "since", "until")}
        found = detail.build(state, graph.viewer(state, token), request.path_params["object_id"][:40], query)
        return {"d": found, "token": token, "presets": insights.presets(state), "keys": insights.KEYS,
                "labels": insights.LABELS}

    def reviews_view(request: Request) -> dict[str, Any]:
        pending = reviews.pending(state)
        due = [ad["decide_at"] for ad in pending["data"] if ad.get("decide_at") is not None]
        return {"pending": pending["data"], "now": pending["now"], "next": min(due) if due else None}

    def clock_view(request: Request) -> dict[str, Any]:
        return {"clock": state.clock.state(), **reviews_view(request)}

    def journal_view(request: Request) -> dict[str, Any]:
        query = request.query_params
        only_bad, status, path = query.get("violation") == "on", query.get("status", "").strip(), query.get("path", "").strip()
        shown = []
        for entry in reversed(journal_of(state).entries()):
            if (only_bad and entry.conforming) or (path and path not in entry.path) \
                    or (status and not str(entry.status).startswith(status)):
                continue
            shown.append(entry)
            if len(shown) >= JOURNAL_ROWS:
                break
        flags = getattr(state, "_journal_middleware", None)
        return {"entries": shown, "strict": bool(flags and flags.strict)}

    def journal_entry(request: Request) -> dict[str, Any]:
        seq = request.path_params["seq"]
        entry = next((e for e in journal_of(state).entries() if e.seq == seq), None)
        if entry is None:
            raise ControlError(f"request #{seq} is no longer in the journal", 404)
        answer = entry.answer  # the journal may keep the GraphError itself (journal.py); show its envelope
        return {"e": entry, "answer": answer.envelope("") if isinstance(answer, GraphError) else answer}

    def world_view(request: Request) -> dict[str, Any]:
        layer = access_layer.of(state)
        return {"world": state.world, "summary": state.world.summary(), "faults": layer.faults.list(),
                "limits": access.rate_limits(state, None)["accounts"], "overrides": _limit_overrides(layer)}

    async def act(request: Request) -> Response:
        refusal = actions.same_origin(request)
        try:
            check_token(state, request)
        except ControlError as error:
            refusal = refusal or error.message
        if refusal is not None:
            return Response(orjson.dumps({"ok": False, "message": refusal}), 403, media_type="application/json")
        try:
            body = orjson.loads(await request.body() or b"{}")
        except orjson.JSONDecodeError:
            body = None
        status, answer = actions.run(state, request.path_params["name"], body)
        return Response(orjson.dumps(answer), status, media_type="application/json")

    async def shell(request: Request) -> Response:
        return templates.TemplateResponse(request, "index.html", {"needs_token": bool(state.config.admin_token)})

    known: list[BaseRoute] = [
        Route("/", shell),
        Route("/tree", _fragment(state, "tree.html", tree_view)),
        Route("/object/{object_id}", _fragment(state, "object.html", object_view)),
        Route("/reviews", _fragment(state, "reviews.html", reviews_view)),
        Route("/clock", _fragment(state, "clock.html", clock_view)),
        Route("/journal", _fragment(state, "journal.html", journal_view)),
        Route("/journal/{seq:int}", _fragment(state, "journal_entry.html", journal_entry)),
        Route("/world", _fragment(state, "world.html", world_view)),
        Route("/act/{name}", act, methods=["POST"]),
        Mount("/static", _Static(directory=str(HERE / "static")), name="static"),
    ]
    return [*known, Route("/{rest:path}", _fallback(known), methods=_EVERY_METHOD)]


class _Static(StaticFiles):
    """The vendored assets; a missing one is a JSON 404 like every other /__graphmock/ answer."""

    async def get_response(self, path: str, scope: Any) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            error = ControlError(f"no dashboard asset {path}", exc.status_code)
            return Response(orjson.dumps(error.body()), exc.status_code, media_type="application/json")


_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _fallback(known: list[BaseRoute]) -> Any:
    """Unknown dashboard path -> 404, a known one with another method -> 405; JSON, like the control API."""
    async def endpoint(request: Request) -> Response:
        path = request.url.path
        routed = [route for route in known if isinstance(route, Route) and route.path_regex.match(
            "/" + request.path_params.get("rest", ""))]
        error = ControlError(f"{request.method} is not allowed on {path}", 405) if routed else \
            ControlError(f"the dashboard has no page {path}; open /__graphmock/ui/", 404)
        return Response(orjson.dumps(error.body()), error.code, media_type="application/json")
    return endpoint


def _limit_overrides(layer: Any) -> Any:
    limiter = getattr(layer, "limiter", None)
    return getattr(limiter, "override", None)

"""The web dashboard at /__graphmock/ui/: see and steer the mock world in a browser (docs/dashboard.md).

Server-rendered HTML (Jinja2) with htmx for partial updates; state is read and
changed only through the control operations, the domain and the Graph handlers.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Route

PATH = "/__graphmock/ui"
PAGE_PATHS = frozenset({"/", "/__graphmock", "/__graphmock/"})  # a browser asking for these is sent to the UI


def routes(state: Any) -> list[BaseRoute]:
    """Mounted at PATH by mock_server.app."""
    from mock_server.dashboard.pages import routes as page_routes

    return page_routes(state)


def prefers_html(accept: str) -> bool:
    """Whether an Accept header ranks text/html above JSON (a browser, not an SDK or curl)."""
    html = json = 0.0
    for part in accept.split(","):
        kind, _, rest = part.strip().partition(";")
        quality = 1.0
        for param in rest.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.strip().lower()
        if kind == "text/html":
            html = max(html, quality)
        elif kind in ("application/json", "text/javascript"):
            json = max(json, quality)
    return html > 0 and html > json


def redirect_for(scope: dict[str, Any]) -> RedirectResponse | None:
    """The redirect to the dashboard for a browser's GET of / or /__graphmock (None: serve it as usual)."""
    if scope.get("method") not in ("GET", "HEAD"):
        return None
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return RedirectResponse(PATH + "/", 303) if prefers_html(value.decode("latin-1")) else None
    return None


def slash_route() -> BaseRoute:
    """/__graphmock/ui without the slash."""
    return Route(PATH, lambda request: RedirectResponse(PATH + "/", 307))

"""The route table: (node type, edge or None, method) -> handler. One entry per Graph operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.handlers import accounts, adcreatives, adimages, ads, adsets, campaigns
from mock_server.handlers import fixture_nodes, previews
from mock_server.handlers import insights
from mock_server.handlers import activities, advideos, assets, copies, customaudiences

Handler = Callable[..., tuple[int, Any]]

ROUTES: dict[tuple[str, str | None, str], Handler] = {
    **accounts.ROUTES,
    **campaigns.ROUTES,
    **adsets.ROUTES,
    **adimages.ROUTES,
    **adcreatives.ROUTES,
    **ads.ROUTES,
    **fixture_nodes.ROUTES,
    **previews.ROUTES,
    **insights.ROUTES,
    **assets.ROUTES,
    **customaudiences.ROUTES,
    **advideos.ROUTES,
    **activities.ROUTES,
    **copies.ROUTES,
}

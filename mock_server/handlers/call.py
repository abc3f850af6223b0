"""`Call`: everything a handler needs for one request. Its steps live by concept: the request's params and
`fields` (request_params.py), rendering records (rendering.py), list queries (list_queries.py), a list edge's page
(edge_pages.py), `fields` checks (field_checks.py); here the call itself and its store reads. Each concept is a
mixin of `Call`, not an object it delegates to: `call.render(...)` stays one method lookup on the hot path."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from mock_server.contract.decoding import Decoded
from mock_server.domain import activities, views
from mock_server.domain.activities import actor_of
from mock_server.domain.world import AdAccount, Token
from mock_server.handlers.edge_pages import EdgePages
from mock_server.handlers.field_checks import FieldChecks
from mock_server.handlers.list_queries import ListQueries
from mock_server.handlers.rendering import Rendering
from mock_server.handlers.request_params import RequestParams
from mock_server.state import NodeRef, State
from mock_server.store.repository import Record
from mock_server.wire.request import GraphRequest


@dataclass
class Call(RequestParams, Rendering, EdgePages, ListQueries, FieldChecks):
    state: State
    request: GraphRequest
    token: Token
    node: NodeRef
    edge: str | None = None
    decoded: Decoded | None = field(default=None)
    decoded_schema: str | None = None  # the schema `decoded` was decoded and validated against (the journal reuses it)
    _parents: dict[int, Record | None] = field(default_factory=dict, repr=False)
    _zones: dict[str, tzinfo] = field(default_factory=dict, repr=False)  # account id -> zone, for rendering
    _tested: dict[int, tuple[Record, dict[str, Any]]] = field(default_factory=dict, repr=False)  # edge_query

    def __post_init__(self) -> None:
        """Who acts, for the activity log's actor fields (domain/activities.py)."""
        activities.ACTOR.set(actor_of(self.state.world, self.token))

    # -- the request ----------------------------------------------------------------------
    @property
    def account(self) -> AdAccount | None:
        return self.node.account

    @property
    def version(self) -> str:
        return self.request.version or self.state.config.oldest_version

    def link_base(self, *segments: str) -> str:
        return f"{self.request.base_url}/{self.version}/" + "/".join(segments)

    # -- reads ----------------------------------------------------------------------------
    def lookup(self, object_id: int) -> Record | None:
        return self.state.store.get(object_id)

    def parent(self, object_id: int) -> Record | None:
        """Parents read while rendering (effective_status needs them), fetched once per call: a page of 25 ads
        under one ad set would otherwise read that ad set and its campaign 25 times."""
        cache = self._parents
        if object_id not in cache:
            cache[object_id] = self.state.store.get(object_id)
        return cache[object_id]

    def parent_is(self, record: Record) -> None:
        """A record this read already holds, as its children's parent lookups will ask for it (reads only: a write
        handler's records may change before the render)."""
        self._parents.setdefault(record.id, record)

    def values(self, record: Record) -> dict[str, Any]:
        return views.values(record, self.parent)

    def visible(self, record: Record | None) -> bool:
        return record is not None and f"act_{record.account_id}" in self.token.ad_accounts

"""`Call`: everything a handler needs for one request, and the shared read/list steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from mock_server.contract.decoding import Decoded
from mock_server.domain import activities
from mock_server.domain import status as statuses
from mock_server.domain import timefmt, views
from mock_server.domain.filtering import compile_filters
from mock_server.domain.world import AdAccount, Token
from mock_server.state import NodeRef, State
from mock_server.store.repository import ListQuery, Record
from mock_server.wire import paging
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec, parse_fields
from mock_server.wire.render import render_node
from mock_server.wire.request import GraphRequest


@dataclass
class Call:
    state: State
    request: GraphRequest
    token: Token
    node: NodeRef
    edge: str | None = None
    decoded: Decoded | None = field(default=None)
    _parents: dict[int, Record | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """Who acts, for the activity log's actor fields (domain/activities.py)."""
        world, token = self.state.world, self.token
        activities.ACTOR.set({"actor_id": token.user_id, "actor_name": world.users.get(token.user_id, {}).get("name"),
                              "application_id": token.app_id,
                              "application_name": world.apps.get(token.app_id or "", {}).get("name")})

    # -- params ---------------------------------------------------------------------------
    @property
    def account(self) -> AdAccount | None:
        return self.node.account

    def params(self, schema: str) -> dict[str, Any]:
        """Decode and validate this request's params against `requests/<schema>`."""
        tz = timefmt.zone(self.account.timezone_name if self.account else None)
        decoded = self.decoded = self.state.contract.decode(f"requests/{schema}", self.request.params, tz)
        if not decoded.unknown:
            return dict(decoded.values)
        return {k: v for k, v in decoded.values.items() if k not in decoded.unknown}

    def specs(self) -> list[FieldSpec]:
        return parse_fields(self.request.fields)

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

    def values(self, record: Record) -> dict[str, Any]:
        return views.values(record, self.parent)

    def render(self, record: Record, specs: list[FieldSpec]) -> dict[str, Any]:
        node_type = self.state.node_types[record.type]
        values = self.values(record)

        def expand(spec: FieldSpec, kind: str) -> Any:
            if kind == "edge":
                return self.nested_edge(record, spec)
            plan = node_type.fields[spec.name]
            target_id = values.get(plan.id_field or "")
            target = self.lookup(int(target_id)) if target_id and str(target_id).isascii() and str(target_id).isdigit() else None
            if target is None or not self.visible(target):
                return None
            return self.render(target, spec.children or [])

        return render_node(node_type, values, specs, expand)

    def visible(self, record: Record | None) -> bool:
        return record is not None and f"act_{record.account_id}" in self.token.ad_accounts

    def nested_edge(self, record: Record, spec: FieldSpec) -> dict[str, Any]:
        child_type = self.state.node_types[record.type].edges[spec.name]
        return self.expand_edge(str(record.id), self.child_query(record, child_type), spec)

    def expand_edge(self, owner_id: str, query: ListQuery, spec: FieldSpec) -> dict[str, Any]:
        """An edge inside `fields` (`adsets.limit(5){name}`): one page, with links to the edge itself."""
        limit = paging.parse_limit(spec.modifiers.get("limit"), self.state.config.max_page_size)
        after = paging.decode_cursor(spec.modifiers["after"], "after") if spec.modifiers.get("after") else None
        link = {"fields": _unparse(spec.children or []), "access_token": self.request.access_token or ""}
        return self.list_page(query, spec.children or [], limit=limit, after=after, before=None,
                              link_base=self.link_base(owner_id, spec.name), link_params=link, summary=False)

    def child_query(self, parent: Record, child_type: str, effective: list[str] | None = None) -> ListQuery:
        """The children a nested edge lists: by campaign or ad set, or an ad's own creative."""
        if parent.type == "Ad" and child_type == "AdCreative":
            creative_id = int(parent.data.get("creative_id") or 0)
            return ListQuery("AdCreative", account_id=parent.account_id, predicate=lambda r: r.id == creative_id)
        relation = {"Campaign": "campaign_id", "AdSet": "adset_id"}.get(parent.type)
        kwargs: dict[str, Any] = {"account_id": parent.account_id}
        if relation:
            kwargs[relation] = parent.id
        return self.edge_query(child_type, effective=effective, **kwargs)

    def edge_query(self, node_type: str, *, effective: list[str] | None = None, filters: Any = None, **where: Any) -> ListQuery:
        """A list query with Graph's default visibility (no ARCHIVED/DELETED) or an effective_status filter."""
        wanted = set(effective) if effective else None
        compiled = compile_filters(filters, node_type, self.state.registry.rules("filtering")) if filters else None
        if wanted and "DELETED" in wanted:
            raise GraphError("deleted_in_edge_filter")
        own_only = node_type in ("Campaign", "AdCreative", "AdImage")
        if wanted is None:
            sql_statuses = self._listed_by_default(node_type) if own_only else None
        else:
            sql_statuses = wanted & {"ACTIVE", "PAUSED", "ARCHIVED"} if own_only else statuses.configured_candidates(wanted)
        needs_values = compiled is not None or not own_only

        def derived(record: Record) -> bool:
            """Derived effective_status and `filtering` need the node's read values."""
            values = self.values(record)
            effective_status = values.get("effective_status", record.status)
            if wanted is None:
                if effective_status in statuses.HIDDEN_BY_DEFAULT:
                    return False
            elif effective_status not in wanted:
                return False
            return all(test(values) for _, test in compiled or [])
        return ListQuery(node_type, statuses=sql_statuses, predicate=derived if needs_values else None, **where)

    def _listed_by_default(self, node_type: str) -> set[str]:
        """Configured statuses an edge lists without a filter (M-STATUS: no ARCHIVED/DELETED)."""
        if node_type == "AdCreative":
            return set(self.state.registry.rules("creative")["listed_statuses"])
        if node_type == "AdImage":
            return {"ACTIVE"}
        return {"ACTIVE", "PAUSED"}

    def list_page(self, query: ListQuery, specs: list[FieldSpec], *, limit: int, after: int | None, before: int | None,
                  link_base: str, link_params: dict[str, str], summary: bool) -> dict[str, Any]:
        self.check_fields(query.type, specs)
        records, more = self.state.store.page(query, after=after, before=before, limit=limit)
        data = [self.render(r, specs) for r in records]
        total = self.state.store.count(query) if summary else None
        return paging.envelope(data, [r.id for r in records], more=more, backwards=before is not None and after is None,
                               had_cursor=after is not None or before is not None, link_base=link_base,
                               link_params=link_params, limit=limit, total=total)

    def check_fields(self, node_type: str, specs: list[FieldSpec]) -> None:
        """Unknown fields are refused even when the page is empty, as Graph does (GRAPH-BEHAVIOUR 4)."""
        plan = self.state.node_types.get(node_type)
        if plan is None:
            return
        for spec in specs:
            if spec.name not in plan.fields:
                raise GraphError("nonexisting_field", field=spec.name, blame=[], node_type=plan.graph_type)

    def list_edge(self, query_params: dict[str, Any], query: ListQuery, *segments: str,
                  default: list[FieldSpec] | None = None) -> dict[str, Any]:
        """Serve a list edge: paging params, `summary`, `fields` (else the node's `default` fields), absolute
        next/previous links."""
        limit = paging.parse_limit(self.request.params.get("limit"), self.state.config.max_page_size)
        after_raw, before_raw = query_params.get("after"), query_params.get("before")
        after = paging.decode_cursor(after_raw, "after") if after_raw else None
        before = paging.decode_cursor(before_raw, "before") if before_raw and not after_raw else None
        summary = str(query_params.get("summary", "")).strip().strip('"').lower() not in ("", "false", "0")
        link_params = {k: _link_value(v) for k, v in self.request.params.items()}
        if self.request.access_token:
            link_params["access_token"] = self.request.access_token
        return self.list_page(query, self.specs() or default or [], limit=limit, after=after, before=before,
                              link_base=self.link_base(*segments), link_params=link_params, summary=summary)


def _link_value(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _unparse(specs: list[FieldSpec]) -> str:
    parts = []
    for spec in specs:
        text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers.items())
        if spec.children is not None:
            text += "{" + _unparse(spec.children) + "}"
        parts.append(text)
    return ",".join(parts)

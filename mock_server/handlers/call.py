"""`Call`: everything a handler needs for one request, and the shared read/list steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

import orjson

from mock_server.contract.decoding import Decoded
from mock_server.domain import activities
from mock_server.domain import status as statuses
from mock_server.domain import account_time, views
from mock_server.domain.filtering import compile_filters, named_statuses
from mock_server.domain.world import AdAccount, Token, World
from mock_server.handlers import kept_reads
from mock_server.state import NodeRef, State
from mock_server.store.repository import ListQuery, Record
from mock_server.wire import paging
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec, parse_fields
from mock_server.wire.render import Plan, plan, render_planned
from mock_server.wire.request import GraphRequest


@dataclass
class Call:
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
        activities.ACTOR.set(_actor(self.state.world, self.token))

    # -- params ---------------------------------------------------------------------------
    @property
    def account(self) -> AdAccount | None:
        return self.node.account

    def params(self, schema: str) -> dict[str, Any]:
        """Decode and validate this request's params against `requests/<schema>`. A read's params of plain values
        decode the same every time (the decoder reads only them and the zone): kept (handlers/kept_reads.py)."""
        account = self.account
        tz = account_time.zone(account.timezone_name if account else None)  # cached: ZoneInfo() is not free
        name = self.decoded_schema = _SCHEMAS.get(schema) or _SCHEMAS.setdefault(schema, f"requests/{schema}")
        contract, params = self.state.contract, self.request.params
        reading = self.request.method == "GET"
        same = kept_reads.SAME_PARAMS.get(id(params)) if reading else None  # this very dict decoded before (a kept parse)
        if same is not None and same[0] is params and same[1] is contract and same[2] is tz and same[3] == name:
            decoded = same[4]
        else:
            decoded = kept_reads.decoded_read(contract, name, params, tz) if reading else None
            if decoded is None:
                decoded = contract.decode(name, params, tz)
        self.decoded = decoded
        if not decoded.unknown:
            return dict(decoded.values)
        return {k: v for k, v in decoded.values.items() if k not in decoded.unknown}

    def specs(self) -> list[FieldSpec]:
        params = self.request.params
        same = kept_reads.SAME_FIELDS.get(id(params))  # this very params dict parsed before (a repeated GET's kept parse)
        if same is not None and same[0] is params:
            return same[1]  # type: ignore[no-any-return]
        specs = parse_fields(self.request.fields)  # a syntax error raises: never kept
        if self.request.method == "GET" and self.request.body_kind == "none":
            kept_reads.keep_same(kept_reads.SAME_FIELDS, params, (params, specs))
        return specs

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

    def render(self, record: Record, specs: list[FieldSpec]) -> dict[str, Any]:
        node_type = self.state.node_types[record.type]
        compiled = plan(node_type, specs)
        tested = self._tested.pop(id(record), None)  # the values a list predicate just computed for this record
        object_id: str | None = str(record.id)
        if tested is not None and tested[0] is record:
            values = tested[1]
            object_id = str(values["id"]) if "id" in values else None
        elif _stored_only(record.type, compiled):
            values = record.data
        else:
            reading = views.alone(record.type, compiled.reads)
            if reading is not None:  # a few derived keys, each computed alone (effective_status...)
                values = views.narrow(record, self.parent, reading)
            else:
                values = self.values(record)
                object_id = str(values["id"]) if "id" in values else None
        if compiled.item is not None:  # no edge, reference or sub-selection: nothing to expand
            return compiled.item(values, object_id, self.zone(record.account_id))

        def expand(spec: FieldSpec, kind: str) -> Any:
            if spec.name == "insights" and kind == "edge":
                from mock_server.handlers import insights  # the insights edge is computed, not listed
                return insights.nested(self, record.type, str(record.id), spec)
            if kind == "edge":
                return self.nested_edge(record, spec)
            field_plan = node_type.fields[spec.name]
            target_id = values.get(field_plan.id_field or "")
            target = self.lookup(int(target_id)) if target_id and str(target_id).isascii() and str(target_id).isdigit() else None
            if target is None or not self.visible(target):
                return None
            return self.render(target, spec.children or [])

        return render_planned(node_type, compiled, values, object_id, expand, self.zone(record.account_id))

    def render_all(self, records: list[Record], specs: list[FieldSpec]) -> list[dict[str, Any]]:
        """A page's items. Stored fields (and derived ones computed alone) without edges or references, of one type,
        no value a predicate computed: the plan, those checks and the zone are looked up once for the page."""
        first = records[0] if records else None
        if first is None or self._tested:
            return [self.render(record, specs) for record in records]
        node_type = self.state.node_types[first.type]
        compiled = plan(node_type, specs)
        stored = _stored_only(first.type, compiled)
        reading = None if stored else views.alone(first.type, compiled.reads)
        if compiled.expands or (not stored and reading is None) or any(r.type != first.type for r in records):
            return [self.render(record, specs) for record in records]
        account, tz, lookup, narrow = first.account_id, self.zone(first.account_id), self.parent, views.narrow
        item = compiled.item
        if item is not None and all(r.account_id == account for r in records):  # straight-line code per item
            if reading is None:
                return [item(r.data, str(r.id), tz) for r in records]
            return [item(narrow(r, lookup, reading), str(r.id), tz) for r in records]
        return [render_planned(node_type, compiled, r.data if reading is None else narrow(r, lookup, reading), str(r.id),
                               _NO_EXPAND, tz if r.account_id == account else self.zone(r.account_id)) for r in records]

    def stored_page(self, query: ListQuery, specs: list[FieldSpec], *, after: int | None, before: int | None,
                    limit: int) -> tuple[list[dict[str, Any]], list[int], bool] | None:
        """A page of one account's objects whose selection reads stored fields only (names, statuses, money, times),
        rendered from each object's id and stored data as the store reads them (`store.page_rendered`, SQLite): no
        `Record` is built and only two columns are read. The items, the page's first and last ids (its cursors) and
        whether more follow; None when the page needs more (a predicate, derived fields, edges, references,
        sub-selections) or the store has no such read: `page` and `render_all` answer it, the same way."""
        store = self.state.store  # the repository an ObservedRepository wraps: a failed lookup there costs ~1 us
        page_rendered = getattr(getattr(store, "inner", store), "page_rendered", None)
        node_type = self.state.node_types.get(query.type)
        if page_rendered is None or node_type is None or query.account_id is None or \
                (query.predicate is not None and query.status_test is None):
            return None
        compiled = plan(node_type, specs)
        item = compiled.shared_item  # the data dicts are shared with other pages (sqlite_pages.py `decoded`)
        if item is None or not _stored_only(query.type, compiled):
            return None
        return page_rendered(query, item, self.zone(query.account_id), after=after, before=before,  # type: ignore[no-any-return]
                             limit=limit)

    def zone(self, account_id: str) -> tzinfo:
        """The ad account's time zone, in which its datetimes render: once per account per call."""
        zone = self._zones.get(account_id)
        if zone is None:
            world = self.state.world  # replaced, never edited in place (read_cache.py): its zones are kept with it
            kept = _ZONES.get(account_id)
            if kept is not None and kept[0] is world:
                zone = kept[1]
            else:
                zone = account_time.of_account(world, account_id)
                if len(_ZONES) >= 1024:
                    _ZONES.clear()
                _ZONES[account_id] = (world, zone)
            self._zones[account_id] = zone
        return zone

    def visible(self, record: Record | None) -> bool:
        return record is not None and f"act_{record.account_id}" in self.token.ad_accounts

    def nested_edge(self, record: Record, spec: FieldSpec) -> dict[str, Any]:
        child_type = self.state.node_types[record.type].fields[spec.name].target or ""  # NodeType.edges, unbuilt
        return self.expand_edge(str(record.id), self.child_query(record, child_type), spec)

    def expand_edge(self, owner_id: str, query: ListQuery, spec: FieldSpec) -> dict[str, Any]:
        """An edge inside `fields` (`adsets.limit(5){name}`): one page, with links to the edge itself."""
        limit = paging.parse_limit(spec.modifiers.get("limit"), self.state.config.max_page_size)
        after = paging.decode_cursor(spec.modifiers["after"], "after") if spec.modifiers.get("after") else None
        before = paging.decode_cursor(spec.modifiers["before"], "before") if spec.modifiers.get("before") and \
            after is None else None
        offset = paging.parse_offset(spec.modifiers.get("offset"))
        summary = paging.wants_summary(spec.modifiers.get("summary"))  # .summary(true) / .summary(total_count)
        link = {"fields": _unparse(spec.children or []), "access_token": self.request.access_token or ""}
        return self.list_page(query, spec.children or [], limit=limit, after=after, before=before,
                              link_base=self.link_base(owner_id, spec.name), link_params=link, summary=summary,
                              offset=offset)

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
        if not effective and not filters and node_type in _KEPT_DEFAULT:  # the plain list of a type without parents
            return self._default_query(node_type, where)
        wanted = set(effective) if effective else None
        compiled: Any = None
        lifted: set[str] | frozenset[str] = _NOTHING
        if filters:  # the filtering table and the account's zone only for a `filtering` param
            table = self.state.registry.rules("filtering")
            tz = account_time.zone(self.account.timezone_name) if self.account else account_time.UTC
            compiled = compile_filters(filters, node_type, table, tz)
            # a status named by `filtering` (campaign.effective_status IN [ARCHIVED]) is listed as by the param
            lifted = named_statuses(filters, node_type, table) & statuses.HIDDEN_BY_DEFAULT if compiled else _NOTHING
        if (wanted and "DELETED" in wanted) or "DELETED" in lifted:
            raise GraphError("deleted_in_edge_filter")
        own_only = node_type in _OWN_ONLY
        if wanted is None:
            sql_statuses = (self._listed_by_default(node_type) | lifted) if own_only else None
        else:
            sql_statuses = wanted & {"ACTIVE", "PAUSED", "ARCHIVED"} if own_only else statuses.configured_candidates(wanted)
        needs_values = compiled is not None or not own_only
        status_of = views.EFFECTIVE_STATUS.get(node_type) if compiled is None else None

        def listed(effective_status: str) -> bool:
            """Whether an object of this effective_status is listed: the param's statuses, else the default."""
            if wanted is None:
                return effective_status not in statuses.HIDDEN_BY_DEFAULT or effective_status in lifted
            return effective_status in wanted

        def derived(record: Record) -> bool:
            """Derived effective_status and `filtering` need the node's read values (kept for `render`, which
            follows for the records of the page: an ad set's view reads its parents, computed once, not twice).
            Without `filtering`, ad sets and ads derive effective_status alone (parents are read once a call)."""
            values = None
            if status_of is not None:
                effective_status = status_of(record, self.parent)
            else:
                values = self.values(record)
                if len(self._tested) < _MAX_TESTED:
                    self._tested[id(record)] = (record, values)
                effective_status = values.get("effective_status", record.status)
            if not listed(effective_status):
                return False
            return values is None or all(test(values) for _, test in compiled or [])
        status_test = None
        if status_of is not None:  # the scope may fix the parents: then the own status alone decides (views.py)
            of_own = views.effective_of_own(node_type, where, self.parent)
            if of_own is not None:
                status_test = _status_test(listed, of_own)
        return ListQuery(node_type, statuses=sql_statuses, predicate=derived if needs_values else None,
                         status_test=status_test, **where)

    def _default_query(self, node_type: str, where: dict[str, Any]) -> ListQuery:
        """`edge_query` without a filter for a type whose listing reads only its own status (campaigns, creatives,
        images): the same query for the same scope, so it is built once (a frozen `ListQuery` with a frozenset of
        statuses: nobody can change it) and kept per registry (creatives' listed statuses are a rule)."""
        registry = self.state.registry
        key = (node_type, *where.items())
        kept = _DEFAULT_QUERIES.get(key)
        if kept is not None and kept[0] is registry:
            return kept[1]
        query = ListQuery(node_type, statuses=frozenset(self._listed_by_default(node_type)), **where)
        if len(_DEFAULT_QUERIES) >= 1024:
            _DEFAULT_QUERIES.clear()
        _DEFAULT_QUERIES[key] = (registry, query)
        return query

    def _listed_by_default(self, node_type: str) -> set[str]:
        """Configured statuses an edge lists without a filter (M-STATUS: no ARCHIVED/DELETED)."""
        if node_type == "AdCreative":
            return set(self.state.registry.rules("creative")["listed_statuses"])
        if node_type == "AdImage":
            return {"ACTIVE"}
        return {"ACTIVE", "PAUSED"}

    def list_page(self, query: ListQuery, specs: list[FieldSpec], *, limit: int, after: int | None, before: int | None,
                  link_base: str, link_params: dict[str, str], summary: bool, offset: int | None = None) -> dict[str, Any]:
        self.check_fields(query.type, specs)
        if offset is not None and after is None and before is None:
            # offset paging (G-PAGE): skip `offset` objects in the edge's order; `next` carries the next offset
            records, more = paging.offset_window(self.state.store.iterate(query), offset, limit)
            data = self.render_all(records, specs)
            total = self.state.store.count(query) if summary else None
            return paging.offset_envelope(data, [r.id for r in records], more=more, offset=offset, limit=limit,
                                          link_base=link_base, link_params=link_params, total=total)
        stored = self.stored_page(query, specs, after=after, before=before, limit=limit)
        if stored is not None:
            data, ids, more = stored
        else:
            records, more = self.state.store.page(query, after=after, before=before, limit=limit)
            data, ids = self.render_all(records, specs), [r.id for r in records]
        total = self.state.store.count(query) if summary else None
        return paging.envelope(data, ids, more=more, backwards=before is not None and after is None,
                               had_cursor=after is not None or before is not None, link_base=link_base,
                               link_params=link_params, limit=limit, total=total)

    def check_written_fields(self) -> None:
        """`fields` on a write (read-after-write) is checked before anything is written: a bad one answers the
        error with nothing applied, so a retrying client never creates a duplicate (issue 17)."""
        if not self.request.fields:
            return
        specs = self.specs()  # a syntax error raises here
        owner = self.state.node_types.get(self.node.type)
        target = owner.edges.get(self.edge) if owner is not None and self.edge else self.node.type
        self._check_fields_deep(target, specs, 0)

    def _check_fields_deep(self, node_type: str | None, specs: list[FieldSpec], depth: int) -> None:
        plan = self.state.node_types.get(node_type or "")
        if plan is None or depth > 8:
            return
        for spec in specs:
            field_plan = plan.fields.get(spec.name)
            if field_plan is None:
                raise GraphError("nonexisting_field", field=spec.name, blame=[], node_type=plan.graph_type)
            if spec.children and field_plan.kind in ("edge", "ref"):
                self._check_fields_deep(field_plan.target, spec.children, depth + 1)

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
        limit, offset, link_base, link_params = self._paging(segments)
        after_raw, before_raw = query_params.get("after"), query_params.get("before")
        after = paging.decode_cursor(after_raw, "after") if after_raw else None
        before = paging.decode_cursor(before_raw, "before") if before_raw and not after_raw else None
        summary = str(query_params.get("summary", "")).strip().strip('"').lower() not in ("", "false", "0")
        body = self.list_page(query, self.specs() or default or [], limit=limit, after=after, before=before,
                              link_base=link_base, link_params=link_params, summary=summary, offset=offset)
        if summary and "insights" in str(query_params.get("summary")):
            from mock_server.handlers import insights  # summary=insights (M-ACTCAMP): the edge owner's insights
            body["summary"]["insights"] = insights.summary_of(self, query)
        return body


    def _paging(self, segments: tuple[str, ...]) -> tuple[int, int | None, str, dict[str, str]]:
        """`limit`, `offset`, the links' base and params of a list read (the links carry the query and the token).
        A repeated GET's kept parse gives the same ones: kept by its params dict, as `params` and `specs` are (the
        link params are only read: `paging` builds new dicts from them)."""
        request = self.request
        params, token, maximum = request.params, request.access_token, self.state.config.max_page_size
        same = kept_reads.SAME_PAGING.get(id(params))
        if same is not None and same[0] is params and same[1] == (token, maximum, request.base_url, self.version,
                                                                 segments):
            return same[2]  # type: ignore[no-any-return]
        limit = paging.parse_limit(params.get("limit"), maximum)
        offset = paging.parse_offset(params.get("offset"))
        link_params = {k: _link_value(v) for k, v in params.items()}
        if token:
            link_params["access_token"] = token
        found = (limit, offset, self.link_base(*segments), link_params)
        if request.method == "GET" and request.body_kind == "none":
            depends = (token, maximum, request.base_url, self.version, segments)
            kept_reads.keep_same(kept_reads.SAME_PAGING, params, (params, depends, found))
        return found


_SCHEMAS: dict[str, str] = {}  # schema -> "requests/<schema>"
_ZONES: dict[str, tuple[World, tzinfo]] = {}  # account id -> (the world it was looked up in, its zone): Call.zone
_NOTHING: frozenset[str] = frozenset()
_OWN_ONLY = frozenset({"Campaign", "AdCreative", "AdImage"})  # listed by their own status (no parents' to derive)
_KEPT_DEFAULT = _OWN_ONLY  # types whose unfiltered list query is kept (`Call._default_query`; tests turn it off)
_DEFAULT_QUERIES: dict[tuple[Any, ...], tuple[Any, ListQuery]] = {}  # Call._default_query: (registry, query)
_MAX_TESTED = 512  # values kept between a list predicate and render: bounded, whatever a predicate scans


def _stored_only(record_type: str, compiled: Plan) -> bool:
    """Whether the selection reads only keys no view of this type sets or replaces: then the stored data answers
    as it is, without the copy and the view `values` builds (domain/views.py `derived`; issue 18)."""
    derived = views.derived(record_type)
    return derived is not None and compiled.reads.isdisjoint(derived)


def _status_test(listed: Callable[[str], bool], of_own: Callable[[str], str]) -> Callable[[str], bool]:
    return lambda own: listed(of_own(own))


def _NO_EXPAND(spec: FieldSpec, kind: str) -> Any:
    raise AssertionError("a plan without edges or references expands nothing")


def _actor(world: World, token: Token) -> dict[str, str | None]:
    """The actor fields of a token's calls, built once per world and token: a world is replaced, never edited in
    place (read_cache.py), and the recorder only reads the dict (it copies it into each activity)."""
    key = (token.user_id, token.app_id)
    kept = _ACTORS.get(key)
    if kept is not None and kept[0] is world:
        return kept[1]
    actor = {"actor_id": token.user_id, "actor_name": world.users.get(token.user_id, {}).get("name"),
             "application_id": token.app_id, "application_name": world.apps.get(token.app_id or "", {}).get("name")}
    if len(_ACTORS) >= 256:
        _ACTORS.clear()
    _ACTORS[key] = (world, actor)
    return actor


_ACTORS: dict[tuple[str, str | None], tuple[World, dict[str, str | None]]] = {}


def _link_value(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _unparse(specs: list[FieldSpec]) -> str:
    """A selection as `fields` text again (a nested edge's links carry it). `parse_fields` shares its lists between
    requests and nobody changes them: the text is kept per list (the entry holds it, so its id is not reused)."""
    if not specs:
        return ""
    kept = _UNPARSED.get(id(specs))
    if kept is not None and kept[0] is specs:
        return kept[1]
    text = _unparsed(specs)
    if len(_UNPARSED) >= 256:
        _UNPARSED.clear()
    _UNPARSED[id(specs)] = (specs, text)
    return text


_UNPARSED: dict[int, tuple[list[FieldSpec], str]] = {}


def _unparsed(specs: list[FieldSpec]) -> str:
    parts = []
    for spec in specs:
        text = spec.name + "".join(f".{k}({v})" for k, v in spec.modifiers.items())
        if spec.children is not None:
            text += "{" + _unparse(spec.children) + "}"
        parts.append(text)
    return ",".join(parts)

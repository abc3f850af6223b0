"""A list edge's page: paging params (`limit`, cursors, `offset`, `summary`), the page read from the store and
rendered, and its absolute next/previous links (wire/paging.py); an edge inside `fields` pages the same way."""

from __future__ import annotations

from typing import Any

from mock_server.handlers import kept_reads
from mock_server.state import State
from mock_server.store.repository import ListQuery, Record
from mock_server.wire import paging
from mock_server.wire.fields import FieldSpec
from mock_server.wire.link_text import link_value, unparse
from mock_server.wire.request import GraphRequest


class EdgePages:
    """`Call`'s list edge steps (the attributes below are `Call`'s)."""

    state: State
    request: GraphRequest
    version: str

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
        link = {"fields": unparse(spec.children or []), "access_token": self.request.access_token or ""}
        return self.list_page(query, spec.children or [], limit=limit, after=after, before=before,
                              link_base=self.link_base(owner_id, spec.name), link_params=link, summary=summary,
                              offset=offset)

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
        link_params = {k: link_value(v) for k, v in params.items()}
        if token:
            link_params["access_token"] = token
        found = (limit, offset, self.link_base(*segments), link_params)
        if request.method == "GET" and request.body_kind == "none":
            depends = (token, maximum, request.base_url, self.version, segments)
            kept_reads.keep_same(kept_reads.SAME_PAGING, params, (params, depends, found))
        return found

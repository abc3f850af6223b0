"""A call's records rendered for a `fields` selection: stored fields as stored, derived ones through the node's
view (domain/views.py), datetimes in the ad account's zone, references and edges expanded (plans: wire/render.py)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from mock_server.domain import account_time, views
from mock_server.domain.world import World
from mock_server.state import State
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.fields import FieldSpec
from mock_server.wire.render import Plan, plan, render_planned


class Rendering:
    """`Call`'s render steps (the attributes below are `Call`'s)."""

    state: State
    _tested: dict[int, tuple[Record, dict[str, Any]]]
    _zones: dict[str, tzinfo]

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


_ZONES: dict[str, tuple[World, tzinfo]] = {}  # account id -> (the world it was looked up in, its zone): Call.zone


def _stored_only(record_type: str, compiled: Plan) -> bool:
    """Whether the selection reads only keys no view of this type sets or replaces: then the stored data answers
    as it is, without the copy and the view `values` builds (domain/views.py `derived`; issue 18)."""
    derived = views.derived(record_type)
    return derived is not None and compiled.reads.isdisjoint(derived)


def _NO_EXPAND(spec: FieldSpec, kind: str) -> Any:
    raise AssertionError("a plan without edges or references expands nothing")

"""The query an edge lists with: Graph's default visibility (no ARCHIVED/DELETED), an `effective_status` param
or a `filtering` one (domain/filtering.py), decided by the own status where the scope allows (domain/views.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain import status as statuses
from mock_server.domain import account_time, views
from mock_server.domain.filtering import compile_filters, named_statuses
from mock_server.domain.world import AdAccount
from mock_server.state import State
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.errors import GraphError


class ListQueries:
    """`Call`'s list query steps (the attributes below are `Call`'s)."""

    state: State
    account: AdAccount | None
    _tested: dict[int, tuple[Record, dict[str, Any]]]

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


_NOTHING: frozenset[str] = frozenset()
_OWN_ONLY = frozenset({"Campaign", "AdCreative", "AdImage"})  # listed by their own status (no parents' to derive)
_KEPT_DEFAULT = _OWN_ONLY  # types whose unfiltered list query is kept (`Call._default_query`; tests turn it off)
_DEFAULT_QUERIES: dict[tuple[Any, ...], tuple[Any, ListQuery]] = {}  # Call._default_query: (registry, query)
_MAX_TESTED = 512  # values kept between a list predicate and render: bounded, whatever a predicate scans


def _status_test(listed: Callable[[str], bool], of_own: Callable[[str], str]) -> Callable[[str], bool]:
    return lambda own: listed(of_own(own))

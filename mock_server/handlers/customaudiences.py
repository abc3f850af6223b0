"""Custom audiences (ACCOUNT-SURFACE 5.1, 5.2).

POST|GET /act_<id>/customaudiences, GET|POST|DELETE /<ca_id>, POST|DELETE /<ca_id>/users, GET /<ca_id>/sessions.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import customaudiences
from mock_server.domain.assetrules import table
from mock_server.handlers import assets
from mock_server.handlers.call import Call
from mock_server.handlers.nodes import read_after_write
from mock_server.store.repository import ListQuery
from mock_server.wire import paging
from mock_server.wire.errors import GraphError

TYPE = customaudiences.TYPE


def create(call: Call) -> tuple[int, Any]:
    params = call.params("customaudience.create")
    account = call.account
    assert account is not None
    rules, store, now = table("custom_audience"), call.state.store, call.state.now()
    if params.get("enable_fetch_or_create"):
        existing = store.find_by_key(TYPE, account.account_id, customaudiences.fetch_or_create_key(params, rules))
        if existing is not None and existing.status != "DELETED":
            return 200, read_after_write(call, existing.id, {"id": str(existing.id)})
    origin = None
    if params.get("subtype") == "LOOKALIKE":
        origin = assets.live(call, TYPE, params.get("origin_audience_id"))
        if origin is None:
            raise GraphError("customaudience_lookalike_origin", field="origin_audience_id",
                             value=str(params.get("origin_audience_id", "")), account=account.id)
    tos = (account.raw.get("tos_accepted") or {}).get("custom_audience_tos", 1) == 1
    with store.transaction():
        record = customaudiences.build(params, account.account_id, store.next_id(), now, rules, origin, tos)
        store.insert(record)
        if origin is not None:
            origin.data["lookalike_audience_ids"] = [*origin.data.get("lookalike_audience_ids", []), str(record.id)]
            store.update(origin)
    return 200, read_after_write(call, record.id, {"id": str(record.id)})


def list_(call: Call) -> tuple[int, Any]:
    params = call.params("customaudience.list")
    pixel_id = params.get("pixel_id")
    where: dict[str, Any] = {}
    if pixel_id:
        account = call.account
        assert account is not None
        base = call.edge_query(TYPE, filters=params.get("filtering"), account_id=account.account_id)
        inner = base.predicate
        query = ListQuery(TYPE, account_id=account.account_id, statuses=base.statuses,
                          predicate=lambda r: str(r.data.get("pixel_id")) == str(pixel_id) and (inner is None or inner(r)))
        return 200, call.list_edge(params, query, account.id, "customaudiences",
                                   default=assets.default_fields(call, TYPE))
    return assets.list_assets(call, params, TYPE, "customaudiences", **where)


update = assets.updater("customaudience.update", customaudiences.update)  # {"success": true} (ACCOUNT-SURFACE 5.1)


def delete(call: Call) -> tuple[int, Any]:
    """2656 while lookalikes made from it exist (ACCOUNT-SURFACE 5.1 'Delete')."""
    record = call.node.record
    assert record is not None
    alive = [i for i in record.data.get("lookalike_audience_ids", []) if assets.live(call, TYPE, i) is not None]
    if alive:
        raise GraphError("customaudience_has_lookalikes", lookalikes=", ".join(alive))
    return assets.delete(call)


def users(call: Call) -> tuple[int, Any]:
    """POST adds and DELETE removes people: {schema, data} rows, hashed (ACCOUNT-SURFACE 5.2)."""
    params = call.params("customaudience.users")
    record = call.node.record
    assert record is not None
    rules = table("custom_audience")
    if record.data.get("subtype") not in rules["customer_file_subtypes"]:
        raise GraphError("customaudience_users_not_customer_file", audience_id=str(record.id),
                         subtype=str(record.data.get("subtype")))
    if "payload" not in params:
        raise GraphError("param_required", field="payload")
    keys, rows = customaudiences.parse_payload(params["payload"], rules)
    session = params.get("session")
    with call.state.store.transaction():
        body = customaudiences.apply_users(record, keys, rows, session, call.request.method == "POST",
                                           call.state.now(), rules)
        call.state.store.update(record)
    return 200, body


def sessions(call: Call) -> tuple[int, Any]:
    params = call.params("customaudience.sessions")
    record = call.node.record
    assert record is not None
    rows = customaudiences.sessions(record)
    if params.get("session_id") is not None:
        rows = [row for row in rows if row["session_id"] == str(params["session_id"])]
    return 200, paging.envelope(rows, list(range(len(rows), 0, -1)), more=False, backwards=False, had_cursor=False,
                                link_base=call.link_base(str(record.id), "sessions"), link_params={}, limit=len(rows) or 25,
                                total=None)


ROUTES = {
    ("AdAccount", "customaudiences", "POST"): create,
    ("AdAccount", "customaudiences", "GET"): list_,
    ("CustomAudience", None, "GET"): lambda call: assets.read(call, "customaudience.get"),
    ("CustomAudience", None, "POST"): update,
    ("CustomAudience", None, "DELETE"): delete,
    ("CustomAudience", "users", "POST"): users,
    ("CustomAudience", "users", "DELETE"): users,
    ("CustomAudience", "sessions", "GET"): sessions,
}

"""Stored account assets with plain create / list / read / update / delete: ad labels, custom conversions,
pixels and saved audiences (ACCOUNT-SURFACE 5.3, 5.4), plus the shared steps the other asset handlers use.

POST|GET /act_<id>/adlabels, /customconversions, /adspixels; GET /act_<id>/saved_audiences;
GET|POST|DELETE /<id> of each; POST /<campaign|adset|ad|creative>/adlabels, DELETE /<adset>/adlabels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain import adlabels, adspixels, customconversions, savedaudiences
from mock_server.domain.assetrules import table
from mock_server.handlers.call import Call
from mock_server.handlers.nodes import read_after_write
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec
from mock_server.wire.limits import ascii_digits


# -- shared steps ----------------------------------------------------------------------------------
def default_fields(call: Call, node_type: str) -> list[FieldSpec]:
    """The node schema's `x-graph-default-fields` (what a read without `fields` returns besides id)."""
    names = call.state.registry.documents[f"nodes/{node_type}"].get("x-graph-default-fields", ["id"])
    return [FieldSpec(name) for name in names if name != "id"]


def read(call: Call, schema: str = "node.get") -> tuple[int, Any]:
    """GET /<id> of an asset: its default fields unless `fields` says otherwise."""
    call.params(schema)
    record = call.node.record
    assert record is not None
    return 200, call.render(record, call.specs() or default_fields(call, record.type))


def list_assets(call: Call, params: dict[str, Any], node_type: str, edge: str, **where: Any) -> tuple[int, Any]:
    """GET /act_<id>/<edge>: newest first, no DELETED, `filtering`, the node's default fields."""
    account = call.account
    assert account is not None
    query = call.edge_query(node_type, filters=params.get("filtering"), account_id=account.account_id, **where)
    return 200, call.list_edge(params, query, account.id, edge, default=default_fields(call, node_type))


def insert(call: Call, record: Record) -> tuple[int, Any]:
    with call.state.store.transaction():
        call.state.store.insert(record)
    return 200, read_after_write(call, record.id, {"id": str(record.id)})


def updater(operation: str, apply: Callable[[Record, dict[str, Any], float], None]) -> Callable[[Call], tuple[int, Any]]:
    """The POST /<id> handler of a stored asset: params of `operation`, the domain's `apply`, save, {"success": true}."""
    def update(call: Call) -> tuple[int, Any]:
        params = call.params(operation)
        record = call.node.record
        assert record is not None
        apply(record, params, call.state.now())
        return save(call, record)
    return update


def save(call: Call, record: Record, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    with call.state.store.transaction():
        call.state.store.update(record)
    return 200, read_after_write(call, record.id, body or {"success": True})


def delete(call: Call) -> tuple[int, Any]:
    """DELETE /<id>: the asset leaves its list and reads as deleted."""
    call.params("node.delete")
    record = call.node.record
    assert record is not None
    if record.status != "DELETED":
        record.status = "DELETED"
        record.data["updated_time"] = int(call.state.now())
        with call.state.store.transaction():
            call.state.store.update(record)
    return 200, {"success": True}


def live(call: Call, node_type: str, object_id: Any) -> Record | None:
    """A non-deleted record of this type in the caller's account, or None."""
    account = call.account
    text = str(object_id or "")
    record = call.state.store.get(int(text)) if ascii_digits(text) and len(text) < 20 else None
    if record is None or record.type != node_type or record.status == "DELETED":
        return None
    return record if account is not None and record.account_id == account.account_id else None


# -- ad labels -------------------------------------------------------------------------------------
def create_label(call: Call) -> tuple[int, Any]:
    params = call.params("adlabel.create")
    account = call.account
    assert account is not None
    existing = adlabels.find(call.state.store, account.account_id, str(params["name"]).strip())
    if existing is not None:  # a label name is unique in an account: the same name gives the same label
        return 200, read_after_write(call, existing.id, {"id": str(existing.id)})
    return insert(call, adlabels.build(params, account.account_id, call.state.new_id(), call.state.now()))


def update_label(call: Call) -> tuple[int, Any]:
    params = call.params("adlabel.update")
    record = call.node.record
    assert record is not None
    adlabels.rename(record, str(params["name"]), call.state.now())
    return save(call, record)


def attach_labels(call: Call) -> tuple[int, Any]:
    """POST /<object>/adlabels adds or reuses labels; DELETE /<adset>/adlabels removes them (ACCOUNT-SURFACE 5.4)."""
    params = call.params("adlabel.attach")
    record = call.node.record
    assert record is not None
    store, now = call.state.store, call.state.now()
    with store.transaction():
        resolved = adlabels.resolve(store, record.account_id, params["adlabels"], now,
                                    create=call.request.method == "POST")
        if "validate_only" in (params.get("execution_options") or []):
            return 200, {"success": True}
        if call.request.method == "POST":
            labels = adlabels.merged(record.data.get("adlabels"), resolved)
        else:
            labels = adlabels.removed(record.data.get("adlabels"), resolved)
        if len(labels) > table("label")["per_object"]:
            raise GraphError("adlabel_too_many", limit=str(table("label")["per_object"]))
        record.data["adlabels"] = labels
        record.data["updated_time"] = int(now)
        store.update(record)
    return 200, {"success": True}


_LABELLED_EDGES = {"campaigns": "Campaign", "adsets": "AdSet", "ads": "Ad", "adcreatives": "AdCreative"}


def by_labels(call: Call) -> tuple[int, Any]:
    """GET /act_<id>/<objects>bylabels?ad_label_ids=[...]&operator=ALL|ANY (ACCOUNT-SURFACE 5.4 'Query')."""
    params = call.params("adlabel.bylabels")
    edge = str(call.edge).removesuffix("bylabels")
    return _labelled(call, params, edge, {str(i) for i in params["ad_label_ids"]}, params.get("operator", "ALL"))


def label_objects(call: Call) -> tuple[int, Any]:
    """GET /<label_id>/<objects>: the account's objects carrying this label."""
    params = call.params("adlabel.objects")
    return _labelled(call, params, str(call.edge), {call.node.id}, "ANY")


def _labelled(call: Call, params: dict[str, Any], edge: str, wanted: set[str], operator: str) -> tuple[int, Any]:
    node_type = _LABELLED_EDGES[edge]
    record = call.node.record
    account_id = call.account.account_id if call.account else record.account_id if record else ""
    base = call.edge_query(node_type, filters=params.get("filtering"), account_id=account_id)
    inner = base.predicate

    def carries(candidate: Record) -> bool:
        ids = {str(item.get("id")) for item in candidate.data.get("adlabels") or [] if isinstance(item, dict)}
        hit = wanted <= ids if operator == "ALL" else bool(wanted & ids)
        return hit and (inner is None or inner(candidate))
    query = ListQuery(node_type, account_id=account_id, statuses=base.statuses, predicate=carries)
    return 200, call.list_edge(params, query, call.node.id, str(call.edge))


# -- custom conversions ----------------------------------------------------------------------------
def create_conversion(call: Call) -> tuple[int, Any]:
    params = call.params("customconversion.create")
    account = call.account
    assert account is not None
    pixel = None
    if params.get("event_source_id") is not None:
        pixel = live(call, adspixels.TYPE, params["event_source_id"])
        if pixel is None:
            raise GraphError("param_invalid", field="event_source_id", detail="not a pixel of this ad account")
    return insert(call, customconversions.build(params, account.account_id, call.state.new_id(), call.state.now(), pixel))


update_conversion = updater("customconversion.update", customconversions.update)


# -- pixels ----------------------------------------------------------------------------------------
def create_pixel(call: Call) -> tuple[int, Any]:
    params = call.params("adspixel.create")
    account = call.account
    assert account is not None
    existing = next(iter(call.state.store.iterate(ListQuery(adspixels.TYPE, account_id=account.account_id,
                                                            statuses=("ACTIVE",)))), None)
    if existing is not None:
        raise GraphError("adspixel_exists", account=account.id, pixel_id=str(existing.id))
    return insert(call, adspixels.build(params, account.account_id, call.state.new_id(), call.state.now()))


def list_pixels(call: Call) -> tuple[int, Any]:
    params = call.params("adspixel.list")
    return list_assets(call, params, adspixels.TYPE, "adspixels")


update_pixel = updater("adspixel.update", adspixels.update)


def not_implemented(call: Call) -> tuple[int, Any]:
    """A documented edge graphmock does not model: say so, never blame the client (issue 14)."""
    raise GraphError("assets_not_implemented", what=f"{call.request.method} /<{call.node.type}>/{call.edge}")


NOT_IMPLEMENTED = [
    ("AdAccount", "video_ads", "GET"), ("AdAccount", "video_ads", "POST"), ("AdAccount", "usersofanyaudience", "DELETE"),
    ("AdAccount", "customaudiencestos", "GET"), ("AdAccount", "customaudiencestos", "POST"),
    ("CustomAudience", "usersreplace", "POST"), ("CustomAudience", "health", "GET"), ("CustomAudience", "ads", "GET"),
    *[("CustomAudience", "adaccounts", method) for method in ("GET", "POST", "DELETE")],
    ("CustomConversion", "stats", "GET"), ("AdsPixel", "stats", "GET"), ("AdsPixel", "assigned_users", "GET"),
    *[("AdsPixel", "shared_accounts", method) for method in ("GET", "POST", "DELETE")],
    *[(kind, "copies", "GET") for kind in ("Campaign", "AdSet", "Ad")],
]

ROUTES = {
    **{route: not_implemented for route in NOT_IMPLEMENTED},
    ("AdAccount", "adlabels", "POST"): create_label,
    ("AdAccount", "adlabels", "GET"): lambda call: list_assets(call, call.params("adlabel.list"), adlabels.TYPE, "adlabels"),
    ("AdLabel", None, "GET"): read,
    ("AdLabel", None, "POST"): update_label,
    ("AdLabel", None, "DELETE"): delete,
    **{("AdAccount", f"{edge}bylabels", "GET"): by_labels for edge in _LABELLED_EDGES},
    **{("AdLabel", edge, "GET"): label_objects for edge in _LABELLED_EDGES},
    **{(node_type, "adlabels", "POST"): attach_labels for node_type in adlabels.LABELLED},
    ("AdSet", "adlabels", "DELETE"): attach_labels,
    ("AdAccount", "customconversions", "POST"): create_conversion,
    ("AdAccount", "customconversions", "GET"): lambda call: list_assets(
        call, call.params("customconversion.list"), customconversions.TYPE, "customconversions"),
    ("CustomConversion", None, "GET"): read,
    ("CustomConversion", None, "POST"): update_conversion,
    ("CustomConversion", None, "DELETE"): delete,
    ("AdAccount", "adspixels", "POST"): create_pixel,
    ("AdAccount", "adspixels", "GET"): list_pixels,
    ("AdsPixel", None, "GET"): read,
    ("AdsPixel", None, "POST"): update_pixel,
    ("AdAccount", "saved_audiences", "GET"): lambda call: list_assets(
        call, call.params("savedaudience.list"), savedaudiences.TYPE, "saved_audiences"),
    ("SavedAudience", None, "GET"): read,
}

"""Ad creative endpoints (seed 000 step 3; seed 003).

POST /act_<id>/adcreatives, GET /act_<id>/adcreatives, GET /<creative_id> (thumbnail_width/height),
POST /<creative_id> (name, status, adlabels only), DELETE /<creative_id>, GET /<ad_id>/adcreatives.
`create_creative` is shared with POST /act_<id>/ads, whose `creative` may be a full spec.
"""

from __future__ import annotations

from typing import Any

from mock_server.contract.violations import first_error, to_graph_error
from mock_server.domain import account_time, adcreatives, adimages, timefmt
from mock_server.domain.filtering import compile_filters
from mock_server.domain.rules.creative import CreativeContext
from mock_server.domain.world import AdAccount
from mock_server.handlers.adimages import library_image
from mock_server.handlers.call import Call
from mock_server.handlers.nodes import read_after_write
from mock_server.store.repository import ListQuery, Record
from mock_server.wire.errors import GraphError
from mock_server.wire.render import render_node

SCHEMA = "adcreative.create"


def _table(call: Call) -> dict[str, Any]:
    return call.state.registry.rules("creative")


# -- params -----------------------------------------------------------------------------------------
def creative_spec(call: Call, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """Decoded, validated and normalised creative params: the request's, or `raw` (an ad's inline creative)."""
    table = _table(call)
    try:
        if raw is None:
            params = call.params(SCHEMA)
        else:
            tz = timefmt.zone(call.account.timezone_name if call.account else None)
            decoded = call.state.contract.decode(f"requests/{SCHEMA}", raw, tz)
            params = {k: v for k, v in decoded.values.items() if k not in decoded.unknown}
        spec = adcreatives.normalise(params)
        compiled = call.state.registry.get(f"requests/{SCHEMA}")
        if not compiled.is_valid(spec):  # a parsed page_welcome_message is checked as an object
            error = first_error(compiled, spec)
            if error is not None:
                raise to_graph_error(compiled, call.state.registry, error)
    except GraphError as error:
        raise remap(error, table) from None
    return spec


def remap(error: GraphError, table: dict[str, Any]) -> GraphError:
    """Contract violations Graph reports with their own code (rules/creative.json contract_remap)."""
    field = str(error.values.get("field", ""))
    for entry in table["contract_remap"]:
        if error.key == entry["error"] and field.endswith(entry["field_suffix"]):
            return GraphError(entry["to"], field=field, value=error.values.get("value", "(missing)"))
    return error


# -- create -----------------------------------------------------------------------------------------
def create_creative(call: Call, spec: dict[str, Any], account: AdAccount, *, dry_run: bool = False) -> Record:
    """The creative for `spec`: an existing identical one (dedup), or a new one (inserted unless dry_run)."""
    store, table, now = call.state.store, _table(call), call.state.now()
    existing = store.find_by_key(adcreatives.TYPE, account.account_id, adcreatives.dedup_key(spec, table))
    if existing is not None and existing.status != "DELETED":
        return existing
    ctx = CreativeContext(
        table, account, call.state.world, call.token,
        image=lambda hash_: library_image(call, account.account_id, hash_),
        inline_story=lambda story: _inline_story(call, account, story))
    record = adcreatives.build(spec, ctx, store.next_id(), now)
    if not dry_run:
        store.insert(record)
        for hash_ in adcreatives.image_hashes(spec, table):
            image = library_image(call, account.account_id, hash_)
            if image is not None:
                adimages.link_creative(image, record.id, now)
                store.update(image)
    return record


def _inline_story(call: Call, account: AdAccount, story: str) -> bool:
    """Whether `story` is the unpublished post of one of the account's creatives (seed 003 'Inline Page Post')."""
    query = ListQuery(adcreatives.TYPE, account_id=account.account_id,
                      predicate=lambda r: r.data.get("effective_object_story_id") == story)
    return next(iter(call.state.store.iterate(query)), None) is not None


def create(call: Call) -> tuple[int, Any]:
    spec = creative_spec(call)
    account = call.account
    assert account is not None
    dry_run = "validate_only" in (spec.get("execution_options") or [])
    with call.state.store.transaction():
        record = create_creative(call, spec, account, dry_run=dry_run)
    if dry_run:
        return 200, {"success": True}
    return 200, read_after_write(call, record.id, {"id": str(record.id)})


# -- read / update / delete ---------------------------------------------------------------------------
def read(call: Call) -> tuple[int, Any]:
    """GET /<CREATIVE_ID>; thumbnail_url follows thumbnail_width / thumbnail_height (seed 003 'Read Thumbnail')."""
    params = call.params("node.get")
    record = call.node.record
    assert record is not None
    values = call.values(record)
    values["thumbnail_url"] = adcreatives.thumbnail_url(record, _table(call), params.get("thumbnail_width"),
                                                        params.get("thumbnail_height"))
    node_type = call.state.node_types[adcreatives.TYPE]
    return 200, render_node(node_type, values, call.specs(), lambda spec, kind: None,
                            account_time.of_account(call.state.world, record.account_id))


def update(call: Call) -> tuple[int, Any]:
    params = call.params("adcreative.update")
    record = call.node.record
    assert record is not None and call.decoded is not None
    adcreatives.check_update(record, params, call.decoded.unknown, _table(call))
    if "validate_only" in (params.get("execution_options") or []):
        return 200, {"success": True}
    with call.state.store.transaction():
        _apply(call, record, params)
    return 200, read_after_write(call, record.id, {"success": True})


def delete(call: Call) -> tuple[int, Any]:
    call.params("node.delete")
    record = call.node.record
    assert record is not None
    with call.state.store.transaction():
        _apply(call, record, {"status": "DELETED"})
    return 200, {"success": True}


def _apply(call: Call, record: Record, params: dict[str, Any]) -> None:
    """Write the update; a creative that becomes DELETED no longer holds its images."""
    was_deleted = record.status == "DELETED"
    adcreatives.update(record, params, call.state.now())
    call.state.store.update(record)
    if record.status == "DELETED" and not was_deleted:
        for hash_ in adcreatives.image_hashes(record.data, _table(call)):
            image = call.state.store.find_by_key(adimages.TYPE, record.account_id, hash_)
            if image is not None:
                adimages.unlink_creative(image, record.id)
                call.state.store.update(image)


# -- lists ------------------------------------------------------------------------------------------
def list_for_account(call: Call) -> tuple[int, Any]:
    params = call.params("adcreative.list")
    account = call.account
    assert account is not None
    query = _query(call, params, account.account_id)
    return 200, call.list_edge(params, query, account.id, "adcreatives")


def list_for_ad(call: Call) -> tuple[int, Any]:
    """GET /<AD_ID>/adcreatives: the ad's creative (whatever its status)."""
    params = call.params("adcreative.list")
    ad = call.node.record
    assert ad is not None
    creative_id = int(ad.data["creative_id"])
    query = _query(call, params, ad.account_id, only=creative_id)
    return 200, call.list_edge(params, query, str(ad.id), "adcreatives")


def _query(call: Call, params: dict[str, Any], account_id: str, only: int | None = None) -> ListQuery:
    compiled = compile_filters(params.get("filtering"), adcreatives.TYPE, call.state.registry.rules("filtering"))

    def predicate(record: Record) -> bool:
        if only is not None and record.id != only:
            return False
        if compiled:
            values = call.values(record)
            return all(test(values) for _, test in compiled)
        return True

    statuses = None if only is not None else _table(call)["listed_statuses"]
    return ListQuery(adcreatives.TYPE, account_id=account_id, statuses=statuses,
                     predicate=predicate if (compiled or only is not None) else None)


ROUTES = {
    ("AdAccount", "adcreatives", "POST"): create,
    ("AdAccount", "adcreatives", "GET"): list_for_account,
    ("AdCreative", None, "GET"): read,
    ("AdCreative", None, "POST"): update,
    ("AdCreative", None, "DELETE"): delete,
    ("Ad", "adcreatives", "GET"): list_for_ad,
}

"""Ad image endpoints (GRAPH-BEHAVIOUR 10 "Ad images").

POST /act_<id>/adimages (multipart files under any field name, base64 `bytes`, or `copy_from`),
GET /act_<id>/adimages (`hashes`, `name`, `minwidth`, `minheight`), DELETE /act_<id>/adimages (`hash` or `image_id`).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from mock_server.domain import account_time, adimages
from mock_server.domain.filtering import compile_filters
from mock_server.domain.world import AdAccount
from mock_server.handlers.call import Call
from mock_server.store.repository import ListQuery, Record
from mock_server.wire import paging
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec
from mock_server.wire.render import render_node

DEFAULT_FIELDS = [FieldSpec("hash")]  # GRAPH-BEHAVIOUR 4: "For AdImage the default is hash"


def _table(call: Call) -> dict[str, Any]:
    return call.state.registry.rules("creative")["images"]


def library_image(call: Call, account_id: str, hash_: str) -> Record | None:
    """The ACTIVE image with this hash in an account's library."""
    record = call.state.store.find_by_key(adimages.TYPE, account_id, hash_)
    return record if record is not None and record.status == "ACTIVE" else None


def create(call: Call) -> tuple[int, Any]:
    params = call.params("adimage.create")
    account = call.account
    assert account is not None
    table = _table(call)
    uploads = _uploads(call, params, table)
    if not uploads and "copy_from" not in params:
        raise GraphError("adimage_no_file")
    store, now = call.state.store, call.state.now()
    images: dict[str, Any] = {}
    with store.transaction():
        for field, name, data in uploads:
            try:
                info = adimages.inspect(data)
            except adimages.NotAnImage as problem:
                raise GraphError("adimage_invalid_file", field=field, detail=str(problem)) from None
            images[name] = adimages.upload_entry(_store_image(call, account, adimages.content_hash(data), info, name, now))
        if "copy_from" in params:
            source = _copy_source(call, params["copy_from"])
            images[source.data["name"]] = adimages.upload_entry(
                _store_image(call, account, source.data["hash"], adimages.info_of(source), source.data["name"], now))
    return 200, {"images": images}


def _uploads(call: Call, params: dict[str, Any], table: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """(field, image name, bytes) for every multipart file and for `bytes`."""
    out = []
    for upload in call.request.files:
        name = upload.filename.strip()
        stem, dot, ext = name.rpartition(".")
        if not (dot and stem and ext):
            raise GraphError("adimage_filename_extension", field=upload.field, value=name)
        if len(name) > table["name_max_length"]:
            raise GraphError("param_length", field=upload.field, bound=f"a file name at most {table['name_max_length']} characters long")
        out.append((upload.field, name, upload.data))
    if "bytes" in params:
        out.append(("bytes", table["bytes_name"], _base64(params["bytes"])))
    return out


def _base64(text: str) -> bytes:
    """Standard or URL-safe base64; whitespace and missing padding are tolerated."""
    compact = "".join(text.split())
    padded = compact + "=" * (-len(compact) % 4)
    for altchars in (None, b"-_"):
        try:
            return base64.b64decode(padded, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
    raise GraphError("adimage_invalid_file", field="bytes", detail="bytes is not base64")


def _store_image(call: Call, account: AdAccount, hash_: str, info: adimages.ImageInfo, name: str, now: float) -> Record:
    """Insert a new library image, or return (and revive) the one with the same content hash."""
    store = call.state.store
    record = store.find_by_key(adimages.TYPE, account.account_id, hash_)
    if record is None:
        record = adimages.build(account.account_id, hash_, info, name, store.next_id(), now, _table(call))
        store.insert(record)
    elif adimages.reactivate(record, name, now):
        store.update(record)
    return record


def _copy_source(call: Call, copy_from: dict[str, Any]) -> Record:
    """GRAPH-BEHAVIOUR 10: copy_from={"source_account_id", "hash"} of an account this token can use."""
    source_id, hash_ = str(copy_from["source_account_id"]), str(copy_from["hash"])
    act = f"act_{source_id}"
    record = library_image(call, source_id, hash_) if act in call.token.ad_accounts else None
    if record is None:
        raise GraphError("adimage_not_found", field="copy_from[hash]", value=hash_, account=act)
    return record


def list_(call: Call) -> tuple[int, Any]:
    params = call.params("adimage.list")
    account = call.account
    assert account is not None
    wanted = set(params.get("hashes") or []) | set(params.get("selected_hashes") or [])
    name = params.get("name")
    min_width, min_height = params.get("minwidth", 0), params.get("minheight", 0)

    filters = compile_filters(params.get("filtering"), adimages.TYPE, call.state.registry.rules("filtering"))

    def predicate(record: Record) -> bool:
        data = record.data
        return ((not wanted or data["hash"] in wanted) and (name is None or data.get("name") == name)
                and data.get("width", 0) >= min_width and data.get("height", 0) >= min_height
                and all(test(call.values(record)) for _, test in filters or []))

    query = ListQuery(adimages.TYPE, account_id=account.account_id, statuses=("ACTIVE",),
                      predicate=predicate if (wanted or name is not None or min_width or min_height or filters) else None)
    return 200, _page(call, params, query, account)


def _page(call: Call, params: dict[str, Any], query: ListQuery, account: AdAccount) -> dict[str, Any]:
    """One page of images, rendered with Graph image ids (`<account_id>:<hash>`)."""
    limit = paging.parse_limit(params.get("limit"), call.state.config.max_page_size)
    after = paging.decode_cursor(params["after"], "after") if params.get("after") else None
    before = paging.decode_cursor(params["before"], "before") if params.get("before") and after is None else None
    offset = paging.parse_offset(params.get("offset"))
    if offset is not None and after is None and before is None:  # offset paging (G-PAGE), never ignored
        records, more = paging.offset_window(call.state.store.iterate(query), offset, limit)
    else:
        records, more = call.state.store.page(query, after=after, before=before, limit=limit)
    specs = call.specs() or DEFAULT_FIELDS
    data = [render(call, record, specs) for record in records]
    link_params = {k: v if isinstance(v, str) else str(v) for k, v in call.request.query.items()}
    if call.request.access_token:
        link_params["access_token"] = call.request.access_token
    summary = str(params.get("summary", "")).strip().strip('"').lower() not in ("", "false", "0")
    if offset is not None and after is None and before is None:
        return paging.offset_envelope(data, [r.id for r in records], more=more, offset=offset, limit=limit,
                                      link_base=call.link_base(account.id, "adimages"), link_params=link_params,
                                      total=call.state.store.count(query) if summary else None)
    return paging.envelope(data, [r.id for r in records], more=more, backwards=before is not None, had_cursor=bool(after or before),
                           link_base=call.link_base(account.id, "adimages"), link_params=link_params, limit=limit,
                           total=call.state.store.count(query) if summary else None)


def render(call: Call, record: Record, specs: list[FieldSpec]) -> dict[str, Any]:
    values = {**call.values(record), **adimages.computed(record, call.lookup)}
    return render_node(call.state.node_types[adimages.TYPE], values, specs, lambda spec, kind: None,
                       account_time.of_account(call.state.world, record.account_id))


def delete(call: Call) -> tuple[int, Any]:
    """GRAPH-BEHAVIOUR 10: 'You can only delete ad images not currently being used in an ad creative.'"""
    params = call.params("adimage.delete")
    account = call.account
    assert account is not None
    field, hash_ = "hash", params.get("hash")
    if hash_ is None and params.get("image_id"):
        field, hash_ = "image_id", str(params["image_id"]).rpartition(":")[2]
    if not hash_:
        raise GraphError("param_required", field="hash")
    record = library_image(call, account.account_id, hash_)
    if record is None:
        raise GraphError("adimage_not_found", field=field, value=hash_, account=account.id)
    if record.data.get("creatives"):
        raise GraphError("adimage_in_use", field=field, value=hash_, creatives=", ".join(record.data["creatives"]))
    with call.state.store.transaction():
        record.status = record.data["status"] = "DELETED"
        record.data["updated_time"] = int(call.state.now())
        call.state.store.update(record)
    return 200, {"success": True}


def read(call: Call) -> tuple[int, Any]:
    """GET /<account_id>:<hash> (graph-surface-fields 'AdImage #get'); hash is the default field."""
    call.params("node.get")
    record = call.node.record
    assert record is not None
    return 200, render(call, record, call.specs() or DEFAULT_FIELDS)


ROUTES = {
    ("AdImage", None, "GET"): read,
    ("AdAccount", "adimages", "POST"): create,
    ("AdAccount", "adimages", "GET"): list_,
    ("AdAccount", "adimages", "DELETE"): delete,
}

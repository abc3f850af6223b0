"""Ad videos (ACCOUNT-SURFACE 3).

POST /act_<id>/advideos: multipart `source`, `file_url`, or `upload_phase=start|transfer|finish|cancel`;
GET /act_<id>/advideos (title, min/max length, width, height); DELETE /act_<id>/advideos (video_id);
GET|POST|DELETE /<video_id>; GET|POST /<video_id>/thumbnails. Graph serves uploads on graph-video.facebook.com;
graphmock answers them on its one host (point the SDK's video host at it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from mock_server.domain import advideos
from mock_server.domain.assetrules import table
from mock_server.handlers import assets
from mock_server.handlers.call import Call
from mock_server.store.repository import Record
from mock_server.wire import paging
from mock_server.wire.errors import GraphError
from mock_server.wire.limits import ascii_digits

TYPE = advideos.TYPE


def _file(call: Call, field: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of a multipart file, or of a plain form field holding the bytes."""
    for upload in call.request.files:
        if upload.field == field:
            return upload.filename, upload.data
    raw = call.request.params.get(field)
    if isinstance(raw, str) and raw:
        return field, raw.encode("latin-1", "replace")
    return None


def create(call: Call) -> tuple[int, Any]:
    params = call.params("advideo.create")
    account = call.account
    assert account is not None
    rules, store, now = table("video"), call.state.store, call.state.now()
    phase = params.get("upload_phase")
    if phase == "start":
        with store.transaction():
            record = advideos.build(params, account.account_id, store.next_id(), now, size=0, finished=False)
            answer = advideos.start(record, int(params.get("file_size") or 0), now, rules)
            record.data["file_size"] = int(params["file_size"])
            store.insert(record)
        return 200, answer
    if phase in ("transfer", "finish", "cancel"):
        session_id = str(params.get("upload_session_id") or "")
        if not session_id:
            raise GraphError("param_required", field="upload_session_id")
        record = _session_video(call, session_id)
        session = advideos.session_of(record, session_id, now, rules)
        with store.transaction():
            if phase == "transfer":
                chunk = _file(call, "video_file_chunk")
                answer: dict[str, Any] = advideos.transfer(record, session, params.get("start_offset"),
                                                           chunk[1] if chunk else b"", now, rules)
            elif phase == "finish":
                advideos.finish(record, session, params, now)
                answer = {"success": True}
            else:
                record.status = "DELETED"
                record.data.pop("session", None)
                answer = {"success": True}
            store.update(record)
        return 200, answer
    source = _file(call, "source")
    if source is None and not params.get("file_url"):
        raise GraphError("video_no_file")
    if source is None:
        url = urlparse(str(params["file_url"]))
        if url.scheme not in ("http", "https") or not url.netloc:
            raise GraphError("param_invalid", field="file_url", detail="must be an http(s) URL graph can fetch")
    name, data = source if source is not None else (str(params["file_url"]).rsplit("/", 1)[-1], b"")
    record = advideos.build(params, account.account_id, store.next_id(), now, size=len(data), finished=True, name=name)
    return assets.insert(call, record)


def _session_video(call: Call, session_id: str) -> Record | None:
    """The video a session belongs to: session ids are the video id + 1 (advideos.start)."""
    if not ascii_digits(session_id) or len(session_id) > 19:
        return None
    return assets.live(call, TYPE, int(session_id) - 1)


def list_(call: Call) -> tuple[int, Any]:
    params = call.params("advideo.list")
    account = call.account
    assert account is not None
    title = params.get("title")
    lows = {"length": params.get("minlength"), "width": params.get("minwidth"), "height": params.get("minheight")}
    highs = {"length": params.get("maxlength"), "width": params.get("maxwidth"), "height": params.get("maxheight")}
    base = call.edge_query(TYPE, filters=params.get("filtering"), account_id=account.account_id)
    inner = base.predicate
    wanted = title is not None or any(v is not None for v in (*lows.values(), *highs.values()))
    width, height = table("video")["thumbnail"]["width"], table("video")["thumbnail"]["height"]

    def predicate(record: Record) -> bool:
        values = {"length": call.values(record)["length"], "width": width, "height": height}
        if title is not None and record.data.get("title") != title:
            return False
        if any(low is not None and values[k] < low for k, low in lows.items()):
            return False
        if any(high is not None and values[k] > high for k, high in highs.items()):
            return False
        return inner is None or inner(record)

    query = base if not wanted else type(base)(TYPE, account_id=account.account_id, statuses=base.statuses,
                                               predicate=predicate)
    return 200, call.list_edge(params, query, account.id, "advideos", default=assets.default_fields(call, TYPE))


def delete_from_library(call: Call) -> tuple[int, Any]:
    params = call.params("advideo.delete_edge")
    account = call.account
    assert account is not None
    record = assets.live(call, TYPE, params["video_id"])
    if record is None:
        raise GraphError("video_not_in_account", field="video_id", value=str(params["video_id"]), account=account.id)
    with call.state.store.transaction():
        record.status = "DELETED"
        record.data["updated_time"] = int(call.state.now())
        call.state.store.update(record)
    return 200, {"success": True}


update = assets.updater("advideo.update", advideos.update)


def thumbnails(call: Call) -> tuple[int, Any]:
    """GET /<video_id>/thumbnails: the generated thumbnail, then uploaded ones (ACCOUNT-SURFACE 3 'Thumbnails')."""
    call.params("node.get")
    record = call.node.record
    assert record is not None
    rows = [advideos.thumbnail(record, table("video")), *record.data.get("thumbnails", [])]
    if any(row["is_preferred"] for row in rows[1:]):
        rows[0] = {**rows[0], "is_preferred": False}
    specs = call.specs()
    if specs:
        names = {spec.name for spec in specs} | {"id"}
        rows = [{k: v for k, v in row.items() if k in names} for row in rows]
    return 200, paging.envelope(rows, list(range(len(rows), 0, -1)), more=False, backwards=False, had_cursor=False,
                                link_base=call.link_base(str(record.id), "thumbnails"), link_params={}, limit=25)


def add_thumbnail(call: Call) -> tuple[int, Any]:
    params = call.params("videothumbnail.create")
    record = call.node.record
    assert record is not None
    upload = _file(call, "source")
    if upload is None:
        raise GraphError("param_required", field="source")
    preferred = bool(params.get("is_preferred", False))
    thumbs = [{**t, "is_preferred": t["is_preferred"] and not preferred} for t in record.data.get("thumbnails", [])]
    rules = table("video")
    thumbs.append({"id": f"{record.id}{len(thumbs) + 1}", "uri": rules["picture_url"].format(video_id=f"{record.id}_{len(thumbs) + 1}"),
                   "width": rules["thumbnail"]["width"], "height": rules["thumbnail"]["height"], "scale": 1.0,
                   "is_preferred": preferred, "name": upload[0][:100]})
    record.data["thumbnails"] = thumbs[-10:]
    return assets.save(call, record)


ROUTES = {
    ("AdAccount", "advideos", "POST"): create,
    ("AdAccount", "advideos", "GET"): list_,
    ("AdAccount", "advideos", "DELETE"): delete_from_library,
    ("AdVideo", None, "GET"): assets.read,
    ("AdVideo", None, "POST"): update,
    ("AdVideo", None, "DELETE"): assets.delete,
    ("AdVideo", "thumbnails", "GET"): thumbnails,
    ("AdVideo", "thumbnails", "POST"): add_thumbnail,
}

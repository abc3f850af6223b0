"""Ad videos (ACCOUNT-SURFACE 3): one-request uploads (`source`, `file_url`) and the resumable protocol.

Resumable: `start` (file_size) opens a session and returns the first chunk's offsets; each `transfer` must send
the chunk that starts at the session's offset (else 1363037 with the expected offsets in `error_data`);
`finish` closes the session. The video then reads `processing` until `processing_seconds` have passed on the
virtual clock, then `ready`. Bytes are counted, not kept (memory stays bounded).
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import clock
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

TYPE = "AdVideo"
FIXTURE_TIME = 1_764_547_200  # 2025-12-01: when fixture videos without a created_time were uploaded
_NOT_STORED = frozenset({"source", "file_url", "upload_phase", "upload_session_id", "start_offset", "end_offset",
                         "video_file_chunk", "file_size", "fbuploader_video_file_chunk", "thumb"})


def build(params: dict[str, Any], account_id: str, object_id: int, now: float, *, size: int, finished: bool,
          name: str | None = None) -> Record:
    data = {k: v for k, v in params.items() if k not in _NOT_STORED}
    data.setdefault("title", name or "")
    data.setdefault("description", "")
    data.update({"created_time": int(now), "updated_time": int(now), "file_size": size,
                 "bytes_transferred": size if finished else 0, "finished_at": now if finished else None,
                 "published": False, "embeddable": bool(params.get("embeddable", True))})
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, created=int(now))


def from_fixture(raw: dict[str, Any], now: float, default_length: float = 15.0) -> Record:
    """A video of the fixture world, stored on world load: uploaded and ready long ago."""
    account_id = str(raw["ad_account_id"]).removeprefix("act_")
    params = {k: v for k, v in raw.items() if k not in ("id", "ad_account_id")}
    created = float(raw.get("created_time") or FIXTURE_TIME)  # fixed, so a reset world reads the same
    record = build(params, account_id, int(raw["id"]), created, size=int(raw.get("file_size", 0)), finished=True)
    record.data["length"] = float(raw.get("length") or default_length)
    return record


# -- the resumable protocol ------------------------------------------------------------------------
def start(record: Record, size: int, now: float, table: dict[str, Any]) -> dict[str, str]:
    if not 0 < size <= table["max_file_size"]:
        raise GraphError("video_file_size", field="file_size", bound=f"between 1 and {table['max_file_size']} bytes",
                         value=str(size))
    record.data["session"] = {"id": str(record.id + 1), "size": size, "received": 0, "opened_at": now}
    return {"upload_session_id": record.data["session"]["id"], "video_id": str(record.id), "start_offset": "0",
            "end_offset": str(min(size, table["chunk_size"]))}


def session_of(record: Record | None, session_id: str, now: float, table: dict[str, Any]) -> dict[str, Any]:
    session = (record.data.get("session") if record else None) or {}
    if not session or session["id"] != str(session_id) or now > session["opened_at"] + table["session_seconds"]:
        raise GraphError("video_session_invalid", field="upload_session_id", value=str(session_id))
    return session


def transfer(record: Record, session: dict[str, Any], start_offset: int | None, chunk: bytes, now: float,
             table: dict[str, Any]) -> dict[str, str]:
    """Accept the chunk at the session's offset; the answer is the next chunk's offsets (equal when done)."""
    expected = session["received"]
    end = min(session["size"], expected + table["chunk_size"])
    if start_offset != expected or not chunk or expected + len(chunk) > session["size"]:
        raise GraphError("video_chunk_offset", field="start_offset", got=str(start_offset),
                         start_offset=str(expected), overrides={"error_data": {"start_offset": str(expected),
                                                                               "end_offset": str(end)}})
    session["received"] = expected + len(chunk)
    record.data["bytes_transferred"] = session["received"]
    record.data["updated_time"] = int(now)
    following = min(session["size"], session["received"] + table["chunk_size"])
    return {"start_offset": str(session["received"]), "end_offset": str(following)}


def finish(record: Record, session: dict[str, Any], params: dict[str, Any], now: float) -> None:
    if session["received"] < session["size"]:
        raise GraphError("video_incomplete", field="upload_session_id", received=str(session["received"]),
                         size=str(session["size"]))
    for key in ("title", "description", "name", "content_category"):
        if key in params:
            record.data[key] = params[key]
    record.data["file_size"] = session["size"]
    record.data["finished_at"] = now
    record.data["updated_time"] = int(now)
    record.data.pop("session", None)


def update(record: Record, params: dict[str, Any], now: float) -> None:
    for key, value in params.items():
        record.data[key] = value
    record.data["updated_time"] = int(now)


# -- reads -----------------------------------------------------------------------------------------
def video_status(record: Record, now: float, table: dict[str, Any]) -> dict[str, Any]:
    """VideoStatus (ACCOUNT-SURFACE 3 'status'): uploading -> processing -> ready on the virtual clock."""
    data = record.data
    finished_at = data.get("finished_at")
    size = int(data.get("file_size") or 0)
    done = {"status": "complete"}
    waiting = {"status": "not_started"}
    if finished_at is None:
        uploaded = int(data.get("bytes_transferred") or 0)
        return {"video_status": "processing", "processing_progress": 0,
                "uploading_phase": {"status": "in_progress", "bytes_transferred": uploaded, "source_file_size": size},
                "processing_phase": waiting, "publishing_phase": {**waiting, "publish_status": "not_published"}}
    elapsed = now - finished_at
    if elapsed < table["processing_seconds"]:
        progress = int(100 * elapsed / table["processing_seconds"])
        return {"video_status": "processing", "processing_progress": progress,
                "uploading_phase": {**done, "bytes_transferred": size, "source_file_size": size},
                "processing_phase": {"status": "in_progress"},
                "publishing_phase": {**waiting, "publish_status": "not_published"}}
    return {"video_status": "ready", "processing_progress": 100,
            "uploading_phase": {**done, "bytes_transferred": size, "source_file_size": size},
            "processing_phase": done, "publishing_phase": {**done, "publish_status": "not_published",
                                                          "publish_time": int(finished_at + table["processing_seconds"])}}


def thumbnail(record: Record, table: dict[str, Any]) -> dict[str, Any]:
    spec = table["thumbnail"]
    return {"id": f"{record.id}0", "uri": table["picture_url"].format(video_id=record.id), "width": spec["width"],
            "height": spec["height"], "scale": spec["scale"], "is_preferred": True, "name": spec["name"]}


def computed(record: Record, lookup: Any, table: dict[str, Any]) -> dict[str, Any]:
    data = record.data
    fill = {"video_id": record.id, "account_id": record.account_id}
    status = video_status(record, clock.now(), table)
    size = int(data.get("file_size") or 0)
    length = data.get("length") or round(size / table["assumed_bytes_per_second"], 2)
    ready = status["video_status"] == "ready"
    return {"status": status, "length": float(length), "source": table["source_url"].format(**fill) if ready else None,
            "picture": table["picture_url"].format(**fill), "permalink_url": table["permalink_url"].format(**fill),
            "icon": table["picture_url"].format(**fill), "format": [{"embed_html": "", "filter": "native",
            "width": table["thumbnail"]["width"], "height": table["thumbnail"]["height"],
            "picture": table["picture_url"].format(**fill)}] if ready else [],
            "from": {"id": f"act_{record.account_id}"}, "is_instagram_eligible": ready, "is_crosspost_video": False,
            "is_crossposting_eligible": False, "is_episode": False, "is_reference_only": False, "spherical": False,
            "live_status": None, "views": 0, "post_views": 0, "ad_breaks": [], "content_tags": [], "custom_labels": [],
            "session": None}

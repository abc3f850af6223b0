"""Ad videos (ACCOUNT-SURFACE 3): single-request and resumable uploads, status on the virtual clock,
thumbnails, the demo video."""

from __future__ import annotations

from helpers_envelope import assert_graph_error

VIDEO = bytes(range(256)) * 20  # 5120 bytes


def test_demo_video_is_readable_by_id_and_listed(client, act, world):
    """Issue 14 point 3: the demo video of fixtures/demo.json reads by id and is in /advideos."""
    video = world["video_id"]
    body = client.get(video, params={"fields": "title,status,length,picture,permalink_url"}).json()
    assert body["title"] == "Demo video" and body["status"]["video_status"] == "ready"
    assert body["length"] > 0 and body["picture"].startswith("https://")
    assert [row["id"] for row in client.get(f"{act}/advideos").json()["data"]] == [video]


def test_multipart_source_upload_returns_id_then_processing_then_ready(client, act):
    """ACCOUNT-SURFACE 3: POST advideos with multipart source => {"id"}; status processing until ready."""
    client.post("/__graphmock/clock", json={"freeze": True})
    response = client.post(f"{act}/advideos", data={"title": "Spot"}, files={"source": ("spot.mp4", VIDEO, "video/mp4")})
    assert response.status_code == 200, response.text
    video = response.json()["id"]
    assert list(response.json()) == ["id"]
    status = client.get(video, params={"fields": "status,title"}).json()
    assert status["title"] == "Spot"
    assert status["status"]["video_status"] == "processing"
    assert status["status"]["uploading_phase"]["status"] == "complete"
    client.post("/__graphmock/clock", json={"advance": 10})
    ready = client.get(video, params={"fields": "status,source"}).json()
    assert ready["status"]["video_status"] == "ready" and ready["status"]["processing_progress"] == 100
    assert ready["source"].startswith("https://")


def test_file_url_upload(client, act):
    """ACCOUNT-SURFACE 3: file_url (fetched by Graph) => {"id"}; a non-URL is refused."""
    response = client.post(f"{act}/advideos", data={"file_url": "https://example.com/clip.mp4", "name": "clip"})
    assert response.status_code == 200, response.text
    assert_graph_error(client.post(f"{act}/advideos", data={"file_url": "clip.mp4"}), 100, blame="file_url")
    assert_graph_error(client.post(f"{act}/advideos", data={"title": "nothing"}), 100)


def test_resumable_protocol_start_transfer_finish(client, act):
    """ACCOUNT-SURFACE 3 'Chunked': start => {upload_session_id, video_id, start_offset, end_offset} (strings);
    transfer chunks [start,end) until the offsets are equal; finish => {"success": true}."""
    size = len(VIDEO)
    start = client.post(f"{act}/advideos", data={"upload_phase": "start", "file_size": str(size)}).json()
    assert set(start) == {"upload_session_id", "video_id", "start_offset", "end_offset"}
    assert start["start_offset"] == "0" and int(start["end_offset"]) == size
    offsets = (int(start["start_offset"]), int(start["end_offset"]))
    while offsets[0] != offsets[1]:
        chunk = VIDEO[offsets[0]:offsets[1]]
        answer = client.post(f"{act}/advideos", data={"upload_phase": "transfer", "upload_session_id": start["upload_session_id"],
                                                      "start_offset": str(offsets[0])},
                             files={"video_file_chunk": ("spot.mp4", chunk, "application/octet-stream")}).json()
        offsets = (int(answer["start_offset"]), int(answer["end_offset"]))
    assert offsets == (size, size)
    finish = client.post(f"{act}/advideos", data={"upload_phase": "finish", "upload_session_id": start["upload_session_id"],
                                                  "title": "spot.mp4"})
    assert finish.json() == {"success": True}
    read = client.get(start["video_id"], params={"fields": "title,status"}).json()
    assert read["title"] == "spot.mp4" and read["status"]["uploading_phase"]["bytes_transferred"] == size


def test_wrong_offset_is_1363037_with_object_error_data(client, act):
    """ACCOUNT-SURFACE 3: on subcode 1363037 the Python SDK resumes from error.error_data.start_offset/end_offset,
    so error_data is a JSON object here."""
    start = client.post(f"{act}/advideos", data={"upload_phase": "start", "file_size": "100"}).json()
    response = client.post(f"{act}/advideos", data={"upload_phase": "transfer", "upload_session_id": start["upload_session_id"],
                                                    "start_offset": "50"},
                           files={"video_file_chunk": ("v.mp4", b"x" * 50, "application/octet-stream")})
    error = assert_graph_error(response, 6001, 1363037)
    assert error["error_data"] == {"start_offset": "0", "end_offset": "100"}


def test_finish_before_all_bytes_and_unknown_session(client, act):
    start = client.post(f"{act}/advideos", data={"upload_phase": "start", "file_size": "100"}).json()
    early = client.post(f"{act}/advideos", data={"upload_phase": "finish", "upload_session_id": start["upload_session_id"]})
    assert_graph_error(early, 6001, 1363019)
    assert_graph_error(client.post(f"{act}/advideos", data={"upload_phase": "transfer", "upload_session_id": "42",
                                                            "start_offset": "0"}), 6001, 1363020)
    assert client.post(f"{act}/advideos", data={"upload_phase": "cancel",
                                                 "upload_session_id": start["upload_session_id"]}).json() == {"success": True}
    assert start["video_id"] not in [row["id"] for row in client.get(f"{act}/advideos").json()["data"]]


def test_thumbnails_and_delete(client, act, world):
    """ACCOUNT-SURFACE 3 'Thumbnails': {id, uri, width, height, scale, is_preferred, name}; DELETE
    /act_<id>/advideos takes video_id."""
    video = world["video_id"]
    [thumb] = client.get(f"{video}/thumbnails").json()["data"]
    assert set(thumb) == {"id", "uri", "width", "height", "scale", "is_preferred", "name"} and thumb["is_preferred"]
    added = client.post(f"{video}/thumbnails", data={"is_preferred": "true"}, files={"source": ("t.png", b"\x89PNG", "image/png")})
    assert added.json() == {"success": True}
    rows = client.get(f"{video}/thumbnails").json()["data"]
    assert [row["is_preferred"] for row in rows] == [False, True]
    assert client.delete(f"{act}/advideos", params={"video_id": video}).json() == {"success": True}
    assert client.get(f"{act}/advideos").json()["data"] == []
    assert_graph_error(client.delete(f"{act}/advideos", params={"video_id": video}), 100, blame="video_id")


def test_list_filters_title_and_length(client, act):
    """graph-surface-fields GET advideos: title and min/max length."""
    client.post(f"{act}/advideos", data={"title": "Long"}, files={"source": ("l.mp4", VIDEO * 100, "video/mp4")})
    titles = [row["title"] for row in client.get(f"{act}/advideos", params={"fields": "title", "title": "Long"}).json()["data"]]
    assert titles == ["Long"]
    short = client.get(f"{act}/advideos", params={"fields": "title", "maxlength": "1"}).json()["data"]
    assert [row["title"] for row in short] == []


def test_documented_edges_graphmock_does_not_model_say_so(client, act, world):
    """Issue 14: 'every unsupported path answers a Graph error that says it is not implemented by graphmock rather
    than blaming the client' (video_ads is ACCOUNT-SURFACE 3's newer upload flow)."""
    for path in (f"{act}/video_ads", f"{act}/customaudiencestos"):
        error = assert_graph_error(client.get(path), 100)
        assert "not implemented by graphmock" in error["message"]

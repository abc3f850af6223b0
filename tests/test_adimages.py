"""Ad images (GRAPH-BEHAVIOUR 10 "Ad images"): upload by multipart / base64 / copy_from, list, delete."""

from __future__ import annotations

import base64
import hashlib
import re
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers_creatives import BLUE, RED, link_spec, make_creative, png, upload, with_world
from helpers_envelope import assert_graph_error, validate
from mock_server.domain import adimages


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_multipart_upload_under_any_field_name_returns_the_images_map(client, act):
    """GRAPH-BEHAVIOUR 10: multipart `test1=@./test1.jpg` (any field name) -> {"images": {"<filename>": {hash, url, ...}}};
    the hash is the MD5 of the content (32 hex)."""
    response = client.post(f"{act}/adimages", files={"test1": ("red_4x3.png", RED, "image/png")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["images"] and list(body["images"]) == ["red_4x3.png"]
    entry = body["images"]["red_4x3.png"]
    assert entry["hash"] == md5(RED)
    assert entry["url"].startswith("https://") and entry["hash"] in entry["url"]
    assert (entry["width"], entry["height"], entry["name"]) == (4, 3, "red_4x3.png")


def test_same_bytes_give_the_same_hash_and_one_library_image(client, act):
    """Brief / GRAPH-BEHAVIOUR 10: the hash is the content hash, so the same bytes uploaded twice give the same hash."""
    first = upload(client, act, RED, "a.png")
    second = upload(client, act, RED, "copy-of-a.png", field="other")
    assert first == second == md5(RED)
    listing = client.get(f"{act}/adimages").json()["data"]
    assert listing == [{"hash": first, "id": f"{act.removeprefix('act_')}:{first}"}]


def test_bytes_upload_is_keyed_bytes_and_hashes_the_decoded_content(client, act):
    """GRAPH-BEHAVIOUR 10 (wire): bytes=<base64> -> {"images":{"bytes":{"hash":..., "url":...}}}."""
    response = client.post(f"{act}/adimages", data={"bytes": base64.b64encode(BLUE).decode()})
    assert response.status_code == 200, response.text
    entry = response.json()["images"]["bytes"]
    assert entry["hash"] == md5(BLUE) and (entry["width"], entry["height"]) == (1200, 628)


def test_python_sdk_upload_shape(client, act):
    """sdk-wire-python.json: the SDK posts multipart field `filename` with a temp file name such as tmpmedjrsym.png."""
    response = client.post(f"{act}/adimages", files={"filename": ("tmpmedjrsym.png", RED, "application/octet-stream")})
    assert response.status_code == 200
    assert response.json()["images"]["tmpmedjrsym.png"]["hash"] == md5(RED)


def test_several_files_in_one_request(client, act):
    response = client.post(f"{act}/adimages", files=[("one", ("red.png", RED, "image/png")), ("two", ("blue.png", BLUE, "image/png"))])
    images = response.json()["images"]
    assert {name: e["hash"] for name, e in images.items()} == {"red.png": md5(RED), "blue.png": md5(BLUE)}


def test_filename_needs_an_extension(client, act):
    """GRAPH-BEHAVIOUR 10: 'You must include a filename extension such as sample.jpg'."""
    response = client.post(f"{act}/adimages", files={"test1": ("sample", RED, "image/png")})
    assert_graph_error(response, 100, blame="test1", message_has="Param test1 must have a filename with an extension")


def test_image_name_is_at_most_100_characters(client, act):
    """GRAPH-BEHAVIOUR 10: AdImage name <= 100 characters."""
    response = client.post(f"{act}/adimages", files={"img": ("x" * 97 + ".png", RED, "image/png")})
    assert_graph_error(response, 100, blame="img", message_has="Param img must be a file name at most 100")


def test_not_an_image_is_error_processing_image(client, act):
    """Wire (python-business-sdk #680): a file Graph cannot process -> 100 / 1487197 'Error processing image'."""
    response = client.post(f"{act}/adimages", files={"filename": ("fake.png", b"\x89PNG\r\n\x1a\nFAKEPNGDATA", "image/png")})
    error = assert_graph_error(response, 100, 1487197, blame="filename")
    assert error["error_user_title"] == "Error processing image"


def test_bytes_that_are_not_base64(client, act):
    response = client.post(f"{act}/adimages", data={"bytes": "not base64 at all!"})
    assert_graph_error(response, 100, 1487197, blame="bytes", message_has="bytes is not base64")


def test_no_image_at_all(client, act):
    response = client.post(f"{act}/adimages", data={})
    assert_graph_error(response, 100, blame="bytes", message_has="No image was uploaded")


def test_list_with_hashes_fields_and_size_filters(client, act):
    """GRAPH-BEHAVIOUR 10: GET /act_<id>/adimages with hashes=[...], minwidth/minheight; id is <account_id>:<hash>."""
    red, blue = upload(client, act, RED, "red.png"), upload(client, act, BLUE, "blue.png")
    account_id = act.removeprefix("act_")
    body = client.get(f"{act}/adimages", params={"hashes": f'["{red}"]', "fields": "id,hash,name,width,height,status,account_id"}).json()
    validate("envelopes/list", body)
    assert body["data"] == [{"hash": red, "name": "red.png", "width": 4, "height": 3, "status": "ACTIVE",
                             "account_id": account_id, "id": f"{account_id}:{red}"}]
    wide = client.get(f"{act}/adimages", params={"minwidth": "1000"}).json()["data"]
    assert [i["hash"] for i in wide] == [blue]
    assert client.get(f"{act}/adimages", params={"name": "red.png", "summary": "true"}).json()["summary"] == {"total_count": 1}


def test_delete_by_hash_then_reupload_revives_the_same_hash(client, act):
    """GRAPH-BEHAVIOUR 10: DELETE /act_<id>/adimages hash=... -> {"success": true}."""
    hash_ = upload(client, act)
    assert client.delete(f"{act}/adimages", params={"hash": hash_}).json() == {"success": True}
    assert client.get(f"{act}/adimages").json()["data"] == []
    assert upload(client, act) == hash_
    assert len(client.get(f"{act}/adimages").json()["data"]) == 1


def test_delete_by_image_id(client, act):
    """GRAPH-BEHAVIOUR 10: DELETE also takes image_id (<account_id>:<hash>)."""
    hash_ = upload(client, act)
    response = client.delete(f"{act}/adimages", params={"image_id": f"{act.removeprefix('act_')}:{hash_}"})
    assert response.json() == {"success": True}


def test_delete_refused_while_a_creative_uses_the_image(client, act, world):
    """GRAPH-BEHAVIOUR 10: 'You can only delete ad images not currently being used in an ad creative.'"""
    hash_ = upload(client, act)
    creative = make_creative(client, act, link_spec(world, hash_))
    used = client.get(f"{act}/adimages", params={"fields": "creatives"}).json()["data"][0]
    assert used["creatives"] == [creative]
    error = assert_graph_error(client.delete(f"{act}/adimages", params={"hash": hash_}), 100, blame="hash")
    assert creative in error["message"]
    assert client.delete(creative).json() == {"success": True}
    assert client.delete(f"{act}/adimages", params={"hash": hash_}).json() == {"success": True}


def test_delete_unknown_or_missing_hash(client, act):
    """graph-account-post-edges: DELETE /act_<id>/adimages requires hash."""
    assert_graph_error(client.delete(f"{act}/adimages", params={"hash": "0" * 32}), 100, blame="hash", message_has="0" * 32)
    assert_graph_error(client.delete(f"{act}/adimages"), 100, blame="hash", message_has="The parameter hash is required")


def test_copy_from_another_account_of_the_token(client, act):
    """GRAPH-BEHAVIOUR 10: copy_from={"source_account_id": "<id without act_>", "hash": "..."}."""
    def add_account(document):
        document["ad_accounts"].append({**document["ad_accounts"][0], "id": "act_1000000000000002", "name": "Second"})
        document["users"][0]["tokens"][0]["ad_accounts"].append("act_1000000000000002")
    with_world(client, add_account)
    hash_ = upload(client, act)
    response = client.post("act_1000000000000002/adimages",
                           data={"copy_from": f'{{"source_account_id": "{act.removeprefix("act_")}", "hash": "{hash_}"}}'})
    assert response.status_code == 200, response.text
    assert list(response.json()["images"].values())[0]["hash"] == hash_
    missing = client.post("act_1000000000000002/adimages",
                          data={"copy_from": '{"source_account_id": "1000000000000001", "hash": "%s"}' % ("f" * 32)})
    assert_graph_error(missing, 100, blame="copy_from", message_has="f" * 32)


def test_image_headers_of_every_supported_format():
    """Width and height come from the file header: PNG, GIF, BMP, JPEG (SOF0) and WebP (VP8X)."""
    gif = b"GIF89a" + struct.pack("<HH", 7, 5) + b"\x00" * 10
    bmp = b"BM" + b"\x00" * 16 + struct.pack("<ii", 9, -4) + b"\x00" * 8
    jpeg = b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9 + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x00" * 10
    webp = b"RIFF" + b"\x00" * 4 + b"WEBPVP8X" + b"\x00" * 8 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
    assert [(i.format, i.width, i.height) for i in map(adimages.inspect, [RED, gif, bmp, jpeg, webp])] == [
        ("png", 4, 3), ("gif", 7, 5), ("bmp", 9, 4), ("jpeg", 640, 480), ("webp", 100, 50)]


@settings(max_examples=25)
@given(width=st.integers(1, 40), height=st.integers(1, 40), rgb=st.tuples(*[st.integers(0, 255)] * 3))
def test_hash_is_the_md5_of_any_uploaded_image(client, act, width, height, rgb):
    """Property (GRAPH-BEHAVIOUR 10): for any image, hash = MD5(content), re-uploads are idempotent, size is read back."""
    data = png(width, height, rgb)
    first = client.post(f"{act}/adimages", files={"f": ("x.png", data, "image/png")}).json()["images"]["x.png"]
    again = client.post(f"{act}/adimages", data={"bytes": base64.b64encode(data).decode()}).json()["images"]["bytes"]
    assert first["hash"] == again["hash"] == md5(data) and re.fullmatch(r"[0-9a-f]{32}", first["hash"])
    assert (first["width"], first["height"]) == (width, height)

"""The ad image strategies prove the mock: valid uploads give their content hash, invalid ones their label."""

from __future__ import annotations

import json

from hypothesis import given, settings

from contract_tests.images import invalid_adimage_upload, valid_adimage_upload
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

CLIENT = InProcessClient(ServerConfig(seed=3, rate_limits="off"))
ACT = CLIENT.world["ad_account_id"]


@settings(max_examples=200)
@given(upload=valid_adimage_upload())
def test_valid_uploads_return_the_content_hash_and_list_back(upload):
    response = CLIENT.post(f"{ACT}/adimages", data=upload.data or None, files=upload.files)
    assert response.status_code == 200, response.text
    image = response.json()["images"][upload.name]
    assert image["hash"] == upload.expected_hash
    listed = CLIENT.get(f"{ACT}/adimages", params={"hashes": json.dumps([image["hash"]]), "fields": "hash"}).json()
    assert [d["hash"] for d in listed["data"]] == [upload.expected_hash]


@settings(max_examples=200)
@given(upload=invalid_adimage_upload())
def test_invalid_uploads_get_exactly_their_label(upload):
    response = CLIENT.post(f"{ACT}/adimages", data=upload.data or None, files=upload.files)
    expected = upload.expected
    assert response.status_code == expected.http_status, response.text
    error = response.json()["error"]
    assert (error["code"], error.get("error_subcode")) == (expected.code, expected.subcode), error
    if expected.blame:
        assert json.loads(error["error_data"])["blame_field_specs"] == expected.blame

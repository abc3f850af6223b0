"""Properties of the stored asset nodes (issue 14 point 3): create/read/list/paging/filter round trips, and
isolation: a second account's token never reaches them by id, list, `ids=`, nesting or batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

ACT, OTHER = "act_1000000000000001", "act_1000000000000011"
OTHER_TOKEN = "GMDEMO-second-account-token"
NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30).map(lambda s: ("n " + s.strip()).rstrip())  # no edge whitespace (labels are stored stripped)


def _create(client: InProcessClient, kind: str, name: str, act: str = ACT, token: Any = ...) -> str:
    forms = {
        "adlabels": {"name": name},
        "customaudiences": {"name": name, "subtype": "CUSTOM", "customer_file_source": "USER_PROVIDED_ONLY"},
        "customconversions": {"name": name, "custom_event_type": "LEAD", "rule": json.dumps({"url": {"i_contains": "x"}})},
        "advideos": {"title": name, "file_url": "https://example.com/v.mp4"},
    }
    response = client.post(f"{act}/{kind}", data=forms[kind], token=token)
    assert response.status_code == 200, response.text
    return response.json()["id"]


NAME_FIELD = {"adlabels": "name", "customaudiences": "name", "customconversions": "name", "advideos": "title"}
KINDS = st.sampled_from(sorted(NAME_FIELD))


@pytest.fixture(scope="module")
def shared() -> Iterator[InProcessClient]:
    client = InProcessClient(ServerConfig(seed=3))
    yield client
    client.close()


@settings(max_examples=30)
@given(kind=KINDS, names=st.lists(NAMES, min_size=1, max_size=7, unique=True), limit=st.integers(1, 4))
def test_create_read_list_page_filter_round_trip(shared, kind, names, limit):
    """Every created object reads back by id with its name; paging with any limit lists exactly the created objects,
    newest first, each once; filtering on the name field with EQUAL selects exactly the matching one."""
    client = shared
    client.state.reset()
    field = NAME_FIELD[kind]
    ids = [_create(client, kind, name) for name in names]
    for object_id, name in zip(ids, names):
        assert client.get(object_id, params={"fields": field}).json() == {field: name, "id": object_id}
    seen, url, params = [], f"{ACT}/{kind}", {"fields": field, "limit": str(limit)}
    if kind == "advideos":
        params["filtering"] = json.dumps([{"field": "created_time", "operator": "GREATER_THAN", "value": 0}])
    while True:
        body = client.get(url, params=params).json()
        assert len(body["data"]) <= limit
        seen += [row["id"] for row in body["data"]]
        if "next" not in body["paging"]:
            break
        params = {**params, "after": body["paging"]["cursors"]["after"]}
    expected = ids[::-1] + (["1400000000000001"] if kind == "advideos" else [])
    assert seen == expected
    target = names[len(names) // 2]
    filtered = client.get(f"{ACT}/{kind}", params={"fields": field, "filtering": json.dumps(
        [{"field": field, "operator": "EQUAL", "value": target}])}).json()["data"]
    assert [row[field] for row in filtered] == [target]


def _denied(response) -> bool:
    body = response.json()
    return response.status_code == 400 and body["error"]["code"] == 100 and body["error"]["error_subcode"] == 33


@settings(max_examples=30)
@given(kind=KINDS, name=NAMES, probe=st.sampled_from(["id", "list", "ids", "nesting", "batch", "write", "delete"]))
def test_second_account_token_never_reaches_the_objects(shared, kind, name, probe):
    """A token granted only the second account gets 'does not exist' (100/33) for the first account's assets by id,
    ids=, batch, writes and deletes; its own lists and nested edges never contain them."""
    client = shared
    client.state.reset()
    object_id = _create(client, kind, name)
    theirs = _create(client, kind, "theirs", act=OTHER, token=OTHER_TOKEN)
    field = NAME_FIELD[kind]
    if probe == "id":
        assert _denied(client.get(object_id, params={"fields": field}, token=OTHER_TOKEN))
    elif probe == "ids":
        assert _denied(client.get("", params={"ids": f"{theirs},{object_id}", "fields": field}, token=OTHER_TOKEN))
    elif probe == "list":
        listed = client.get(f"{OTHER}/{kind}", params={"fields": field}, token=OTHER_TOKEN).json()["data"]
        assert [row["id"] for row in listed] == [theirs]
    elif probe == "nesting":
        body = client.get(OTHER, params={"fields": f"{kind}{{{field}}}"}, token=OTHER_TOKEN).json()
        assert [row["id"] for row in body[kind]["data"]] == [theirs]
        assert _denied(client.get(ACT, params={"fields": f"{kind}{{{field}}}"}, token=OTHER_TOKEN))
    elif probe == "batch":
        batch = [{"method": "GET", "relative_url": f"{object_id}?fields={field}"},
                 {"method": "POST", "relative_url": object_id, "body": f"{field}=hijacked"}]
        answers = client.post("", data={"batch": json.dumps(batch)}, token=OTHER_TOKEN).json()
        for answer in answers:
            error = json.loads(answer["body"])["error"]
            assert (answer["code"], error["code"], error["error_subcode"]) == (400, 100, 33)
    elif probe == "write":
        assert _denied(client.post(object_id, data={field: "hijacked"}, token=OTHER_TOKEN))
    else:
        assert _denied(client.delete(object_id, token=OTHER_TOKEN))
    assert client.get(object_id, params={"fields": field}).json()[field] == name


HEX64 = st.text("0123456789abcdef", min_size=64, max_size=64)
BAD = st.one_of(st.text(max_size=70).filter(lambda s: s.strip() and not (len(s) == 64 and set(s) <= set("0123456789abcdef"))),
                st.text("0123456789ABCDEF", min_size=64, max_size=64).filter(lambda s: s != s.lower()))


@settings(max_examples=40)
@given(good=st.lists(HEX64, max_size=12), bad=st.lists(BAD, max_size=5), removed=st.integers(0, 12), data=st.data())
def test_users_counts_follow_unique_valid_hashes(shared, good, bad, removed, data):
    """ACCOUNT-SURFACE 5.2: num_received counts every row, num_invalid_entries the badly hashed ones; the audience's
    approximate bounds bracket the number of unique valid hashes added and not removed."""
    client = shared
    client.state.reset()
    audience = _create(client, "customaudiences", "n users")
    rows = data.draw(st.permutations(good + bad), label="rows")
    if rows:
        body = client.post(f"{audience}/users", json={"payload": {"schema": "EMAIL_SHA256", "data": rows}}).json()
        assert (body["num_received"], body["num_invalid_entries"]) == (len(rows), len(bad))
        assert len(body["invalid_entry_samples"]) == len(bad)
    gone = good[:removed]
    if gone:
        client.delete(f"{audience}/users", params={"payload": json.dumps({"schema": "EMAIL_SHA256", "data": gone})})
    expected = len(set(good) - set(gone))
    read = client.get(audience, params={"fields": "approximate_count_lower_bound,approximate_count_upper_bound"}).json()
    assert read["approximate_count_lower_bound"] <= expected <= read["approximate_count_upper_bound"]
    assert read["approximate_count_upper_bound"] - read["approximate_count_lower_bound"] <= max(2, expected // 10)

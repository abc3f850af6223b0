"""Journal lines made cheap must read the same (issue 18 point 1): a create whose handler decoded and validated its
params is judged conforming in fewer steps (verdicts._nothing_to_add), and a conforming success's log line start
is remembered per (method, path, status); both give exactly what the full judgement and formatting give."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import redaction, request_log
from mock_server.config import ServerConfig
from mock_server.journal import _weigh, journal_of
from mock_server.request_log import RequestLog, line
from mock_server.testing import InProcessClient
from mock_server.verify import memo, verdicts
from mock_server.verify.verdicts import from_request
from test_journal import _weight_by_definition  # the documented measure (tests/ is on the path: not a package)


@pytest.fixture(scope="module")
def client() -> Iterator[InProcessClient]:
    c = InProcessClient(ServerConfig(seed=11))
    yield c
    c.close()


def judged_in_full(state: Any, request: Any, call: Any, monkeypatch: Any) -> list[Any]:
    """The verdict without the shortcut and without any remembered verdict (the oracle)."""
    held = memo.of(state)
    for table in (held.requests, held.fields, held.parses):
        table.clear()
    with monkeypatch.context() as patched:
        patched.setattr(verdicts, "_nothing_to_add", lambda *_: False)
        return from_request(state, request, call)


CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}
extras = st.dictionaries(st.sampled_from(["bogus", "fields", "daily_budget", "objective", "status", "buying_type",
                                          "special_ad_categories", "id", "title", "body"]),
                         st.sampled_from(["1", "PAUSED", "NOPE", "[]", "['NONE']", "name,bogus_field", "name", "t" * 30,
                                          "AUCTION", "5000"]), max_size=3)
edges = st.sampled_from(["campaigns", "adcreatives", "adsets", "node"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edge=edges, extra=extras, long_copy=st.booleans())
def test_a_create_judged_in_fewer_steps_is_judged_as_in_full(client: InProcessClient, monkeypatch: Any, edge: str,
                                                            extra: dict[str, str], long_copy: bool) -> None:
    """Any create or update (known, unknown, relaxed-JSON and ill-typed params, `fields`, a schema with recommended
    lengths: ad creatives' title and body, seed 003) gets the verdict judging in full gives."""
    act = client.world["ad_account_id"]
    journal = journal_of(client.state)
    since = journal.last_seq
    if edge == "node":
        cid = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
        client.post(cid, data={"name": "renamed", **extra})
    elif edge == "adcreatives":
        story = {"page_id": client.world["page_id"], "link_data": {"link": "https://example.com/"}}
        copy = {"title": "t" * 30, "body": "b" * 95} if long_copy else {}
        client.post(f"{act}/adcreatives", data={"name": "cr", "object_story_spec": json.dumps(story), **copy, **extra})
    else:
        client.post(f"{act}/{edge}", data={**CAMPAIGN, **extra})
    for entry in journal.entries(since=since):
        call, request = entry._call, entry._request
        quick = from_request(client.state, request, call)
        assert quick == judged_in_full(client.state, request, call, monkeypatch), entry.describe()


def test_a_plain_create_takes_the_short_way_and_a_creative_with_recommended_lengths_does_not(
        client: InProcessClient) -> None:
    """The shortcut is taken where judging has nothing to add (a valid campaign create), and not for a schema with
    `x-graph-recommended` lengths (ad creatives, seed 003), an unknown param, or `fields`."""
    act = client.world["ad_account_id"]
    journal = journal_of(client.state)
    since = journal.last_seq
    story = json.dumps({"page_id": client.world["page_id"], "link_data": {"link": "https://example.com/"}})
    client.post(f"{act}/campaigns", data=CAMPAIGN)
    client.post(f"{act}/campaigns", data={**CAMPAIGN, "bogus": "1"})
    client.post(f"{act}/campaigns", data={**CAMPAIGN, "fields": "name"})
    client.post(f"{act}/adcreatives", data={"name": "cr", "object_story_spec": story})
    taken = [verdicts._nothing_to_add(client.state, e._request, e._call) for e in journal.entries(since=since)]
    assert taken == [True, False, False, False]


def line_by_definition(entry: Any, colour: bool, ms: float) -> str:
    """The line as request_log's docstring defines it: method, path (secrets masked), status, error code, verdict,
    time taken; tinted by the status class on a terminal."""
    code = request_log._error_code(entry._body)
    kinds = sorted({v.kind for v in entry.violations if v.severity != "info"})
    verdict = f"violation({','.join(kinds)})" if kinds else "ok"
    status = str(entry.status)
    text = (f"{entry.method:<6} {redaction.text(entry.path)[:120]}  {status}{f' #{code}' if code is not None else ''}"
            f"  {verdict}  {ms:.1f} ms")
    tint = request_log._COLOURS.get(status[0], "") if colour else ""
    return f"{tint}{text}\033[0m" if tint else text


def test_a_remembered_line_start_reads_as_the_line_formatted_afresh() -> None:
    """A conforming success's line start is remembered per method, path, status and colour; a rejection, another
    path, another status, a masked secret or the coloured form reads as defined (every line's bytes unchanged)."""
    client = InProcessClient(ServerConfig(seed=3))
    act = client.world["ad_account_id"]
    try:
        for _ in range(2):
            client.post(f"{act}/campaigns", data=CAMPAIGN)
            client.post(f"{act}/campaigns", data={"name": "no objective"})
            client.get(act, params={"fields": "name"})
            cid = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
            client.get(cid, params={"fields": "name"})
            client.get(f"{act}/access_token=abc/x", params={"fields": "name"})
        found = journal_of(client.state).entries()
    finally:
        client.close()
    request_log._PLAIN_STARTS.clear()
    for colour in (False, True, False):
        assert [line(e, colour=colour, ms=1.25) for e in found] == [line_by_definition(e, colour, 1.25) for e in found]
    assert len({e.path for e in found}) >= 4 and {e.status for e in found} == {200, 400}
    assert any("<redacted>" in line(e, ms=0.0) for e in found)
    assert request_log._PLAIN_STARTS and all(key[3] in (False, True) for key in request_log._PLAIN_STARTS)


def test_a_batched_log_of_remembered_lines_reads_as_lines_built_at_once(client: InProcessClient) -> None:
    """The batched log (RequestLog._text) of conforming creates writes the lines `line` builds."""
    act = client.world["ad_account_id"]
    journal = journal_of(client.state)
    since = journal.last_seq
    for _ in range(3):
        client.post(f"{act}/campaigns", data=CAMPAIGN)
    found = journal.entries(since=since)
    stream = io.StringIO()
    log = RequestLog(stream, colour=False, line_by_line=False)
    texts = [log._text(entry, 2.5) for entry in found]
    assert texts == [line(entry, ms=2.5) for entry in found] == [f"POST   /v25.0/{act}/campaigns  200  ok  2.5 ms"] * 3


long_or_short = st.integers(0, 2 * 4096 + 10).map(lambda n: "k" * n)


@settings(max_examples=60, deadline=None)
@given(flat=st.dictionaries(long_or_short, long_or_short | st.integers() | st.none(), max_size=4))
def test_a_flat_request_is_weighed_as_documented_around_the_value_limit(flat: dict[str, Any]) -> None:
    """journal._weigh's flat-dict loop (params, headers) looks for a string past MAX_VALUE_CHARS only when the total
    is past it: its weight and its oversize flag are those the documented measure gives, for totals on both sides
    of the limit made of short strings only, or with one long key or value (docs/hardening.md: the byte bound)."""
    assert _weigh(flat, 0) == _weight_by_definition(flat, 0)


def test_with_a_log_listening_a_write_is_judged_when_recorded_and_reads_as_judged_later() -> None:
    """With the console log installed, a write whose handler resolved its node is judged when recorded (hot): its
    verdict and its line are those judging in full gives afterwards; without a listener nothing is judged until
    read, and bodiless reads are left to the log's memo of repeated parses."""
    client = InProcessClient(ServerConfig(seed=3))
    act = client.world["ad_account_id"]
    journal = journal_of(client.state)
    stream = io.StringIO()
    try:
        client.post(f"{act}/campaigns", data=CAMPAIGN)  # before the log: not judged until read
        unjudged = journal.entries()[-1]
        assert unjudged._violations is None and unjudged._call is not None
        told: list[bool] = []  # judged when the journal tells its listeners (before the log could judge it)
        journal.listeners.append(lambda entry: told.append(entry._violations is not None))
        log = request_log.install(journal, stream, colour=False)
        since = journal.last_seq
        cid = client.post(f"{act}/campaigns", data={**CAMPAIGN, "bogus": "1"}).json()["id"]
        client.post(f"{act}/campaigns", data={"name": "no objective"})
        client.post(cid, data={"name": "renamed", "fields": "name,bogus_field"})
        client.get(cid, params={"fields": "name"})
        client.post(f"{act}/campaigns", data=CAMPAIGN)
        found = journal.entries(since=since)
        log.flush()
        for entry in found:  # judged afresh, from the request alone (no Call: the node is looked up)
            afresh = from_request(client.state, entry._request)
            assert entry.violations == afresh + verdicts.from_response(entry.status, entry._body, afresh)
    finally:
        client.close()
    assert [told[i] for i in (0, 2, 4)] == [True, True, True] and told[3] is False  # the writes; the read
    assert len(stream.getvalue().splitlines()) == len(found) == 5
    assert stream.getvalue().splitlines() == [line_by_definition(e, False, 0.0).rsplit("  ", 1)[0] + "  " +
                                              text.rsplit("  ", 1)[1] for e, text in
                                              zip(found, stream.getvalue().splitlines())]
    kinds = [sorted(v.kind for v in e.violations) for e in found]
    assert kinds[0] == ["unknown_param"] and set(kinds[1]) == {"missing_required"} and "unknown_field" in kinds[2]


def test_a_settled_batch_is_told_to_the_log_at_once_in_order_and_a_failing_line_is_left_out(
        client: InProcessClient) -> None:
    """Journal.settle hands the console log a whole batch (`RequestLog.told`); its lines are the lines `line` builds,
    in order, as when told one by one, on a terminal and off it; a line that cannot be built is left out, the others
    are written (a log line must never break a request)."""
    act = client.world["ad_account_id"]
    journal = journal_of(client.state)
    since = journal.last_seq
    client.post(f"{act}/campaigns", data=CAMPAIGN)
    client.post(f"{act}/campaigns", data={"name": "no objective"})
    client.get(act, params={"fields": "name"})
    found = journal.entries(since=since)
    for terminal in (False, True):
        one_by_one, batched = io.StringIO(), io.StringIO()
        single, batch = (RequestLog(stream, colour=False, line_by_line=terminal) for stream in (one_by_one, batched))
        for entry in found:
            single(entry)
        batch.told([found[0], object(), *found[1:]])
        single.flush()
        batch.flush()
        assert batched.getvalue() == one_by_one.getvalue()
        assert batched.getvalue().splitlines() == [line(e, ms=e.took or 0.0) for e in found]

"""The journal settles entries in batches on an event loop (mock_server/journal.py `Journal.record`): readers
never see the difference, memory stays bounded, and the console log's figures stay each request's own."""

from __future__ import annotations

import asyncio
import json
import io
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import ServerConfig
from mock_server.journal import MAX_VALUE_CHARS, REQUEST_STARTED, SETTLE_BATCH, SETTLE_DELAY, Journal
from mock_server.journal_entry import ENTRY_OVERHEAD
from mock_server.request_log import FLUSH_DELAY, install
from mock_server.state import State
from mock_server.wire.request import GraphRequest

STATE = State(ServerConfig(seed=1))


def request(i: int, *, big: bool = False) -> GraphRequest:
    value = "x" * (MAX_VALUE_CHARS + 10) if big else f"campaign {i}"
    return GraphRequest(method="POST", path=f"/v25.0/act_1/campaigns/{i}", version="v25.0",
                        segments=["act_1", "campaigns"], params={"name": value}, query={}, base_url="http://x",
                        headers={"user-agent": "t"}, body_kind="form", wire_bytes=len(value) + 6)


def seen(journal: Journal) -> list[tuple[int, str, int, dict[str, Any]]]:
    return [(e.seq, e.path, e.status, e.params) for e in journal.entries()]


actions = st.lists(st.one_of(st.tuples(st.just("record"), st.booleans()), st.just(("read", None)),
                             st.just(("yield", None))), max_size=40)


@settings(max_examples=40, deadline=None)
@given(program=actions)
def test_readers_see_what_a_journal_settling_each_entry_at_once_shows(program: list[tuple[str, Any]]) -> None:
    """Any interleaving of requests, reads (entries, last_seq, bytes) and turns of the loop reads the same as a
    journal that keeps each entry the moment it is recorded (journal_store.SharedJournal's way)."""
    batched, at_once = Journal(STATE, size=10), Journal(STATE, size=10)
    at_once.batched = False

    async def run() -> None:
        for i, (action, big) in enumerate(program):
            if action == "record":
                for journal in (batched, at_once):
                    journal.record(request(i, big=big), 200, None)
            elif action == "read":
                assert seen(batched) == seen(at_once)
                assert (batched.last_seq, batched.bytes) == (at_once.last_seq, at_once.bytes)
            else:
                await asyncio.sleep(0)
        assert not at_once._fresh
        assert seen(batched) == seen(at_once) and batched.last_seq == at_once.last_seq

    asyncio.run(run())


def test_entries_wait_on_a_running_loop_and_settle_on_the_timer() -> None:
    """On a loop, recording only queues the entry; SETTLE_DELAY later the loop numbers and keeps it."""
    journal = Journal(STATE)

    async def run() -> None:
        journal.record(request(1), 200, None)
        assert len(journal._fresh) == 1 and journal._seq == 0  # nothing weighed or numbered yet
        await asyncio.sleep(SETTLE_DELAY * 3)
        assert not journal._fresh and journal._seq == 1

    asyncio.run(run())


def test_no_more_than_a_batch_waits_whatever_arrives() -> None:
    """Memory stays bounded: a loop that never yields settles every SETTLE_BATCH entries."""
    journal = Journal(STATE)

    async def run() -> None:
        most = 0
        for i in range(SETTLE_BATCH * 3 + 5):
            journal.record(request(i), 200, None)
            most = max(most, len(journal._fresh))
        assert most <= SETTLE_BATCH
        assert journal.last_seq == SETTLE_BATCH * 3 + 5

    asyncio.run(run())


def test_a_request_with_a_long_value_is_trimmed_at_once() -> None:
    """issue 16's bound: an entry whose values may need trimming never waits with the whole request in it."""
    journal = Journal(STATE)

    async def run() -> None:
        journal.record(request(1), 200, None)
        journal.record(request(2, big=True), 200, None)
        assert not journal._fresh  # settled, the small one first
        first, second = journal._entries
        assert (first.seq, second.seq) == (1, 2) and "truncated" in second._request.params["name"]

    asyncio.run(run())


def test_the_console_line_shows_the_time_the_request_took_not_when_it_was_settled() -> None:
    """The log line's milliseconds run from the request's arrival to its answer, even though the line is
    written a batch later (and after the settle timer)."""
    journal = Journal(STATE)
    stream = io.StringIO()
    install(journal, stream, colour=False)

    async def run() -> None:
        REQUEST_STARTED.set(time.perf_counter() - 0.5)  # arrived 500 ms ago
        journal.record(request(1), 200, None)
        await asyncio.sleep(SETTLE_DELAY + FLUSH_DELAY + 0.3)

    asyncio.run(run())
    text = stream.getvalue()
    assert text.startswith("POST   /v25.0/act_1/campaigns/1  200  "), text
    ms = float(text.split()[-2])
    assert 500 <= ms < 700, text  # not the ~900 ms until the line was written


@settings(max_examples=30, deadline=None)
@given(fields=st.lists(st.sampled_from(["name", "status", "x" * 50, "é"]), max_size=4), repeats=st.integers(1, 5))
def test_a_repeated_parse_weighs_what_an_equal_fresh_parse_weighs(fields: list[str], repeats: int) -> None:
    """issue 16's byte bound: copies of one kept parse (a repeated GET) weigh what a fresh parse of it weighs."""
    def get() -> GraphRequest:
        return GraphRequest(method="GET", path="/v25.0/act_1", version="v25.0", segments=["act_1"],
                            params={"fields": ",".join(fields)}, query={}, base_url="http://x",
                            headers={"host": "h", "user-agent": "t"}, wire_bytes=40)

    copies, fresh = Journal(STATE), Journal(STATE)
    kept = get()
    for _ in range(repeats):
        copies.record(kept.copy(), 200, None)
        fresh.record(get(), 200, None)
    assert copies.bytes == fresh.bytes


def test_a_request_with_a_long_path_is_settled_at_once() -> None:
    """A path can be as long as a client makes it (the console line keeps 120 characters, the ring a trimmed
    copy): such an entry never waits untrimmed in a batch."""
    journal = Journal(STATE)
    long = GraphRequest(method="GET", path="/v25.0/" + "a" * (MAX_VALUE_CHARS * 5), version="v25.0", segments=[],
                        params={}, query={}, base_url="http://x", wire_bytes=0)

    async def run() -> None:
        journal.record(request(1), 200, None)
        journal.record(long, 200, None)
        assert not journal._fresh and "truncated" in journal._entries[-1]._request.path

    asyncio.run(run())


def test_clear_from_another_thread_waits_for_a_settle_under_way() -> None:
    """The pytest plugin clears the journal from the test thread: entries answered before the clear are gone
    after it, even when the loop was settling them at that moment (a slow listener: the console log)."""
    import threading

    journal = Journal(STATE)
    settling = threading.Event()

    def slow_listener(entry: Any) -> None:
        if entry.path.endswith("/1"):
            settling.set()
            time.sleep(0.2)  # the loop thread is inside settle(), the batch taken out of _fresh

    journal.listeners.append(slow_listener)
    clearer = threading.Thread(target=lambda: (settling.wait(5), journal.clear()))

    async def run() -> None:
        journal.record(request(1), 200, None)
        journal.record(request(2), 200, None)
        clearer.start()
        await asyncio.sleep(SETTLE_DELAY * 2)

    asyncio.run(run())
    clearer.join(5)
    assert journal.entries() == [] and not journal._fresh


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | _TEXT,
                     lambda inner: st.lists(inner, max_size=30) | st.dictionaries(_TEXT, inner, max_size=5), max_leaves=300)


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


@settings(max_examples=120, deadline=None)
@given(pairs=st.lists(st.tuples(_TEXT, _TEXT | st.text("x", min_size=3000, max_size=5000)), max_size=6),
       nested=st.dictionaries(_TEXT, _JSON | st.integers(30, 40).map(_deep), max_size=3),
       php=st.integers(0, 600), kind=st.sampled_from(["form", "json", "php"]))
def test_a_small_request_weighs_at_least_its_strings_and_holds_none_to_trim(pairs: list[tuple[str, str]],
                                                                              nested: dict[str, Any], php: int,
                                                                              kind: str) -> None:
    """journal._weigh_entry weighs a small request of string params by its bytes: for any form, JSON (lists,
    numbers, nesting past the trimming depth) or PHP-keyed body, parsed as the server parses it, the kept entry
    weighs at least the documented measure of what it keeps (the byte bound holds), and a request holding
    anything to trim (a long string, nesting past 32) is kept trimmed (review, session 12: a JSON list of 1 200
    numbers was weighed 13x too light, a 40-deep list kept untrimmed)."""
    from urllib.parse import urlencode

    from mock_server.journal import _weigh
    from mock_server.wire.errors import GraphError
    from mock_server.wire.limits import Limits
    from mock_server.wire.request import parse_received

    if kind == "json":
        body = json.dumps({**dict(pairs), **nested}).encode()
    elif kind == "php":
        body = "&".join(["a[]=1"] * php + [urlencode(pairs)]).encode()
    else:
        body = urlencode(pairs).encode()
    content_type = b"application/json" if kind == "json" else b"application/x-www-form-urlencoded"
    scope = {"type": "http", "method": "POST", "path": "/v25.0/act_1/campaigns", "query_string": b"access_token=t",
             "headers": [(b"host", b"h"), (b"content-type", content_type),
                         (b"content-length", str(len(body)).encode())],
             "scheme": "http", "server": ("127.0.0.1", 80), "http_version": "1.1"}
    try:
        parsed = parse_received(scope, body, Limits())
    except GraphError:
        return  # refused before it is journaled as a request (a body over a limit)
    assert parsed is not None
    journal = Journal(STATE)
    journal.record(parsed, 200, None)
    [entry] = journal.entries()
    kept = entry._request
    assert entry.size - ENTRY_OVERHEAD >= _weigh(kept.params, 0)[0] + _weigh(kept.headers, 0)[0] + len(kept.path)
    if _weigh(parsed.params, 0)[1]:
        assert kept is not parsed and not _weigh(kept.params, 0)[1]  # judged whole, then kept trimmed


def test_a_batch_with_a_long_header_weighs_each_operation_with_it() -> None:
    """A batch's operations carry the batch request's headers (batch.py): with one longer than MAX_VALUE_CHARS
    each operation's entry still weighs at least its strings (review, session 12: an operation's byte count left
    the batch's headers out, so it was weighed by its own few bytes)."""
    from mock_server.journal import _weigh, journal_of
    from mock_server.testing import InProcessClient

    client = InProcessClient(ServerConfig(seed=3))
    try:
        act = client.world["ad_account_id"]
        batch = json.dumps([{"method": "GET", "relative_url": f"{act}?fields=name"}] * 3)
        journal = journal_of(client.state)
        since = journal.last_seq
        assert client.post("", data={"batch": batch}, headers={"x-long": "y" * (MAX_VALUE_CHARS + 100)}).status_code == 200
        entries = [e for e in journal.entries(since=since) if e.path != "/v25.0/" and e.path != "/"]
        assert entries
        for entry in entries:
            kept = entry._request
            assert "x-long" in kept.headers
            assert entry.size - ENTRY_OVERHEAD >= _weigh(kept.params, 0)[0] + _weigh(kept.headers, 0)[0] + len(kept.path)
    finally:
        client.close()

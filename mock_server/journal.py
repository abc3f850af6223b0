"""The request journal: every Graph call the server answered, with its contract verdict.

A bounded ring (oldest entries fall off) of `{seq, method, path, params,
status, verdict}`, where verdict is "conforming" or a list of violations
(mock_server.verify.verdicts). It is bounded in entries AND in bytes: a value
longer than MAX_VALUE_CHARS is kept truncated with its original length, and
upload bytes are never kept. Secrets never leave it (mock_server.redaction). Integration is
one call after dispatch: `state.journal.record(graph_request, status, body, call)`
(`body` may be the GraphError); strict mode asks `screen()` before dispatch.
Thread-safe: the plugin reads it from the test thread while the server writes. On an event loop, recorded
entries are weighed when recorded, then settled (numbered, kept, told to the listeners) in batches; every
reader settles first.
When other processes serve the same world (`--workers`, PostgreSQL), `journal_of` builds
journal_store.SharedJournal instead: same interface, entries kept in the store.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import dataclasses
import gc
import threading
import time as _time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from mock_server import redaction
from mock_server.journal_entry import CONFORMING, Entry, Judged, _Judging  # noqa: F401 (Judged: re-exported)
from mock_server.verify.verdicts import SILENT, Violation, from_request
from mock_server.wire.limits import ascii_digits

DEFAULT_SIZE = 1000
DEFAULT_BYTES = 32 * 1024 * 1024
MAX_VALUE_CHARS = 4096  # a longer string is kept as its first KEPT_CHARS and its length
KEPT_CHARS = 256
REQUEST_STARTED: ContextVar[float] = ContextVar("graphmock_request_started", default=0.0)  # perf_counter() at arrival
SETTLE_DELAY = 0.05  # seconds a recorded entry may wait, on the event loop, before it is weighed and numbered
_ONLY_STR = frozenset({str})  # the value types of a flat request (`_weigh_entry`)
SETTLE_BATCH = 256  # entries; more are settled at once (memory stays bounded whatever the load)


class Journal:
    """Bounded, thread-safe record of requests and verdicts."""

    def __init__(self, state: Any, size: int = DEFAULT_SIZE, max_bytes: int = DEFAULT_BYTES) -> None:
        self.state = state
        self.size = size
        self.max_bytes = max_bytes
        self._entries: deque[Entry] = deque()
        self._bytes = 0
        self._seq = 0
        self._lock = threading.Lock()
        self.listeners: list[Callable[[Entry], None]] = []  # e.g. the console request log (mock_server.request_log)
        self._fresh: list[Entry] = []  # recorded, not yet settled (record's docstring)
        self._settling = threading.RLock()  # one settle at a time; a listener may settle again (the log's flush)
        self._settle_loop: Any = None  # the loop a settle is due on, and its thread (None: none due)
        self._settle_thread: int | None = None

    batched = True  # entries settle in batches on an event loop (journal_store.SharedJournal: one at a time)

    # -- writing --------------------------------------------------------------------------------
    def screen(self, graph_request: Any, call: Any = None) -> list[Violation]:
        """The violations the real API would accept silently (strict mode refuses the request on these)."""
        return [v for v in from_request(self.state, graph_request, call) if v.kind in SILENT]

    def record(self, graph_request: Any, status: int, body: Any, call: Any = None, *,
               violations: list[Violation] | None = None) -> Entry | None:
        """Judge and store one answered request; `graph_request` None (unparseable) records the raw failure.

        On an event loop, a small request's entry is weighed and joins `_fresh` here: numbering, keeping and
        the listeners (the console log) run for a batch of entries at once, SETTLE_DELAY later from the loop, or
        as soon as anything reads the journal. One entry at a time between two requests' work cost ~9 us a
        request; a batch costs a third of that (issue 18). Readers never see the difference."""
        if graph_request is None:
            return None
        if graph_request.files:  # uploads can be megabytes; verdicts never need the bytes
            graph_request = dataclasses.replace(graph_request, files=[])
        # only an error answer says anything to judge (from_response): a success's body is not kept, so 1000
        # entries never pin 1000 rendered pages
        body = body if status >= 400 else None
        if isinstance(body, BaseException):  # a kept GraphError must not pin its traceback's frames (the request's
            body.__traceback__ = body.__context__ = body.__cause__ = None  # decoded params, megabytes each)
        node = getattr(call, "node", None)
        # A write the console log shows is judged now, hot (~2 us less than at the log's flush): its Call's node
        # fixes its verdict (verdicts.node_of looks nothing up), so it reads the same whenever judged, and it is
        # judged on the Call itself. A bodiless read is left to the log's memo of repeated parses.
        judge_now = bool(self.listeners and node is not None and node.id and graph_request.body_kind != "none")
        if call is not None and not judge_now:
            call = _Judging(call)
        entry = Entry(self.state, 0, self.state.now(), graph_request, status, body, call, violations)
        if self.listeners:
            started = REQUEST_STARTED.get()
            entry.took = (_time.perf_counter() - started) * 1000 if started else 0.0
        self._weigh_entry(entry)  # now: a large one is trimmed before it waits in a batch
        if judge_now:
            entry.violations  # judged: the Call is let go
        with self._lock:
            fresh = self._fresh
            fresh.append(entry)
            may_wait = (len(fresh) < SETTLE_BATCH  # no value can need trimming:
                        and 0 <= getattr(graph_request, "wire_bytes", -1) <= MAX_VALUE_CHARS
                        and len(graph_request.path) <= MAX_VALUE_CHARS)
            due = self._settle_thread == threading.get_ident()
        if may_wait and ((due and self._settle_loop.is_running()) or self._settle_later()):
            return entry  # a settle is due on this thread's running loop
        self.settle()
        return entry

    def _settle_later(self) -> bool:
        """Arm the settle timer on this thread's running loop (False: no loop runs here: settle now)."""
        if not self.batched:
            return False
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        with self._lock:
            self._settle_loop, self._settle_thread = loop, threading.get_ident()
        loop.call_later(SETTLE_DELAY, self._settle_due, loop)
        return True

    def _settle_due(self, loop: Any) -> None:
        with self._lock:
            if self._settle_loop is loop:
                self._settle_thread = None  # an entry recorded from now on arms the next settle
        self.settle()

    def settle(self) -> None:
        """Number and keep every recorded entry, and tell the listeners, in the order recorded."""
        with self._settling:
            with self._lock:
                fresh, self._fresh = self._fresh, []
            if fresh:
                self._admit(fresh)

    def _admit(self, fresh: list[Entry]) -> None:
        """Keep recorded (weighed) entries, then tell the listeners, each batch at once if it takes one (`told`:
        the console log). Readers cannot see the difference: each settles first, under `_settling`."""
        for entry in fresh:
            self._keep(entry)
        for listener in self.listeners:
            told = getattr(listener, "told", None)
            if told is not None:
                _tell(told, fresh)
            else:
                for entry in fresh:
                    _tell(listener, entry)

    def _weigh_entry(self, entry: Entry) -> None:
        """Add the weight of `entry`'s request and answer to its size; an oversize one is judged on the whole
        request, then only a trimmed copy of it is kept.

        A request received whole in at most MAX_VALUE_CHARS bytes, with only string params (no nested value: a
        JSON list or a PHP key weighs 16 per item, more than its text), answered without a kept body (a
        success), is weighed by those bytes (`wire_bytes`: path, query, body, headers) plus 16 per param and
        header, without walking its strings: url and JSON decoding only shorten text, so its strings weigh no
        more than its bytes and none of them can need trimming (a repeated GET's copies weigh the same)."""
        graph_request = entry._request
        body = entry._body
        wire = getattr(graph_request, "wire_bytes", -1)
        params = graph_request.params
        if (body is None and 0 <= wire <= MAX_VALUE_CHARS and len(graph_request.path) <= MAX_VALUE_CHARS
                and _ONLY_STR.issuperset(map(type, params.values()))):
            entry.size += wire + 16 * (len(params) + len(graph_request.headers))
            return
        size, oversize = self._weigh_request(graph_request)
        size += (0 if body is None else _weigh(body, 0)[0]) + len(graph_request.path)
        if oversize or size > MAX_VALUE_CHARS * 4:
            entry.violations  # judged now, on the whole request; then only a trimmed copy is kept
            graph_request = dataclasses.replace(graph_request, params=_trim(graph_request.params),
                                                headers=_trim(graph_request.headers), path=_trim(graph_request.path))
            entry._request = graph_request
            if isinstance(entry._body, (dict, list)):  # an error envelope kept after judging may echo the value
                entry._body = _trim(entry._body)
            size = (_weigh(graph_request.params, 0)[0] + _weigh(graph_request.headers, 0)[0] + len(graph_request.path)
                    + _weigh(entry._body, 0)[0])
        entry.size += size

    def _weigh_request(self, graph_request: Any) -> tuple[int, bool]:
        """`_weigh` of the params and headers (a large request, or one whose bytes are not known)."""
        size, oversize = _weigh(graph_request.params, 0)
        return size + _weigh(graph_request.headers, 0)[0], oversize

    def _keep(self, entry: Entry) -> None:
        """Number `entry` and add it to the ring, dropping the oldest beyond `size` entries or `max_bytes`
        (journal_store.SharedJournal keeps it in the store instead)."""
        with self._lock:
            self._seq += 1
            entry.seq = self._seq
            self._entries.append(entry)
            self._bytes += entry.size
            while self._entries and (len(self._entries) > self.size or self._bytes > self.max_bytes):
                self._bytes -= self._entries.popleft().size

    @property
    def bytes(self) -> int:
        """The journal's weight: its strings plus a fixed overhead per entry (bounded by `max_bytes`)."""
        self.settle()
        return self._bytes

    def clear(self) -> None:
        with self._settling, self._lock:  # not while a batch taken before the clear is being kept
            self._fresh.clear()
            self._entries.clear()
            self._bytes = 0
        release_memory()

    # -- reading --------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        self.settle()
        return self._seq

    def _since(self, since: int) -> list[Any]:
        self.settle()
        with self._lock:
            return [e for e in self._entries if e.seq > since]

    def entries(self, *, path: str | None = None, method: str | None = None, verdict: str | None = None,
                since: int = 0) -> list[Any]:
        """Entries after `since`, filtered: `path` substring, `method`, verdict "conforming"|"violation"|a kind."""
        items = self._since(since)
        if path:
            items = [e for e in items if path in e.path]
        if method:
            items = [e for e in items if e.method == method.upper()]
        if verdict == CONFORMING:
            items = [e for e in items if e.conforming]
        elif verdict in ("violation", "violations", "violating"):
            items = [e for e in items if not e.conforming]
        elif verdict:
            items = [e for e in items if any(v.kind == verdict for v in e.violations)]
        return items

    def violations(self, since: int = 0, *, warnings: bool = True) -> list[Any]:
        """Entries with violations (errors, and warnings unless `warnings=False`; info notes never count)."""
        return [e for e in self.entries(since=since) if e.errors or (warnings and e.warnings)]

    def query(self, params: dict[str, str]) -> dict[str, Any]:
        """JSON for `GET /__graphmock/journal?path=&method=&verdict=&since=&limit=N&violations=1`: the last
        `limit` matching entries (oldest first), only violating ones with `violations=1`."""
        since = int(params.get("since") or 0) if ascii_digits(str(params.get("since") or "0")) else 0
        verdict = params.get("verdict")
        if str(params.get("violations", "")).strip().lower() in ("1", "true", "yes"):
            verdict = verdict or "violation"
        found = self.entries(path=params.get("path"), method=params.get("method"), verdict=verdict, since=since)
        limit = str(params.get("limit") or "")
        if limit.isascii() and limit.isdigit():
            found = found[len(found) - int(limit):] if int(limit) < len(found) else found
        return {"data": [e.to_dict() for e in found], "size": self.size, "last_seq": self.last_seq,
                "bytes": self.bytes, "max_bytes": self.max_bytes}


def _tell(listener: Callable[[Any], None], what: Any) -> None:
    try:
        listener(what)
    except Exception:  # noqa: BLE001 - a log line must never break the request it describes
        pass


def journal_of(state: Any, size: int | None = None) -> Journal:
    """The state's journal, created on first use (until State builds one itself)."""
    journal = getattr(state, "journal", None)
    if not isinstance(journal, Journal):
        config_size = getattr(getattr(state, "config", None), "journal_size", None)
        config_bytes = getattr(getattr(state, "config", None), "journal_bytes", None)
        kind = Journal
        if getattr(getattr(state, "shared", None), "counts_in_store", False):  # other processes serve this world
            from mock_server.journal_store import SharedJournal
            kind = SharedJournal
        journal = kind(state, size or config_size or DEFAULT_SIZE, config_bytes or DEFAULT_BYTES)
        state.journal = journal
    return journal


def query(state: Any, params: dict[str, str]) -> dict[str, Any]:
    """Plain function for the control API route `GET /__graphmock/journal`."""
    return journal_of(state).query(params)


def redact(params: dict[str, Any]) -> dict[str, Any]:
    """Kept for callers of the old name: the one redaction is mock_server.redaction."""
    return redaction.params(params)


def _weigh(value: Any, depth: int) -> tuple[int, bool]:
    """Approximate bytes of `value`'s strings, and whether one of them is longer than MAX_VALUE_CHARS."""
    if value.__class__ is dict and depth == 0:  # the usual request: string params and headers, in one loop
        total = 0
        for key, inner in value.items():
            if inner.__class__ is not str or key.__class__ is not str:
                break
            total += len(key) + len(inner)
        else:  # no string is longer than the total: the longest is looked for only past the limit (~1 us less
            total += 16 * len(value)  # a request than a max() per item, issue 18)
            return total, total > MAX_VALUE_CHARS and any(len(k) > MAX_VALUE_CHARS or len(v) > MAX_VALUE_CHARS
                                                          for k, v in value.items())
    if isinstance(value, str):
        return len(value), len(value) > MAX_VALUE_CHARS
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = ((None, v) for v in value)
    else:
        return (0 if value is None else 16), False
    total, over = 0, depth > 32
    for key, inner in items:
        size, big = _weigh(inner, depth + 1)
        total += size + (len(key) if isinstance(key, str) else 8) + 16
        over = over or big or (isinstance(key, str) and len(key) > MAX_VALUE_CHARS)
    return total, over


def _trim(value: Any, depth: int = 0) -> Any:
    """A copy with each long string cut to KEPT_CHARS plus its original length."""
    if isinstance(value, str):
        return value if len(value) <= MAX_VALUE_CHARS else f"{value[:KEPT_CHARS]}...<truncated, {len(value)} chars>"
    if depth > 32:
        return "<truncated: nested too deep>"
    if isinstance(value, dict):
        return {_trim(k, depth + 1) if isinstance(k, str) else k: _trim(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_trim(v, depth + 1) for v in value]
    return value


def release_memory() -> None:
    """Hand freed heap back to the OS (glibc keeps freed large blocks otherwise; RSS would never shrink)."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass

"""The request journal: every Graph call the server answered, with its contract verdict.

A bounded ring (oldest entries fall off) of `{seq, method, path, params,
status, verdict}`, where verdict is "conforming" or a list of violations
(mock_server.verify.verdicts). It is bounded in entries AND in bytes: a value
longer than MAX_VALUE_CHARS is kept truncated with its original length, and
upload bytes are never kept. Secrets never leave it (mock_server.redaction). Integration is
one call after dispatch: `state.journal.record(graph_request, status, body, call)`
(`body` may be the GraphError); strict mode asks `screen()` before dispatch.
Thread-safe: the plugin reads it from the test thread while the server writes.
When other processes serve the same world (`--workers`, PostgreSQL), `journal_of` builds
journal_store.SharedJournal instead: same interface, entries kept in the store.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import gc
import threading
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

from mock_server import redaction
from mock_server.verify.verdicts import ERROR, SILENT, WARNING, Violation, from_request, from_response

DEFAULT_SIZE = 1000
DEFAULT_BYTES = 32 * 1024 * 1024
MAX_VALUE_CHARS = 4096  # a longer string is kept as its first KEPT_CHARS and its length
KEPT_CHARS = 256
ENTRY_OVERHEAD = 600  # bytes of an entry's own objects (request, dicts), on top of its strings
CONFORMING = "conforming"
REQUEST_STARTED: ContextVar[float] = ContextVar("graphmock_request_started", default=0.0)  # perf_counter() at arrival


class Judged:
    """What every journal entry derives from its fields and violations: the verdict and the renderings. Shared by
    `Entry` (this process's request, judged lazily) and `journal_store.StoredEntry` (read back from the store)."""

    __slots__ = ()
    seq: int
    time: float
    status: int
    method: str
    path: str
    params: dict[str, Any]
    violations: list[Violation]

    @property
    def verdict(self) -> str | list[dict[str, Any]]:
        return CONFORMING if not self.violations else [v.to_dict() for v in self.violations]

    @property
    def conforming(self) -> bool:
        """No error and no warning: info notes (schemas/rules/verdicts.json) describe a request Graph serves as meant."""
        return not any(v.severity in (ERROR, WARNING) for v in self.violations)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == ERROR]

    @property
    def warnings(self) -> list[Violation]:
        """Warnings (info notes never fail a client: schemas/rules/verdicts.json)."""
        return [v for v in self.violations if v.severity == WARNING]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "method": self.method, "path": self.path, "params": self.params,
                "status": self.status, "verdict": self.verdict}

    def describe(self) -> str:
        """The request and each violation, WireMock-style: what was sent, and what is wrong with it."""
        lines = [f"#{self.seq} {self.method} {self.path} -> HTTP {self.status}"]
        for name, value in sorted(self.params.items()):
            lines.append(f"    {name} = {_show(value)}")
        for violation in self.violations:
            lines.append(f"  ✗ {violation}")
        return "\n".join(lines)


class Entry(Judged):
    """One answered request. Recording keeps references only (a few hundred nanoseconds on every request);
    the redacted params and the verdict are worked out when the entry is first read, and most never are."""

    __slots__ = ("seq", "time", "status", "size", "_state", "_request", "_body", "_call", "_given", "_params",
                 "_violations")

    def __init__(self, state: Any, seq: int, time: float, request: Any, status: int, body: Any = None,
                 call: Any = None, violations: list[Violation] | None = None) -> None:
        self._state = state
        self.seq = seq
        self.time = time
        self.status = status
        self._request = request
        self._body = body
        self._call = call
        self._given = violations
        self._params: dict[str, Any] | None = None
        self._violations: list[Violation] | None = None
        self.size = ENTRY_OVERHEAD

    @property
    def method(self) -> str:
        return str(self._request.method)

    @property
    def path(self) -> str:
        return str(self._request.path)

    @property
    def params(self) -> dict[str, Any]:
        if self._params is None:
            self._params = redaction.params(self._request.params)
        return self._params

    @property
    def body_kind(self) -> str:
        return str(self._request.body_kind)

    @property
    def user_agent(self) -> str:
        return str(self._request.headers.get("user-agent", ""))

    @property
    def violations(self) -> list[Violation]:
        if self._violations is None:
            self._violations = _safe(self._judge)
            self._call = self._given = None  # judged: what it was judged on can go (the small error body stays)
        return self._violations

    @property
    def answer(self) -> Any:
        """The error envelope answered (only error answers are kept; None for a success). A kept GraphError is
        rendered as its envelope; its fbtrace_id was not kept, so it reads as a placeholder."""
        body = self._body
        return body.envelope("(not kept)") if hasattr(body, "envelope") else body

    def _judge(self) -> list[Violation]:
        given = self._given
        found = list(given) if given is not None else from_request(self._state, self._request, self._call)
        return found + from_response(self.status, self._body, found)

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

    # -- writing --------------------------------------------------------------------------------
    def screen(self, graph_request: Any, call: Any = None) -> list[Violation]:
        """The violations the real API would accept silently (strict mode refuses the request on these)."""
        return [v for v in from_request(self.state, graph_request, call) if v.kind in SILENT]

    def record(self, graph_request: Any, status: int, body: Any, call: Any = None, *,
               violations: list[Violation] | None = None) -> Entry | None:
        """Judge and store one answered request; `graph_request` None (unparseable) records the raw failure."""
        if graph_request is None:
            return None
        state = self.state
        if graph_request.files:  # uploads can be megabytes; verdicts never need the bytes
            graph_request = dataclasses.replace(graph_request, files=[])
        # only an error answer says anything to judge (from_response): a success's body is not kept, so 1000
        # entries never pin 1000 rendered pages
        body = body if status >= 400 else None
        if isinstance(body, BaseException):  # a kept GraphError must not pin its traceback's frames (the request's
            body.__traceback__ = body.__context__ = body.__cause__ = None  # decoded params, megabytes each)
        if call is not None:  # what judging reads, not the Call itself (its parents and renders would stay pinned,
            call = SimpleNamespace(node=getattr(call, "node", None),  # uncounted, until the entry is judged)
                                   decoded=getattr(call, "decoded", None),
                                   decoded_schema=getattr(call, "decoded_schema", None))
        entry = Entry(state, 0, state.now(), graph_request, status, body, call, violations)
        size, oversize = _weigh(graph_request.params, 0)
        size += _weigh(graph_request.headers, 0)[0] + _weigh(body, 0)[0] + len(graph_request.path)
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
        self._keep(entry)
        for listener in self.listeners:
            try:
                listener(entry)
            except Exception:  # noqa: BLE001 - a log line must never break the request it describes
                pass
        return entry

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
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        release_memory()

    # -- reading --------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._seq

    def _since(self, since: int) -> list[Any]:
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
        since = int(params.get("since") or 0) if str(params.get("since") or "0").isdigit() else 0
        verdict = params.get("verdict")
        if str(params.get("violations", "")).strip().lower() in ("1", "true", "yes"):
            verdict = verdict or "violation"
        found = self.entries(path=params.get("path"), method=params.get("method"), verdict=verdict, since=since)
        limit = str(params.get("limit") or "")
        if limit.isascii() and limit.isdigit():
            found = found[len(found) - int(limit):] if int(limit) < len(found) else found
        return {"data": [e.to_dict() for e in found], "size": self.size, "last_seq": self.last_seq,
                "bytes": self.bytes, "max_bytes": self.max_bytes}


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
    if isinstance(value, str):
        return len(value), len(value) > MAX_VALUE_CHARS
    if isinstance(value, dict):
        if depth == 0:  # the usual request: string params and headers, weighed in one loop without recursion
            total = longest = 0
            for key, inner in value.items():
                if inner.__class__ is not str or key.__class__ is not str:
                    break
                total += len(key) + len(inner) + 16
                longest = max(longest, len(key), len(inner))
            else:
                return total, longest > MAX_VALUE_CHARS
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


def _safe(judge: Any) -> list[Violation]:
    try:
        return judge()
    except Exception as exc:  # a verdict must never break the request it describes
        return [Violation("journal_error", None, f"could not judge this request: {type(exc).__name__}: {exc}", "warning")]


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 160 else text[:157] + "..."

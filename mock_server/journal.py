"""The request journal: every Graph call the server answered, with its contract verdict.

A bounded ring (oldest entries fall off) of `{seq, method, path, params,
status, verdict}`, where verdict is "conforming" or a list of violations
(mock_server.verify.verdicts). Access tokens never enter it. Integration is
one call after dispatch: `state.journal.record(graph_request, status, body, call)`
(`body` may be the GraphError); strict mode asks `screen()` before dispatch.
Thread-safe: the plugin reads it from the test thread while the server writes.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import deque
from typing import Any

from mock_server.verify.verdicts import ERROR, SILENT, WARNING, Violation, from_request, from_response

DEFAULT_SIZE = 1000
CONFORMING = "conforming"
_REDACTED = "<redacted>"
_SECRET_PARAMS = frozenset({"access_token", "appsecret_proof", "client_secret"})


class Entry:
    """One answered request. Recording keeps references only (a few hundred nanoseconds on every request);
    the redacted params and the verdict are worked out when the entry is first read, and most never are."""

    __slots__ = ("seq", "time", "status", "_state", "_request", "_body", "_call", "_given", "_params",
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

    @property
    def method(self) -> str:
        return str(self._request.method)

    @property
    def path(self) -> str:
        return str(self._request.path)

    @property
    def params(self) -> dict[str, Any]:
        if self._params is None:
            self._params = redact(self._request.params)
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
        """The error envelope answered (only error answers are kept; None for a success)."""
        return self._body

    def _judge(self) -> list[Violation]:
        given = self._given
        found = list(given) if given is not None else from_request(self._state, self._request, self._call)
        return found + from_response(self.status, self._body, found)

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


class Journal:
    """Bounded, thread-safe record of requests and verdicts."""

    def __init__(self, state: Any, size: int = DEFAULT_SIZE) -> None:
        self.state = state
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=size)
        self._seq = 0
        self._lock = threading.Lock()

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
        entry = Entry(state, 0, state.now(), graph_request, status, body if status >= 400 else None, call, violations)
        with self._lock:
            self._seq += 1
            entry.seq = self._seq
            self._entries.append(entry)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    # -- reading --------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._seq

    def entries(self, *, path: str | None = None, method: str | None = None, verdict: str | None = None,
                since: int = 0) -> list[Entry]:
        """Entries after `since`, filtered: `path` substring, `method`, verdict "conforming"|"violation"|a kind."""
        with self._lock:
            items = [e for e in self._entries if e.seq > since]
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

    def violations(self, since: int = 0, *, warnings: bool = True) -> list[Entry]:
        """Entries with violations (errors, and warnings unless `warnings=False`; info notes never count)."""
        return [e for e in self.entries(since=since) if e.errors or (warnings and e.warnings)]

    def query(self, params: dict[str, str]) -> dict[str, Any]:
        """JSON for `GET /__graphmock/journal?path=&method=&verdict=&since=`."""
        since = int(params.get("since") or 0) if str(params.get("since") or "0").isdigit() else 0
        found = self.entries(path=params.get("path"), method=params.get("method"), verdict=params.get("verdict"), since=since)
        return {"data": [e.to_dict() for e in found], "size": self.size, "last_seq": self._seq}


def journal_of(state: Any, size: int | None = None) -> Journal:
    """The state's journal, created on first use (until State builds one itself)."""
    journal = getattr(state, "journal", None)
    if not isinstance(journal, Journal):
        config_size = getattr(getattr(state, "config", None), "journal_size", None)
        journal = Journal(state, size or config_size or DEFAULT_SIZE)
        state.journal = journal
    return journal


def query(state: Any, params: dict[str, str]) -> dict[str, Any]:
    """Plain function for the control API route `GET /__graphmock/journal`."""
    return journal_of(state).query(params)


def redact(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (_REDACTED if k in _SECRET_PARAMS else v) for k, v in params.items()}


def _safe(judge: Any) -> list[Violation]:
    try:
        return judge()
    except Exception as exc:  # a verdict must never break the request it describes
        return [Violation("journal_error", None, f"could not judge this request: {type(exc).__name__}: {exc}", "warning")]


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 160 else text[:157] + "..."

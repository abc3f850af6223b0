"""One journal entry: what a request was, what it was answered and its verdict, worked out when first read."""

from __future__ import annotations

from typing import Any

from mock_server import redaction
from mock_server.verify.verdicts import ERROR, WARNING, Violation, from_request, from_response

ENTRY_OVERHEAD = 600  # bytes of an entry's own objects (request, dicts), on top of its strings
CONFORMING = "conforming"


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

    __slots__ = ("seq", "time", "status", "size", "took", "_state", "_request", "_body", "_call", "_given", "_params",
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
        self.took: float | None = None  # ms from the request's arrival to its recording (the console log's figure)

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
        if self._body is None:  # no answer kept (a success's never is): from_response finds nothing in it
            return found
        return found + from_response(self.status, self._body, found)

class _Judging:
    """What judging reads of a handler's Call, not the Call itself (its parents and renders would stay pinned,
    uncounted, until the entry is judged): of its node, the type and id only (the node's record, a campaign of
    any size, would stay pinned the same way)."""

    __slots__ = ("node", "decoded", "decoded_schema")

    def __init__(self, call: Any) -> None:
        node = getattr(call, "node", None)
        self.node = _Named(node.type, node.id) if node is not None else None
        self.decoded = getattr(call, "decoded", None)
        self.decoded_schema = getattr(call, "decoded_schema", None)


class _Named:
    """A node as judging names it: its type and id."""

    __slots__ = ("type", "id")

    def __init__(self, type: str, id: str) -> None:  # noqa: A002 (NodeRef's names)
        self.type = type
        self.id = id


def _safe(judge: Any) -> list[Violation]:
    try:
        return judge()
    except Exception as exc:  # a verdict must never break the request it describes
        return [Violation("journal_error", None, f"could not judge this request: {type(exc).__name__}: {exc}", "warning")]


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 160 else text[:157] + "..."

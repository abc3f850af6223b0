"""Fault injection, WireMock-style: the next N requests matching method + path (+ ad account) fail on purpose.

A fault answers with a chosen Graph error (any code, subcode, type, is_transient,
HTTP status), an HTTP 500/502/503 with a Graph JSON body, a closed connection,
or only adds latency (the request then runs normally). Faults are checked in
the order they were added; the first live match fires and is counted, so a run
is deterministic. Batch operations are matched by their own method and path.

JSON shape (Python `add(**spec)` takes the same keys; the control API can pass
the body straight through):

    {"method": "POST", "path": "act_*/campaigns", "ad_account_id": "act_1", "times": 2,
     "error": {"code": 17, "error_subcode": 2446079, "message": "...", "is_transient": true, "http_status": 400},
     "status": 503, "latency_ms": 250, "close_connection": false}

`"job_failed": true` on `POST .../insights` lets the POST succeed and makes the async job it starts end in
'Job Failed' (INSIGHTS.md 5.3); `error` then sets the job's error_code/error_subcode/error_message.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from mock_server.wire.errors import GraphError, catalogue, envelope_rules
from mock_server.wire.limits import ascii_digits

_ERROR_KEYS = {"code": int, "error_subcode": int, "type": str, "message": str, "is_transient": bool,
               "http_status": int, "error_user_title": str, "error_user_msg": str}
_SPEC_KEYS = {"method", "path", "ad_account_id", "times", "error", "status", "latency_ms", "close_connection",
              "job_failed"}
_STATUSES = (500, 502, 503)


def status_for(code: int, subcode: int | None) -> int:
    """The HTTP status Graph answers a code with: the catalogue's (same code and subcode, else same code), else
    schemas/rules/error_envelope.json `http_status_by_code` (GRAPH-BEHAVIOUR 1.2), else its default."""
    entries = [e for key, e in sorted(catalogue().items()) if key != "injected_error" and int(e["code"]) == code]
    exact = [e for e in entries if e.get("error_subcode") == subcode] if subcode else []
    plain = [e for e in entries if not e.get("error_subcode")]
    for found in (exact, plain, entries):
        if found:
            return int(found[0]["http_status"])
    rules = envelope_rules()
    if 200 <= code <= 299:
        return int(rules["http_status_by_code"]["200"])
    return int(rules["http_status_by_code"].get(str(code), rules["http_status_default"]))


class ConnectionDropped(ConnectionAbortedError):
    """Raised by the app after it started a response, so the server closes the connection mid-answer."""


@dataclass
class Fault:
    id: str
    method: str
    path: str
    ad_account_id: str | None
    times: int | None
    error: dict[str, Any] | None
    status: int | None
    latency_ms: int
    close_connection: bool
    matched: int = 0
    job_failed: bool = False
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    @property
    def remaining(self) -> int | None:
        return None if self.times is None else max(0, self.times - self.matched)

    @property
    def live(self) -> bool:
        return self.times is None or self.matched < self.times

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method != method:
            return False
        return bool(self._regex.match(path)) if self._regex else True

    def graph_error(self) -> GraphError | None:
        """The error this fault answers with (None: latency only or a closed connection)."""
        if self.status is None and self.error is None:
            return None
        overrides = dict(self.error or {})
        if self.status is not None:
            overrides["http_status"] = self.status
            key = "unknown_error" if self.status == 500 and not self.error else \
                "service_unavailable" if not self.error else "injected_error"
            return GraphError(key, overrides=overrides)
        if "http_status" not in overrides and "code" in overrides:
            overrides["http_status"] = status_for(overrides["code"], overrides.get("error_subcode"))
        return GraphError("injected_error", overrides=overrides)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "method": self.method, "path": self.path, "ad_account_id": self.ad_account_id,
                "times": self.times, "remaining": self.remaining, "matched": self.matched, "error": self.error,
                "status": self.status, "latency_ms": self.latency_ms, "close_connection": self.close_connection,
                "job_failed": self.job_failed}


class FaultRegistry:
    """The faults of one server: add, list, clear; `match` is called once per request (and per batch op)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next = 1
        self._lock = threading.Lock()
        self.counter: Any = None  # shared_counts.StoredFaultCounts when other processes serve this world

    def add(self, **spec: Any) -> dict[str, Any]:
        """Register a fault; returns it as JSON. ValueError (nothing added) names the bad key."""
        fault = _build(spec, f"fault_{self._next}")
        if self.counter is not None:
            self.counter.forget(fault.id)
        with self._lock:
            self._next += 1
            self._faults.append(fault)
        return fault.to_dict()

    def list(self) -> list[dict[str, Any]]:
        if self.counter is not None:
            self.counter.refresh(self._faults)  # every process's fires
        return [f.to_dict() for f in self._faults]

    def specs(self) -> list[dict[str, Any]]:
        """The rules as data, for the other processes on this store (shared.py); their fire counts are kept in
        the store's meta by `counter` (shared_counts.py), not here."""
        return [{"id": f.id, **{k: v for k, v in f.to_dict().items() if k in _SPEC_KEYS}} for f in self._faults]

    def replace(self, specs: list[dict[str, Any]]) -> None:
        """Adopt another process's rules (shared.py), keeping this process's match counts by fault id."""
        counts = {f.id: f.matched for f in self._faults}
        faults = []
        for spec in specs:
            try:
                fault = _build({k: v for k, v in spec.items() if k != "id"}, str(spec["id"]))
            except (KeyError, TypeError, ValueError):
                continue  # checked when it was added; a hand-edited store must not break requests
            fault.matched = counts.get(fault.id, 0)
            faults.append(fault)
        with self._lock:
            self._faults = faults
            numbers = [int(f.id.rpartition("_")[2]) for f in faults if ascii_digits(f.id.rpartition("_")[2])]
            self._next = max([self._next - 1, *numbers]) + 1

    def clear(self, fault_id: str | None = None) -> int:
        """Remove one fault (by id) or all; returns how many were removed."""
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if fault_id is not None and f.id != fault_id]
            return before - len(self._faults)

    @property
    def active(self) -> bool:
        return bool(self._faults)

    def match(self, method: str, segments: list[str], account_of: Any, *, job: bool = False) -> Fault | None:
        """The first live fault for this call, counted; `account_of()` names the targeted ad account (lazy).
        `job=True` looks only at `job_failed` faults (asked by the insights POST), which requests never match."""
        if not self._faults:
            return None
        path = "/".join(segments)
        account: Any = ...
        with self._lock:
            for fault in self._faults:
                if not fault.live or fault.job_failed != job or not fault.matches(method, path):
                    continue
                if fault.ad_account_id is not None:
                    if account is ...:
                        account = account_of()
                    if account != fault.ad_account_id:
                        continue
                if self.counter is None:
                    fault.matched += 1
                elif not self.counter.fire(fault):  # counted in the store: `times` holds across processes
                    continue
                return fault
        return None


def _build(spec: dict[str, Any], fault_id: str) -> Fault:
    unknown = sorted(set(spec) - _SPEC_KEYS)
    if unknown:
        raise ValueError(f"unknown fault key(s) {', '.join(unknown)}; known: {', '.join(sorted(_SPEC_KEYS))}")
    method = str(spec.get("method") or "*").upper()
    if method not in ("*", "GET", "POST", "DELETE"):
        raise ValueError("method must be GET, POST, DELETE or *")
    path = spec.get("path", "*")
    if not isinstance(path, str):
        raise ValueError("path must be a string: a glob like act_*/campaigns, or re:<regex>")
    regex = _compile(path.strip())
    account = spec.get("ad_account_id")
    if account is not None:
        account = str(account) if str(account).startswith("act_") else f"act_{account}"
    times = spec.get("times", 1)
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive integer, or null for every matching request until cleared")
    error = spec.get("error")
    if error is not None:
        error = _check_error(error)
    status = spec.get("status")
    if status is not None and status not in _STATUSES:
        raise ValueError(f"status must be one of {', '.join(map(str, _STATUSES))}")
    latency = spec.get("latency_ms", 0)
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or not 0 <= latency <= 60_000:
        raise ValueError("latency_ms must be a number between 0 and 60000")
    close = spec.get("close_connection", False)
    if not isinstance(close, bool):
        raise ValueError("close_connection must be true or false")
    job_failed = spec.get("job_failed", False)
    if not isinstance(job_failed, bool):
        raise ValueError("job_failed must be true or false")
    if job_failed and (status is not None or close):
        raise ValueError("job_failed makes the started job fail: it cannot also set status or close_connection")
    if error is None and status is None and not close and not latency and not job_failed:
        raise ValueError("a fault needs at least one of error, status, latency_ms, close_connection, job_failed")
    return Fault(fault_id, method, path, account, times, error, status, int(latency), close, _regex=regex,
                 job_failed=job_failed)


def _compile(path: str) -> re.Pattern[str] | None:
    if path.startswith("re:"):
        try:
            return re.compile(path[3:])
        except re.error as exc:
            raise ValueError(f"path regex is invalid: {exc}") from None
    cleaned = re.sub(r"^/?(v\d+\.\d+/?)?", "", path).strip("/")
    return None if cleaned == "*" else re.compile(fnmatch.translate(cleaned))


def _check_error(error: Any) -> dict[str, Any]:
    if not isinstance(error, dict):
        raise ValueError("error must be an object with code, error_subcode, type, message, is_transient, http_status")
    out: dict[str, Any] = {}
    for key, value in error.items():
        key = "error_subcode" if key == "subcode" else key
        kind = _ERROR_KEYS.get(key)
        if kind is None:
            raise ValueError(f"unknown error key {key!r}; known: {', '.join(_ERROR_KEYS)}")
        if value is None and key == "error_subcode":
            out[key] = None
            continue
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"error.{key} must be an integer")
        if kind is not int and not isinstance(value, kind):
            raise ValueError(f"error.{key} must be a {kind.__name__}")
        out[key] = value
    status = out.get("http_status")
    if status is not None and not 400 <= status <= 599:
        raise ValueError("error.http_status must be between 400 and 599")
    return out

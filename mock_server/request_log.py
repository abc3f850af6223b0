"""The console request log of `graphmock serve`: one line per Graph call, from the journal.

    POST /v25.0/act_1/campaigns  400 #100  violation(missing_required)  3.1 ms

Method, path (never the query: tokens live there), HTTP status, Graph error code, the journal's verdict
and the time taken. Coloured when the stream is a terminal; `--quiet` does not install it.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from mock_server.journal import REQUEST_STARTED, Entry, Journal
from mock_server import redaction

_COLOURS = {"2": "\033[32m", "3": "\033[36m", "4": "\033[33m", "5": "\033[31m"}
_RESET = "\033[0m"


def line(entry: Entry, *, colour: bool = False, now: float | None = None) -> str:
    """One log line for `entry` (read its error code before judging it: judging drops the body)."""
    code = _error_code(entry._body)
    started = REQUEST_STARTED.get()
    ms = ((now if now is not None else time.perf_counter()) - started) * 1000 if started else 0.0
    violations = [v for v in entry.violations if v.severity != "info"]  # info notes describe conforming requests
    verdict = "ok" if not violations else "violation(" + ",".join(sorted({v.kind for v in violations})) + ")"
    status = str(entry.status)
    text = (f"{entry.method:<6} {redaction.text(entry.path)[:120]}  {status}"
            f"{f' #{code}' if code is not None else ''}  {verdict}  {ms:.1f} ms")
    if not colour:
        return text
    tint = _COLOURS.get(status[:1], "")
    return f"{tint}{text}{_RESET}" if tint else text


def install(journal: Journal, out: TextIO | None = None, *, colour: bool | None = None) -> None:
    stream = out or sys.stderr
    tinted = stream.isatty() if colour is None else colour

    def write(entry: Entry) -> None:
        print(line(entry, colour=tinted), file=stream, flush=True)

    journal.listeners.append(write)


def _error_code(body: Any) -> int | None:
    code = getattr(body, "code", None)  # a GraphError
    if code is None and isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
    return code if isinstance(code, int) else None

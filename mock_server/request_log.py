"""The console request log of `graphmock serve`: one line per Graph call, from the journal.

    POST /v25.0/act_1/campaigns  400 #100  violation(missing_required)  3.1 ms

Method, path (never the query: tokens live there), HTTP status, Graph error code, the journal's verdict
and the time taken. Coloured when the stream is a terminal; `--quiet` does not install it.

On a terminal each line is written as the journal settles its entry (at most journal.SETTLE_DELAY after the
answer: someone is watching). Otherwise (a file, a
pipe, CI) lines are gathered and written together FLUSH_DELAY seconds after the first of them, from the event
loop, and at exit: one write and flush instead of one per request, which was ~5 % of a cached read's CPU. The
flushing task also flushes when the loop cancels it at shutdown, and a line recorded where no event loop runs
is written at once, so no line is ever held back for long or lost at a clean exit.

A waiting line is only its entry and its time taken: the text (and the verdict it shows) is worked out when the
batch is written, all lines in one loop (issue 18: ~14 us per request when done between two requests' work, a
few us in a batch). Only entries whose verdict cannot change meanwhile wait so (`_settled`); others are written
out as text at once, as are all lines on a terminal.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import stat
import sys
import threading
import time
import weakref
from typing import Any, TextIO

from mock_server.journal import MAX_VALUE_CHARS, REQUEST_STARTED, Entry, Journal
from mock_server import redaction

FLUSH_DELAY = 0.05  # seconds a line may wait before it is written (not on a terminal)
MAX_PENDING = 1000  # lines; more are written at once (memory stays bounded whatever the load)
_COLOURS = {"2": "\033[32m", "3": "\033[36m", "4": "\033[33m", "5": "\033[31m"}
_RESET = "\033[0m"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_./-]*")  # nothing redaction.text could mask (no `=`, `:`, space)


def line(entry: Entry, *, colour: bool = False, now: float | None = None, ms: float | None = None) -> str:
    """One log line for `entry` (read its error code before judging it: judging drops the body); `ms` the time
    taken, if measured already (else from the request's start until `now`)."""
    if ms is None:
        ms = _elapsed_ms(now)
    tint, text = _line_start(entry, colour)
    return f"{tint}{text}{ms:.1f} ms{_RESET}" if tint else f"{text}{ms:.1f} ms"


def _line_start(entry: Entry, colour: bool) -> tuple[str, str]:
    """The line's colour (or "") and its text before the milliseconds."""
    code = _error_code(entry._body)
    violations = entry.violations
    path = entry.path
    if not violations and code is None and len(path) <= _PLAIN_PATH_CHARS:  # the usual line: a function of
        key = (entry.method, path, entry.status, colour)  # method, path and status alone
        start = _PLAIN_STARTS.get(key)
        if start is None:
            start = _format_start(entry, colour, None, "ok")
            if len(_PLAIN_STARTS) >= MAX_PENDING:
                _PLAIN_STARTS.clear()
            _PLAIN_STARTS[key] = start
        return start
    kinds = {v.kind for v in violations if v.severity != "info"} if violations else None  # info: conforming
    verdict = "violation(" + ",".join(sorted(kinds)) + ")" if kinds else "ok"
    return _format_start(entry, colour, code, verdict)


def _format_start(entry: Entry, colour: bool, code: int | None, verdict: str) -> tuple[str, str]:
    status = str(entry.status)
    path = entry.path
    shown = path[:120] if _PLAIN_PATH.fullmatch(path) else redaction.text(path)[:120]
    text = f"{entry.method:<6} {shown}  {status}{f' #{code}' if code is not None else ''}  {verdict}  "
    return (_COLOURS.get(status[:1], "") if colour else ""), text


_PLAIN_STARTS: dict[tuple[str, str, int, bool], tuple[str, str]] = {}  # a conforming success's line start (bounded)
_PLAIN_PATH_CHARS = 512  # a longer path's line is not remembered (MAX_PENDING of them stay small)


def _elapsed_ms(now: float | None = None) -> float:
    started = REQUEST_STARTED.get()
    return ((now if now is not None else time.perf_counter()) - started) * 1000 if started else 0.0


def _settled(entry: Any) -> bool:
    """Whether `entry`'s line reads the same later: its handler's Call fixed the node it names, so its verdict is a
    function of the entry and the static schemas alone (verdicts.from_request looks nothing up in the store)."""
    if getattr(entry, "_violations", None) is not None:
        return True  # judged already (Journal.record judges such entries when a log listens)
    node = getattr(getattr(entry, "_call", None), "node", None)
    return node is not None and bool(getattr(node, "id", None))


class RequestLog:
    """A journal listener writing one line per entry to `stream` (see the module docstring for when)."""

    def __init__(self, stream: TextIO, *, colour: bool, line_by_line: bool) -> None:
        self.stream = stream
        self.colour = colour
        self.line_by_line = line_by_line
        self._pending: list[str | tuple[Entry, float]] = []  # a line, or an entry and its time taken (ms)
        self._lock = threading.Lock()  # the pending lines and the flusher
        self._flushing = threading.Lock()  # one flush writes at a time
        self._flusher: asyncio.Task[None] | None = None
        self._flusher_loop: Any = None  # the loop the flush is due on, and its thread (None: none due)
        self._flusher_thread: int | None = None
        self.journal: Any = None  # whose entries it writes (install): settled before each flush
        self._starts: dict[int, tuple[Any, ...]] = {}  # id(params) -> a repeated success's line start (_repeated)

    def __call__(self, entry: Entry) -> None:
        self.told((entry,))

    def told(self, entries: Any) -> None:
        """The lines of `entries` (a batch the journal settled, in order): one lock and one look at the flush timer
        for the batch (issue 18: ~1 us a request when taken one by one). An entry whose line fails is left out."""
        if self.line_by_line:
            for entry in entries:
                try:
                    self._write(line(entry, colour=self.colour, ms=getattr(entry, "took", None)) + "\n")
                except Exception:  # noqa: BLE001 - a log line must never break the request it describes
                    pass
            return
        texts: list[str | tuple[Entry, float]] = []
        for entry in entries:
            ms = getattr(entry, "took", None)  # measured when the journal recorded it (it settles entries later)
            if ms is None:
                ms = _elapsed_ms()
            try:
                texts.append((entry, ms) if _settled(entry) else line(entry, colour=self.colour, ms=ms))
            except Exception:  # noqa: BLE001 - as above
                pass
        with self._lock:
            self._pending.extend(texts)
            if (len(self._pending) < MAX_PENDING and self._flusher_thread == threading.get_ident()
                    and self._flusher_loop.is_running()):
                return  # a flush is already due on this thread's running loop
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            if loop is not None and len(self._pending) < MAX_PENDING:
                flusher = self._flusher
                if flusher is not None and not flusher.done() and flusher.get_loop() is loop:
                    return  # a flush is already due on this loop
                self._flusher = loop.create_task(asyncio.sleep(FLUSH_DELAY))
                self._flusher.add_done_callback(self._flush_due)
                self._flusher_loop, self._flusher_thread = loop, threading.get_ident()
                return
        self.flush()  # no event loop here to flush later (or too much waiting): now

    def _flush_due(self, timer: asyncio.Task[None]) -> None:
        """The timer ran out, or was cancelled (uvicorn's loop cancels what is left at shutdown, even a timer
        that never started): either way the lines are written."""
        with self._lock:
            if self._flusher is timer:
                self._flusher = self._flusher_thread = None  # a line recorded from now on schedules its own flush
        self.flush()

    def flush(self) -> None:
        """Write every pending line now (batches in the order they were taken, whichever thread flushes), the
        journal's entries still waiting to be settled included."""
        settle = getattr(self.journal, "settle", None)
        if settle is not None:
            settle()
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, []
            if pending:
                self._write("\n".join(item if isinstance(item, str) else self._text(*item) for item in pending) + "\n")

    def _text(self, entry: Entry, ms: float) -> str:
        try:
            start = self._repeated(entry)
            tint, text = start if start is not None else _line_start(entry, self.colour)
            return f"{tint}{text}{ms:.1f} ms{_RESET}" if tint else f"{text}{ms:.1f} ms"
        except Exception:  # noqa: BLE001 - as when it was written at once (Journal.record): that line is left out
            return ""

    def _repeated(self, entry: Any) -> tuple[str, str] | None:
        """The start of the line of an earlier success of this very parse (a repeated bodiless GET shares its
        params and segments: verify/memo.same_parse), for the same node type and world; else None, and this
        entry's start is kept for the next repeat (issue 18: judging and formatting were ~3 us a cached read)."""
        request, call = getattr(entry, "_request", None), getattr(entry, "_call", None)
        if (entry.status >= 400 or call is None or getattr(request, "body_kind", None) != "none"
                or not 0 <= getattr(request, "wire_bytes", -1) <= MAX_VALUE_CHARS):  # a kept parse is small
            return None
        params, node, world = request.params, getattr(call.node, "type", None), entry._state.world
        held = self._starts.get(id(params))
        if (held is not None and held[0] is params and held[1] is request.segments and held[2] == request.method
                and held[3] == node and held[4] is world and held[5] == entry.status):
            return held[6]  # type: ignore[no-any-return]
        start = _line_start(entry, self.colour)
        if len(self._starts) >= MAX_PENDING:
            self._starts.clear()
        self._starts[id(params)] = (params, request.segments, request.method, node, world, entry.status, start)
        return start

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: the log is best effort, requests go on
            pass


def install(journal: Journal, out: TextIO | None = None, *, colour: bool | None = None) -> RequestLog:
    """The log of `journal`'s entries on `out` (stderr). A stream that is the null device (`2>/dev/null`) gets
    no listener: its lines would be judged and formatted (a few us a request) to be thrown away."""
    stream = out or sys.stderr
    terminal = _is_terminal(stream)
    log = RequestLog(stream, colour=terminal if colour is None else colour, line_by_line=terminal)
    log.journal = journal
    if _is_null_device(stream):
        return log
    journal.listeners.append(log)
    atexit.register(_flush_at_exit, weakref.ref(log))
    return log


def _flush_at_exit(ref: weakref.ref[RequestLog]) -> None:
    log = ref()
    if log is not None:
        log.flush()


def _is_null_device(stream: TextIO) -> bool:
    try:
        found = os.fstat(stream.fileno())
        null = os.stat(os.devnull)
    except (AttributeError, ValueError, OSError):  # io.UnsupportedOperation is an OSError: StringIO, a closed file
        return False
    return stat.S_ISCHR(found.st_mode) and found.st_rdev == null.st_rdev


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _error_code(body: Any) -> int | None:
    code = getattr(body, "code", None)  # a GraphError
    if code is None and isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
    return code if isinstance(code, int) else None

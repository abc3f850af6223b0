"""The virtual clock: every timestamp graphmock writes or compares comes from here.

Real time by default; tests can freeze it, set it, or advance it. Nothing runs
in the background: state that depends on time (reviews, throttles,
`is_completed`) is derived from `now()` when it is read.

Read-time code that has no `State` at hand (a node's `computed` view) asks the
module-level `now()`: the clock activated for the current request
(`Clock.active()`), else the clock of the most recently started server.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from mock_server.domain import timefmt

_ACTIVE: ContextVar[Clock | None] = ContextVar("graphmock_clock", default=None)
_default: Clock | None = None
_reads = 0  # every reading of any Clock: a read whose answer consulted the time is not reusable (read_cache)


@dataclass
class Clock:
    offset: float = 0.0
    frozen_at: float | None = None

    def now(self) -> float:
        global _reads
        _reads += 1
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset

    def freeze(self, at: float | None = None) -> None:
        self.frozen_at = self.now() if at is None else float(at)

    def unfreeze(self) -> None:
        """Let time run again from the frozen instant (no jump back to real time)."""
        if self.frozen_at is not None:
            self.offset = self.frozen_at - time.time()
        self.frozen_at = None

    def set(self, at: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at = float(at)
        else:
            self.offset = float(at) - time.time()

    def advance(self, seconds: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at += float(seconds)
        else:
            self.offset += float(seconds)

    def reset(self) -> None:
        self.offset = 0.0
        self.frozen_at = None

    def state(self) -> dict[str, Any]:
        now = self.now()
        return {"now": now, "now_iso": timefmt.format_graph(now), "frozen": self.frozen_at is not None,
                "offset": self.offset}

    def restore(self, saved: dict[str, Any]) -> None:
        """Undo `state()`: a frozen clock comes back at the same instant, a running one with the same offset."""
        if saved.get("frozen"):
            self.frozen_at, self.offset = float(saved["now"]), float(saved.get("offset", 0.0))
        else:
            self.frozen_at, self.offset = None, float(saved.get("offset", 0.0))

    def active(self) -> _Activation:
        """Make this the clock `now()` reads for the duration of one request (`with clock.active(): ...`)."""
        return _Activation(self)


class _Activation:
    """The context manager of `Clock.active()`; a class, as it runs once per request."""

    __slots__ = ("clock", "token")

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def __enter__(self) -> Clock:
        self.token = _ACTIVE.set(self.clock)
        return self.clock

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.reset(self.token)


def set_default(clock: Clock) -> None:
    """The clock `now()` falls back to outside an active request (the latest server's)."""
    global _default
    _default = clock


def current() -> Clock | None:
    return _ACTIVE.get() or _default


def reads() -> int:
    """How many times any clock has been read so far (compare two readings to learn whether code used time)."""
    return _reads


def now() -> float:
    """Now on the clock of the server serving this request (real time if there is none)."""
    clock = current()
    if clock is not None:
        return clock.now()
    global _reads
    _reads += 1
    return time.time()


def parse_instant(value: Any) -> float | None:
    """UNIX seconds (int/float/numeric string) or any Graph datetime string -> float seconds; None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if 0 <= value <= timefmt.MAX_UNIX else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            parsed = timefmt.parse(value)
            return float(parsed) if parsed is not None else None
        return number if 0 <= number <= timefmt.MAX_UNIX else None
    return None

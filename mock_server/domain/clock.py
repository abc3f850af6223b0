"""The virtual clock: every timestamp graphmock writes or compares comes from here.

Real time by default; tests can freeze it, set it, or advance it. Nothing runs
in the background: state that depends on time (reviews, throttles,
`is_completed`) is derived from `now()` when it is read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Clock:
    offset: float = 0.0
    frozen_at: float | None = None

    def now(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset

    def freeze(self, at: float | None = None) -> None:
        self.frozen_at = self.now() if at is None else float(at)

    def unfreeze(self) -> None:
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

    def state(self) -> dict[str, float | bool | None]:
        return {"now": self.now(), "frozen": self.frozen_at is not None, "offset": self.offset}

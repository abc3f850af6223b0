"""The progress display of `graphmock verify`: a live line on a terminal, one line per check otherwise.

    [ 3/18] positive_data_acceptance [adset.create]  27/50 examples  | 2 passed, 0 failed
"""

from __future__ import annotations

import time
from typing import Any, TextIO


class Progress:
    def __init__(self, out: TextIO, planned: int) -> None:
        self.out = out
        self.planned = planned
        self.live = bool(getattr(out, "isatty", lambda: False)())
        self.index = 0
        self.examples = 0
        self.passed = 0
        self.failed = 0
        self._drawn = 0.0

    def start(self, index: int, result: Any, examples: int) -> None:
        self.index, self.examples = index, examples
        if self.live:
            self._draw(result, force=True)
        else:
            print(f"[{index:>2}/{self.planned}] {result.check} [{result.target}] ...", file=self.out, flush=True)

    def example(self, result: Any) -> None:
        if self.live:
            self._draw(result)

    def done(self, result: Any, results: list[Any]) -> None:
        self.passed = sum(r.passed for r in results)
        self.failed = len(results) - self.passed
        mark = "passed" if result.passed else f"FAILED ({len(result.failures)})"
        text = (f"[{self.index:>2}/{self.planned}] {result.check} [{result.target}]  {mark}: {result.examples} "
                f"examples in {result.seconds:.1f}s  | {self.passed} passed, {self.failed} failed")
        print(("\r\033[K" if self.live else "    ") + (text if self.live else text.split("]  ", 1)[-1]),
              file=self.out, flush=True)

    def interrupted(self) -> None:
        print(("\r\033[K" if self.live else "") + "\ninterrupted (Ctrl-C): summary so far", file=self.out, flush=True)

    def _draw(self, result: Any, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        width = 24
        filled = min(width, int(width * result.examples / max(1, self.examples)))
        print(f"\r\033[K[{self.index:>2}/{self.planned}] {result.check} [{result.target}] "
              f"[{'#' * filled}{'.' * (width - filled)}] {result.examples}/{self.examples} examples"
              f"  | {self.passed} passed, {self.failed} failed", end="", file=self.out, flush=True)

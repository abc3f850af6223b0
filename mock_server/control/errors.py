"""Control API errors: one exception, rendered as `{"error": {"message", "type", "code"}}`.

Deliberately not Graph envelopes: a client must never mistake a control call
failure for a Graph answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ERROR_TYPE = "GraphMockControlError"


class ControlError(Exception):
    """A rejected control call; `code` is also the HTTP status."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": ERROR_TYPE, "code": self.code}}


def body_of(raw: Any, allowed: Iterable[str], *, name: str = "body") -> dict[str, Any]:
    """A JSON object with only the allowed keys (typos are errors, not silently ignored)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ControlError(f"the {name} must be a JSON object")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ControlError(f"unknown key(s) in {name}: {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    return raw


def number(value: Any, key: str, *, minimum: float | None = None) -> float:
    """A JSON number (or a numeric string, for curl users)."""
    if isinstance(value, bool):
        raise ControlError(f"{key} must be a number, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ControlError(f"{key} must be a number, got {value!r}") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise ControlError(f"{key} must be a finite number, got {value!r}")
    if minimum is not None and result < minimum:
        raise ControlError(f"{key} must be >= {minimum:g}, got {value!r}")
    return result

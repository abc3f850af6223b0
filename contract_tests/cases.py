"""What a generated invalid request carries: the payload and the exact Graph error it must get."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mock_server.wire.errors import catalogue


@dataclass(frozen=True)
class Expected:
    """The Graph error a request must be rejected with: catalogue key, code, subcode, blamed field."""

    key: str
    code: int
    subcode: int | None
    field: str | None
    http_status: int

    @classmethod
    def of(cls, key: str, field: str | None = None) -> Expected:
        """Look the error up in the catalogue (`schemas/rules/errors*.json`), as the server does."""
        entry = catalogue()[key]
        return cls(key, int(entry["code"]), entry.get("error_subcode"), field or entry.get("blame"),
                   int(entry["http_status"]))

    @property
    def blame(self) -> list[list[str]] | None:
        if not self.field:
            return None
        return [[p for p in self.field.replace("]", "").split("[") if p]]

    def mismatch(self, status: int, body: Any) -> str | None:
        """None when (status, body) is exactly this error; otherwise a one-line reason."""
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return f"expected error {self.describe()}, got HTTP {status} {json.dumps(body)[:200]}"
        got_blame = None
        if error.get("error_data"):
            try:
                got_blame = json.loads(error["error_data"]).get("blame_field_specs")
            except (TypeError, ValueError):
                got_blame = "<unparseable error_data>"
        got = (status, error.get("code"), error.get("error_subcode"), got_blame)
        want = (self.http_status, self.code, self.subcode, self.blame)
        if got != want:
            return (f"expected {self.describe()}, got HTTP {status} code={error.get('code')} "
                    f"subcode={error.get('error_subcode')} blame={got_blame}: {error.get('message')}")
        return None

    def describe(self) -> str:
        sub = f"/{self.subcode}" if self.subcode is not None else ""
        blamed = f" blaming {self.field}" if self.field else ""
        return f"{self.key} (HTTP {self.http_status}, code {self.code}{sub}){blamed}"


@dataclass(frozen=True)
class Ref:
    """Placeholder for the id the setup step `step` creates (e.g. an ad set's campaign_id)."""

    step: int


@dataclass(frozen=True)
class Step:
    """One object to create before the case runs: `operation` ("campaign.create") with `payload`."""

    operation: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Case:
    """A valid request and what must exist first (`setup`; an update applies to the last step's object)."""

    payload: dict[str, Any]
    setup: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Invalid:
    """A payload that breaks exactly one rule or schema constraint.

    `rule` names what it breaks (`missing:name`, `enum:objective`, `rule:one_campaign_budget`, ...);
    `setup` lists the objects to create first (parents; for an update, the object itself comes last).
    """

    payload: dict[str, Any]
    expected: Expected
    rule: str
    setup: tuple[Step, ...] = field(default=())

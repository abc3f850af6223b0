"""Server configuration: one dataclass, filled from CLI flags or Python."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mock_server.wire.request import Limits

DEFAULT_VERSIONS = ("v25.0", "v26.0", "v27.0")  # what schemas/rules/versions.json serves on 2026-12-05 (docs only)


@dataclass
class ServerConfig:
    db: str = ":memory:"  # a SQLite file, ":memory:", or a postgresql:// URL (store/__init__.py)
    fixtures: Path | None = None  # None -> the shipped demo world
    versions: tuple[str, ...] | None = None  # None -> the versions schemas/rules/versions.json serves on as_of
    as_of: date | None = None  # the date the version table is read on (None: today's real date)
    seed: int | None = None
    limits: Limits = field(default_factory=Limits)
    max_page_size: int = 5000
    durable: bool = False
    load_fixtures: bool = True
    admin_token: str | None = None  # protects the control API (/__graphmock/) when set
    review: dict[str, Any] | None = None  # review policy overrides (keys of schemas/rules/review.json "policy")
    strict: bool = False  # refuse requests the real API accepts silently but the contract forbids
    journal_size: int = 1000  # requests kept in the journal
    journal_bytes: int = 32 * 1024 * 1024  # ...and at most this many bytes of them (docs/hardening.md)
    allowed_hosts: tuple[str, ...] = ()  # extra Host names the control API answers (behind a proxy); "*" = any
    allowed_origins: tuple[str, ...] = ()  # extra Origins that may change state through the control API
    rate_limits: str | dict[str, Any] | None = None  # "on" | "off" | settings (schemas/rules/access.json)
    budget_change_limit: bool | dict[str, Any] | None = None  # None: schemas/rules/budget_changes.json (on)
    read_cache: bool = True  # reuse GET answers until a write, a world change or a clock-dependent read
    join_shared: bool = False  # a worker process: adopt the clock, seed and faults the store holds (shared.py)
    worker: int | None = None  # `serve --workers N`: this process's index (its own seeded trace-id sequence)
    # a lone `serve` on a SQLite file commits in groups (docs/group-commit.md); GRAPHMOCK_GROUP_COMMIT=1 in-process
    group_commit: bool = field(default_factory=lambda: os.environ.get("GRAPHMOCK_GROUP_COMMIT") == "1")

    def __post_init__(self) -> None:
        if self.versions is None:
            from mock_server.access.versions import served_on
            self.versions = served_on(self.as_of or as_of_from_env() or date.today())

    @property
    def latest_version(self) -> str:
        return max(self.versions, key=_version_key)

    @property
    def oldest_version(self) -> str:
        return min(self.versions, key=_version_key)


def _version_key(version: str) -> tuple[int, int]:
    major, _, minor = version.removeprefix("v").partition(".")
    return int(major), int(minor or 0)


def parse_versions(text: str) -> tuple[str, ...]:
    versions = tuple(v.strip() for v in text.split(",") if v.strip())
    for version in versions:
        major, dot, minor = version.removeprefix("v").partition(".")
        if not (version.startswith("v") and major.isascii() and major.isdigit() and dot and minor.isascii() and minor.isdigit()):
            raise ValueError(f"not a Graph version: {version!r} (expected vNN.N)")
    if not versions:
        raise ValueError("at least one version is required")
    return versions


version_key = _version_key
AS_OF_ENV = "GRAPHMOCK_AS_OF"


def as_of_from_env() -> date | None:
    """GRAPHMOCK_AS_OF=YYYY-MM-DD: the date the version table is read on, for servers started without flags."""
    text = os.environ.get(AS_OF_ENV, "").strip()
    return date.fromisoformat(text) if text else None

"""Placeholder: endpoints for this resource land with the resources issue."""

from __future__ import annotations

from typing import Any

ROUTES: dict[tuple[str, str | None, str], Any] = {}

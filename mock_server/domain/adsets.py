"""Placeholder: this node's domain logic lands with the resources issue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.store.repository import Record


def computed(record: Record, lookup: Callable[[int], Record | None]) -> dict[str, Any]:
    """Fields Graph derives on read (effective_status, ...)."""
    return {"configured_status": record.status, "effective_status": record.status}

"""What a read returns for a stored object: its data plus the fields Graph derives.

One function per node type, registered in `VIEWS`; each gets the record and a
`lookup` for parent records (effective_status depends on parents).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.domain import campaigns
from mock_server.store.repository import Record

Lookup = Callable[[int], Record | None]
View = Callable[[Record, Lookup], dict[str, Any]]


def _campaign(record: Record, lookup: Lookup) -> dict[str, Any]:
    return campaigns.computed(record)


VIEWS: dict[str, View] = {"Campaign": _campaign}


def values(record: Record, lookup: Lookup) -> dict[str, Any]:
    out = dict(record.data)
    out["id"] = str(record.id)
    out["account_id"] = record.account_id
    view = VIEWS.get(record.type)
    if view is not None:
        out.update(view(record, lookup))
    return out

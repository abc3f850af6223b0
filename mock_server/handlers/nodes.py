"""Generic node operations: GET /<id> for every stored node type."""

from __future__ import annotations

from typing import Any

from mock_server.domain.delivery import history
from mock_server.handlers.call import Call


def read(call: Call) -> tuple[int, Any]:
    """GET /<id>?fields=... (default fields: id only, GRAPH-BEHAVIOUR 4)."""
    call.params("node.get")
    record = call.node.record
    assert record is not None
    call.parent_is(record)  # its children's effective_status reads it (fields=adsets{...}): read once
    return 200, call.render(record, call.specs())


def delete(call: Call) -> tuple[int, Any]:
    """DELETE /<id> for campaigns, ad sets and ads: a soft delete (GRAPH-BEHAVIOUR 6.3). The object stays
    readable by id, leaves the lists, and its children read as DELETED through effective_status."""
    call.params("node.delete")
    record = call.node.record
    assert record is not None
    if record.status != "DELETED":
        with call.state.store.transaction():
            before = history.snapshot(record)
            record.status = record.data["status"] = "DELETED"
            record.data["updated_time"] = int(call.state.now())
            history.note(record, before, call.state.now())
            call.state.store.update(record)
    return 200, {"success": True}


def read_after_write(call: Call, record_id: int, base: dict[str, Any]) -> dict[str, Any]:
    """`fields` on a POST returns those fields of the written node (GRAPH-BEHAVIOUR 11)."""
    specs = call.specs()
    if not specs:
        return base
    record = call.state.store.get(record_id)
    assert record is not None
    rendered = call.render(record, specs)
    return {**base, **rendered}

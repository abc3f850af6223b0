"""`fields` names checked against the node's readable fields: unknown ones are refused, on a read even when the page
is empty, on a write before anything is written."""

from __future__ import annotations

from mock_server.state import NodeRef, State
from mock_server.wire.errors import GraphError
from mock_server.wire.fields import FieldSpec
from mock_server.wire.request import GraphRequest


class FieldChecks:
    """`Call`'s `fields` checks (the attributes below are `Call`'s)."""

    state: State
    request: GraphRequest
    node: NodeRef
    edge: str | None

    def check_written_fields(self) -> None:
        """`fields` on a write (read-after-write) is checked before anything is written: a bad one answers the
        error with nothing applied, so a retrying client never creates a duplicate (issue 17)."""
        if not self.request.fields:
            return
        specs = self.specs()  # a syntax error raises here
        owner = self.state.node_types.get(self.node.type)
        target = owner.edges.get(self.edge) if owner is not None and self.edge else self.node.type
        self._check_fields_deep(target, specs, 0)

    def _check_fields_deep(self, node_type: str | None, specs: list[FieldSpec], depth: int) -> None:
        plan = self.state.node_types.get(node_type or "")
        if plan is None or depth > 8:
            return
        for spec in specs:
            field_plan = plan.fields.get(spec.name)
            if field_plan is None:
                raise GraphError("nonexisting_field", field=spec.name, blame=[], node_type=plan.graph_type)
            if spec.children and field_plan.kind in ("edge", "ref"):
                self._check_fields_deep(field_plan.target, spec.children, depth + 1)

    def check_fields(self, node_type: str, specs: list[FieldSpec]) -> None:
        """Unknown fields are refused even when the page is empty, as Graph does (GRAPH-BEHAVIOUR 4)."""
        plan = self.state.node_types.get(node_type)
        if plan is None:
            return
        for spec in specs:
            if spec.name not in plan.fields:
                raise GraphError("nonexisting_field", field=spec.name, blame=[], node_type=plan.graph_type)

"""The `filtering=[{"field","operator","value"}]` param as a predicate (GRAPH-BEHAVIOUR 3.3).

Supported fields per node come from `schemas/rules/filtering.json`; operators
are the documented fifteen. Comparisons work on the values a read would return
(effective_status derived, money and times as numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timezone, tzinfo
from typing import Any

from mock_server.domain import timefmt
from mock_server.wire.errors import GraphError

Values = dict[str, Any]
Predicate = Callable[[Values], bool]


def compile_filters(raw: Any, node_type: str, table: dict[str, Any],
                    tz: tzinfo = timezone.utc) -> list[tuple[str, Predicate]] | None:
    """[(field, predicate over node values)] or None when there is no filter. Raises GraphError.

    `tz`: the ad account's zone, in which a naive time compared with a datetime field is read."""
    if raw is None or raw == []:
        return None
    if not isinstance(raw, list):
        raise GraphError("filtering_invalid", field="filtering", detail="expected a JSON array")
    spec = table.get(node_type, {"prefix": node_type.lower(), "fields": []})
    allowed = set(spec["fields"])
    aliases = {f"{spec['prefix']}.{name}": name for name in allowed}
    aliases.update(spec.get("parents", {}))
    out: list[tuple[str, Predicate]] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "field" not in item or "operator" not in item:
            raise GraphError("filtering_invalid", field=f"filtering[{index}]", detail="each filter needs field and operator")
        name = str(item["field"])
        target = name if name in allowed else aliases.get(name)
        if target is None:
            raise GraphError("filtering_unsupported_field", field=name, blame=[["filtering"]],
                             supported=", ".join(sorted(allowed)))
        operator = str(item["operator"]).upper()
        out.append((target, _operator(operator, item.get("value"), index, target, tz)))
    return out


STATUS_FIELDS = ("effective_status", "status", "configured_status")
NAMING_OPERATORS = {"IN": True, "EQUAL": False, "ANY": True}


def named_statuses(raw: Any, node_type: str, table: dict[str, Any]) -> set[str]:
    """Statuses a `filtering` names on a status field (IN / EQUAL / ANY): like the `effective_status` param,
    they lift the default visibility (M-STATUS: archived objects are listed when a status filter names
    ARCHIVED). Call after compile_filters (the filters are known to be well formed)."""
    if not isinstance(raw, list):
        return set()
    prefix = table.get(node_type, {"prefix": node_type.lower()})["prefix"]
    fields = set(STATUS_FIELDS) | {f"{prefix}.{name}" for name in STATUS_FIELDS}
    named: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or str(item.get("field")) not in fields:
            continue
        operator = str(item.get("operator", "")).upper()
        if operator not in NAMING_OPERATORS:
            continue
        value = item.get("value")
        named |= {str(v) for v in value} if isinstance(value, list) else {str(value)}
    return named


def _operator(operator: str, value: Any, index: int, name: str, tz: tzinfo = timezone.utc) -> Predicate:
    def bad(detail: str) -> GraphError:
        return GraphError("filtering_invalid", field=f"filtering[{index}]", detail=detail)

    listy = {"IN", "NOT_IN", "ANY", "ALL", "NONE", "IN_RANGE", "NOT_IN_RANGE"}
    if operator in listy and not isinstance(value, list):
        raise bad(f"{operator} needs an array value")
    if operator in ("IN_RANGE", "NOT_IN_RANGE") and len(value) != 2:
        raise bad(f"{operator} needs [low, high]")
    scalar = value if not isinstance(value, list) else None

    def get(values: Values) -> Any:
        return values.get(name)

    match operator:
        case "EQUAL":
            return lambda v: _eq(get(v), scalar)
        case "NOT_EQUAL":
            return lambda v: not _eq(get(v), scalar)
        case "GREATER_THAN":
            return lambda v: _holds(get(v), scalar, lambda c: c > 0, tz)
        case "GREATER_THAN_OR_EQUAL":
            return lambda v: _holds(get(v), scalar, lambda c: c >= 0, tz)
        case "LESS_THAN":
            return lambda v: _holds(get(v), scalar, lambda c: c < 0, tz)
        case "LESS_THAN_OR_EQUAL":
            return lambda v: _holds(get(v), scalar, lambda c: c <= 0, tz)
        case "IN_RANGE":
            return lambda v: _in_range(get(v), value, tz)
        case "NOT_IN_RANGE":
            return lambda v: get(v) is not None and not _in_range(get(v), value, tz)
        case "CONTAIN":
            return lambda v: str(scalar).lower() in str(get(v) or "").lower()
        case "NOT_CONTAIN":
            return lambda v: str(scalar).lower() not in str(get(v) or "").lower()
        case "IN":
            return lambda v: any(_eq(get(v), item) for item in value)
        case "NOT_IN":
            return lambda v: not any(_eq(get(v), item) for item in value)
        case "ANY":
            return lambda v: bool(_as_set(get(v)) & {str(i) for i in value})
        case "ALL":
            return lambda v: {str(i) for i in value} <= _as_set(get(v))
        case "NONE":
            return lambda v: not (_as_set(get(v)) & {str(i) for i in value})
    raise bad(f"unknown operator {operator}")


def _eq(left: Any, right: Any) -> bool:
    if left is None:
        return right is None
    if isinstance(left, (int, float)) and not isinstance(left, bool):
        number = _number(right)
        return number is not None and float(left) == number
    return str(left) == str(right)


def _holds(left: Any, right: Any, test: Callable[[int], bool], tz: tzinfo = timezone.utc) -> bool:
    order = _cmp(left, right, tz)
    return order is not None and test(order)


def _in_range(left: Any, bounds: list[Any], tz: tzinfo = timezone.utc) -> bool:
    return _holds(left, bounds[0], lambda c: c >= 0, tz) and _holds(left, bounds[1], lambda c: c <= 0, tz)


def _cmp(left: Any, right: Any, tz: tzinfo = timezone.utc) -> int | None:
    """-1/0/1, or None when the two cannot be compared (such a filter never matches)."""
    if left is None:
        return None
    if isinstance(left, (int, float)) and not isinstance(left, bool):
        number = _number(right)
        if number is None:
            parsed = timefmt.parse(right, tz) if isinstance(right, str) else None
            if parsed is None:
                return None
            number = float(parsed)
        return (float(left) > number) - (float(left) < number)
    a, b = str(left), str(right)
    return (a > b) - (a < b)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _as_set(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    if value is None:
        return set()
    return {str(value)}

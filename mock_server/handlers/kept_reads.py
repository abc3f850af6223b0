"""A read's params, fields and paging, kept (issue 18): a repeated GET neither decodes nor parses them again.

Two keys. By value: a GET's params of plain strings decode the same for the same contract, schema and zone
(`decoded_read`). By identity: a repeated bodiless GET is a copy of one kept parse sharing its params dict
(wire/request.py), so what `Call.params`, `Call.specs` and `Call._paging` derived from that very dict is kept by
it (`keep_same`). Both are bounded in entries and in size (MAX_KEPT_CHARS).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from mock_server.contract.decoding import Decoded


def decoded_read(contract: Any, schema: str, params: dict[str, Any], tz: tzinfo) -> Decoded | None:
    """A GET's params decoded and validated, kept by (contract, schema, zone, params in order) when every value is a
    string (the wire's form and query values): decoding reads nothing else, so the same key decodes the same (a
    repeated read of one list page or object: ~2 us a request). A decoded value may be a list or an object (a JSON
    param): those are decoded each time, never shared. None when not kept yet, or not keepable: decode it then."""
    size = 0
    for name, value in params.items():
        if value.__class__ is not str:  # a JSON body's value: 1, 1.0 and True are equal keys yet decode apart
            return None
        size += len(name) + len(value)
    if size > MAX_KEPT_CHARS:  # 1024 kept reads of 100 KB each would hold 100 MB: a long one is decoded each time
        return None
    key = (id(contract), schema, tz, *params.items())
    kept = READ_PARAMS.get(key)
    if kept is not None and kept[0] is contract:
        keep_same(SAME_PARAMS, params, (params, contract, tz, schema, kept[1]))
        return kept[1]
    decoded = contract.decode(schema, params, tz)  # raises for a contract violation: never kept
    if all(value.__class__ in _SCALARS for value in decoded.values.values()):
        if len(READ_PARAMS) >= 1024:
            READ_PARAMS.clear()
        READ_PARAMS[key] = (contract, decoded)
        keep_same(SAME_PARAMS, params, (params, contract, tz, schema, decoded))
    return decoded


def keep_same(memo: dict[int, tuple[Any, ...]], params: dict[str, Any], entry: tuple[Any, ...]) -> None:
    """Keep what was derived from one request's params dict, by identity. A repeated bodiless GET is a copy of one
    kept parse sharing its params dict, never mutated after parsing (wire/request.py `GraphRequest.copy`; the
    journal's verdict memo relies on the same, verify/memo.py): one identity check instead of building and hashing
    a key of every param (~1 us a read). Each entry holds the dict, so its id cannot be reused while kept; bounded
    in entries and, as `decoded_read`, in size: params beyond MAX_KEPT_CHARS are not kept (1024 kept 100 KB query
    strings, which no kept parse shares anyway, held 40 MB more: found by review)."""
    size = 0
    for name, value in params.items():
        size += len(name) + (len(value) if value.__class__ is str else MAX_KEPT_CHARS)
    if size > MAX_KEPT_CHARS:
        return
    if len(memo) >= 1024:
        memo.clear()
    memo[id(params)] = entry


READ_PARAMS: dict[tuple[Any, ...], tuple[Any, Decoded]] = {}
SAME_PARAMS: dict[int, tuple[Any, ...]] = {}  # id(params) -> (params, contract, zone, schema, decoded): Call.params
SAME_FIELDS: dict[int, tuple[Any, ...]] = {}  # id(params) -> (params, specs): Call.specs
SAME_PAGING: dict[int, tuple[Any, ...]] = {}  # id(params) -> (params, what else it depends on, paging): Call._paging
MAX_KEPT_CHARS = 2048  # of a kept read's param names and values
_SCALARS = frozenset({str, int, float, bool, type(None)})

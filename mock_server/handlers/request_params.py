"""A call's request params and `fields`, decoded once: a repeated read's come from its kept parse
(handlers/kept_reads.py)."""

from __future__ import annotations

from typing import Any

from mock_server.contract.decoding import Decoded
from mock_server.domain import account_time
from mock_server.domain.world import AdAccount
from mock_server.handlers import kept_reads
from mock_server.state import State
from mock_server.wire.fields import FieldSpec, parse_fields
from mock_server.wire.request import GraphRequest


class RequestParams:
    """`Call`'s params and `fields` steps (the attributes below are `Call`'s)."""

    state: State
    request: GraphRequest
    decoded: Decoded | None
    decoded_schema: str | None
    account: AdAccount | None

    def params(self, schema: str) -> dict[str, Any]:
        """Decode and validate this request's params against `requests/<schema>`. A read's params of plain values
        decode the same every time (the decoder reads only them and the zone): kept (handlers/kept_reads.py)."""
        account = self.account
        tz = account_time.zone(account.timezone_name if account else None)  # cached: ZoneInfo() is not free
        name = self.decoded_schema = _SCHEMAS.get(schema) or _SCHEMAS.setdefault(schema, f"requests/{schema}")
        contract, params = self.state.contract, self.request.params
        reading = self.request.method == "GET"
        same = kept_reads.SAME_PARAMS.get(id(params)) if reading else None  # this very dict decoded before (a kept parse)
        if same is not None and same[0] is params and same[1] is contract and same[2] is tz and same[3] == name:
            decoded = same[4]
        else:
            decoded = kept_reads.decoded_read(contract, name, params, tz) if reading else None
            if decoded is None:
                decoded = contract.decode(name, params, tz)
        self.decoded = decoded
        if not decoded.unknown:
            return dict(decoded.values)
        return {k: v for k, v in decoded.values.items() if k not in decoded.unknown}

    def specs(self) -> list[FieldSpec]:
        params = self.request.params
        same = kept_reads.SAME_FIELDS.get(id(params))  # this very params dict parsed before (a repeated GET's kept parse)
        if same is not None and same[0] is params:
            return same[1]  # type: ignore[no-any-return]
        specs = parse_fields(self.request.fields)  # a syntax error raises: never kept
        if self.request.method == "GET" and self.request.body_kind == "none":
            kept_reads.keep_same(kept_reads.SAME_FIELDS, params, (params, specs))
        return specs


_SCHEMAS: dict[str, str] = {}  # schema -> "requests/<schema>"

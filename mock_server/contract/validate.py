"""Decode and validate a request's params against its schema, once per request."""

from __future__ import annotations

from datetime import timezone, tzinfo
from typing import Any

from mock_server.contract.decoding import Decoded, ParamDecoder
from mock_server.contract.known_valid import KnownValid
from mock_server.contract.registry import SchemaRegistry
from mock_server.contract.violations import first_error, to_graph_error


class Contract:
    """Request validation for every operation, with decoders and validators built once."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self._decoders: dict[str, ParamDecoder] = {}
        self._known: dict[str, KnownValid | None] = {}

    def decoder(self, schema_name: str) -> ParamDecoder:
        decoder = self._decoders.get(schema_name)
        if decoder is None:
            decoder = self._decoders[schema_name] = ParamDecoder(self.registry, schema_name)
        return decoder

    def decode(self, schema_name: str, params: dict[str, Any], tz: tzinfo = timezone.utc) -> Decoded:
        """Typed params, or the GraphError the first contract violation maps to."""
        decoder = self.decoder(schema_name)
        split = self._known.get(schema_name, False)
        if split is False:
            split = self._split(schema_name, decoder)
        if split is not None:
            fast = split.decode(decoder, params, tz)  # the known texts' values reused (known_valid.py)
            if fast is not None:
                return fast
        decoded = decoder.decode(params, tz)
        known = {k: v for k, v in decoded.values.items() if k not in decoded.unknown} if decoded.unknown else decoded.values
        if split is not None and split.holds(params, known, decoded.relaxed):
            return decoded  # the params not known valid are, and the required ones are there (known_valid.py)
        compiled = self.registry.get(schema_name)
        if not compiled.is_valid(known):
            error = first_error(compiled, known)
            if error is not None:
                raise to_graph_error(compiled, self.registry, error)
        return decoded

    def decode_one(self, schema_name: str, name: str, raw: Any, tz: tzinfo = timezone.utc) -> tuple[bool, Any]:
        """One param of `schema_name`'s, alone: (True, its value) when its text is valid alone, else (False, None)
        (a datetime, a relaxed read, a schema whose params are not independent: decode the request whole)."""
        split = self._known.get(schema_name, False)
        if split is False:
            split = self._split(schema_name, self.decoder(schema_name))
        if split is None:
            return False, None
        return split.decode_one(self.decoder(schema_name), name, raw, tz)

    def _split(self, schema_name: str, decoder: ParamDecoder) -> KnownValid | None:
        schema = self.registry.documents[schema_name]
        split = KnownValid(schema, self.registry.rs_registry, decoder.kinds) if KnownValid.applies(schema) else None
        self._known[schema_name] = split
        return split

    def warm(self) -> None:
        """Compile every request schema and decoder now, so the first request pays nothing."""
        self.registry.compile_all()
        for name in self.registry.documents:
            if name.startswith("requests/"):
                self.decoder(name)

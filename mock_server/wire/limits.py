"""What one request may cost, and the Graph errors that refuse a request beyond it (docs/hardening.md)."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.wire.errors import GraphError


@dataclass(frozen=True)
class Limits:
    """What one request may cost (docs/hardening.md). Every refusal names the limit it hit."""

    max_body_bytes: int = 8 * 1024 * 1024
    max_params: int = 1000
    max_key_depth: int = 12  # brackets in one PHP-style key: targeting[flexible_spec][0][interests][0][id] is 5
    max_list_index: int = 9999  # `a[N]`: sparse indexes are kept in order, never padded, so N costs nothing
    max_json_values: int = 200_000  # values in a JSON body (a `[[],[],...]` body decodes ~20x its size)
    body_timeout: float = 10.0  # seconds to wait for body bytes the Content-Length promised


def too_large(limits: Limits, detail: str) -> GraphError:
    return GraphError("request_too_large", detail=detail, limit_bytes=limits.max_body_bytes, limit_params=limits.max_params)


def over_limit(limits: Limits, name: str, detail: str) -> GraphError:
    """A request beyond one of `Limits`: the message names the limit and its value."""
    return GraphError("request_limit", detail=detail, limit=name, value=getattr(limits, name))


def ascii_digits(text: str) -> bool:
    """`str.isdigit` accepts "²" and "١", which `int()` rejects or reads as Arabic-Indic numbers."""
    return text.isascii() and text.isdigit()

"""`application/x-www-form-urlencoded` decoding of query strings and form bodies, as `urllib.parse.parse_qsl`
(`keep_blank_values=True`, `errors="strict"`) decodes them, faster: most pieces need no unquoting, the escapes
are decoded by CPython's C escape decoder, and a piece with escapes is kept for the next identical one."""

from __future__ import annotations

import codecs
from typing import Any
from urllib.parse import unquote_to_bytes

from mock_server.wire.errors import GraphError
from mock_server.wire.limits import Limits, too_large
from mock_server.wire.memo import Memo

_escape_decode = codecs.escape_decode  # type: ignore[attr-defined]  # CPython's C decoder of \xXX (pickle uses it)


def _parse_urlencoded(raw: bytes, where: str, limits: Limits) -> list[tuple[str, Any]]:
    """`parse_qsl(keep_blank_values=True, errors="strict")`, 3-4x faster: most pairs need no unquoting.

    The pair count is checked on the raw bytes first, so 10 000 params are refused before any is decoded."""
    if not raw:
        return []
    if raw.count(b"&") >= limits.max_params:
        raise too_large(limits, f"more than {limits.max_params} params")
    try:
        text = raw.decode("utf-8")
        pairs: list[tuple[str, Any]] = []
        for piece in text.split("&"):
            if not piece:
                continue
            if "%" in piece or "+" in piece:
                pairs.append(_PIECES.get(piece) or _unquoted(piece))
            else:
                name, _, value = piece.partition("=")
                pairs.append((name, value))
        return pairs
    except (UnicodeDecodeError, ValueError) as exc:
        raise GraphError("body_unparseable", detail=f"{where} is not valid UTF-8 url-encoded data ({type(exc).__name__})") from None


def _unquoted(piece: str) -> tuple[str, str]:
    """One `name=value` piece with escapes, each half unquoted only when it holds one. Kept for the next identical
    piece (a client sends the same targeting, promoted_object, special_ad_categories again and again): the pairs
    are immutable, and at most 512 pieces of at most _PIECE_LIMIT characters are kept."""
    name, _, value = piece.partition("=")
    if "%" in name or "+" in name:
        name = _unquote(name)
    if "%" in value or "+" in value:
        value = _unquote(value)
    if len(piece) <= _PIECE_LIMIT:
        _PIECES.keep(piece, (name, value))
    return name, value


_PIECES = Memo(512)  # piece -> (name, value)
_PIECE_LIMIT = 4096


def _unquote(text: str) -> str:
    """Form decoding of one name or value: `+` is a space, %XX a UTF-8 byte (invalid UTF-8 raises).

    `unquote_to_bytes` walks the escapes in Python (~0.2 us each: a URL-encoded targeting spec has dozens);
    here each %XX becomes the `\\xXX` escape that `codecs.escape_decode` decodes in C, the text's own
    backslashes doubled first so they stay themselves. A `%` without two hex digits after it (which
    `unquote_to_bytes` leaves as it is) is an invalid escape there: that text takes the slow path."""
    raw = text.replace("+", " ").encode("utf-8")
    if b"%" in raw:
        try:
            raw = _escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
        except ValueError:
            raw = unquote_to_bytes(raw)
    return raw.decode("utf-8")

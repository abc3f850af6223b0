"""One redaction for every place a token or secret can appear: params, headers, batch operations, free text.

Used by the journal, the console request log, error messages and snapshot/fixtures exports, so a secret
never reaches what it was not meant for. A secret is a param, header or JSON key named in SECRET_NAMES
(or ending in `_token` / `_secret`); inside a batch, each operation's `relative_url` query string, `body`
and `headers` are redacted the same way.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson

REDACTED = "<redacted>"
SECRET_NAMES = frozenset({"access_token", "appsecret_proof", "client_secret", "input_token", "fb_exchange_token",
                          "app_secret", "secret", "password", "authorization", "x-graphmock-admin-token",
                          "admin_token", "refresh_token"})
_TEXT = re.compile(r"(?i)(\b(?:[a-z_]*_token|[a-z_]*secret|appsecret_proof|password)\b[\"']?\s*[=:]\s*[\"']?)"
                   r"([^&\s\"',;}]+)")
_BEARER = re.compile(r"\b([Bb]earer|OAuth)\s+(?=\S*[A-Z0-9_-])[A-Za-z0-9._~+/=-]{12,}")  # not "OAuth access token"


def is_secret(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    lowered = name.lower()
    return lowered in SECRET_NAMES or lowered.endswith(("_token", "_secret"))


def params(values: dict[str, Any]) -> dict[str, Any]:
    """A copy of request params with every secret replaced (batch operations included)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if is_secret(name):
            out[name] = REDACTED
        elif name == "batch":
            out[name] = batch(value)
        else:
            out[name] = value
    return out


def headers(values: dict[str, str]) -> dict[str, str]:
    return {k: (REDACTED if is_secret(k) else v) for k, v in values.items()}


def batch(value: Any) -> Any:
    """A batch param (JSON text or already a list) with each operation's URL, body and headers redacted."""
    decoded = value
    if isinstance(value, (str, bytes)):
        try:
            decoded = orjson.loads(value)
        except orjson.JSONDecodeError:
            return text(value if isinstance(value, str) else value.decode("utf-8", "replace"))
    if not isinstance(decoded, list):
        return json_value(decoded)
    operations = [_operation(op) for op in decoded]
    return orjson.dumps(operations).decode() if isinstance(value, (str, bytes)) else operations


def _operation(op: Any) -> Any:
    if not isinstance(op, dict):
        return json_value(op)
    out = json_value(op)
    if isinstance(op.get("relative_url"), str):
        path, mark, query = op["relative_url"].partition("?")
        out["relative_url"] = path + mark + query_string(query) if mark else text(path)
    if isinstance(op.get("body"), str):
        out["body"] = query_string(op["body"])
    if isinstance(op.get("headers"), list):
        out["headers"] = [_header_line(h) for h in op["headers"]]
    return out


def _header_line(line: Any) -> Any:
    if isinstance(line, dict):
        return json_value(line) if not is_secret(line.get("name")) else {**line, "value": REDACTED}
    if isinstance(line, str):
        name, colon, _ = line.partition(":")
        return f"{name}: {REDACTED}" if colon and is_secret(name.strip()) else text(line)
    return line


def query_string(query: str) -> str:
    """`a=1&access_token=X` -> `a=1&access_token=<redacted>` (order and the other pairs kept as sent)."""
    pieces = []
    for piece in query.split("&"):
        name, eq, _ = piece.partition("=")
        decoded = parse_qsl(name + "=", keep_blank_values=True)
        key = decoded[0][0] if decoded else name
        pieces.append(f"{name}={REDACTED}" if eq and is_secret(key) else piece)
    return "&".join(pieces)


def json_value(value: Any) -> Any:
    """Any JSON value with secret-named keys redacted, at any depth (snapshots, fixtures, bodies)."""
    if isinstance(value, dict):
        return {k: (REDACTED if is_secret(k) and v is not None else json_value(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def text(message: str) -> str:
    """Free text (an error message, a log line, a URL) with `name=value` secrets and bearer tokens masked."""
    if not message:
        return message
    message = _TEXT.sub(lambda m: m.group(1) + REDACTED, message)
    return _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", message)


_HINTS = ("token", "secret", "proof", "password", "bearer", "oauth ")


def error_body(body: dict[str, Any]) -> dict[str, Any]:
    """A Graph error envelope whose texts may echo a param: secrets in them are masked (in place)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        for key in ("message", "error_user_msg", "error_user_title"):
            value = error.get(key)
            if isinstance(value, str) and any(hint in value.lower() for hint in _HINTS):
                error[key] = text(value)
    return body


def restore_secrets(document: Any, current: Any, where: str = "") -> Any:
    """`document` with each redacted secret taken from `current` at the same place (a redacted snapshot or
    fixtures export loads back into the server it came from); ValueError when `current` has no such value."""
    if isinstance(document, dict):
        here = current if isinstance(current, dict) else {}
        return {k: restore_secrets(v, here.get(k), f"{where}.{k}") for k, v in document.items()}
    if isinstance(document, list):
        here = current if isinstance(current, list) else []
        return [restore_secrets(v, here[i] if i < len(here) else None, f"{where}[{i}]") for i, v in enumerate(document)]
    if document == REDACTED:
        if current is None or current == REDACTED:
            raise ValueError(f"{where.lstrip('.')} is {REDACTED} and this server has no value for it: export "
                             "with secrets (?secrets=1, snapshot(secrets=True)) to move it elsewhere")
        return current
    return document

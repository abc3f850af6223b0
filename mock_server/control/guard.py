"""The one gate in front of every path under /__graphmock/ (control API, journal, dashboard).

A web page open in the developer's browser must not drive graphmock: a
cross-site POST could reset the world, and a DNS-rebinding page (its own name,
resolved to 127.0.0.1) could read snapshots. So, for every request:

- `Host` must be graphmock's own: a loopback name or address, a reserved test
  name (`*.localhost`, `*.test`, `testserver`: RFC 6761, never in public DNS),
  the address it was bound to, or one listed with `--allowed-host`;
  a request carrying the right admin token passes this check.
- a state-changing request (POST, PUT, PATCH, DELETE) must come from the same
  origin (`Origin` absent, or equal to the `Host`, or listed with
  `--allowed-origin`), and POST/PUT/PATCH (and a DELETE with a body) must say
  `Content-Type: application/json` (403 otherwise, like a foreign Origin or
  `Sec-Fetch-Site: cross-site`): a browser cannot send that cross-origin
  without a CORS preflight, which graphmock never approves.
- HEAD is answered like GET without a body; other verbs, a body that exceeds
  the control limit or stops arriving get a JSON error.

The dashboard's own page (same origin, JSON POSTs) passes unchanged.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from typing import Any

import orjson

from mock_server.control.errors import ControlError
from mock_server.wire.request import headers_of as _headers

JSON = b"application/json; charset=UTF-8"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RESERVED_SUFFIXES = (".localhost", ".test")
RESERVED_NAMES = frozenset({"localhost", "testserver"})
MAX_CONTROL_BODY = 64 * 1024 * 1024  # a snapshot of a large world


def host_name(value: str) -> str:
    """`127.0.0.1:8787` -> `127.0.0.1`; `[::1]:8787` -> `::1`; names lower-cased, a trailing dot dropped."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    name = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    return name.rstrip(".")


def own_host(name: str, allowed: tuple[str, ...] = ()) -> bool:
    """A name graphmock answers its control API to (see the module docstring)."""
    if not name or name in allowed or "*" in allowed:
        return True
    if name in RESERVED_NAMES or name.endswith(RESERVED_SUFFIXES):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def admin_token_given(expected: str | None, headers: dict[str, str]) -> bool:
    if not expected:
        return False
    given = headers.get("x-graphmock-admin-token")
    if given is None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        given = value.strip() if scheme.lower() == "bearer" else None
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def refusal(config: Any, method: str, headers: dict[str, str]) -> ControlError | None:
    """Why this request may not reach the control API, or None."""
    if method not in METHODS:
        return ControlError(f"{method[:20]} is not a control API method; use GET, POST or DELETE", 405)
    allowed = tuple(getattr(config, "allowed_hosts", ()) or ())
    host = headers.get("host")
    token_ok = admin_token_given(getattr(config, "admin_token", None), headers)
    if host is not None and not token_ok and not own_host(host_name(host), allowed):
        return ControlError(f"Host {host[:100]!r} is not graphmock's own; the control API answers loopback names "
                            "only (add --allowed-host NAME when it runs behind a proxy, see docs/hardening.md)", 403)
    if method not in CHANGING:
        return None
    if headers.get("sec-fetch-site", "").strip().lower() == "cross-site":
        return ControlError("a cross-site request (Sec-Fetch-Site: cross-site) may not change graphmock's state", 403)
    origin = headers.get("origin")
    if origin is not None and not _same_origin(origin, host, config):
        return ControlError(f"Origin {origin[:100]!r} may not change graphmock's state (cross-site request); "
                            "add --allowed-origin ORIGIN to allow it", 403)
    has_body = headers.get("content-length", "0").strip() not in ("", "0") or "transfer-encoding" in headers
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if (method != "DELETE" or has_body) and content_type != "application/json":
        return ControlError(f"a {method} to the control API needs a JSON body ('Content-Type: application/json', "
                            f"got {content_type[:60] or 'none'!r}); this keeps other web pages out", 403)
    return None


def _same_origin(origin: str, host: str | None, config: Any) -> bool:
    origin = origin.strip().lower()
    if origin in tuple(getattr(config, "allowed_origins", ()) or ()):
        return True
    scheme, _, netloc = origin.partition("://")
    if scheme not in ("http", "https") or not netloc:
        return False  # "null" (sandboxed frames, file: pages) and anything odd
    return host is not None and netloc == host.strip().lower()


class ControlGuard:
    """ASGI wrapper applied by the app to every path under /__graphmock/."""

    def __init__(self, app: Any, config: Any) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET")).upper()
        headers = _headers(scope)
        error = refusal(self.config, method, headers)
        if error is None and method in CHANGING:
            try:
                receive = await _buffered(receive, self._timeout())
            except ControlError as exc:
                error = exc
        if error is not None:
            await send_error(send, error)
            return
        if method == "HEAD":
            scope = {**scope, "method": "GET"}
            send = without_body(send)
        await self.app(scope, receive, send)

    def _timeout(self) -> float:
        limits = getattr(self.config, "limits", None)
        return float(getattr(limits, "body_timeout", 10.0))


async def send_error(send: Any, error: ControlError) -> None:
    """The control API's error shape, plus the dashboard's (`ok`, `message`) so its page reads refusals too."""
    body = orjson.dumps({**error.body(), "ok": False, "message": error.message})
    await send({"type": "http.response.start", "status": error.code,
                "headers": [(b"content-type", JSON), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _buffered(receive: Any, timeout: float) -> Any:
    """Read the whole body now (bounded in size and time), then replay it to the endpoint."""
    messages: list[dict[str, Any]] = []
    size = 0
    while True:
        try:
            message = await asyncio.wait_for(receive(), timeout)
        except asyncio.TimeoutError:
            raise ControlError(f"the request body did not arrive within {timeout:g}s", 408) from None
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > MAX_CONTROL_BODY:
            raise ControlError(f"the control API accepts bodies up to {MAX_CONTROL_BODY} bytes", 413)
        if not message.get("more_body"):
            break

    async def replay() -> dict[str, Any]:
        return messages.pop(0) if messages else await receive()
    return replay


def without_body(send: Any) -> Any:
    async def head_send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return head_send


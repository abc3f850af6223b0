"""Plain requests read without the HTTP parser's callbacks.

uvicorn's httptools protocol hears every request through Python callbacks (message begin, URL, each header,
headers complete, body, message complete) and builds a RequestResponseCycle with an asyncio.Event for it: ~8 us
of Python per request before graphmock sees it, paid again by every cached read. Nearly every Graph call is
plain: one read holding exactly one GET, POST or DELETE, HTTP/1.1, a `Content-Length` body or none, a few
ordinary headers. `parse_plain` reads such a request in a few string operations and builds the scope uvicorn
would build (same keys, header names lower-cased, values without trailing whitespace, the path percent-decoded);
`PlainRequests` answers it as a direct call (wire/direct.py).

It accepts a strict subset of what the parser accepts: visible ASCII only, CRLF line ends, token header
names, no `Transfer-Encoding`, `Expect`, `Upgrade`, repeated `Content-Length` or proxy headers, no bytes after the
body. Anything else, and every read while the parser is inside a message or an answer is in flight, goes to
uvicorn's parser exactly as before, as does a call the app does not answer directly (HEAD, the control API,
an active fault, multipart).
"""

from __future__ import annotations

import contextvars
import re
from typing import Any
from urllib.parse import unquote

from mock_server.wire.memo import Memo

_METHODS = {b"GET": "GET", b"POST": "POST", b"DELETE": "DELETE"}
_TARGET = re.compile(rb"/[\x21-\x22\x24-\x7e]*")  # origin-form, visible ASCII, no fragment
_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"  # RFC 9110 token
_LINES = re.compile(rb"(?:" + _TOKEN + rb":[\x20-\x7e\t]*\r\n){0,64}")  # no control characters, no obs-text
_HEADER = re.compile(rb"(" + _TOKEN + rb"):[ \t]*([\x20-\x7e\t]*)\r\n")  # name, value without leading OWS
_SPECIAL = frozenset((b"content-length", b"connection", b"transfer-encoding", b"expect", b"upgrade", b"te",
                      b"trailer", b"proxy-connection"))  # llhttp reads Proxy-Connection as Connection: the parser's


class Plain:
    """One parsed request: what the scope needs, its body and whether the connection stays open."""

    __slots__ = ("method", "target", "headers", "body", "keep_alive")

    def __init__(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
                 keep_alive: bool) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.keep_alive = keep_alive


def parse_plain(data: bytes, proxy_headers: bool = False) -> Plain | None:
    """The request `data` holds exactly, or None when it is not plain (the parser then reads it)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    key = (data[:end + 2], proxy_headers)  # the request line and the header lines
    head = _HEADS.get(key)
    if head is None:
        head = _head(data, end, proxy_headers)
        if head is None:
            return None
        if end < _HEAD_LIMIT:
            _HEADS.keep(key, head)
    method, target, headers, length, keep_alive = head
    body = data[end + 4:]
    if len(body) != (length or 0):  # a body still to come, or the next request already here: the parser's
        return None
    return Plain(method, target, list(headers), body, keep_alive)


_Head = tuple[str, bytes, tuple[tuple[bytes, bytes], ...], "int | None", bool]
# A client repeats its request head byte for byte (the same target, headers and body length: every create of one
# shape), so each head read plain is kept (bounded) and the next identical one skips the regular expressions that
# check the target and the header lines (~2 % of a create ad set's instructions, `bench_instructions.py`).
_HEADS = Memo(256)  # (head bytes, proxy_headers) -> _Head
_HEAD_LIMIT = 4096  # bytes: a longer head is read every time (memory stays bounded)


def _head(data: bytes, end: int, proxy_headers: bool) -> _Head | None:
    """The request line and headers of a plain request (`end`: where its head ends), or None."""
    line_end = data.find(b"\r\n")
    request_line = data[:line_end].split(b" ")
    if len(request_line) != 3 or request_line[2] != b"HTTP/1.1":
        return None
    method = _METHODS.get(request_line[0])
    target = request_line[1]
    block = data[line_end + 2:end + 2]  # the header lines, each with its CRLF
    if method is None or not _TARGET.fullmatch(target) or not _LINES.fullmatch(block):
        return None
    if proxy_headers and b"x-forwarded-" in block.lower():
        return None  # uvicorn's proxy middleware rewrites the scope for these
    headers = tuple((name.lower(), value.rstrip(b" \t")) for name, value in _HEADER.findall(block))
    length: int | None = None
    keep_alive = True
    for name, value in headers:
        if name not in _SPECIAL:
            continue
        if name == b"content-length":
            if length is not None or not value.isdigit() or len(value) > 15:
                return None
            length = int(value)
        elif name == b"connection" and value.lower() in (b"close", b"keep-alive"):
            keep_alive = keep_alive and value.lower() == b"keep-alive"  # any `close` closes (llhttp's flags add up)
        else:
            return None
    return method, target, headers, length, keep_alive


class _Cycle:
    """What uvicorn's protocol and `DirectCalls._send` read of a request's cycle, for a plain request answered."""

    __slots__ = ("scope", "keep_alive", "default_headers", "response_started", "response_complete", "disconnected",
                 "message_event")

    def __init__(self, scope: dict[str, Any], keep_alive: bool, default_headers: list[tuple[bytes, bytes]]) -> None:
        self.scope = scope
        self.keep_alive = keep_alive
        self.default_headers = default_headers
        self.response_started = self.response_complete = False
        self.disconnected = False
        self.message_event = _NoEvent


class _NoEvent:
    """connection_lost sets the cycle's event: nobody waits on a plain request's."""

    @staticmethod
    def set() -> None:
        pass


class PlainRequests:
    """A mixin for `graphmock serve`'s protocol (before `DirectCalls`): plain requests skip the parser."""

    _parser_idle = True  # the parser is between messages (no head or body of one half read)
    plain_requests = True  # False: every request goes through the parser (tests compare the two)

    def on_message_begin(self) -> None:
        self._parser_idle = False
        super().on_message_begin()  # type: ignore[misc]

    def on_message_complete(self) -> None:
        self._parser_idle = True
        super().on_message_complete()  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        direct = self._direct  # type: ignore[attr-defined]
        if direct is not None and self._parser_idle and self.plain_requests and self._idle_for_plain():
            plain = parse_plain(data, self.config.proxy_headers)  # type: ignore[attr-defined]
            if plain is not None and self._answer_plain(direct, plain):
                return
        super().data_received(data)  # type: ignore[misc]

    def _idle_for_plain(self) -> bool:
        """No answer in flight, nothing queued behind one, nothing held, the client reading its answers."""
        cycle = self.cycle  # type: ignore[attr-defined]
        return ((cycle is None or cycle.response_complete) and not self.pipeline  # type: ignore[attr-defined]
                and self.limit_concurrency is None  # type: ignore[attr-defined]  # uvicorn's 503s: the parser path
                and self._held is None and not self.flow.write_paused  # type: ignore[attr-defined]
                and not self.transport.is_closing())  # type: ignore[attr-defined]

    def _answer_plain(self, direct: Any, plain: Plain) -> bool:
        """Answer `plain` as a direct call; False (nothing done) when the app does not answer it directly."""
        target = plain.target
        path_end = target.find(b"?")
        raw_path, query = (target, b"") if path_end < 0 else (target[:path_end], target[path_end + 1:])
        path = raw_path.decode("ascii")
        if "%" in path:
            path = unquote(path)
        root = self.root_path  # type: ignore[attr-defined]
        scope = {"type": "http", "asgi": {"version": self.asgi_version, "spec_version": "2.3"},  # type: ignore[attr-defined]
                 "http_version": "1.1", "server": self.server, "client": self.client,  # type: ignore[attr-defined]
                 "scheme": self.scheme, "root_path": root, "headers": plain.headers,  # type: ignore[attr-defined]
                 "state": self.app_state.copy(), "method": plain.method, "path": root + path,  # type: ignore[attr-defined]
                 "raw_path": root.encode("ascii") + raw_path, "query_string": query}
        context = contextvars.Context() if getattr(self.config, "reset_contextvars", False) else contextvars.copy_context()  # type: ignore[attr-defined]
        response = self._call_direct(context, direct, scope, plain.body)  # type: ignore[attr-defined]
        if response is None:
            return False
        self._unset_keepalive_if_required()  # type: ignore[attr-defined]
        cycle = self.cycle = _Cycle(scope, plain.keep_alive, self.server_state.default_headers)  # type: ignore[attr-defined]
        self._send(cycle, response, context)  # type: ignore[attr-defined]
        return True

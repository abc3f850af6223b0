"""One write per answer: the response head is held until its body follows, then both go out in one send.

uvicorn writes an HTTP response in two `transport.write` calls (the head on `http.response.start`, the body on
`http.response.body`); on a TCP_NODELAY socket that is two system calls and two packets, and the client wakes
for each. `CorkedTransport` sits between uvicorn's protocol and the real transport: a head (`HTTP/1.1 ...`
ending in a blank line) is kept until the next write, a close, or the end of the response (`flush`, called by
the protocol when uvicorn reports the response complete: a HEAD answer has no body write). An interim
`100 Continue` is never held: the client waits for it before sending its body.
"""

from __future__ import annotations

import asyncio
from typing import Any

_HEAD_END = b"\r\n\r\n"
_MERGE_LIMIT = 64 * 1024


class CorkedTransport:
    """A transport proxy that merges each response head with what follows it."""

    __slots__ = ("_transport", "_head")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            if len(data) > _MERGE_LIMIT:  # a big body: two sends cost less than copying it behind its head
                self._transport.write(head)
                self._transport.write(data)
            else:
                self._transport.write(head + data)
        elif data.endswith(_HEAD_END) and data.startswith(b"HTTP/1.1 ") and not data.startswith(b"HTTP/1.1 100 "):
            self._head = data
        else:
            self._transport.write(data)

    def flush(self) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    # what uvicorn calls on every request, passed straight through (__getattr__ would cost a failed lookup each)
    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, set_protocol, ...: the real transport's
        return getattr(self._transport, name)

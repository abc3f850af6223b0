"""In-memory transports for feeding graphmock's HTTP protocol class bytes and reading what it writes."""

from __future__ import annotations

from typing import Any


class FakeTransport:
    """A transport that records each write and whether it was closed."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


class ServerSideTransport(FakeTransport):
    """What uvicorn's protocol needs of a transport, recording each write (one write = one send)."""

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    @property
    def data(self) -> bytes:
        """Everything written so far, as one byte string."""
        return b"".join(self.writes)

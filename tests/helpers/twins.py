"""Two in-process servers on one store, as two `graphmock serve` processes (or two workers of one world) share a
SQLite file or a PostgreSQL database: what one writes, the other must read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient


@contextmanager
def twin_clients(**config: Any) -> Iterator[tuple[InProcessClient, InProcessClient]]:
    """Two servers of the same settings (`db` names the shared store), each with a ServerConfig of its own (a reset
    writes its seed into its own server's config); both closed whatever the test did, the first also when the
    second fails to start."""
    first = InProcessClient(ServerConfig(**config))
    try:
        second = InProcessClient(ServerConfig(**config))
    except BaseException:
        first.close()
        raise
    try:
        yield first, second
    finally:
        first.close()
        second.close()

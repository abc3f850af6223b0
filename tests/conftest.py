"""Shared fixtures: a fresh in-process graphmock per test, and the demo world's ids."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

# the suite's dates are fixed: the version table is read on the day these tests were written (v25.0-v27.0 served)
os.environ.setdefault("GRAPHMOCK_AS_OF", "2026-12-05")

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture
def client() -> Iterator[InProcessClient]:
    """A fresh in-memory server with the demo fixtures and deterministic ids."""
    c = InProcessClient(ServerConfig(seed=7))
    yield c
    c.close()


@pytest.fixture
def young(monkeypatch: pytest.MonkeyPatch) -> None:
    """A group-commit store's group stays young whatever the machine's load (a loaded CI can spend more than
    2 * GROUP_SECONDS on one create's fsync): neither the age check at a request's start nor the timer commits it
    while a test looks at what the open group holds."""
    import mock_server.store.sqlite_group as sqlite_group

    monkeypatch.setattr(sqlite_group, "GROUP_SECONDS", 3600.0)


@pytest.fixture
def world(client: InProcessClient) -> dict[str, Any]:
    return client.world


@pytest.fixture
def act(world: dict[str, Any]) -> str:
    return world["ad_account_id"]


from helpers.pg_fixtures import (  # noqa: E402,F401 - the store suites run on SQLite and PostgreSQL
    backend, backend_client, db_target, new_store, pg_url, postgres_cluster)

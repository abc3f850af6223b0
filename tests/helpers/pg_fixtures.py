"""pytest fixtures for the PostgreSQL store: one throwaway cluster per session, one schema per test.

The cluster comes from Debian's binaries (`.ci/run` installs the `postgresql` package when they are missing).
Without them the PostgreSQL tests skip on a developer machine and FAIL in CI (env CI set): a missing server
there must not pass silently.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from helpers.postgres import PostgresCluster, binaries
from mock_server.store.sqlite import ID_BASE, SQLiteRepository

_schemas = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    bin_dir = binaries()
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        bin_dir = None
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("CI: PostgreSQL binaries (/usr/lib/postgresql/*/bin) or psycopg missing; .ci/run installs them")
        pytest.skip("PostgreSQL binaries or psycopg not installed (apt-get install postgresql; pip install '.[test]')")
    cluster = PostgresCluster(bin_dir).start()
    cluster.database = cluster.create_database()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(postgres_cluster: PostgresCluster) -> str:
    """A URL to an empty graphmock store of its own: a fresh schema (search_path), much cheaper than a database."""
    return fresh_schema_url(postgres_cluster)


def fresh_schema_url(cluster: PostgresCluster) -> str:
    import psycopg

    name = f"s{next(_schemas)}"
    url = cluster.url(cluster.database)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{url}?options=-csearch_path%3D{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_store(backend: str, request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    """`new_store()` -> an empty repository of the test's backend. PostgreSQL reuses one schema per test and
    empties it for each call (a Hypothesis example each), like a new :memory: database."""
    opened: list[Any] = []
    if backend == "sqlite":
        def fresh() -> Any:
            opened.append(SQLiteRepository(":memory:"))
            return opened[-1]
    else:
        from mock_server.store.postgres import PostgresRepository

        url = fresh_schema_url(request.getfixturevalue("postgres_cluster"))
        store = PostgresRepository(url)
        opened.append(store)

        def fresh() -> Any:
            store.clear()
            store.set_id_floor(ID_BASE)
            return store
    yield fresh
    for store in opened:
        store.close()


@pytest.fixture
def db_target(backend: str, request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A `--db` value for a server of the test's backend: a SQLite file, or a fresh PostgreSQL schema URL."""
    if backend == "sqlite":
        return str(tmp_path / "graph.sqlite3")
    return fresh_schema_url(request.getfixturevalue("postgres_cluster"))


@pytest.fixture
def backend_client(backend: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The `client` fixture's server (demo fixtures, seed 7) on the test's backend: :memory: or PostgreSQL."""
    from mock_server.config import ServerConfig
    from mock_server.testing import InProcessClient

    db = ":memory:" if backend == "sqlite" else fresh_schema_url(request.getfixturevalue("postgres_cluster"))
    client = InProcessClient(ServerConfig(seed=7, db=db))
    yield client
    client.close()

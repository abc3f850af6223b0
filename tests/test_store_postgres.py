"""PostgreSQL's own part of the store contract (the shared part is test_store.py, run on both backends):
lists read index ranges, the schema is created and migrated once whoever starts first, ids never collide
across servers, SQLite needs nothing of it, and the password is never printed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

import pytest

from mock_server.store import masked, open_repository
from mock_server.store.postgres_schema import MIGRATIONS
from mock_server.store.repository import ListQuery, Record

STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED")


def _plan_nodes(plan: dict[str, Any]) -> list[str]:
    return [plan["Node Type"], *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


@pytest.mark.parametrize("scope", [{}, {"campaign_id": 1}, {"adset_id": 11}])
@pytest.mark.parametrize("statuses", [None, ["ACTIVE"], ["ACTIVE", "PAUSED"]])
def test_every_list_reads_status_index_ranges_never_the_whole_table(pg_url, scope, statuses):
    """Like SQLite (test_store.py): each page seeks one (scope, status, id) index range per status, in id
    order: no sequential scan, and no sort at all (several ranges are merged, MergeAppend)."""
    store = open_repository(pg_url)
    store.insert_many([Record(id=i, type="Ad", account_id=str(1 + i % 3), status=STATUSES[i % 4], data={"n": i},
                              campaign_id=1 + i % 5, adset_id=11 + i % 7) for i in range(1, 6001)])
    conn = store._conn()
    conn.execute("ANALYZE graphmock_objects")
    statements: list[tuple[str, Any]] = []
    execute = store._execute
    store._execute = lambda sql, args=(): statements.append((sql, args)) or execute(sql, args)  # type: ignore[method-assign]
    store.page(ListQuery("Ad", account_id="1", statuses=statuses, **scope), after=3000, before=None, limit=5)
    store.page(ListQuery("Ad", account_id="1", statuses=statuses, predicate=lambda r: True, **scope),
               after=None, before=None, limit=5)
    store._execute = execute  # type: ignore[method-assign]
    pages = [(sql, args) for sql, args in statements if "ORDER BY id" in sql or "RECURSIVE" in sql]
    assert pages
    for sql, args in pages:
        plan = conn.execute("EXPLAIN (FORMAT JSON) " + sql, args).fetchone()[0]
        nodes = _plan_nodes((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
        assert "Seq Scan" not in nodes and "Bitmap Heap Scan" not in nodes, (sql, nodes)
        assert "Sort" not in nodes, (sql, nodes)
    store.close()


def test_servers_starting_together_create_the_schema_once_and_share_it(pg_url):
    stores: list[Any] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            stores.append(open_repository(pg_url))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(stores) == 4
    with stores[0].transaction():
        stores[0].insert(Record(id=5, type="Campaign", account_id="1", status="ACTIVE", data={"b": 1, "a": 2}))
    stores[1].set_meta("shared", {"by": 1})
    assert stores[3].get(5).data == {"b": 1, "a": 2} and list(stores[3].get(5).data) == ["b", "a"]  # key order kept
    assert stores[2].get_meta("shared") == {"by": 1}
    applied = stores[0]._conn().execute("SELECT count(*), count(DISTINCT version) FROM graphmock_schema").fetchone()
    assert tuple(applied) == (len(MIGRATIONS), len(MIGRATIONS))  # each migration applied once
    for store in stores:
        store.close()


def test_a_database_from_a_newer_graphmock_is_refused(pg_url):
    store = open_repository(pg_url)
    store._conn().execute("INSERT INTO graphmock_schema (version) VALUES (999)")
    store.close()
    with pytest.raises(RuntimeError, match="upgrade graphmock"):
        open_repository(pg_url)


def test_ids_allocated_by_several_servers_at_once_never_collide(pg_url):
    """Each create takes max(max id, floor) + 1 under a lock held until its COMMIT: four stores creating in
    parallel threads get distinct, dense ids and every insert lands."""
    stores = [open_repository(pg_url) for _ in range(4)]
    got: list[list[int]] = [[] for _ in stores]

    def create(n: int) -> None:
        for _ in range(25):
            with stores[n].transaction():
                record_id = stores[n].next_id()
                stores[n].insert(Record(id=record_id, type="Campaign", account_id="1", status="ACTIVE", data={}))
            got[n].append(record_id)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(i for ids in got for i in ids)
    assert len(set(every)) == 100 and every == list(range(every[0], every[0] + 100))
    assert stores[0].count(ListQuery("Campaign", account_id="1")) == 100
    for store in stores:
        store.close()


def test_the_password_is_masked_wherever_the_url_is_printed():
    assert masked("postgresql://team:pa55@db.internal:5432/sandbox") == "postgresql://team:***@db.internal:5432/sandbox"
    assert masked("postgres://db/sandbox?sslmode=require&password=pa55") == "postgres://db/sandbox?sslmode=require&password=***"
    assert masked("postgresql://team@db/sandbox") == "postgresql://team@db/sandbox"
    assert masked("graphmock.sqlite3") == "graphmock.sqlite3"


def test_sqlite_never_imports_psycopg():
    """SQLite stays the default and needs nothing of PostgreSQL: psycopg is imported only for a URL."""
    code = ("import sys; from mock_server.testing import InProcessClient; from mock_server.config import ServerConfig; "
            "c = InProcessClient(ServerConfig()); c.close(); print('psycopg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_postgres_url_without_psycopg_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "mock_server.store.postgres", raising=False)
    with pytest.raises(RuntimeError, match=r"graphmock\[postgres\]"):
        open_repository("postgresql://u:p@127.0.0.1:1/x")


def test_a_server_that_cannot_open_its_store_says_why_without_the_password(postgres_cluster):
    from helpers.postgres import PASSWORD

    url = postgres_cluster.url(postgres_cluster.database).replace(PASSWORD, "not-the-" + PASSWORD)
    out = subprocess.run([sys.executable, "-m", "mock_server", "serve", "--port", "1", "--db", url],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "password authentication failed" in out.stderr and "graphmock:***@" in out.stderr, out.stderr
    assert PASSWORD not in out.stdout + out.stderr


def test_the_python_handle_serves_a_postgresql_store_over_http_and_in_process(pg_url):
    """`GraphMock(ServerConfig(db="postgresql://..."))`: the HTTP server thread and the caller's thread each
    use their own connection; both see one store, and close() gives every connection back."""
    import httpx

    from mock_server import GraphMock, ServerConfig

    with GraphMock(ServerConfig(db=pg_url), seed=3) as mock:
        act, token = mock.world["ad_account_id"], mock.world["access_token"]
        created = httpx.post(f"{mock.url}/v25.0/{act}/campaigns", data={
            "name": "over http", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]",
            "access_token": token}).json()["id"]
        assert mock.client().get(created, params={"fields": "name"}).json() == {"name": "over http", "id": created}
        store = mock.state.store
    assert store._pinned == [] and store.pool.closed

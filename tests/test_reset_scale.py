"""Reset in constant time on a file store (issue 18 point 2): a reset swaps the objects table for an empty one
instead of deleting rows, and a per-account reset deletes that account's rows only."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

from mock_server.config import ServerConfig
from mock_server.store.repository import ListQuery
from mock_server.testing import InProcessClient


def _load_generator():  # fixtures/generator.py sits beside the package, not in it: load it by path (no sys.path edit)
    spec = importlib.util.spec_from_file_location("graphmock_fixture_generator",
                                                  Path(__file__).resolve().parents[1] / "fixtures" / "generator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bulk_campaigns = _load_generator().bulk_campaigns


def _statements(store, action) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        store.conn.set_trace_callback(None)
    return seen


def test_reset_at_100k_objects_leaves_an_empty_working_store_without_deleting_rows(tmp_path):
    client = InProcessClient(ServerConfig(db=str(tmp_path / "big.sqlite3"), seed=3))
    try:
        state, act = client.state, client.world["ad_account_id"]
        assert bulk_campaigns(state, 100_000, chunk=20_000) == 100_000  # above _SWAP_ABOVE: the table swap
        started = time.perf_counter()
        statements = _statements(state.store, state.reset)
        elapsed = time.perf_counter() - started
        assert not [s for s in statements if s.upper().startswith("DELETE FROM OBJECTS")], statements
        assert elapsed < 1.0  # was 0.58 s on a quiet machine before the swap; now a few ms at any size
        fixture_assets = len(state.world.document.get("videos", [])) + len(state.world.document.get("saved_audiences", []))
        assert state.store.object_count() == fixture_assets  # only the fixture video and audiences, stored anew
        assert state.store.count(ListQuery("Campaign", account_id=act.removeprefix("act_"))) == 0
        created = client.post(f"{act}/campaigns", data={"name": "after reset", "objective": "OUTCOME_TRAFFIC",
                                                        "status": "PAUSED", "special_ad_categories": "[]"})
        assert created.status_code == 200, created.text
        listed = client.get(f"{act}/campaigns", params={"fields": "name"}).json()["data"]
        assert [c["name"] for c in listed] == ["after reset"]
        assert state.store.integrity_check() == "ok"
    finally:
        client.close()


def test_a_per_account_reset_deletes_that_accounts_rows_only(tmp_path):
    """docs/shared-sandbox.md: a job's per-account reset leaves every other account alone, in one transaction."""
    client = InProcessClient(ServerConfig(db=str(tmp_path / "two.sqlite3"), seed=3))
    try:
        state = client.state
        accounts = sorted(state.world.ad_accounts)
        assert len(accounts) >= 2
        bulk_campaigns(state, 300, act=accounts[0])
        bulk_campaigns(state, 200, act=accounts[1])
        statements = _statements(state.store, lambda: state.reset(accounts[0]))
        assert not any("SELECT" in s.upper() and "FROM OBJECTS ORDER BY ID" in s.upper() for s in statements)
        begin = next(i for i, s in enumerate(statements) if s.upper().startswith("BEGIN"))
        commit = next(i for i, s in enumerate(statements) if s.upper().startswith("COMMIT"))
        first = statements[begin:commit]  # the rows and the world entry change in one transaction
        assert any(s.upper().startswith("DELETE FROM OBJECTS") for s in first)
        assert any("INTO META" in s.upper() and "'world'" in s for s in first), first
        assert state.store.count(ListQuery("Campaign", account_id=accounts[0].removeprefix("act_"))) == 0
        assert state.store.count(ListQuery("Campaign", account_id=accounts[1].removeprefix("act_"))) == 200
    finally:
        client.close()

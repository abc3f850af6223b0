"""Counters that add up across processes (mock_server/shared_counts.py): a fault's `times` holds in the world."""

from __future__ import annotations

from pathlib import Path

from helpers.twins import twin_clients


def test_a_spent_fault_is_not_counted_past_times_inside_a_callers_transaction(tmp_path: Path) -> None:
    """An insights POST counts its `job_failed` fault inside its own write transaction: a refused fire (the rule
    already fired `times` elsewhere) must not leave the count above `times` (the listing says `matched: times`)."""
    with twin_clients(seed=7, db=str(tmp_path / "world.sqlite3"), join_shared=True) as (first, second):
        act = first.world["ad_account_id"]
        first.state.faults.add(method="POST", path="act_*/insights", job_failed=True, times=1)
        first.state.shared.publish()
        for client in (first, second, second):
            answer = client.post(f"{act}/insights", data={"fields": "impressions", "date_preset": "last_7d"})
            assert answer.status_code == 200, answer.text
        listing = second.get("/__graphmock/faults", token=None).json()["data"]
        assert [rule["matched"] for rule in listing] == [1]
        assert list(second.state.store.meta_items("fault_fired:").values()) == [1]

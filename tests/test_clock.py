"""The virtual clock (issue 4 point 4): real by default; frozen, set and advanced over HTTP and Python;
every timestamp graphmock writes and every time comparison uses it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import GraphMock
from mock_server.domain import clock as clock_module
from mock_server.domain.clock import Clock
from test_control_api import CAMPAIGN, assert_control_error

T0 = 1_767_225_600  # 2026-01-01T00:00:00+0000


def test_real_time_by_default(client):
    before = time.time()
    body = client.get("/__graphmock/clock").json()
    assert body["frozen"] is False and body["offset"] == 0.0
    assert before - 1 <= body["now"] <= time.time() + 1


def test_freeze_set_advance_over_http(client):
    frozen = client.post("/__graphmock/clock", json={"freeze": True, "at": "2026-01-01T00:00:00+0000"}).json()
    assert frozen == {"now": T0, "now_iso": "2026-01-01T00:00:00+0000", "frozen": True, "offset": 0.0}
    time.sleep(0.01)
    assert client.get("/__graphmock/clock").json()["now"] == T0  # frozen means frozen
    assert client.post("/__graphmock/clock", json={"advance": 90}).json()["now_iso"] == "2026-01-01T00:01:30+0000"
    assert client.post("/__graphmock/clock", json={"advance": "-30"}).json()["now"] == T0 + 60
    assert client.post("/__graphmock/clock", json={"at": 1_800_000_000}).json()["now"] == 1_800_000_000
    assert client.post("/__graphmock/clock", json={"at": "2026-01-01 00:00:00 PDT"}).json()["now"] == T0 + 7 * 3600


def test_unfreeze_runs_on_from_the_frozen_instant(client):
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    running = client.post("/__graphmock/clock", json={"freeze": False}).json()
    assert running["frozen"] is False and abs(running["now"] - T0) < 1
    time.sleep(0.02)
    later = client.get("/__graphmock/clock").json()["now"]
    assert T0 < later < T0 + 5


def test_set_while_running_keeps_running(client):
    body = client.post("/__graphmock/clock", json={"at": T0}).json()
    assert body["frozen"] is False and abs(body["now"] - T0) < 1
    assert abs(body["offset"] - (T0 - time.time())) < 5


def test_clock_input_errors(client):
    assert_control_error(client.post("/__graphmock/clock", json={}), 400, "nothing to do")
    assert_control_error(client.post("/__graphmock/clock", json={"freeze": "yes"}), 400, "freeze must be true or false")
    assert_control_error(client.post("/__graphmock/clock", json={"at": "next tuesday"}), 400, "at must be UNIX seconds or a datetime")
    assert_control_error(client.post("/__graphmock/clock", json={"at": -5}), 400, "at must be UNIX seconds")
    assert_control_error(client.post("/__graphmock/clock", json={"advance": "soon"}), 400, "advance must be a number")
    assert_control_error(client.post("/__graphmock/clock", json={"advance": True}), 400, "advance must be a number")
    assert client.get("/__graphmock/clock").json()["frozen"] is False  # nothing applied


def test_written_timestamps_come_from_the_virtual_clock(client, act):
    """created_time / updated_time are written from the virtual clock, not the host's."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    campaign = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
    client.post("/__graphmock/clock", json={"advance": 3600})
    assert client.post(campaign, data={"name": "renamed"}).json() == {"success": True}
    body = client.get(campaign, params={"fields": "created_time,updated_time"}).json()
    assert body == {"created_time": "2025-12-31T16:00:00-0800", "updated_time": "2025-12-31T17:00:00-0800",
                    "id": campaign}  # the account zone, America/Los_Angeles (issue 17)


def test_is_completed_compares_with_the_virtual_clock(client, act):
    """GET /act/campaigns?is_completed=true lists campaigns whose stop_time has passed on the virtual clock."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": T0})
    campaign = client.post(f"{act}/campaigns", data={**CAMPAIGN, "stop_time": str(T0 + 3600)}).json()["id"]
    ids = lambda: [c["id"] for c in client.get(f"{act}/campaigns", params={"is_completed": "true"}).json()["data"]]  # noqa: E731
    assert ids() == []
    client.post("/__graphmock/clock", json={"advance": 3601})
    assert ids() == [campaign]


def test_python_handle_clock():
    with GraphMock(seed=1) as mock:
        mock.clock.freeze(datetime(2026, 1, 1, tzinfo=timezone.utc))
        assert mock.clock.now() == T0
        mock.clock.advance(timedelta(minutes=5))
        assert mock.clock.state()["now_iso"] == "2026-01-01T00:05:00+0000"
        mock.clock.set("2026-01-02T00:00:00Z")
        assert mock.clock.now() == T0 + 86400
        mock.clock.unfreeze()
        assert mock.clock.state()["frozen"] is False
        assert mock.client().get("/__graphmock/clock").json()["now"] >= T0 + 86400


def test_request_scoped_clock_wins_over_the_default():
    """Read-time code (`clock.now()`) sees the clock of the server handling the request."""
    first, second = Clock(frozen_at=100.0), Clock(frozen_at=200.0)
    previous = clock_module.current()
    clock_module.set_default(second)
    try:
        assert clock_module.now() == 200.0
        with first.active():
            assert clock_module.now() == 100.0
        assert clock_module.now() == 200.0
    finally:
        if previous is not None:
            clock_module.set_default(previous)


OPS = st.one_of(
    st.tuples(st.just("advance"), st.integers(-10**6, 10**6)),
    st.tuples(st.just("at"), st.integers(0, 4_000_000_000)),
)


@settings(max_examples=40)
@given(start=st.integers(0, 4_000_000_000), ops=st.lists(OPS, max_size=12))
def test_frozen_clock_follows_its_model(client, start, ops):
    """Frozen: now is exactly start + advances, reset by every set; over HTTP and after every op."""
    client.post("/__graphmock/clock", json={"freeze": True, "at": start})
    model = start
    for op, value in ops:
        body = client.post("/__graphmock/clock", json={op: value}).json()
        model = model + value if op == "advance" else value
        assert body["now"] == model and body["frozen"] is True
    client.post("/__graphmock/reset")

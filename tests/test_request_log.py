"""The console request log (mock_server/request_log.py): written in batches when nobody watches, line by line on a
terminal, never losing a line (on the flush timer, when the loop shuts down, at exit, or where no loop runs)."""

from __future__ import annotations

import asyncio
import contextvars
import io
import subprocess
import sys
import textwrap
from typing import Any

from mock_server.config import ServerConfig
from mock_server.journal import journal_of
from mock_server.request_log import FLUSH_DELAY, MAX_PENDING, RequestLog, install, line
from mock_server.testing import InProcessClient


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def entries(count: int = 3) -> tuple[list[Any], str]:
    """Journal entries of real requests (one of them rejected), and the act id."""
    client = InProcessClient(ServerConfig(seed=3))
    act = client.world["ad_account_id"]
    client.post(f"{act}/campaigns", data={"name": "no objective"})
    for _ in range(count - 1):
        client.get(act, params={"fields": "name"})
    found = journal_of(client.state).entries()
    client.close()
    return found, act


def test_lines_wait_for_the_flush_timer_then_are_written_together_in_order() -> None:
    found, act = entries()
    stream = io.StringIO()
    log = RequestLog(stream, colour=False, line_by_line=False)

    async def serve() -> str:
        for entry in found:
            log(entry)
        before = stream.getvalue()
        await asyncio.sleep(FLUSH_DELAY * 4)
        return before

    before = asyncio.run(serve())
    assert before == ""  # not one write per request
    written = stream.getvalue().splitlines()
    assert len(written) == 3 and written[0].startswith(f"POST   /v25.0/{act}/campaigns  400 #100  violation(missing_required)")
    assert all(w.startswith(f"GET    /v25.0/{act}  200  ok") for w in written[1:])


def test_pending_lines_are_written_when_the_loop_shuts_down() -> None:
    """uvicorn's loop cancels what is left when the server stops: the flush still happens (a worker process then
    leaves with os._exit, where nothing else would run)."""
    found, _ = entries()
    stream = io.StringIO()
    log = RequestLog(stream, colour=False, line_by_line=False)

    async def serve_and_stop() -> None:
        for entry in found:
            log(entry)

    asyncio.run(serve_and_stop())
    assert len(stream.getvalue().splitlines()) == 3

    async def cancel_at_once() -> None:  # shutdown before the timer even started
        log(found[0])
        assert log._flusher is not None
        log._flusher.cancel()

    asyncio.run(cancel_at_once())
    assert len(stream.getvalue().splitlines()) == 4


def test_a_line_recorded_where_no_loop_runs_is_written_at_once() -> None:
    found, _ = entries(1)
    stream = io.StringIO()
    RequestLog(stream, colour=False, line_by_line=False)(found[0])
    assert "violation(missing_required)" in stream.getvalue()


def test_on_a_terminal_each_line_is_written_as_it_comes_and_coloured() -> None:
    found, _ = entries(2)

    class Journal:
        listeners: list[Any] = []

    stream = Terminal()
    install(Journal(), stream)  # type: ignore[arg-type]

    async def serve() -> None:
        Journal.listeners[0](found[0])
        assert stream.getvalue().count("\n") == 1  # no waiting for a timer
        Journal.listeners[0](found[1])
        assert stream.getvalue().count("\n") == 2

    asyncio.run(serve())
    first, second = stream.getvalue().splitlines()
    assert first.startswith("\033[33m") and second.startswith("\033[32m") and first.endswith("\033[0m")


def test_the_line_is_unchanged_and_masks_a_secret_in_the_path() -> None:
    found, act = entries(1)
    assert line(found[0], now=0.0).startswith(f"POST   /v25.0/{act}/campaigns  400 #100  violation(missing_required)  ")
    request = found[0]._request
    found[0]._request = type(request)(**{**request.__dict__, "path": "/v25.0/x;access_token=S3CRET"})
    assert "S3CRET" not in line(found[0])


def test_lines_still_pending_at_exit_are_written(tmp_path: Any) -> None:
    """A process that ends while lines wait for the timer (its loop never ran again) still writes them."""
    script = textwrap.dedent("""
        import asyncio, sys
        from types import SimpleNamespace
        from mock_server.request_log import install

        class Journal:
            listeners = []

        entry = SimpleNamespace(_body=None, violations=[], status=200, method="GET", path="/v25.0/act_1")
        install(Journal(), sys.stdout)
        loop = asyncio.new_event_loop()

        async def one():
            Journal.listeners[0](entry)
        loop.run_until_complete(one())  # the flush task stays pending: the loop is never run again
        print("exiting", file=sys.stderr)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("GET    /v25.0/act_1  200  ok")


def test_pending_lines_are_bounded_and_a_loop_left_behind_does_not_hold_them() -> None:
    """Memory stays bounded under any load; a flush due on a loop that no longer runs does not keep lines back."""
    found, _ = entries(1)
    stream = io.StringIO()
    log = RequestLog(stream, colour=False, line_by_line=False)
    abandoned = asyncio.new_event_loop()

    async def record(count: int) -> None:
        for _ in range(count):
            log(found[0])

    abandoned.run_until_complete(record(MAX_PENDING + 1))  # its flush task never runs again
    assert len(stream.getvalue().splitlines()) == MAX_PENDING  # written at once when too many waited
    asyncio.run(record(1))  # another loop: schedules its own flush rather than wait for the abandoned one
    assert len(stream.getvalue().splitlines()) == MAX_PENDING + 2
    left = asyncio.all_tasks(abandoned)
    for task in left:
        task.cancel()
    abandoned.run_until_complete(asyncio.gather(*left, return_exceptions=True))
    abandoned.close()


def test_a_batched_line_reads_as_the_line_built_at_once() -> None:
    """Issue 18: a waiting line keeps its entry and time taken, its text built when the batch is written; the text
    is the one `line` builds (accepted, rejected by the contract, refused before any handler ran)."""
    client = InProcessClient(ServerConfig(seed=3))
    act = client.world["ad_account_id"]
    client.post(f"{act}/campaigns", data={"name": "ok", "objective": "OUTCOME_SALES", "status": "PAUSED",
                                          "special_ad_categories": "[]"})
    client.post(f"{act}/campaigns", data={"name": "no objective"})
    client.get(act, params={"fields": "name,not_a_field"})
    client.get(act, params={"fields": "name", "access_token": "not-a-token"})
    found = journal_of(client.state).entries()
    client.close()
    stream = io.StringIO()
    log = RequestLog(stream, colour=False, line_by_line=False)

    async def serve() -> None:
        for entry in found:
            log(entry)

    contextvars.Context().run(asyncio.run, serve())  # no request's start time: every line reads 0.0 ms
    written = stream.getvalue().splitlines()
    assert written == [line(entry, ms=0.0) for entry in found] and len(written) == 4
    assert "violation(missing_required)" in written[1] and "unknown_field" in written[2] and " 400 #190 " in written[3]


def test_lines_for_the_null_device_are_not_worked_out(tmp_path: Any) -> None:
    """`graphmock serve 2>/dev/null`: nobody can read the lines, so none is judged or formatted; a file (CI's
    logs) gets every line."""
    import os

    class Journal:
        def __init__(self) -> None:
            self.listeners: list[Any] = []

    discarded, kept = Journal(), Journal()
    with open(os.devnull, "w") as null, open(tmp_path / "serve.log", "w") as file:
        install(discarded, null)  # type: ignore[arg-type]
        install(kept, file)  # type: ignore[arg-type]
    assert discarded.listeners == [] and len(kept.listeners) == 1


def test_a_repeated_read_logs_the_line_its_first_answer_logged() -> None:
    """A repeated GET (a copy of one kept parse) reuses its first line's text, judged once; a read of another
    URL, an error answer or another world gets its own (issue 18: judging and formatting each line cost ~3 us)."""
    client = InProcessClient(ServerConfig(seed=3))
    act = client.world["ad_account_id"]
    stream = io.StringIO()
    log = install(journal_of(client.state), stream, colour=False)
    try:
        for params in ({"fields": "name"}, {"fields": "name"}, {"fields": "name,bogus"}, {"fields": "name,bogus"},
                       {"fields": "name"}):
            client.get(act, params=params)
        client.get("999999999", params={"fields": "name"})
        log.flush()
    finally:
        client.close()
    starts = [text.rsplit("  ", 1)[0] for text in stream.getvalue().splitlines()]
    ok, bad = f"GET    /v25.0/{act}  200  ok", f"GET    /v25.0/{act}  400 #100  violation(unknown_field)"
    assert starts == [ok, ok, bad, bad, ok, "GET    /v25.0/999999999  400 #100  violation(rule_broken)"], starts
    assert len(log._starts) == 1  # kept for the one parse that answered 200 (the others were judged each time)

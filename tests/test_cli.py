"""`graphmock serve` and `graphmock fixtures` as a user runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mock_server.cli import main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fixtures_prints_the_demo_world_as_json(capsys):
    assert main(["fixtures"]) == 0
    world = json.loads(capsys.readouterr().out)
    for key in ("ad_account_id", "access_token", "page_id", "instagram_user_id", "app_id"):
        assert world[key], key
    assert world["ad_account_id"].startswith("act_")


def test_fixtures_piped_into_a_reader_that_stops_early_prints_no_traceback():
    """`graphmock fixtures | head -c 20` is how scripts peek at the world: a reader that left is not an error.
    The pipe's read end is closed before the CLI (still importing) writes, so the write always hits EPIPE."""
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "fixtures"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == ""


def test_serve_on_a_file_prints_the_store_and_keeps_writes_across_restarts(tmp_path: Path):
    """Default store is a SQLite file whose path is printed; a restart serves what was acknowledged; the
    headers are Graph's (no `server: uvicorn`)."""
    db = tmp_path / "graph.sqlite3"
    port = _free_port()
    world = json.loads(subprocess.run([sys.executable, "-m", "mock_server", "fixtures"], capture_output=True,
                                      text=True, check=True).stdout)
    base = f"http://127.0.0.1:{port}/v25.0"

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--db", str(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/{world['ad_account_id']}", params={"access_token": world["access_token"]}).status_code == 200:
                    return proc
            except httpx.TransportError:
                time.sleep(0.05)
        proc.kill()
        raise AssertionError(proc.communicate()[0])

    proc = start()
    try:
        response = httpx.post(f"{base}/{world['ad_account_id']}/campaigns", data={
            "name": "survives", "objective": "OUTCOME_ENGAGEMENT", "special_ad_categories": "[]",
            "access_token": world["access_token"]})
        created = response.json()
        # Graph's headers: a Date, the api version, no `server: uvicorn`
        assert "date" in response.headers and "server" not in response.headers
        assert response.headers["facebook-api-version"] == "v25.0"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert str(db) in output
    proc = start()
    try:
        body = httpx.get(f"{base}/{created['id']}", params={"fields": "name", "access_token": world["access_token"]}).json()
        assert body == {"name": "survives", "id": created["id"]}
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_serve_rejects_a_bad_versions_flag(capsys):
    assert main(["serve", "--versions", "25"]) == 2
    assert "not a Graph version" in capsys.readouterr().err

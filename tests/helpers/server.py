"""Run a real graphmock server in a subprocess (`python -m mock_server serve`) for tests that need sockets.

Used by the concurrency and crash-safety tests; reusable by any test that must see
uvicorn, real connections, or a process that can be killed. The server binds
127.0.0.1 on a free port and is ready when a Graph GET answers 200.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

from mock_server.resources import default_fixtures_file


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_world() -> dict[str, Any]:
    """The ids and token of the shipped demo fixtures (`graphmock fixtures`), asked once per test session."""
    return copy.deepcopy(_demo_world())


@functools.lru_cache(maxsize=1)
def _demo_world() -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "mock_server", "fixtures"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class ServerProcess:
    """`graphmock serve --db <db> --port <free>` as a child process; a context manager that stops it."""

    def __init__(self, db: str | Path, *, port: int | None = None, seed: int | None = None,
                 extra_args: list[str] | None = None, version: str = "v25.0",
                 fixtures: dict[str, Any] | None = None, workdir: Path | None = None) -> None:
        """`fixtures` is merged over the demo world's top level (e.g. `{"rate_limits": "off"}` for load tests).
        `workdir` holds the log and fixtures file when `db` is not a file (a postgresql:// URL)."""
        self.db = str(db)
        self.port = port or free_port()
        self.seed = seed
        self.extra_args = extra_args or []
        self.version = version
        self.proc: subprocess.Popen[bytes] | None = None
        self.world = demo_world()
        base = str(workdir / "server") if workdir else self.db
        self.log_path = Path(base + f".{self.port}.log") if base != ":memory:" else None
        if fixtures:
            document = {**json.loads(default_fixtures_file().read_text(encoding="utf-8")), **fixtures}
            path = Path(base + ".fixtures.json") if base != ":memory:" else Path(f"/tmp/graphmock-{self.port}.json")
            path.write_text(json.dumps(document), encoding="utf-8")
            self.extra_args = [*self.extra_args, "--fixtures", str(path)]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return str(self.world["access_token"])

    @property
    def act(self) -> str:
        return str(self.world["ad_account_id"])

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        """Start the process and wait until it serves; raises with the server's output if it does not."""
        args = [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--db", self.db, *self.extra_args]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        probe = self.url(f"{self.act}?access_token={self.token}")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"graphmock exited with {self.proc.returncode}: {self.output()}")
            try:
                with urlopen(probe, timeout=1) as response:
                    if response.status == 200:
                        return self
            except (URLError, HTTPError, ConnectionError, OSError):
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"graphmock did not answer within {timeout}s: {self.output()}")

    def output(self) -> str:
        """The banner (head) and the latest lines (tail): a request log would otherwise push the banner out."""
        text = self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""
        return text if len(text) <= 6000 else f"{text[:2000]}\n...\n{text[-4000:]}"

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush; what survives is what was committed."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's initdb/pg_ctl, a temp dir, a free port.

PostgreSQL refuses to run as root, so under root (CI) the cluster runs as the `postgres` user that
Debian's package creates (`runuser -u postgres`); its files live in a temp dir that user owns. The
superuser `graphmock` has a password (scram over TCP) so tests can check it never leaks; the socket
directory is the data dir, for benchmarks that want the local socket.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from helpers.server import free_port

USER = "graphmock"
PASSWORD = "pg-Secret-7f3a"  # tests assert it never reaches a banner, a log or the journal


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin dir (Debian layout), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="graphmock-pg-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        self._databases = 0
        self.database = "postgres"  # the database the test fixtures make schemas in
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, cwd=self.root)

    def start(self) -> PostgresCluster:
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD)
        if self.as_user:
            shutil.chown(pwfile, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
                  "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
        pwfile.unlink()
        # Tests kill graphmock servers, never PostgreSQL: fsync buys nothing here and costs every commit.
        options = (f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"), "-o", options,
                  "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", *, socket: bool = False) -> str:
        if socket:
            return f"postgresql://{USER}@/{database}?host={self.data}&port={self.port}"
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its name (cheap: a file copy of template0)."""
        import psycopg

        self._databases += 1
        name = f"t{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY file_copy')
        return name

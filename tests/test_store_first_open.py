"""Several processes opening one brand-new SQLite file at the same instant (pytest-xdist workers starting graphmock
on one path, say): every one of them opens it and writes. SQLite answers the switch to WAL with "database is
locked" at once, without waiting (store/sqlite.py `_enable_wal` retries), and the indexes are created under the
write lock (store/sqlite_schema.py), where two check-then-create runs used to collide ("index ... already exists")."""

from __future__ import annotations

import subprocess
import sys
import time

from mock_server.store.sqlite import SQLiteRepository

_OPEN_AND_WRITE = """
import sys, time
from mock_server.store.repository import Record
from mock_server.store.sqlite import SQLiteRepository
path, who, go = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
while time.time() < go:
    pass
store = SQLiteRepository(path)
with store.transaction():
    store.insert(Record(10_000 + who, "Campaign", "act_1", "ACTIVE", {"name": str(who)}, None, None, None, 1))
store.close()
print("ok")
"""


def test_processes_opening_one_new_file_at_once_all_open_it(tmp_path) -> None:
    script = tmp_path / "open.py"
    script.write_text(_OPEN_AND_WRITE)
    for round_ in range(3):
        path = str(tmp_path / f"new{round_}.sqlite3")
        go = time.time() + 1.0  # every process past its imports, then all at once
        runs = [subprocess.Popen([sys.executable, str(script), path, str(who), str(go)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for who in range(4)]
        results = [run.communicate(timeout=60) for run in runs]
        assert [out.strip() for out, _ in results] == ["ok"] * 4, [err[-300:] for _, err in results]
        store = SQLiteRepository(path)
        try:
            assert sorted(r["id"] for r in store.dump()["objects"]) == [10_000, 10_001, 10_002, 10_003]
        finally:
            store.close()

"""The journal of a shared world: every process's requests in one table of the store.

With `serve --workers N`, or several servers on one PostgreSQL database (docs/shared-sandbox.md), a request
is answered by one process but its journal is read through any of them (`GET /__graphmock/journal`,
`check-client`, the pytest plugin, the dashboard). So each process writes every entry to the store before
the answer is sent, and reads entries back from there, in the store's order (one global `seq`). On a SQLite file
the entry goes to the process's pending file and is numbered when any process reads
(store/sqlite_journal_pending.py); on PostgreSQL it is numbered as it is written.

What goes into the store is final, since another process reads it: judged (the verdict is computed at
once, not lazily as in the in-memory ring), redacted (params, path, error answer and violation messages:
mock_server.redaction; headers other than the user agent are not stored) and trimmed (journal.py's limits on
long values). The table is bounded like the ring, lazily: every 64th append drops the rows beyond `size` entries
and `max_bytes` (the stored JSON's bytes), and every read passes this journal's limits, so it shows exactly the
entries the ring would keep (store/sqlite_journal.py, store/postgres_journal.py). A whole-world reset keeps the
journal, as the ring does;
`DELETE /__graphmock/journal` empties the table for every process.

A lone server on a SQLite file or `:memory:` never comes here (journal_of picks the in-memory ring), so its
requests pay nothing for this. Storage is the repository's `journal_*` methods: on SQLite a sibling file
`<db>.journal.sqlite3` (a journal write must not move the objects file's data_version, which would
invalidate every worker's read cache on every request); on PostgreSQL the `graphmock_journal` table
(postgres_schema.py, migration 2).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson

from mock_server import redaction
from mock_server.journal import Entry, Journal, Judged
from mock_server.verify.verdicts import Violation

log = logging.getLogger("graphmock")
# redaction.text masks `name=value`, `name: value` and `Bearer <token>`: a path with none of = : or a space has
# nothing it would mask, and most paths are like that (/v25.0/act_1/campaigns), so their two substitutions are skipped
_MAY_HIDE = re.compile(r"[=:\s]")


class StoredEntry(Judged):
    """An entry read back from the store: plain fields, already judged and redacted."""

    __slots__ = ("seq", "time", "status", "size", "method", "path", "params", "body_kind", "user_agent",
                 "violations", "answer")

    def __init__(self, seq: int, time: float, document: dict[str, Any], size: int) -> None:
        self.seq = seq
        self.time = time
        self.size = size
        self.status = int(document.get("status") or 0)
        self.method = str(document.get("method") or "")
        self.path = str(document.get("path") or "")
        self.params = document.get("params") or {}
        self.body_kind = str(document.get("body_kind") or "")
        self.user_agent = str(document.get("user_agent") or "")
        self.violations = [_violation(v) for v in document.get("violations") or []]
        self.answer = document.get("answer")


class SharedJournal(Journal):
    """`Journal` whose entries live in the store, shared by every process serving the world."""

    batched = False  # another process may read the journal the moment a client has its answer: kept at once

    def _keep(self, entry: Entry) -> None:
        try:
            document = stored_document(entry)
            entry.seq = self.state.store.journal_append(document, entry.time, self.size, self.max_bytes)
        except Exception:  # noqa: BLE001 - journaling must never break the request it describes
            log.exception("graphmock: could not store journal entry for %s %s", entry.method, entry.path)

    def _since(self, since: int) -> list[Any]:
        return [StoredEntry(seq, time, orjson.loads(data), len(data))
                for seq, time, data in self.state.store.journal_read(since, self.size, self.max_bytes)]

    @property
    def last_seq(self) -> int:
        return int(self.state.store.journal_state(self.size, self.max_bytes)[0])

    @property
    def bytes(self) -> int:
        return int(self.state.store.journal_state(self.size, self.max_bytes)[1])

    def clear(self) -> None:
        self.state.store.journal_clear()


def stored_document(entry: Entry) -> bytes:
    """`entry` as the JSON the store keeps: judged now, every secret redacted."""
    violations = [{**v.to_dict(), "message": redaction.text(v.message)} for v in entry.violations]
    answer = entry.answer
    if isinstance(answer, (dict, list)):
        answer = redaction.error_body(redaction.json_value(answer))
    path = entry.path
    return orjson.dumps({"method": entry.method, "path": redaction.text(path) if _MAY_HIDE.search(path) else path,
                         "params": entry.params,
                         "status": entry.status, "body_kind": entry.body_kind, "user_agent": entry.user_agent,
                         "violations": violations, "answer": answer},
                        default=repr, option=orjson.OPT_NON_STR_KEYS)


def _violation(raw: Any) -> Violation:
    if not isinstance(raw, dict):
        return Violation("journal_error", None, f"unreadable stored violation: {raw!r}", "warning")
    return Violation(str(raw.get("kind") or ""), raw.get("param"), str(raw.get("message") or ""),
                     str(raw.get("severity") or ""))

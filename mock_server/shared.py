"""State a control call changes, shared by every server process on one store (`serve --workers N`, or
several servers on one PostgreSQL database: docs/shared-sandbox.md).

Objects, ids, the world document, fixtures, review overrides and insights profiles already live in the store.
What a process also keeps in memory (the parsed world, the virtual clock, the seed and its id floor, fault
rules) is published to the store's meta under `shared` with a generation token by the process that changed
it, and every process re-reads it before serving a request whenever the store changed since its last look
(`external_version()`: SQLite's data_version, PostgreSQL's change counter `graphmock_changes`): one cheap check per request, one meta
read after another process's commit, a reload only when the generation moved. A control call acknowledged by
one worker is therefore seen by the next request on any worker.
"""

from __future__ import annotations

import uuid
from typing import Any

from mock_server.store import is_postgres_url

KEY = "shared"


class Shared:
    """One process's view of the shared control state."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.enabled = state.config.db != ":memory:"  # a private in-memory store has no other process
        # rate-limit scores live in the store when other processes serve the same world for sure: `--workers`
        # or PostgreSQL (a lone server on a SQLite file keeps them in memory, as before: no write per read)
        self.counts_in_store = bool(state.config.join_shared) or is_postgres_url(state.config.db)
        self._seen: Any = None
        self._generation: str | None = None
        self._resets: str | None = None

    def publish(self, *, reset: str | None | bool = False) -> None:
        """Store this process's clock, seed and faults as the next generation (after a control call changed
        any of them). `reset`: a whole-world (None) or per-account (its id) reset other processes replay."""
        if not self.enabled:
            return
        state, store = self.state, self.state.store
        with store.transaction():
            current = store.get_meta(KEY) or {}
            # unique tokens, not counters: a reset empties the meta table, and a counter starting again at 1
            # would look unchanged to a process that last saw an earlier 1
            generation = uuid.uuid4().hex
            resets = uuid.uuid4().hex if reset is not False else current.get("resets")
            faults = getattr(state, "faults", None)
            limiter = getattr(state, "ratelimits", None)
            store.set_meta(KEY, {
                "rate_limits": limiter.runtime if limiter is not None else None,
                "generation": generation, "resets": resets,
                "reset_account": reset if isinstance(reset, str) else None,
                "clock": {"offset": state.clock.offset, "frozen_at": state.clock.frozen_at},
                "seed": state.config.seed,
                "faults": faults.specs() if faults is not None else []})
        self._generation, self._resets, self._seen = generation, resets, None

    def sync(self) -> None:
        """Catch up with control calls other processes made (cheap when nothing changed)."""
        if not self.enabled:
            return
        store = self.state.store
        version = store.external_version()  # another process's commit is what matters, not this one's writes
        if version == self._seen:
            return
        self._seen = version
        document = store.get_meta(KEY)
        if not document or document.get("generation") == self._generation:
            return
        self._apply(document)

    def _apply(self, document: dict[str, Any]) -> None:
        state = self.state
        if self._generation is not None and document.get("resets") != self._resets:
            account = document.get("reset_account")
            for hook in state.reset_hooks:  # forget local scores (and, for a whole reset, faults) like the caller
                hook(account)
        self._generation, self._resets = document.get("generation"), document.get("resets")
        state.reload_from_store()
        clock = document.get("clock") or {}
        state.clock.offset = float(clock.get("offset") or 0.0)
        state.clock.frozen_at = None if clock.get("frozen_at") is None else float(clock["frozen_at"])
        if document.get("seed") != state.config.seed:
            state.adopt_seed(document.get("seed"))
        faults = getattr(state, "faults", None)
        if faults is not None:
            faults.replace(document.get("faults") or [])
        limiter = getattr(state, "ratelimits", None)
        if limiter is not None and document.get("rate_limits"):
            limiter.runtime = document["rate_limits"]
            limiter._cache.clear()

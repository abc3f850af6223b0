"""The running mock: store, world, clock, contract, and the shared read/list machinery."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_server.config import ServerConfig
from mock_server.contract.registry import SchemaRegistry, default_registry
from mock_server.contract.validate import Contract
from mock_server.domain.clock import Clock
from mock_server.domain.nodes import NodeType, build_node_types
from mock_server.domain.world import AdAccount, World
from mock_server.resources import default_fixtures_file
from mock_server.store.repository import Record
from mock_server.store.sqlite import ID_BASE, SQLiteRepository

WORLD_KEY = "world"


@dataclass
class NodeRef:
    """A resolved path id: a stored record, an ad account, or another fixture object."""

    type: str
    id: str
    account: AdAccount | None = None
    record: Record | None = None
    world: dict[str, Any] | None = None


class TraceIds:
    """fbtrace_id values: random, or a reproducible sequence when the server has a seed."""

    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed) if seed is not None else None

    def next(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        if self._random is None:
            return "A" + secrets.token_urlsafe(16)[:22]
        return "A" + "".join(self._random.choice(alphabet) for _ in range(22))


class State:
    def __init__(self, config: ServerConfig, registry: SchemaRegistry | None = None) -> None:
        self.config = config
        self.registry = registry or default_registry()
        self.contract = Contract(self.registry)
        self.contract.warm()
        self.node_types: dict[str, NodeType] = build_node_types(self.registry)
        self.clock = Clock()
        self.store = SQLiteRepository(config.db, durable=config.durable)
        self.trace = TraceIds(config.seed)
        self._fixtures_document = self._read_fixtures(config.fixtures)
        self.world = self._load_or_init_world()

    # -- world and lifecycle -------------------------------------------------------------
    @staticmethod
    def _read_fixtures(path: Path | None) -> dict[str, Any]:
        with open(path or default_fixtures_file(), encoding="utf-8") as fh:
            return json.load(fh)

    def _id_floor(self) -> int:
        if self.config.seed is not None:
            return ID_BASE + (self.config.seed * 7_919_993 % 10**9) * 1000
        stored = self.store.get_meta("id_floor")
        if stored is None:
            stored = ID_BASE + secrets.randbelow(10**9) * 1000
            with self.store.transaction():
                self.store.set_meta("id_floor", stored)
        return int(stored)

    def _load_or_init_world(self) -> World:
        document = self.store.get_meta(WORLD_KEY)
        if document is None:
            document = self._fixtures_document if self.config.load_fixtures else {}
            with self.store.transaction():
                self.store.set_meta(WORLD_KEY, document)
        self.store.set_id_floor(self._id_floor())
        return World.from_document(document)

    def reset(self, document: dict[str, Any] | None = None) -> None:
        """Back to the fixtures (or `document`): every object, the clock and the id sequence."""
        with self.store.transaction():
            self.store.clear()
            self.store.set_meta(WORLD_KEY, document if document is not None else self._fixtures_document)
            if self.config.seed is None:
                self.store.set_meta("id_floor", self.store._id_floor)
        self.world = World.from_document(self.store.get_meta(WORLD_KEY))
        self.clock.reset()
        self.trace = TraceIds(self.config.seed)

    def new_id(self) -> int:
        return self.store.next_id()

    def now(self) -> float:
        return self.clock.now()

    # -- resolution -----------------------------------------------------------------------
    def account_for(self, record: Record) -> AdAccount | None:
        return self.world.ad_accounts.get(f"act_{record.account_id}")

"""The running mock: store, world, clock, contract, and the shared read/list machinery."""

from __future__ import annotations

import binascii
import json
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_server.config import ServerConfig
from mock_server.contract.registry import SchemaRegistry, default_registry
from mock_server.contract.validate import Contract
from mock_server.domain import clock as clock_module
from mock_server.domain.clock import Clock
from mock_server.domain.review import ReviewPolicy
from mock_server.domain.nodes import NodeType, build_node_types
from mock_server.domain.world import AdAccount, World
from mock_server.read_cache import ReadCache
from mock_server.shared import Shared
from mock_server.resources import default_fixtures_file
from mock_server.store.repository import Record
from mock_server.store import is_postgres_url, open_repository
from mock_server.store.sqlite import ID_BASE
from mock_server.store.observed import ObservedRepository
from mock_server.domain import activities, adlabels, advideos, savedaudiences
from mock_server.wire.limits import ascii_digits

WORLD_KEY = "world"
FIXTURES_KEY = "fixtures"  # set only when fixtures were loaded at runtime (control API / handle)
REVIEW_KEY = "review_policy"
SNAPSHOT_VERSION = 1


@dataclass
class NodeRef:
    """A resolved path id: a stored record, an ad account, or another fixture object."""

    type: str
    id: str
    account: AdAccount | None = None
    record: Record | None = None
    world: dict[str, Any] | None = None


class TraceIds:
    """fbtrace_id values: random, or a reproducible sequence when the server has a seed. `stream` tells apart
    processes serving one world (trace_stream), so seeded workers never answer the same trace id."""

    def __init__(self, seed: int | None, stream: str = "") -> None:
        # Unseeded: a PRNG seeded once from the OS. Trace ids need to be unique, not unguessable, and
        # secrets.token_bytes costs a getrandom() system call per response (~5 % of a create).
        if seed is None:
            self._random = random.Random(secrets.randbits(128))
        else:
            self._random = random.Random(f"{seed} {stream}" if stream else seed)

        self._raw = b""  # random bytes drawn ahead, 16 per id: the same sequence as one draw per id
        self._at = 0

    def next(self) -> str:
        at = self._at
        if at >= len(self._raw):
            self._raw, at = self._random.randbytes(16 * 64), 0
        self._at = at + 16
        return "A" + binascii.b2a_base64(self._raw[at:at + 16], newline=False).translate(_URLSAFE).decode()[:22]


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def trace_stream(config: ServerConfig) -> str:
    """'' for a lone server (the sequence a seed always gave); `worker <i>` for a `--workers` child (reproducible
    per worker); plus a random salt on PostgreSQL, where servers on other hosts may have the same index."""
    parts = [f"worker {config.worker}"] if config.worker is not None else []
    return " ".join(parts + ([f"server {secrets.token_hex(8)}"] if is_postgres_url(config.db) else []))


class State:
    def __init__(self, config: ServerConfig, registry: SchemaRegistry | None = None) -> None:
        self.config = config
        self.registry = registry or default_registry()
        self.contract = Contract(self.registry)
        self.contract.warm()
        self.node_types: dict[str, NodeType] = build_node_types(self.registry)
        self.clock = Clock()
        clock_module.set_default(self.clock)
        ReviewPolicy.from_layers(config.review)  # a bad --review config fails at start, not on the first ad
        recorder = activities.Recorder(self.registry.rules("assets")["activities"], self.now)
        binder = adlabels.Binder(self.now, self.registry.rules("assets")["label"]["per_object"])
        self.store = ObservedRepository(open_repository(config.db, durable=config.durable,
                                                        group_commit=config.group_commit and not config.join_shared), [binder, recorder],
                                        frozenset({"Campaign", "AdSet", "Ad", "AdCreative", "CustomAudience"}))
        self.read_cache = ReadCache(enabled=config.read_cache)
        self.trace_stream = trace_stream(config)
        self.trace = TraceIds(config.seed, self.trace_stream)
        self.reset_hooks: list[Callable[[str | None], None]] = []  # other layers' per-reset cleanup (access)
        self._fixtures_document = self._read_fixtures(config.fixtures)
        self._pristine: World | None = None
        self.fixtures_loaded = False  # True once fixtures came from the control API (kept in the store)
        self._review_overrides: dict[str, Any] = {}
        self.world = self._load_or_init_world()
        self._seed_world_records()
        self.shared = Shared(self)  # clock, seed, faults shared with other processes on this store
        if not config.join_shared:
            self.shared.publish()  # a server's own start-up settings win, as they did before they were shared

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
        loaded = self.store.get_meta(FIXTURES_KEY)  # fixtures loaded over the control API survive a restart
        if loaded is not None:
            self._fixtures_document, self.fixtures_loaded = loaded, True
        document = self.store.get_meta(WORLD_KEY)
        if document is None:
            document = self._fixtures_document if self.config.load_fixtures else {}
            with self.store.transaction():
                self.store.set_meta(WORLD_KEY, document)
        self._review_overrides = self.store.get_meta(REVIEW_KEY) or {}
        self.store.set_id_floor(self._id_floor())
        return World.from_document(document)

    def _pristine_world(self) -> World:
        """The fixtures' World, parsed once: a reset reuses it (World objects are never mutated)."""
        if self._pristine is None:
            self._pristine = World.from_document(self._fixtures_document if self.config.load_fixtures else {})
        return self._pristine

    def reset(self, ad_account_id: str | None = None) -> None:
        """Back to the fixtures: every object, the world, the clock, the id sequence and review overrides.

        With `ad_account_id`, only that account's objects, fixture entry and review override.
        """
        for hook in self.reset_hooks:
            hook(ad_account_id)
        if ad_account_id is not None:
            self._reset_account(ad_account_id)
            self.shared.publish(reset=_act(ad_account_id))
            return
        world = self._pristine_world()
        with self.store.transaction():
            self.store.clear()
            self.store.set_meta(WORLD_KEY, world.document)
            if self.config.seed is None:
                self.store.set_meta("id_floor", self.store._id_floor)
            if self.fixtures_loaded:
                self.store.set_meta(FIXTURES_KEY, self._fixtures_document)
        self.world = world
        self._review_overrides = {}
        self.clock.reset()
        self.trace = TraceIds(self.config.seed, self.trace_stream)
        self._seed_world_records()
        self.shared.publish(reset=None)

    def _reset_account(self, ad_account_id: str) -> None:
        act = _act(ad_account_id)
        pristine = self._pristine_world().ad_accounts.get(act)
        if pristine is None and act not in self.world.ad_accounts:
            raise KeyError(act)
        document = dict(self.world.document)
        accounts = [raw for raw in document.get("ad_accounts", []) if _act(str(raw["id"])) != act]
        document["ad_accounts"] = accounts + ([pristine.raw] if pristine else [])
        overrides = dict(self._review_overrides)
        overrides["accounts"] = {k: v for k, v in overrides.get("accounts", {}).items() if k != act}
        with self.store.transaction():  # one transaction: the account's objects and its world entry change together
            self.store.delete_account(act.removeprefix("act_"))  # that account's rows only: not O(store)
            self.store.set_meta(WORLD_KEY, document)
            self.store.set_meta(REVIEW_KEY, overrides)
        self.world = World.from_document(document)
        self._review_overrides = overrides
        self._seed_world_records()

    def _seed_world_records(self) -> None:
        """Fixture videos and saved audiences become stored records (ACCOUNT-SURFACE 3, 5.3), so they read, list,
        page and obey token reach like uploaded ones. Missing ones only: a restart keeps their changes."""
        now = self.clock.now()
        raws = [(advideos.from_fixture, raw) for raw in self.world.document.get("videos", [])]
        raws += [(savedaudiences.from_fixture, raw) for raw in self.world.document.get("saved_audiences", [])]
        missing = [(build, raw) for build, raw in raws if ascii_digits(str(raw.get("id", "")))
                   and raw.get("ad_account_id") and self.store.get(int(raw["id"])) is None]
        if missing:
            with self.store.transaction():
                for build, raw in missing:
                    self.store.insert(build(raw, now))

    def load_fixtures(self, document: dict[str, Any]) -> None:
        """Make `document` the fixtures (what reset goes back to) and reset to it."""
        world = World.from_document(document)  # raises on a malformed document before anything changes
        for account in world.ad_accounts.values():
            ReviewPolicy.from_layers(self.config.review, document.get("review"), account.raw.get("review"))
        self._fixtures_document, self._pristine = document, world
        self.fixtures_loaded = True
        self.reset()

    def set_seed(self, seed: int | None) -> None:
        """Deterministic ids and trace ids from `seed` (None: random again). Ids already handed out stay."""
        self.adopt_seed(seed)
        self.shared.publish()

    def adopt_seed(self, seed: int | None) -> None:
        """Use `seed` for ids and trace ids in this process (set here, or by another worker: shared.py)."""
        self.config.seed = seed
        self.trace = TraceIds(seed, self.trace_stream)
        self.store.set_id_floor(self._id_floor())

    def reload_from_store(self) -> None:
        """Re-read the world, fixtures and review overrides another process on this store changed."""
        loaded = self.store.get_meta(FIXTURES_KEY)
        if loaded is not None and loaded != self._fixtures_document:
            self._fixtures_document, self._pristine, self.fixtures_loaded = loaded, None, True
        document = self.store.get_meta(WORLD_KEY)
        if document is not None and document != self.world.document:
            self.world = World.from_document(document)
        self._review_overrides = self.store.get_meta(REVIEW_KEY) or {}

    # -- snapshot / restore -----------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The whole state as one JSON document: objects, world, fixtures, review overrides, clock, ids.

        Ids are strings (they exceed 2**53, so JavaScript clients keep them exact).
        """
        dump = self.store.dump()
        meta = dump["meta"]
        world = meta.pop(WORLD_KEY, {})
        for key in ("id_floor", FIXTURES_KEY):
            meta.pop(key, None)
        objects = [{**o, "id": str(o["id"]), "campaign_id": _str_or_none(o["campaign_id"]),
                    "adset_id": _str_or_none(o["adset_id"])} for o in dump["objects"]]
        return {"graphmock_snapshot": SNAPSHOT_VERSION, "clock": self.clock.state(), "seed": self.config.seed,
                "id_floor": str(self.store._id_floor), "world": world, "fixtures": self._fixtures_document,
                "fixtures_loaded": self.fixtures_loaded, "store": {"objects": objects, "meta": meta}}

    def restore(self, document: Any) -> None:
        """Replace everything with a `snapshot()` document. Raises ValueError (nothing changed) if it is not one."""
        parts = _check_snapshot(document)
        world = World.from_document(parts["world"])
        meta = {**parts["meta"], WORLD_KEY: parts["world"]}
        if parts["fixtures_loaded"]:
            meta[FIXTURES_KEY] = parts["fixtures"]
        if parts["seed"] is None:
            meta["id_floor"] = parts["id_floor"]
        self.store.load({"objects": parts["objects"], "meta": meta})
        self.config.seed = parts["seed"]
        self.trace = TraceIds(parts["seed"], self.trace_stream)
        self.store.set_id_floor(parts["id_floor"])
        self.world = world
        self._fixtures_document, self._pristine = parts["fixtures"], None
        self.fixtures_loaded = parts["fixtures_loaded"]
        self._review_overrides = parts["meta"].get(REVIEW_KEY) or {}
        self.clock.restore(parts["clock"])
        self.shared.publish(reset=None)

    # -- review policy ----------------------------------------------------------------------
    def review_policy(self, ad_account_id: str | None = None) -> ReviewPolicy:
        """Defaults < ServerConfig.review < fixtures `review` < the account's fixture `review` < runtime overrides."""
        act = _act(ad_account_id) if ad_account_id else None
        account = self.world.ad_accounts.get(act) if act else None
        return ReviewPolicy.from_layers(
            self.config.review, self.world.document.get("review"), account.raw.get("review") if account else None,
            self._review_overrides.get("server"), self._review_overrides.get("accounts", {}).get(act or ""))

    def set_review_policy(self, policy: dict[str, Any] | None, ad_account_id: str | None = None) -> ReviewPolicy:
        """Override the policy at runtime for the server or one account (None clears the override)."""
        overrides = {"server": self._review_overrides.get("server"),
                     "accounts": dict(self._review_overrides.get("accounts", {}))}
        if ad_account_id is None:
            overrides["server"] = policy or None
        else:
            act = _act(ad_account_id)
            if act not in self.world.ad_accounts:
                raise KeyError(act)
            if policy:
                overrides["accounts"][act] = policy
            else:
                overrides["accounts"].pop(act, None)
        ReviewPolicy.from_layers(overrides["server"], overrides["accounts"].get(_act(ad_account_id or "")))
        with self.store.transaction():
            self.store.set_meta(REVIEW_KEY, overrides)
        self._review_overrides = overrides
        self.shared.publish()
        return self.review_policy(ad_account_id)

    @property
    def fixtures_document(self) -> dict[str, Any]:
        """What a reset goes back to."""
        return self._fixtures_document

    @property
    def review_overrides(self) -> dict[str, Any]:
        return self._review_overrides

    def new_id(self) -> int:
        return self.store.next_id()

    def now(self) -> float:
        return self.clock.now()

    # -- resolution -----------------------------------------------------------------------
    def account_for(self, record: Record) -> AdAccount | None:
        return self.world.ad_accounts.get(f"act_{record.account_id}")


def _act(ad_account_id: str) -> str:
    text = str(ad_account_id)
    return text if text.startswith("act_") else f"act_{text}"


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _int_id(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and ascii_digits(value):
        return int(value)
    raise ValueError(f"{where} must be a numeric id, got {value!r}")


def _check_snapshot(document: Any) -> dict[str, Any]:
    """Validate a snapshot document completely before anything is replaced."""
    if not isinstance(document, dict) or document.get("graphmock_snapshot") != SNAPSHOT_VERSION:
        raise ValueError(f"not a graphmock snapshot (expected \"graphmock_snapshot\": {SNAPSHOT_VERSION})")
    store = document.get("store")
    if not isinstance(store, dict) or not isinstance(store.get("objects"), list):
        raise ValueError("snapshot.store.objects must be a list")
    objects = []
    for index, raw in enumerate(store["objects"]):
        where = f"snapshot.store.objects[{index}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("data"), dict):
            raise ValueError(f"{where} must be an object with a data object")
        for key in ("type", "account_id", "status"):
            if not isinstance(raw.get(key), str):
                raise ValueError(f"{where}.{key} must be a string")
        objects.append({**raw, "id": _int_id(raw.get("id"), f"{where}.id"),
                        "campaign_id": None if raw.get("campaign_id") is None else _int_id(raw["campaign_id"], f"{where}.campaign_id"),
                        "adset_id": None if raw.get("adset_id") is None else _int_id(raw["adset_id"], f"{where}.adset_id"),
                        "created": int(raw.get("created") or 0)})
    meta = store.get("meta") or {}
    world, fixtures, clock = document.get("world"), document.get("fixtures"), document.get("clock")
    if not isinstance(meta, dict) or not isinstance(world, dict) or not isinstance(fixtures, dict):
        raise ValueError("snapshot.store.meta, snapshot.world and snapshot.fixtures must be objects")
    if not isinstance(clock, dict) or not isinstance(clock.get("now"), (int, float)) or isinstance(clock.get("now"), bool):
        raise ValueError("snapshot.clock must be an object with a numeric now")
    seed = document.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError("snapshot.seed must be an integer or null")
    try:
        World.from_document(world)
        World.from_document(fixtures)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"snapshot.world is not a fixtures document: {exc!r}") from None
    return {"objects": objects, "meta": meta, "world": world, "fixtures": fixtures, "clock": clock, "seed": seed,
            "id_floor": _int_id(document.get("id_floor"), "snapshot.id_floor"),
            "fixtures_loaded": bool(document.get("fixtures_loaded"))}

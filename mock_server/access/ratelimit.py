"""Business-use-case throttling and the usage headers (GRAPH-BEHAVIOUR 2).

Each ad account has an `ads_management` score: reads add 1 point, writes 3
(schemas/rules/access.json). The score drains linearly (a full score in
`decay_seconds`); a call that would take it past `max_score` is refused with
80004/2446079 and blocks the account for `block_seconds`. Time is the virtual
clock, so a test drives an account over its limit and back by advancing it.
Nothing runs in the background: a bucket is brought up to date when touched.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from typing import Any

from mock_server.wire.errors import GraphError

log = logging.getLogger("graphmock")
_SETTING_KEYS = ("enabled", "tier", "max_score", "decay_seconds", "block_seconds", "app_calls_per_hour")
APP_WINDOW_SECONDS = 3600.0
ENV_VAR = "GRAPHMOCK_RATE_LIMITS"


@dataclass(frozen=True)
class Limits:
    """The effective settings for one (app, ad account) pair."""

    enabled: bool
    tier: str
    header_tier: str
    max_score: float
    decay_seconds: float
    block_seconds: float
    app_calls_per_hour: int | None
    rate: float  # points drained per second


class Bucket:
    __slots__ = ("score", "at", "blocked_until")

    def __init__(self) -> None:
        self.score = 0.0
        self.at = 0.0
        self.blocked_until = 0.0

    def level(self, now: float, rate: float) -> float:
        elapsed = now - self.at
        if elapsed <= 0:
            return self.score
        level = self.score - elapsed * rate
        return level if level > 0 else 0.0


class RateLimiter:
    """Scores per ad account and per app; settings layered server < app < account."""

    def __init__(self, rules: dict[str, Any], server: Any = None) -> None:
        self.rules = rules
        self.costs: dict[str, int] = rules["costs"]
        self.accounts: dict[str, Bucket] = {}
        self.apps: dict[str, Bucket] = {}
        self.runtime: dict[str, Any] = {"server": None, "apps": {}, "accounts": {}}
        self._config_layers = [_environment_layer(), normalize(server, "ServerConfig.rate_limits")]
        self._cache: dict[tuple[int, str | None, str | None], Limits] = {}

    # -- configuration ------------------------------------------------------------------------
    def configure(self, settings: Any, *, app_id: str | None = None, ad_account_id: str | None = None) -> dict[str, Any]:
        """Override the settings at runtime for the server, one app or one ad account; None clears the override.

        `settings`: "off", "on", or an object with any of enabled, tier (development|standard), max_score,
        decay_seconds, block_seconds, app_calls_per_hour. Raises ValueError (nothing changed) on bad input.
        """
        if app_id is not None and ad_account_id is not None:
            raise ValueError("configure one scope at a time: app_id or ad_account_id, not both")
        layer = normalize(settings, "rate_limits") if settings is not None else None
        if ad_account_id is not None:
            act = _act(ad_account_id)
            _set(self.runtime["accounts"], act, layer)
        elif app_id is not None:
            _set(self.runtime["apps"], str(app_id), layer)
        else:
            self.runtime["server"] = layer
        self._cache.clear()
        return self.describe()

    def describe(self) -> dict[str, Any]:
        return {"defaults": {k: v for k, v in self.rules["defaults"].items()}, "tiers": self.rules["tiers"],
                "costs": self.costs, "server": self.runtime["server"], "apps": dict(self.runtime["apps"]),
                "accounts": dict(self.runtime["accounts"])}

    def reset(self, ad_account_id: str | None = None) -> None:
        """Forget scores and blocks (all, or one account's); runtime settings stay."""
        if ad_account_id is None:
            self.accounts.clear()
            self.apps.clear()
        else:
            self.accounts.pop(_act(ad_account_id), None)

    def limits(self, world: Any, app: Any, account: Any) -> Limits:
        key = (id(world), app.id if app else None, account.id if account else None)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            cached = self._cache[key] = self._resolve(world, app, account)
        return cached

    def _resolve(self, world: Any, app: Any, account: Any) -> Limits:
        merged: dict[str, Any] = dict(self.rules["defaults"])
        layers = [*self._config_layers, _fixture_layer(world.document.get("rate_limits"), "fixtures rate_limits"),
                  self.runtime["server"]]
        if app is not None:
            layers += [_fixture_layer(app.rate_limits, f"app {app.id} rate_limits"), self.runtime["apps"].get(app.id)]
        if account is not None:
            layers += [_fixture_layer(account.raw.get("rate_limits"), f"{account.id} rate_limits"),
                       self.runtime["accounts"].get(account.id)]
        for layer in layers:
            if layer:
                merged.update(layer)
        tier = merged.get("tier") or (app.tier if app is not None else "standard")
        numbers = {**self.rules["tiers"][tier], **{k: merged[k] for k in ("enabled", "max_score", "decay_seconds",
                                                                          "block_seconds") if k in merged}}
        calls = merged.get("app_calls_per_hour")
        max_score, decay = float(numbers["max_score"]), float(numbers["decay_seconds"])
        return Limits(enabled=bool(numbers["enabled"]), tier=tier, header_tier=numbers["header_tier"],
                      max_score=max_score, decay_seconds=decay, block_seconds=float(numbers["block_seconds"]),
                      app_calls_per_hour=int(calls) if calls else None, rate=max_score / decay)

    # -- the hot path -----------------------------------------------------------------------------
    def charge(self, limits: Limits, act: str | None, app_id: str | None, method: str, now: float) -> None:
        """Add this call's cost; raise 4 (app over its hourly calls) or 80004 (account over its score)."""
        if not limits.enabled:
            return
        if limits.app_calls_per_hour and app_id is not None:
            self._charge_app(limits.app_calls_per_hour, app_id, now)
        if act is None:
            return
        bucket = self.accounts.get(act)
        if bucket is None:
            bucket = self.accounts[act] = Bucket()
        if bucket.blocked_until > now:
            raise self._throttled(limits, act, bucket.blocked_until - now)
        level = bucket.level(now, limits.rate)
        cost = self.costs.get(method, 1)
        bucket.at = now
        if level + cost > limits.max_score:
            bucket.score = level
            bucket.blocked_until = now + limits.block_seconds
            raise self._throttled(limits, act, limits.block_seconds)
        bucket.score = level + cost

    def _charge_app(self, per_hour: int, app_id: str, now: float) -> None:
        bucket = self.apps.get(app_id)
        if bucket is None:
            bucket = self.apps[app_id] = Bucket()
        level = bucket.level(now, per_hour / APP_WINDOW_SECONDS)
        bucket.at = now
        bucket.score = level
        if level + 1 > per_hour:
            raise GraphError("app_request_limit", app_id=app_id, limit=per_hour)
        bucket.score = level + 1

    @staticmethod
    def _throttled(limits: Limits, act: str, seconds: float) -> GraphError:
        return GraphError("ads_management_throttled", ad_account_id=act, max_score=int(limits.max_score),
                          tier=limits.header_tier, seconds=math.ceil(seconds),
                          overrides={"estimated_time_to_regain_access": _minutes(seconds)})

    # -- usage ------------------------------------------------------------------------------------
    def account_usage(self, limits: Limits, act: str, now: float) -> tuple[float, int, int]:
        """(percent of max_score, seconds until the score is empty, minutes until a block ends)."""
        bucket = self.accounts.get(act)
        if bucket is None or not limits.enabled:
            return 0.0, 0, 0
        level = bucket.level(now, limits.rate)
        blocked = bucket.blocked_until - now
        if blocked <= 0:
            return level * 100.0 / limits.max_score, math.ceil(level / limits.rate), 0
        return level * 100.0 / limits.max_score, math.ceil(max(level / limits.rate, blocked)), _minutes(blocked)

    def app_usage(self, limits: Limits, app_id: str | None, now: float) -> int:
        per_hour = limits.app_calls_per_hour
        bucket = self.apps.get(app_id) if app_id is not None and per_hour and limits.enabled else None
        if bucket is None:
            return 0
        return round(bucket.level(now, per_hour / APP_WINDOW_SECONDS) * 100 / per_hour)

    def snapshot(self, now: float) -> dict[str, Any]:
        """Raw scores for the control API: {act: {score, blocked_for_seconds}}."""
        return {act: {"score": round(b.score, 3), "at": b.at, "blocked_for_seconds": max(0.0, b.blocked_until - now)}
                for act, b in self.accounts.items()}


def normalize(settings: Any, where: str) -> dict[str, Any] | None:
    """"off"/"on"/bool/None or an object of known keys -> a settings layer; ValueError otherwise."""
    if settings is None:
        return None
    if isinstance(settings, bool):
        return {"enabled": settings}
    if isinstance(settings, str):
        word = settings.strip().lower()
        if word in ("off", "on"):
            return {"enabled": word == "on"}
        raise ValueError(f"{where} must be \"off\", \"on\" or an object, got {settings!r}")
    if not isinstance(settings, dict):
        raise ValueError(f"{where} must be \"off\", \"on\" or an object, got {type(settings).__name__}")
    unknown = sorted(set(settings) - set(_SETTING_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_SETTING_KEYS)}")
    out = {"enabled": True, **settings}  # limits given -> limits used, unless "enabled": false
    if "enabled" in out and not isinstance(out["enabled"], bool):
        raise ValueError(f"{where}.enabled must be true or false")
    if "tier" in out and out["tier"] not in ("development", "standard"):
        raise ValueError(f"{where}.tier must be development or standard")
    for key in ("max_score", "decay_seconds", "block_seconds"):
        if key in out and (isinstance(out[key], bool) or not isinstance(out[key], (int, float)) or out[key] <= 0):
            raise ValueError(f"{where}.{key} must be a positive number")
    calls = out.get("app_calls_per_hour")
    if calls is not None and (isinstance(calls, bool) or not isinstance(calls, int) or calls <= 0):
        raise ValueError(f"{where}.app_calls_per_hour must be a positive integer or null")
    return out


def _environment_layer() -> dict[str, Any] | None:
    """GRAPHMOCK_RATE_LIMITS=off|on|<JSON object>: a switch for servers started without Python (CLI, CI)."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return None
    try:
        value = json.loads(text) if text.startswith("{") else text
        return normalize(value, ENV_VAR)
    except ValueError as exc:
        raise ValueError(f"{ENV_VAR} is invalid: {exc}") from None


def _fixture_layer(settings: Any, where: str) -> dict[str, Any] | None:
    """A fixtures layer; a malformed one is logged and ignored rather than failing every call."""
    try:
        return normalize(settings, where)
    except ValueError as exc:
        log.warning("graphmock: ignoring %s", exc)
        return None


def _set(table: dict[str, Any], key: str, layer: dict[str, Any] | None) -> None:
    if layer is None:
        table.pop(key, None)
    else:
        table[key] = layer


def _minutes(seconds: float) -> int:
    return math.ceil(seconds / 60.0) if seconds > 0 else 0


def _act(ad_account_id: str) -> str:
    text = str(ad_account_id)
    return text if text.startswith("act_") else f"act_{text}"

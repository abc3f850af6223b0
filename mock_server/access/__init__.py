"""Access and limits: tokens and permissions, account isolation, rate limits, fault injection, versions.

`install(state)` attaches one `Access` to a State (`state.access`, with the
shortcuts `state.faults` and `state.ratelimits`); `of(state)` returns it,
installing on first use. Python API for the control API and tests:

    state.faults.add(method="POST", path="act_*/campaigns", times=2, error={"code": 17, ...})
    state.faults.list(); state.faults.clear()
    state.ratelimits.configure("off")                                   # whole server
    state.ratelimits.configure({"tier": "development"}, ad_account_id="act_1")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.access.faults import FaultRegistry
from mock_server.access.policy import Grant, Policy
from mock_server.access.ratelimit import Bucket, Limits, RateLimiter
from mock_server.domain.world import AdAccount
from mock_server.shared_counts import RATE_LIMITS, SCORES, StoredFaultCounts
from mock_server.wire.errors import GraphError

__all__ = ["Access", "Exchange", "install", "of"]


@dataclass
class Exchange:
    """One request's access context: the grant, the accounts it touched, the extra response headers."""

    headers: dict[str, str] = field(default_factory=dict)
    grant: Grant | None = None
    touched: dict[str, Limits] = field(default_factory=dict)  # ad account -> its limits, in call order
    app_limits: Limits | None = None
    call: Any = None  # the handler's Call (node, decoded params): the journal judges from it, not afresh


class Access:
    def __init__(self, state: Any) -> None:
        self.state = state
        self.rules: dict[str, Any] = state.registry.rules("access")
        self.limiter = RateLimiter(self.rules["rate_limits"], getattr(state.config, "rate_limits", None))
        self.faults = FaultRegistry()
        if getattr(getattr(state, "shared", None), "counts_in_store", False):  # fires add up across processes
            self.faults.counter = StoredFaultCounts(state)
        self._policy: Policy | None = None
        self._max_buc = int(self.rules["rate_limits"]["max_buc_objects"])
        self._buc_type = str(self.rules["rate_limits"]["buc_type"])
        self._idle: dict[tuple[str, str], dict[str, str]] = {}  # headers of unthrottled accounts (constant)

    def policy(self) -> Policy:
        world = self.state.world
        policy = self._policy
        if policy is None or policy.world is not world:
            policy = self._policy = Policy.build(world, self.rules)
        return policy

    def reset(self, ad_account_id: str | None = None) -> None:
        """A full reset forgets scores and faults; an account reset forgets that account's score."""
        self.limiter.reset(ad_account_id)
        if ad_account_id is not None and self.state.shared.counts_in_store:  # a whole reset empties the store
            act = ad_account_id if str(ad_account_id).startswith("act_") else f"act_{ad_account_id}"
            with self.state.store.transaction():
                self.state.store.set_meta(SCORES + act, None)
        if ad_account_id is None:
            self.faults.clear()

    # -- rate limits ----------------------------------------------------------------------------
    def charge(self, exchange: Exchange, account: AdAccount | None, method: str) -> None:
        """Count one call against the app and the ad account (raises 4 / 80004 when over)."""
        grant = exchange.grant
        app = grant.app if grant else None
        limits = self.limiter.limits(self.state.world, app, account)
        if account is not None:
            exchange.touched.pop(account.id, None)
            exchange.touched[account.id] = limits
        if exchange.app_limits is None:
            exchange.app_limits = limits
        if limits.enabled and self.state.shared.counts_in_store:
            self._charge_in_store(limits, account.id if account else None, app.id if app else None, method)
            return
        self.limiter.charge(limits, account.id if account else None, app.id if app else None, method,
                            self.state.now())

    def _charge_in_store(self, limits: Limits, act: str | None, app_id: str | None, method: str) -> None:
        """Several processes on one store (`--workers`, PostgreSQL): the scores are read and written in one
        transaction, so every process counts every call and N processes allow the throttle once, not N times.
        A throttled call's block is committed before its error is raised."""
        store, limiter = self.state.store, self.limiter
        keys = {"accounts": act} if act else {}
        if limits.app_calls_per_hour and app_id is not None:
            keys["apps"] = app_id
        error: GraphError | None = None
        with store.transaction():
            for table, name in keys.items():
                getattr(limiter, table)[name] = bucket_from(store.get_meta(f"{RATE_LIMITS}{table}:{name}"))
            try:
                limiter.charge(limits, act, app_id, method, self.state.now())
            except GraphError as exc:
                error = exc
            for table, name in keys.items():
                bucket = getattr(limiter, table)[name]
                store.set_meta(f"{RATE_LIMITS}{table}:{name}", [bucket.score, bucket.at, bucket.blocked_until])
        if error is not None:
            raise error

    def usage_headers(self, exchange: Exchange) -> dict[str, str]:
        """x-app-usage, x-ad-account-usage (the last account called) and x-business-use-case-usage.

        Built as text: this runs on every response, and f-strings cost a third of dict + orjson.
        """
        now = self.state.now()
        limiter = self.limiter
        grant = exchange.grant
        app_limits = exchange.app_limits
        app_pct = 0
        if app_limits is not None and app_limits.app_calls_per_hour and grant is not None and grant.app is not None:
            app_pct = limiter.app_usage(app_limits, grant.app.id, now)
        app = f'{{"call_count":{app_pct},"total_cputime":{app_pct},"total_time":{app_pct}}}'
        touched = exchange.touched
        if len(touched) == 1 and app_pct == 0:
            act, limits = next(iter(touched.items()))
            if not limits.enabled:  # the common case: a constant per (account, tier)
                key = (act, limits.header_tier)
                cached = self._idle.get(key)
                if cached is None:
                    cached = self._idle[key] = self._headers(app, [(act, limits, 0.0, 0, 0)])
                return cached
        if not touched:
            tier = app_limits.header_tier if app_limits else _tier_name(self.rules, grant)
            return {"x-app-usage": app, "x-business-use-case-usage": "{}",
                    "x-ad-account-usage": f'{{"acc_id_util_pct":0,"reset_time_duration":0,"ads_api_access_tier":"{tier}"}}'}
        items = list(touched.items())[-self._max_buc:] if len(touched) > 1 else touched.items()
        return self._headers(app, [(act, limits, *limiter.account_usage(limits, act, now)) for act, limits in items])

    def _headers(self, app: str, usages: list[tuple[str, Limits, float, int, int]]) -> dict[str, str]:
        """The three headers from (account, limits, percent, seconds to empty, minutes blocked), last one last."""
        parts = []
        pct, reset, tier = 0.0, 0, ""
        for act, limits, pct, reset, regain in usages:
            whole = round(pct)
            tier = limits.header_tier
            parts.append(f'"{act[4:]}":[{{"type":"{self._buc_type}","call_count":{whole},"total_cputime":{whole},'
                         f'"total_time":{whole},"estimated_time_to_regain_access":{regain},'
                         f'"ads_api_access_tier":"{tier}"}}]')
        return {"x-app-usage": app, "x-business-use-case-usage": "{" + ",".join(parts) + "}",
                "x-ad-account-usage": f'{{"acc_id_util_pct":{round(pct, 2)},"reset_time_duration":{reset},'
                                      f'"ads_api_access_tier":"{tier}"}}'}


def _tier_name(rules: dict[str, Any], grant: Grant | None) -> str:
    return rules["rate_limits"]["tiers"][grant.tier if grant else "standard"]["header_tier"]


def bucket_from(saved: Any) -> Bucket:
    """A rate-limit bucket from its stored [score, at, blocked_until] (None: a fresh one)."""
    bucket = Bucket()
    if isinstance(saved, list) and len(saved) == 3:
        bucket.score, bucket.at, bucket.blocked_until = (float(x) for x in saved)
    return bucket


def install(state: Any) -> Access:
    """Attach an Access to `state` (idempotent); a reset of the state also resets scores and faults."""
    access = getattr(state, "access", None)
    if isinstance(access, Access):
        return access
    access = Access(state)
    state.access, state.faults, state.ratelimits = access, access.faults, access.limiter
    state.reset_hooks.append(access.reset)
    return access


def of(state: Any) -> Access:
    access = getattr(state, "access", None)
    return access if isinstance(access, Access) else install(state)

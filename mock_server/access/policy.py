"""Who may call what: tokens, apps, permissions, app tier, two-factor businesses (GRAPH-BEHAVIOUR 1.3, seed 000).

Built once per fixture `World` (worlds are never mutated, a reset or a fixtures
load replaces the object), so a request pays a dict lookup and a few set tests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mock_server.domain import timefmt
from mock_server.domain.clock import parse_instant
from mock_server.domain.world import AdAccount, Token, World
from mock_server.wire.errors import GraphError

_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-\.|:~]{4,512}$")
_WRITES = frozenset({"POST", "DELETE"})
EXPIRY_ZONE = "America/Los_Angeles"  # Graph words session expiry in Pacific time ("... 21:00:00 PDT")


@dataclass(frozen=True)
class App:
    id: str
    secret: str | None
    tier: str  # "development" | "standard"
    require_proof: bool
    version_auto_upgrade: bool
    rate_limits: Any


@dataclass(frozen=True)
class Grant:
    """A fixture token with what the policy needs beyond `world.Token`."""

    token: Token
    app: App | None
    expires_at: float | None
    system_user: bool
    two_factor_passed: bool
    development: bool  # the app is in the development access tier

    @property
    def tier(self) -> str:
        return "development" if self.development else "standard"


@dataclass
class Policy:
    world: World
    rules: dict[str, Any]
    grants: dict[str, Grant] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    two_factor_accounts: frozenset[str] = frozenset()
    _needed: dict[tuple[str, str | None, str], tuple[str, ...]] = field(default_factory=dict)
    _read_any: frozenset[str] = frozenset()
    _post_reads: frozenset[tuple[str, ...]] = frozenset()  # POSTs that only read (insights jobs)

    @classmethod
    def build(cls, world: World, rules: dict[str, Any]) -> Policy:
        policy = cls(world, rules)
        for app_id, raw in world.apps.items():
            tier = str(raw.get("access_tier", "standard")).lower()
            policy.apps[app_id] = App(
                id=app_id, secret=raw.get("secret"), tier="development" if tier.startswith("dev") else "standard",
                require_proof=bool(raw.get("require_appsecret_proof", False)),
                version_auto_upgrade=bool(raw.get("version_auto_upgrade", True)), rate_limits=raw.get("rate_limits"))
        users = {str(u.get("id")): u for u in world.document.get("users", []) if isinstance(u, dict)}
        raw_tokens = {str(t.get("access_token")): (user, t) for user in users.values() for t in user.get("tokens", [])}
        for value, token in world.tokens.items():
            user, raw = raw_tokens.get(value, ({}, {}))
            app = policy.apps.get(str(token.app_id)) if token.app_id else None
            policy.grants[value] = Grant(
                token=token, app=app,
                expires_at=parse_instant(token.expires_at) if token.expires_at is not None else None,
                system_user=bool(user.get("system_user") or user.get("is_system_user")),
                two_factor_passed=bool(raw.get("two_factor_passed", False)),
                development=app is not None and app.tier == "development")
        protected = {b for b, raw in world.businesses.items() if raw.get("two_factor_required")}
        policy.two_factor_accounts = frozenset(a.id for a in world.ad_accounts.values() if a.business_id in protected)
        policy._read_any = frozenset(rules["permissions"]["read_any_of"])
        policy._post_reads = frozenset(tuple(op.split(" ")) for op in rules["permissions"].get("post_reads", []))
        return policy

    # -- the token ------------------------------------------------------------------------------
    def authenticate(self, access_token: str | None, proof: str | None, now: float) -> Grant:
        """104 without a token, 190 malformed/unknown, 190/463 expired, 100 for a missing/wrong appsecret_proof."""
        if not access_token:
            raise GraphError("access_token_required")
        if not _TOKEN_CHARS.match(access_token):
            raise GraphError("access_token_malformed")
        grant = self.grants.get(access_token)
        if grant is None:
            raise GraphError("access_token_unknown")
        if grant.expires_at is not None and now >= grant.expires_at:
            raise GraphError("access_token_expired", expired_at=pacific(grant.expires_at), now=pacific(now))
        app = grant.app
        if app is not None and app.require_proof:
            if not proof:
                raise GraphError("appsecret_proof_missing")
            if not hmac.compare_digest(proof.strip().lower(), appsecret_proof(access_token, app.secret or "")):
                raise GraphError("appsecret_proof_invalid")
        return grant

    # -- the call on an ad account --------------------------------------------------------------
    def authorize(self, grant: Grant, account: AdAccount | None, node_type: str, edge: str | None, method: str) -> None:
        """Permissions (200), development tier on a real account (270), two-factor business (415)."""
        granted = grant.token.permissions
        key = (node_type, edge, method)
        needed = self._needed.get(key)
        if needed is None:
            needed = self._needed[key] = self._permissions_for(node_type, edge, method)
        if ((method == "GET" or key in self._post_reads) and granted.isdisjoint(self._read_any)
                and not self._without_ads(node_type, edge)):
            raise GraphError("permission_read_missing")
        for permission in needed:
            if permission not in granted:
                raise GraphError("permission_missing", permission=permission, method=method, granted=", ".join(
                    sorted(granted)) or "none", target=f"/{node_type}" + (f"/{edge}" if edge else ""))
        if account is None:
            return
        if grant.development and not account.is_test_account:
            raise GraphError("development_access_not_allowed", method=method.lower(),
                             target=f"{node_type}/{edge}" if edge else node_type, ad_account_id=account.id)
        if account.id in self.two_factor_accounts and not grant.two_factor_passed and not grant.system_user:
            raise GraphError("two_factor_required", ad_account_id=account.id, business_id=account.business_id or "")

    def authorize_business_asset(self, grant: Grant, business_id: str | None) -> None:
        """415 for a Page, Instagram account or business owned by a two-factor business the session has not passed
        (GRAPH-BEHAVIOUR 1.3: 'accessing a 2fac-protected asset like a page that is owned by a 2fac-protected
        business manager')."""
        if business_id is None or grant.two_factor_passed or grant.system_user:
            return
        if self.world.businesses.get(business_id, {}).get("two_factor_required"):
            raise GraphError("two_factor_required_business", business_id=business_id)

    def _without_ads(self, node_type: str, edge: str | None) -> bool:
        """Reads of identity, Page and Instagram nodes need no ads permission (access.json)."""
        exempt = self.rules["permissions"].get("reads_without_ads_permission", ())
        return f"{node_type} {edge or '-'} GET" in exempt or f"{node_type} * GET" in exempt

    def _permissions_for(self, node_type: str, edge: str | None, method: str) -> tuple[str, ...]:
        rules = self.rules["permissions"]
        reads = f"{node_type} {edge or '-'} {method}" in rules.get("post_reads", [])
        needed = list(rules["write_all_of"]) if method in _WRITES and not reads else []
        extra = rules["operations"].get(f"{node_type} {edge or '-'} {method}", [])
        return tuple(dict.fromkeys(needed + list(extra)))

    def may_use(self, grant: Grant, account_id: str) -> bool:
        return account_id in grant.token.ad_accounts


def appsecret_proof(access_token: str, secret: str) -> str:
    """hex HMAC-SHA256 of the token keyed with the app secret (what the SDKs send)."""
    return hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def pacific(instant: float) -> str:
    """`Thursday, 30-Apr-26 21:00:00 PDT`: the form of Graph's expiry message."""
    return datetime.fromtimestamp(instant, timefmt.zone(EXPIRY_ZONE)).strftime("%A, %d-%b-%y %H:%M:%S %Z")

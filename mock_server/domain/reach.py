"""The fixture nodes a token reaches: `me`, users, businesses, pages, Instagram accounts, posts and media.

Stored objects (campaigns, ad sets, ...) are reached through their ad account;
the nodes of the fixture world are reached through the token's grants, one rule
per node type (`RULES`). dispatch resolves a path id with `find` and every
discovery list (handlers/fixture_edges.py) filters with the same `reaches`, so a
token never discovers by list, by id, through `ids=`, nesting or batch anything
it could not read directly. Adding a fixture-backed node type = a World
collection in `COLLECTIONS`, a rule here and a node schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mock_server.domain.world import Token, World


@dataclass(frozen=True)
class FixtureNode:
    type: str
    id: str
    raw: dict[str, Any]


# node type -> the World mapping holding its entries (id -> fixture entry)
COLLECTIONS: dict[str, Callable[[World], dict[str, dict[str, Any]]]] = {
    "User": lambda w: w.users,
    "Business": lambda w: w.businesses,
    "Page": lambda w: w.pages,
    "IGUser": lambda w: w.instagram_accounts,
    "PagePost": lambda w: w.post_entries,
    "IGMedia": lambda w: w.media_entries,
}


def index(world: World) -> dict[str, FixtureNode]:
    """id -> fixture node, built once per World (worlds are never mutated; a reset builds a new one)."""
    cached = world.__dict__.get("_fixture_index")
    if cached is None:
        cached = {}
        for node_type, collection in COLLECTIONS.items():
            for node_id, raw in collection(world).items():
                cached.setdefault(str(node_id), FixtureNode(node_type, str(node_id), raw))
        world.__dict__["_fixture_index"] = cached
    return cached


def find(world: World, object_id: str) -> FixtureNode | None:
    return index(world).get(object_id)


def me(world: World, token: Token) -> FixtureNode | None:
    """`me` is the token's user or system user (ACCOUNT-SURFACE 1.1)."""
    raw = world.users.get(token.user_id)
    return FixtureNode("User", token.user_id, raw) if raw is not None else None


def token_entry(world: World, token: Token) -> dict[str, Any]:
    """The token's own fixture entry (explicit `businesses` grants live there)."""
    for entry in (world.users.get(token.user_id) or {}).get("tokens", []):
        if entry.get("access_token") == token.access_token:
            return entry
    return {}


def businesses(world: World, token: Token) -> list[str]:
    """Businesses owning (or served as agency by) a granted ad account or Page, plus explicit grants."""
    found: list[str] = []
    for act in sorted(token.ad_accounts):
        account = world.ad_accounts.get(act)
        if account is not None:
            found += [account.business_id or "", *(str(b) for b in account.raw.get("client_business_ids", []))]
    for page_id in sorted(token.pages):
        found.append(str((world.pages.get(page_id) or {}).get("business_id") or ""))
    found += [str(b) for b in token_entry(world, token).get("businesses", [])]
    return [b for b in dict.fromkeys(found) if b and b in world.businesses]


def instagram_accounts(world: World, token: Token) -> list[str]:
    """IG accounts connected to a granted Page, or listed on a granted ad account (`instagram_accounts`)."""
    found: list[str] = []
    for ig_id, raw in world.instagram_accounts.items():
        page = str(raw.get("page_id") or "")
        if page in token.pages or any(str(p.get("instagram_user_id")) == ig_id
                                      for p in (world.pages.get(x) or {} for x in token.pages)):
            found.append(ig_id)
    for act in sorted(token.ad_accounts):
        account = world.ad_accounts.get(act)
        found += [str(i) for i in (account.raw.get("instagram_accounts", []) if account else [])]
    return [i for i in dict.fromkeys(found) if i in world.instagram_accounts]


RULES: dict[str, Callable[[World, Token, FixtureNode], bool]] = {
    "User": lambda w, t, n: n.id == t.user_id,
    "Business": lambda w, t, n: n.id in businesses(w, t),
    "Page": lambda w, t, n: n.id in t.pages,
    "PagePost": lambda w, t, n: w.posts.get(n.id, "") in t.pages,
    "IGUser": lambda w, t, n: n.id in instagram_accounts(w, t),
    "IGMedia": lambda w, t, n: w.instagram_media.get(n.id, "") in instagram_accounts(w, t),
}


def owning_business(world: World, node_type: str, node_id: str, raw: dict[str, Any]) -> str | None:
    """The business a fixture node belongs to (for two-factor businesses): a Business itself, a Page's
    `business_id`, and through the Page, its posts, Instagram account and media."""
    if node_type == "Business":
        return node_id
    if node_type == "PagePost":
        return owning_business(world, "Page", world.posts.get(node_id, ""), world.pages.get(world.posts.get(node_id, ""), {}))
    if node_type == "IGMedia":
        owner = world.instagram_media.get(node_id, "")
        return owning_business(world, "IGUser", owner, world.instagram_accounts.get(owner, {}))
    if node_type == "IGUser":
        page = str(raw.get("page_id") or "")
        return owning_business(world, "Page", page, world.pages.get(page, {})) if page else None
    if node_type == "Page":
        return str(raw.get("business_id") or "") or None
    return None


def reaches(world: World, token: Token, node: FixtureNode) -> bool:
    rule = RULES.get(node.type)
    return rule is not None and rule(world, token, node)


def reachable(world: World, token: Token, node_type: str, ids: Iterable[str]) -> list[FixtureNode]:
    """The entries of `ids` (in order) that exist as `node_type` and that the token reaches."""
    out = []
    for node_id in ids:
        node = find(world, str(node_id))
        if node is not None and node.type == node_type and reaches(world, token, node):
            out.append(node)
    return out

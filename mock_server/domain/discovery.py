"""Sources of the fixture-backed list edges (`schemas/rules/fixture_edges.json` names them).

Each source gets the world, the token and the owner node and returns the rows
of the edge, in a stable order, as `Row`s: the node a row is plus the per-edge
fields it carries. Every source filters through the token's reach (ad accounts
granted to the token, domain/reach.py for the rest), so a list never shows what
a read by id would refuse. Sources: ACCOUNT-SURFACE 1.2-1.4, 6.1-6.2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mock_server.domain import reach
from mock_server.domain.world import AdAccount, Token, World
from mock_server.state import NodeRef

# Tasks a person holds on an ad account when the fixtures do not list them: what their tokens' permissions
# allow (ads_management: manage and advertise; ads_read: analyze) [INFER, ACCOUNT-SURFACE 1.4].
TASKS_BY_PERMISSION = {"ads_management": ["MANAGE", "ADVERTISE", "ANALYZE"], "ads_read": ["ANALYZE"]}
# Tasks a person holds on a Page (ACCOUNT-SURFACE 6.1 [WIRE] example) when the Page entry lists none.
PAGE_TASKS = ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"]


@dataclass
class Row:
    node: NodeRef
    extra: dict[str, Any] = field(default_factory=dict)


Source = Callable[[World, Token, NodeRef, dict[str, Any]], list[Row]]


def _account_row(account: AdAccount, **extra: Any) -> Row:
    return Row(NodeRef("AdAccount", account.id, account=account), extra)


def _fixture_rows(nodes: list[reach.FixtureNode], extras: Callable[[reach.FixtureNode], dict[str, Any]] | None = None) -> list[Row]:
    return [Row(NodeRef(n.type, n.id, world=n.raw), extras(n) if extras else {}) for n in nodes]


def account_tasks(world: World, user_id: str, account: AdAccount) -> list[str]:
    """A person's tasks on an ad account: the account's `user_tasks` fixture entry, else from their tokens' grants."""
    listed = (account.raw.get("user_tasks") or {}).get(user_id)
    if listed is not None:
        return list(listed)
    tasks: list[str] = []
    for token in world.tokens.values():
        if token.user_id == user_id and account.id in token.ad_accounts:
            for permission in sorted(token.permissions):
                tasks += TASKS_BY_PERMISSION.get(permission, [])
    return list(dict.fromkeys(t for t in ("MANAGE", "ADVERTISE", "ANALYZE") if t in tasks))


def account_people(world: World, account: AdAccount) -> list[str]:
    """Users with a role on the account: listed in `user_tasks`, or holding a token granted it."""
    people = list((account.raw.get("user_tasks") or {}).keys())
    people += [t.user_id for t in world.tokens.values() if account.id in t.ad_accounts]
    return [u for u in dict.fromkeys(people) if u in world.users]


def _search(accounts: list[AdAccount], query: str | None) -> list[AdAccount]:
    if not query:
        return accounts
    text = query.lower()
    return [a for a in accounts if text in a.name.lower() or text in a.account_id]


def token_ad_accounts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    return [_account_row(world.ad_accounts[a]) for a in sorted(token.ad_accounts) if a in world.ad_accounts]


def token_businesses(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    return _fixture_rows(reach.reachable(world, token, "Business", reach.businesses(world, token)))


def token_permissions(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    """G-PERM: one {permission, status} row per permission the person was asked for: the token's grants, plus the
    token entry's `declined_permissions` / `expired_permissions` fixture lists; `permission` and `status` filter."""
    entry = reach.token_entry(world, token)
    statuses = [(p, "granted") for p in sorted(token.permissions)]
    statuses += [(str(p), "declined") for p in entry.get("declined_permissions", [])]
    statuses += [(str(p), "expired") for p in entry.get("expired_permissions", [])]
    wanted_status, wanted = params.get("status"), params.get("permission")
    return [Row(NodeRef("Permission", permission), {"permission": permission, "status": status})
            for permission, status in statuses
            if (not wanted or permission == wanted) and (not wanted_status or status == wanted_status)]


def token_pages(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    nodes = reach.reachable(world, token, "Page", sorted(token.pages))
    return _fixture_rows(nodes, lambda n: {"tasks": list(n.raw.get("tasks", PAGE_TASKS))})


def user_business_users(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    user = world.users.get(token.user_id) or {}
    return [_business_user(world, token.user_id, b) for b in reach.businesses(world, token)
            if _role(user, b) is not None]


def _role(user: dict[str, Any], business_id: str) -> str | None:
    roles = user.get("business_roles") or {}
    return roles.get(business_id, "EMPLOYEE" if not roles else None)


def _business_user(world: World, user_id: str, business_id: str) -> Row:
    """A person's membership of a business. graphmock reuses the user id as the BusinessUser id (Graph issues a
    business-scoped id; the fixtures have one person per id)."""
    user = world.users.get(user_id) or {}
    business = world.businesses.get(business_id) or {}
    values = {key: user[key] for key in ("name", "email", "first_name", "last_name") if key in user}
    values.update({"business": {"id": business_id, "name": business.get("name")}, "role": _role(user, business_id),
                   "tasks": list((user.get("business_tasks") or {}).get(business_id, []))})
    return Row(NodeRef("BusinessUser", user_id, world=user), values)


def business_owned_ad_accounts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    owned = [a for a in world.ad_accounts.values() if a.business_id == owner.id and a.id in token.ad_accounts]
    return [_account_row(a) for a in _search(sorted(owned, key=lambda a: a.id), params.get("search_query"))]


def business_client_ad_accounts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    clients = [a for a in world.ad_accounts.values()
               if owner.id in [str(b) for b in a.raw.get("client_business_ids", [])] and a.id in token.ad_accounts]
    rows = _search(sorted(clients, key=lambda a: a.id), params.get("search_query"))
    return [_account_row(a, permitted_tasks=list(a.raw.get("client_permitted_tasks", ["ADVERTISE", "ANALYZE"])))
            for a in rows]


def business_business_users(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    people = [u for u, raw in world.users.items() if _role(raw, owner.id) is not None and (raw.get("business_roles"))]
    return [_business_user(world, u, owner.id) for u in people]


def account_users(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    account = owner.account
    assert account is not None
    return [Row(NodeRef("AdAccountUser", u, world=world.users[u]),
                {"name": world.users[u].get("name"), "tasks": account_tasks(world, u, account)})
            for u in account_people(world, account)]


def account_assigned_users(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    """M-ASSIGN: users assigned within `business`; graphmock lists the account's people when `business` owns or
    serves the account, nothing otherwise."""
    account = owner.account
    assert account is not None
    business = str(params.get("business") or "")
    if business != (account.business_id or "") and business not in [str(b) for b in account.raw.get("client_business_ids", [])]:
        return []
    rows = []
    for user_id in account_people(world, account):
        user = world.users[user_id]
        tasks = account_tasks(world, user_id, account)
        rows.append(Row(NodeRef("AssignedUser", user_id, world=user), {
            "name": user.get("name"), "user_type": "SYSTEM_USER" if user.get("system_user") else "BUSINESS_USER",
            "business": {"id": business, "name": (world.businesses.get(business) or {}).get("name")},
            "tasks": tasks, "permitted_tasks": tasks}))
    return rows


def _account_instagram(world: World, token: Token, account: AdAccount | None) -> list[reach.FixtureNode]:
    listed = [str(i) for i in (account.raw.get("instagram_accounts", []) if account else [])]
    return reach.reachable(world, token, "IGUser", listed)


def account_instagram_accounts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    return _fixture_rows(_account_instagram(world, token, owner.account))


def account_instagram_accounts_with_iabp(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    """Seed 000: the IG accounts with their `iabp_id` (an Instagram-account-backed Page id) for creatives' object_id."""
    nodes = [n for n in _account_instagram(world, token, owner.account) if n.raw.get("iabp_id")]
    return _fixture_rows(nodes, lambda n: {"iabp_id": str(n.raw["iabp_id"])})


def _page_posts(world: World, token: Token, page_id: str) -> list[dict[str, Any]]:
    return [entry for post_id, entry in world.post_entries.items() if world.posts.get(post_id) == page_id]


def page_posts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    """Published posts; ad-only (inline-created) and hidden posts are not on the Page's timeline."""
    posts = [p for p in _page_posts(world, token, owner.id) if not p.get("is_inline_created")
             and p.get("is_published", True) and (params.get("include_hidden") or not p.get("is_hidden"))]
    return _fixture_rows(reach.reachable(world, token, "PagePost", [p["id"] for p in posts]))


def page_promotable_posts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    """include_inline=true adds ad-only posts; is_published=false selects unpublished ones (ACCOUNT-SURFACE 6.1 [INFER])."""
    published = params.get("is_published")
    posts = []
    for post in _page_posts(world, token, owner.id):
        if post.get("is_inline_created") and not params.get("include_inline"):
            continue
        if post.get("is_hidden") and not params.get("include_hidden"):
            continue
        if published is not None and bool(post.get("is_published", True)) != bool(published):
            continue
        posts.append(post["id"])
    return _fixture_rows(reach.reachable(world, token, "PagePost", posts))


def page_instagram_accounts(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    page = owner.world or {}
    ids = [i for i, raw in world.instagram_accounts.items()
           if str(raw.get("page_id")) == owner.id or str(page.get("instagram_user_id")) == i]
    return _fixture_rows(reach.reachable(world, token, "IGUser", ids))


def ig_media(world: World, token: Token, owner: NodeRef, params: dict[str, Any]) -> list[Row]:
    ids = [m for m, ig in world.instagram_media.items() if ig == owner.id]
    return _fixture_rows(reach.reachable(world, token, "IGMedia", ids))


SOURCES: dict[str, Source] = {fn.__name__: fn for fn in (
    token_ad_accounts, token_businesses, token_permissions, token_pages, user_business_users,
    business_owned_ad_accounts, business_client_ad_accounts, business_business_users, account_users,
    account_assigned_users, account_instagram_accounts, account_instagram_accounts_with_iabp, page_posts,
    page_promotable_posts, page_instagram_accounts, ig_media)}

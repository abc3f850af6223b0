"""The fixture world: apps, businesses, ad accounts, pages, Instagram accounts, videos, users and tokens.

These objects exist before any request (Graph would own them); the store keeps
the document so a restart, a snapshot or a reset brings the same world back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AdAccount:
    id: str  # act_<digits>
    name: str
    currency: str
    timezone_name: str
    timezone_id: int
    account_status: int
    business_id: str | None
    is_test_account: bool
    raw: dict[str, Any]

    @property
    def account_id(self) -> str:
        return self.id.removeprefix("act_")


@dataclass(frozen=True)
class Token:
    access_token: str
    user_id: str
    app_id: str | None
    permissions: frozenset[str]
    ad_accounts: frozenset[str]
    pages: frozenset[str]
    expires_at: float | None


@dataclass
class World:
    document: dict[str, Any]
    apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    businesses: dict[str, dict[str, Any]] = field(default_factory=dict)
    ad_accounts: dict[str, AdAccount] = field(default_factory=dict)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    instagram_accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    posts: dict[str, str] = field(default_factory=dict)  # post id -> page id
    instagram_media: dict[str, str] = field(default_factory=dict)  # media id -> IG account id
    post_entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # post id -> its fixture entry
    media_entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # media id -> its fixture entry

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> World:
        world = cls(document=document)
        for app in document.get("apps", []):
            world.apps[str(app["id"])] = app
        for business in document.get("businesses", []):
            world.businesses[str(business["id"])] = business
        for raw in document.get("ad_accounts", []):
            act = str(raw["id"])
            act = act if act.startswith("act_") else f"act_{act}"
            world.ad_accounts[act] = AdAccount(
                id=act, name=raw.get("name", act), currency=raw.get("currency", "USD"),
                timezone_name=raw.get("timezone_name", "America/Los_Angeles"), timezone_id=int(raw.get("timezone_id", 1)),
                account_status=int(raw.get("account_status", 1)), business_id=raw.get("business_id"),
                is_test_account=bool(raw.get("is_test_account", False)), raw=raw)
        for page in document.get("pages", []):
            world.pages[str(page["id"])] = page
            for post in page.get("posts", []):
                entry = _entry(post)
                world.posts[entry["id"]] = str(page["id"])
                world.post_entries[entry["id"]] = entry
        for ig in document.get("instagram_accounts", []):
            world.instagram_accounts[str(ig["id"])] = ig
            for media in ig.get("media", []):
                entry = _entry(media)
                world.instagram_media[entry["id"]] = str(ig["id"])
                world.media_entries[entry["id"]] = entry
        for video in document.get("videos", []):
            world.videos[str(video["id"])] = video
        for user in document.get("users", []):
            world.users[str(user["id"])] = user
            for tok in user.get("tokens", []):
                accounts = frozenset(a if str(a).startswith("act_") else f"act_{a}" for a in tok.get("ad_accounts", []))
                world.tokens[tok["access_token"]] = Token(
                    access_token=tok["access_token"], user_id=str(user["id"]), app_id=tok.get("app_id"),
                    permissions=frozenset(tok.get("permissions", [])), ad_accounts=accounts,
                    pages=frozenset(str(p) for p in tok.get("pages", [])), expires_at=tok.get("expires_at"))
        return world

    def summary(self) -> dict[str, Any]:
        """The ids and tokens a script needs (`graphmock fixtures`)."""
        account = next(iter(self.ad_accounts.values()), None)
        page = next(iter(self.pages.values()), None)
        ig = next(iter(self.instagram_accounts.values()), None)
        token = next(iter(self.tokens.values()), None)
        app = self.apps.get(token.app_id) if token and token.app_id else next(iter(self.apps.values()), None)
        return {
            "ad_account_id": account.id if account else None,
            "account_id": account.account_id if account else None,
            "access_token": token.access_token if token else None,
            "page_id": str(page["id"]) if page else None,
            "instagram_user_id": str(ig["id"]) if ig else None,
            "instagram_media_id": _first_id(ig.get("media")) if ig else None,
            "page_post_id": _first_id(page.get("posts")) if page else None,
            "video_id": next(iter(self.videos), None),
            "app_id": str(app["id"]) if app else None,
            "app_secret": app.get("secret") if app else None,
            "user_id": token.user_id if token else None,
            "business_id": account.business_id if account else None,
        }


def _entry(raw: Any) -> dict[str, Any]:
    """A post or media entry: a bare id (older fixtures) or an object with an `id` and its fields."""
    if isinstance(raw, dict):
        return {**raw, "id": str(raw["id"])}
    return {"id": str(raw)}


def _first_id(entries: Any) -> str | None:
    return _entry(entries[0])["id"] if entries else None

"""Storage: the repository interface, its SQLite implementation (the default) and PostgreSQL (shared sandbox).

`open_repository` picks the backend from the `--db` value: a `postgresql://` (or `postgres://`) URL opens
PostgreSQL, anything else is a SQLite file or `:memory:`. psycopg is imported only for a URL, so SQLite
users never need it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: str) -> bool:
    return target.lower().startswith(POSTGRES_SCHEMES)


def open_repository(target: str, *, durable: bool = False, group_commit: bool = False) -> Any:
    """The repository for `target`: PostgreSQL for a URL (durability is the server's own setting), else SQLite
    (`group_commit`: a lone server's file store commits in groups, docs/group-commit.md)."""
    if is_postgres_url(target):
        try:
            from mock_server.store.postgres import PostgresRepository
        except ImportError as exc:  # psycopg is an optional extra
            raise RuntimeError("a postgresql:// store needs psycopg: pip install 'graphmock[postgres]'") from exc
        try:
            return PostgresRepository(target)
        except Exception as exc:  # psycopg's messages name host, port and user, never the password
            raise RuntimeError(f"cannot open the store {masked(target)}: {str(exc).strip()}") from None
    from mock_server.store.sqlite import SQLiteRepository

    return SQLiteRepository(target, durable=durable, group_commit=group_commit)


def masked(target: str) -> str:
    """`target` safe to print: a URL's password (and any password= query parameter) replaced by ***."""
    if not is_postgres_url(target):
        return target
    parts = urlsplit(target)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}{':***' if colon else ''}@{host}"
    query = "&".join(f"{k}=***" if k.lower() == "password" else f"{k}{'=' if sep else ''}{v}"
                     for k, sep, v in (item.partition("=") for item in parts.query.split("&") if item))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

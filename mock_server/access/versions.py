"""API versions (GRAPH-BEHAVIOUR 12): a dated table, 2635 for old versions, auto-upgrade with a warning header.

Which versions exist is data (`schemas/rules/versions.json`: release and
Marketing API expiry dates with their source), read on the real date unless
`ServerConfig.as_of` / `--as-of` or an explicit `ServerConfig.versions` /
`--versions` says otherwise; the virtual clock does not move it. The version
deprecated last (the major just below the oldest served one) is auto-upgraded
to the oldest served version on operations the next version did not change,
with `x-ad-api-version-warning`; the operations the next version changed
(schemas/rules/access.json, by deprecated version) and apps that switched
auto-upgrade off get 2635 naming the latest version. A version not released
yet, or a malformed one, is not a version to Graph: 2500 "Unknown path components".
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any

from mock_server.config import version_key
from mock_server.resources import schemas_dir
from mock_server.wire.errors import GraphError
from mock_server.wire.request import VERSION_RE, GraphRequest

WARNING_HEADER = "x-ad-api-version-warning"


@cache
def table() -> tuple[dict[str, Any], ...]:
    """The rows of schemas/rules/versions.json, oldest first, dates parsed."""
    with open(schemas_dir() / "rules" / "versions.json", encoding="utf-8") as fh:
        rows = json.load(fh)["versions"]
    parsed = []
    for row in rows:
        expiry = row.get("marketing_api_expiry")
        parsed.append({**row, "released": date.fromisoformat(row["released"]),
                       "marketing_api_expiry": date.fromisoformat(expiry) if expiry else None})
    return tuple(sorted(parsed, key=lambda r: version_key(r["version"])))


def served_on(day: date) -> tuple[str, ...]:
    """The versions Meta serves on `day`: released on or before it and not yet expired."""
    served = tuple(r["version"] for r in table()
                   if r["released"] <= day and (r["marketing_api_expiry"] is None or day < r["marketing_api_expiry"]))
    if not served:
        first = table()[0]
        raise ValueError(f"no Graph version is served on {day.isoformat()} by schemas/rules/versions.json "
                         f"(its first row, {first['version']}, was released {first['released'].isoformat()})")
    return served


def check(config: Any, request: GraphRequest, rules: dict[str, Any]) -> str | None:
    """None if the version is served as is; the version to auto-upgrade (decided once the route is known)."""
    version = request.version
    if version is None or version in config.versions:
        return None
    versions = ", ".join(config.versions)
    if VERSION_RE.match(version):
        key, oldest = version_key(version), version_key(config.oldest_version)
        if key < oldest:
            if rules["auto_upgrade"] and key[0] == oldest[0] - 1:
                return version
            raise GraphError("deprecated_version", version=version, latest=config.latest_version, versions=versions)
    rest = "/" + "/".join(request.segments) if request.segments else "/"
    raise GraphError("unknown_path_components", path=rest, versions=versions)


def upgrade(config: Any, request: GraphRequest, rules: dict[str, Any], operation: str, app: Any,
            headers: dict[str, str]) -> None:
    """Serve a deprecated version as the oldest supported one, or refuse it (2635) for an affected operation."""
    version = request.version or ""
    affected = rules["affected_operations"].get(version, ())
    if operation in affected or (app is not None and not app.version_auto_upgrade):
        raise GraphError("deprecated_version", version=version, latest=config.latest_version,
                         versions=", ".join(config.versions))
    upgraded = config.oldest_version
    request.version = upgraded
    headers[WARNING_HEADER] = rules["warning"].format(upgraded=upgraded, version=version)

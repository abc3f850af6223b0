"""API versions (GRAPH-BEHAVIOUR 12): supported set, 2635 for old versions, auto-upgrade with a warning header.

The supported set and the latest are `ServerConfig.versions`. The version
deprecated last (the major just below the oldest supported one) is
auto-upgraded to the oldest supported version on operations the next version
did not change, with `x-ad-api-version-warning`; the operations the next
version changed (schemas/rules/access.json, by deprecated version) and apps
that switched auto-upgrade off get 2635.
"""

from __future__ import annotations

from typing import Any

from mock_server.config import version_key
from mock_server.wire.errors import GraphError
from mock_server.wire.request import VERSION_RE, GraphRequest

WARNING_HEADER = "x-ad-api-version-warning"


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

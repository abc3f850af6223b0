"""The official SDKs at their own default versions and at v27.0 (issue 17: v27.0 released 2026-11-04 per the
Marketing API changelog; a user on it sets FacebookAdsApi.API_VERSION / redefines FacebookAdsApi.VERSION)."""

from __future__ import annotations

from facebook_business.adobjects.adaccount import AdAccount


def _last_path(graphmock) -> str:
    return graphmock.control("GET", "journal")["data"][-1]["path"]


def test_python_sdk_calls_the_version_it_is_set_to(api, graphmock):
    """Every Python SDK suite runs twice (tests/sdk/conftest.py `api`): at the SDK default and at v27.0; both are
    served, neither auto-upgraded."""
    account = AdAccount(graphmock.act).api_get(fields=["name"])
    assert account["id"] == graphmock.act
    assert _last_path(graphmock).startswith(f"/{api._api_version}/")


def test_node_sdk_calls_the_version_it_is_set_to(node, graphmock):
    """Every Node SDK suite runs twice (`node` fixture): the SDK's default VERSION (24.0.1 sends v24.0, the version
    expired last, which is auto-upgraded) and v27.0."""
    node.run("read", type="AdAccount", id=graphmock.act, fields=["name"])
    path = _last_path(graphmock)
    assert path.startswith(f"/{node.version}/") if node.version else path.startswith("/v24.0/")

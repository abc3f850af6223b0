"""Insights throttling (INSIGHTS.md 6.4): the X-FB-Ads-Insights-Throttle header on every insights answer,
built from the same usage the business-use-case headers report, and the insights codes for the same limits:
an ad account over its score answers 80000/2446079, the app over its load 4/1504022. Off by default for
standard-tier apps, like the other rate limits (mock_server/access/ratelimit.py)."""

from __future__ import annotations

import orjson

from mock_server.wire.errors import GraphError


def throttled(error: GraphError | None) -> GraphError | None:
    if error is None or error.key == "injected_error":
        return None
    if error.code == 80004:
        return GraphError("insights_account_throttled")
    if error.code == 4:
        return GraphError("insights_load_throttled")
    return None


def header(headers: dict[str, str]) -> str:
    account, app = _load(headers.get("x-ad-account-usage")), _load(headers.get("x-app-usage"))
    tier = account.get("ads_api_access_tier", "standard_access")
    return orjson.dumps({"app_id_util_pct": app.get("call_count", 0), "acc_id_util_pct": account.get("acc_id_util_pct", 0),
                         "ads_api_access_tier": tier}).decode()


def _load(text: str | None) -> dict:
    try:
        value = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}

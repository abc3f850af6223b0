"""A client with two contract bugs: `graphmock check-client -- python examples/bad_client.py` exits 1.

1. it sends objective=TRAFFIC — not a value of the objective enum;
2. it reads a field campaigns do not have (`budget`, the real fields are daily_budget/lifetime_budget).
Like many real clients it ignores error responses, so it exits 0 itself; the journal still catches both.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ["GRAPHMOCK_URL"] + "/v25.0"
TOKEN = os.environ["GRAPHMOCK_ACCESS_TOKEN"]
ACCOUNT = os.environ["GRAPHMOCK_AD_ACCOUNT_ID"]


def call(method: str, path: str, params: dict[str, str]) -> int:
    data = urllib.parse.urlencode({**params, "access_token": TOKEN})
    if method == "GET":
        request = urllib.request.Request(f"{BASE}/{path}?{data}")
    else:
        request = urllib.request.Request(f"{BASE}/{path}", data=data.encode(), method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


print("create:", call("POST", f"{ACCOUNT}/campaigns", {
    "name": "Spring sale", "objective": "TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]",
}))
print("list:", call("GET", f"{ACCOUNT}/campaigns", {"fields": "name,budget"}))

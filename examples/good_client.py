"""A well-behaved Marketing API client: `graphmock check-client -- python examples/good_client.py` exits 0.

Uses only the standard library, and the environment check-client exports
(GRAPHMOCK_URL, GRAPHMOCK_ACCESS_TOKEN, GRAPHMOCK_AD_ACCOUNT_ID).
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request

BASE = os.environ["GRAPHMOCK_URL"] + "/v25.0"
TOKEN = os.environ["GRAPHMOCK_ACCESS_TOKEN"]
ACCOUNT = os.environ["GRAPHMOCK_AD_ACCOUNT_ID"]


def call(method: str, path: str, params: dict[str, str]) -> dict:
    data = urllib.parse.urlencode({**params, "access_token": TOKEN})
    if method == "GET":
        request = urllib.request.Request(f"{BASE}/{path}?{data}")
    else:
        request = urllib.request.Request(f"{BASE}/{path}", data=data.encode(), method=method)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


created = call("POST", f"{ACCOUNT}/campaigns", {
    "name": "Spring sale", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
    "special_ad_categories": "[]", "daily_budget": "5000",
})
campaign = call("GET", created["id"], {"fields": "name,status,daily_budget"})
print(f"created campaign {campaign['id']}: {campaign['name']} ({campaign['status']}, {campaign['daily_budget']})")
call("POST", created["id"], {"status": "PAUSED", "name": "Spring sale (renamed)"})
listing = call("GET", f"{ACCOUNT}/campaigns", {"fields": "name", "limit": "10"})
print(f"{len(listing['data'])} campaign(s) listed")

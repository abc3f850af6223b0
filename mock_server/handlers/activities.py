"""GET /act_<id>/activities (ACCOUNT-SURFACE 2.5): the account's activity log, one week by default, newest first;
`since`, `until`, `category`, `oid`; event_time is the only default field."""

from __future__ import annotations

from typing import Any

from mock_server.domain import account_time, activities
from mock_server.domain.assetrules import table
from mock_server.handlers.assets import default_fields
from mock_server.handlers.call import Call
from mock_server.wire import paging
from mock_server.wire.render import render_node


def list_(call: Call) -> tuple[int, Any]:
    params = call.params("adactivity.list")
    account = call.account
    assert account is not None
    rules, now = table("activities"), call.state.now()
    until = int(params["until"]) if params.get("until") is not None else int(now)
    since = int(params["since"]) if params.get("since") is not None else until - rules["default_window_seconds"]
    rows = activities.rows(call.state.store, account.account_id, since, until, now, rules, account.timezone_name,
                           call.state.world)
    if params.get("category"):
        rows = [row for row in rows if row["category"] == params["category"]]
    wanted = {str(params["oid"])} | {str(o) for o in params.get("extra_oids") or []} if params.get("oid") else None
    if wanted:
        rows = [row for row in rows if row["object_id"] in wanted]
    limit = paging.parse_limit(params.get("limit"), call.state.config.max_page_size)
    start = paging.decode_cursor(params["after"], "after") if params.get("after") else 0
    page = rows[start:start + limit]
    specs = call.specs() or default_fields(call, activities.TYPE)
    call.check_fields(activities.TYPE, specs)
    node_type = call.state.node_types[activities.TYPE]
    data, tz = [], account_time.zone(account.timezone_name)  # event_time in the account's zone, like every datetime
    for row in page:
        rendered = render_node(node_type, {**row, "id": ""}, specs, lambda spec, kind: None, tz)
        rendered.pop("id", None)  # an activity has no id of its own
        data.append(rendered)
    link = {k: v if isinstance(v, str) else str(v) for k, v in call.request.query.items() if k not in ("after", "before")}
    if call.request.access_token:
        link["access_token"] = call.request.access_token
    body = paging.envelope(data, list(range(start + 1, start + len(page) + 1)), more=start + limit < len(rows),
                           backwards=False, had_cursor=False, link_base=call.link_base(account.id, "activities"),
                           link_params=link, limit=limit)
    if page:
        body["paging"]["cursors"]["before"] = paging.encode_cursor(start)
    return 200, body


ROUTES = {("AdAccount", "activities", "GET"): list_}

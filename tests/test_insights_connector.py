"""A reporting connector as analytics teams run nightly (issue 13 "Done when"): start async jobs for several
levels and breakdown sets, poll them through batch requests, page through every result by `paging.next`,
and check the rows are complete and consistent with each other (INSIGHTS.md 5, 9)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import insights_world as W
from mock_server import GraphMock

JOBS = [("account", ""), ("campaign", ""), ("adset", ""), ("ad", ""), ("campaign", "age"),
        ("adset", "publisher_platform,platform_position"), ("ad", "gender")]
ALL = ["ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "CAMPAIGN_PAUSED", "ADSET_PAUSED", "PENDING_REVIEW", "DISAPPROVED"]


class Connector:
    """The client under test: what a warehouse loader does with the Insights API."""

    def __init__(self, client: Any, act: str, advance: Any) -> None:
        self.client, self.act, self.advance = client, act, advance

    def start(self, level: str, breakdowns: str) -> str:
        params = {"level": level, "fields": "account_id,campaign_id,adset_id,ad_id,spend,impressions,clicks,actions",
                  "time_increment": "1", "time_range": json.dumps({"since": "2026-01-01", "until": "2026-01-09"}),
                  "filtering": json.dumps([{"field": f"{level}.effective_status", "operator": "IN", "value": ALL}])
                  if level != "account" else "[]"}
        if breakdowns:
            params["breakdowns"] = breakdowns
        response = self.client.post(f"{self.act}/insights", data=params)
        assert response.status_code == 200, response.text
        return response.json()["report_run_id"]

    def wait(self, runs: list[str]) -> None:
        pending = list(runs)
        for _ in range(60):
            batch = [{"method": "GET", "relative_url": f"{run}?fields=async_status,async_percent_completion"} for run in pending]
            answers = self.client.post("", data={"batch": json.dumps(batch)}).json()
            bodies = [json.loads(a["body"]) for a in answers]
            assert all(b["async_status"] not in ("Job Failed", "Job Skipped") for b in bodies)
            pending = [run for run, b in zip(pending, bodies)
                       if not (b["async_status"] == "Job Completed" and b["async_percent_completion"] == 100)]
            if not pending:
                return
            self.advance(2)
        raise AssertionError(f"jobs never completed: {pending}")

    def rows(self, run: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        body = self.client.get(f"{run}/insights", params={"limit": "7"}).json()
        assert "data" in body, body
        while True:
            out.extend(body["data"])
            link = body.get("paging", {}).get("next")
            if not link:
                return out
            parts = urlsplit(link)
            query = dict(parse_qsl(parts.query))  # followed as given: token, params and cursor from the link
            body = self.client.get(parts.path, params=query, token=None).json()
            assert "data" in body, body


def test_connector_loads_complete_consistent_reports() -> None:
    with GraphMock(seed=3) as mock:
        made = W.build(mock, (2, 2, 2), days=10)
        c = made["client"]
        assert c.post(made["adsets"][1], data={"status": "PAUSED"}).status_code == 200  # history matters
        mock.clock.advance(W.DAY)
        assert c.post(made["ads"][0], data={"status": "ARCHIVED"}).status_code == 200
        connector = Connector(c, made["act"], mock.clock.advance)
        runs = [connector.start(level, breakdowns) for level, breakdowns in JOBS]
        connector.wait(runs)
        reports = {job: connector.rows(run) for job, run in zip(JOBS, runs)}

    def by_day(rows: list[dict[str, Any]], name: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for row in rows:
            out[row["date_start"]] = out.get(row["date_start"], Decimal(0)) + Decimal(row[name])
        return out

    account = reports[("account", "")]
    assert [r["date_start"] for r in account] == [f"2026-01-{d:02d}" for d in range(1, 10)]  # complete: every day
    for job, rows in reports.items():
        assert len({json.dumps(r, sort_keys=True) for r in rows}) == len(rows)  # no row twice across pages
        for name in ("spend", "impressions", "clicks"):
            assert by_day(rows, name) == by_day(account, name), (job, name)
    ids = {r["ad_id"] for r in reports[("ad", "")]}
    assert made["ads"][0] in ids and len(ids) == len(made["ads"])

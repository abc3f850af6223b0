"""`graphmock verify` insights checks (INSIGHTS.md 1-6): synchronous reads with valid params answer rows of
AdsInsights (numbers as strings, date_start/date_stop on each row); each documented mistake gets its code;
an async job runs to 'Job Completed' and returns the synchronous rows; nested `insights{...}` reads work."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

import contract_tests.insights as ins
from contract_tests.driver import CheckFailure, SentRequest
from mock_server.contract.registry import default_registry
from mock_server.wire.limits import ascii_digits

POLL_SECONDS = 60


def _today() -> date:
    return datetime.now(timezone.utc).date() - timedelta(days=1)  # one day of slack for any account time zone


def sync(verifier: Any, result: Any) -> None:
    driver = verifier.driver
    path = f"/{driver.version}/{driver.account}/insights"
    schema = default_registry().get("nodes/AdsInsights").detailed

    def accept(params: dict[str, str]) -> None:
        request = SentRequest("GET", path, params=params)
        status, body = driver.send(request)
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise CheckFailure(f"valid insights read refused: HTTP {status} {str(body)[:300]}", request)
        for row in body["data"]:
            if "date_start" not in row or "date_stop" not in row:
                raise CheckFailure(f"row without date_start/date_stop: {row}", request)
            errors = [e.message for e in schema.iter_errors(row)]
            if errors:
                raise CheckFailure(f"row does not match AdsInsights: {errors[0]}", request)

    def refuse(case: tuple[dict[str, str], str, int]) -> None:
        params, label, code = case
        request = SentRequest("GET", path, params=params)
        status, body = driver.send(request)
        error = body.get("error") if isinstance(body, dict) else None
        if status < 400 or not isinstance(error, dict) or error.get("code") != code:
            raise CheckFailure(f"{label}: expected code {code}, got HTTP {status} {str(body)[:300]}", request)

    verifier._hypothesis(result, verifier.examples, ins.valid_insights_params(_today()), accept)
    verifier._hypothesis(result, verifier.examples, ins.invalid_insights_params(_today()), refuse)


def async_and_nested(verifier: Any, result: Any) -> None:
    driver = verifier.driver
    today = _today()
    params = {"level": "campaign", "fields": "campaign_id,impressions,spend", "time_increment": "1",
              "time_range": f'{{"since":"{(today - timedelta(days=6)).isoformat()}","until":"{(today - timedelta(days=1)).isoformat()}"}}'}
    start = SentRequest("POST", f"/{driver.version}/{driver.account}/insights", body=dict(params))
    try:
        status, body = driver.send(start)
        result.examples += 1
        run = body.get("report_run_id") if isinstance(body, dict) else None
        if status != 200 or not isinstance(run, str) or not ascii_digits(run):
            raise CheckFailure(f"POST insights must answer {{report_run_id}}: HTTP {status} {str(body)[:200]}", start)
        poll = SentRequest("GET", f"/{driver.version}/{run}", params={"fields": "async_status,async_percent_completion"})
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            status, node = driver.send(poll)
            result.examples += 1
            if status != 200 or not isinstance(node, dict):
                raise CheckFailure(f"GET report run failed: HTTP {status} {str(node)[:200]}", poll)
            if node.get("async_status") == "Job Completed" and node.get("async_percent_completion") == 100:
                break
            if node.get("async_status") in ("Job Failed", "Job Skipped") or time.monotonic() > deadline:
                raise CheckFailure(f"job did not complete: {node}", poll)
            time.sleep(0.5)
        rows = SentRequest("GET", f"/{driver.version}/{run}/insights", params={"limit": "500"})
        _, got = driver.send(rows)
        direct = SentRequest("GET", f"/{driver.version}/{driver.account}/insights", params={**params, "limit": "500"})
        _, want = driver.send(direct)
        result.examples += 2
        if not isinstance(got, dict) or not isinstance(want, dict) or got.get("data") != want.get("data"):
            raise CheckFailure("a completed job's rows differ from the synchronous read (INSIGHTS.md 9.8)", rows)
        nested = SentRequest("GET", f"/{driver.version}/{driver.account}/campaigns",
                             params={"fields": "id,insights.date_preset(last_7d).time_increment(1){impressions,spend}"})
        status, listing = driver.send(nested)
        result.examples += 1
        if status != 200 or not isinstance(listing, dict) or not isinstance(listing.get("data"), list):
            raise CheckFailure(f"nested insights refused: HTTP {status} {str(listing)[:200]}", nested)
    except CheckFailure as failure:
        result.failures.append(verifier._failure(failure))


__all__ = ["sync", "async_and_nested", "st"]

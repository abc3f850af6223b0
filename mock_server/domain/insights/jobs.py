"""Async reports (AdReportRun, INSIGHTS.md 5): a stored job whose status is derived from the virtual clock.

A job keeps its params and the instant it was created (`time_ref`); its rows are computed as of that
instant, so a completed run returns the same rows as the synchronous read with the same params at that time
(INSIGHTS.md 9.8). Status: Not Started -> Started -> Running (percent grows, reaching 100 shortly before) ->
Completed; an injected failure stops at a percent with 'Job Failed' and the failure fields.
"""

from __future__ import annotations

from typing import Any

from mock_server.store.repository import Record

TYPE = "AdReportRun"


def build(object_id: int, account_id: str, node_id: str, node_type: str, params: dict[str, Any], now: float,
          window: tuple[str, str], cells: int, failure: dict[str, Any] | None, rules: dict[str, Any]) -> Record:
    timing = rules["async"]
    running = timing["running_seconds_min"] + timing["running_seconds_per_million_cells"] * cells / 1_000_000
    data = {"node_id": node_id, "node_type": node_type, "params": params, "time_ref": int(now),
            "date_start": window[0], "date_stop": window[1], "running_seconds": running,
            "created_time": int(now)}
    if failure is not None:
        data["failure"] = failure
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, created=int(now))


def progress(record: Record, now: float, rules: dict[str, Any]) -> dict[str, Any]:
    """async_status, async_percent_completion, is_running, time_completed (and the failure fields)."""
    timing = rules["async"]
    data = record.data
    elapsed = now - data["time_ref"]
    not_started, started = timing["not_started_seconds"], timing["started_seconds"]
    running = float(data["running_seconds"])
    hold = timing["hold_at_100_seconds"]
    failure = data.get("failure")
    if elapsed > timing["expires_days"] * 86400:
        return {"async_status": "Job Skipped", "async_percent_completion": 0, "is_running": False}
    if elapsed < not_started:
        return {"async_status": "Job Not Started", "async_percent_completion": 0, "is_running": False}
    if elapsed < not_started + started:
        return {"async_status": "Job Started", "async_percent_completion": 0, "is_running": True}
    run = elapsed - not_started - started
    percent = min(100, int(100 * run / max(running - hold, 0.001)))
    if failure is not None and percent >= int(failure.get("at_percent", 0)):
        fields = {k: failure[k] for k in ("error_code", "error_subcode", "error_message", "error_user_title",
                                          "error_user_msg") if k in failure}
        return {"async_status": "Job Failed", "async_percent_completion": int(failure.get("at_percent", 0)),
                "is_running": False, **fields}
    if run < running:
        return {"async_status": "Job Running", "async_percent_completion": percent, "is_running": True}
    return {"async_status": "Job Completed", "async_percent_completion": 100, "is_running": False,
            "time_completed": int(data["time_ref"] + not_started + started + running)}


def values(record: Record, now: float, rules: dict[str, Any]) -> dict[str, Any]:
    data = record.data
    return {"id": str(record.id), "account_id": record.account_id, "time_ref": data["time_ref"],
            "date_start": data["date_start"], "date_stop": data["date_stop"], "is_bookmarked": False,
            "is_async_export": 0, **progress(record, now, rules)}


def default_failure(rules: dict[str, Any], at_percent: int = 0) -> dict[str, Any]:
    return {"at_percent": at_percent, "error_code": -2, "error_subcode": 2490547, "error_message": "Report Failed",
            "error_user_title": "Report Failed",
            "error_user_msg": "The report could not be generated. Review the query and resubmit it."}

"""Insights examples: defaults, formats, documented errors, async jobs, batch polling, nested reads and
steering, each quoting the reference (INSIGHTS.md sections)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import insights_world as W
from helpers_envelope import assert_graph_error
from mock_server import GraphMock


@pytest.fixture(scope="module")
def mock() -> Any:
    with GraphMock(seed=5) as m:
        yield m


@pytest.fixture()
def world(mock: GraphMock) -> dict[str, Any]:
    mock.reset()
    return W.build(mock, (2, 2, 2), days=10)  # clock: 2026-01-11 00:00 America/Los_Angeles


def get(world: dict[str, Any], path: str = "", **params: Any) -> Any:
    return world["client"].get(path or f"{world['act']}/insights", params=params)


def data(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["data"]


# -- defaults and formats ----------------------------------------------------------------------------------
def test_no_params_gives_impressions_and_spend_for_last_30d_ending_yesterday_insights_md_1_1_2_1(world):
    """INSIGHTS.md 1.1/2: a read with no params returns basic metrics for the last 30 full days (default
    date_preset last_30d, N full days ending yesterday), one account row, cursors MAZDZD."""
    response = get(world)
    body = response.json()
    assert list(body["data"][0]) == ["impressions", "spend", "date_start", "date_stop"]
    assert body["data"][0]["date_start"] == "2025-12-12" and body["data"][0]["date_stop"] == "2026-01-10"
    assert body["paging"] == {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}
    assert all(isinstance(v, str) for v in body["data"][0].values())  # 3.2: numbers are strings


def test_presets_are_evaluated_in_the_account_time_zone_insights_md_7(mock, world):
    """INSIGHTS.md 7: days are account-local. At 2026-01-11 07:59 UTC it is still Jan 10 in Los Angeles."""
    mock.clock.set(W.T0 + 10 * W.DAY - 60)
    today = data(get(world, date_preset="today"))
    assert today and today[0]["date_start"] == today[0]["date_stop"] == "2026-01-10"
    week = data(get(world, date_preset="last_7d", time_increment="1"))
    assert [r["date_start"] for r in week] == [f"2026-01-{d:02d}" for d in range(3, 10)]


def test_ratios_are_six_decimals_from_the_row_counts_insights_md_3_4(world):
    row = data(get(world, fields="spend,impressions,clicks,reach,ctr,cpc,cpm,cpp,frequency"))[0]
    spend, impressions, clicks, reach = float(row["spend"]), int(row["impressions"]), int(row["clicks"]), int(row["reach"])
    assert row["ctr"] == f"{clicks / impressions * 100:.6f}".rstrip("0").rstrip(".")
    assert row["cpm"] == f"{spend / impressions * 1000:.6f}".rstrip("0").rstrip(".")
    assert row["frequency"] == f"{impressions / reach:.6f}".rstrip("0").rstrip(".")
    assert "." not in row["impressions"] and len(row["spend"].partition(".")[2]) <= 2


def test_every_documented_field_is_accepted_insights_md_2_3(mock, world):
    """Every AdsInsights field of graph-node-fields.txt is served (a default shape where not simulated)."""
    names = [n for n, p in mock.state.node_types["AdsInsights"].fields.items() if n not in mock.state.registry.rules("insights")["breakdowns"]]
    assert len(names) >= 200
    row = data(get(world, fields=",".join(names)))[0]
    assert row["account_id"] == world["act"].removeprefix("act_") and row["account_currency"] == "USD"
    assert row["quality_ranking"] == "UNKNOWN"
    assert {"action_type": "link_click", "value": row["inline_link_clicks"]} in row["actions"]


def test_paging_with_offset_cursors_and_next_insights_md_3_1(world):
    first = get(world, level="ad", limit="3", time_increment="1").json()
    assert len(first["data"]) == 3 and first["paging"]["cursors"] == {"before": "MAZDZD", "after": "MgZDZD"}
    assert "next" in first["paging"]
    second = get(world, level="ad", limit="3", time_increment="1", after=first["paging"]["cursors"]["after"]).json()
    assert second["paging"]["cursors"]["before"] == "MwZDZD" and second["data"][0] != first["data"][-1]


def test_time_ranges_give_one_result_set_each_insights_md_2(world):
    ranges = [{"since": "2026-01-01", "until": "2026-01-03"}, {"since": "2026-01-02", "until": "2026-01-05"}]
    rows = data(get(world, time_ranges=json.dumps(ranges), time_increment="1"))
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [("2026-01-01", "2026-01-03"), ("2026-01-02", "2026-01-05")]


def test_filtering_sort_and_summary_insights_md_2_4_2_5_3_7(world):
    campaign = world["campaigns"][0]
    rows = data(get(world, level="campaign", fields="campaign_id,spend",
                    filtering='[{field:"campaign.id",operator:"IN",value:["%s"]}]' % campaign))
    assert [r["campaign_id"] for r in rows] == [campaign]
    rows = data(get(world, level="ad", fields="ad_id,spend", sort="spend_descending"))
    assert [float(r["spend"]) for r in rows] == sorted((float(r["spend"]) for r in rows), reverse=True)
    body = get(world, level="ad", fields="spend", default_summary="true").json()
    assert float(body["summary"]["spend"]) == pytest.approx(sum(float(r["spend"]) for r in body["data"]))
    assert data(get(world, filtering='[{"field":"impressions","operator":"GREATER_THAN","value":1e12}]')) == []


def test_hourly_breakdown_reports_reach_zero_insights_md_4_4(world):
    rows = data(get(world, breakdowns="hourly_stats_aggregated_by_advertiser_time_zone", fields="impressions,reach"))
    assert len(rows) == 24 and rows[0]["hourly_stats_aggregated_by_advertiser_time_zone"] == "00:00:00 - 00:59:59"
    assert {r["reach"] for r in rows} == {"0"}


def test_breakdown_values_respect_targeting_insights_md_9_9(world):
    rows = data(get(world, breakdowns="country", fields="impressions"))
    assert {r["country"] for r in rows} <= {"US", "CA"}


# -- documented errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, code, message", [
    ({"fields": "impressions,foo,bar"}, 100, "(#100) foo, bar are not valid for fields param."),
    ({"fields": "gender"}, 100, "(#100) gender is not valid for fields param."),
    ({"breakdowns": "placement"}, 100, "(#100) placement is not valid for breakdowns param"),
    ({"breakdowns": "age,gender,country"}, 100, "(#100) Current combination of data breakdown columns (action_type, age, country, gender) is invalid"),
    ({"breakdowns": "impression_device"}, 100, "Current combination of data breakdown columns"),
    ({"time_range": "{}"}, 100, "(#100) param time_range must be non-empty."),
    ({"time_range": '{"since":"2022-01-01","until":"2022-01-02"}'}, 3018,
     "(#3018) The start date of the time range cannot be beyond 37 months from the current date"),
    ({"date_preset": "lifetime"}, 100, "date_preset must be one of"),
    ({"filtering": '[{"field":"app_id","operator":"IN","value":["1"]}]'}, 100, "(#100) Filtering field 'app_id' is not supported"),
    ({"after": "not-a-cursor"}, 2642, "(#2642) Invalid cursors values"),
])
def test_documented_errors_insights_md_6_3(world, params, code, message):
    """INSIGHTS.md 6.2/6.3: the documented codes and messages (OAuthException, HTTP 400)."""
    response = get(world, **params)
    assert_graph_error(response, code, message_has=message)
    assert "x-fb-ads-insights-throttle" in response.headers


def test_level_above_the_object_is_clamped_to_the_object_insights_md_10_11(world):
    """INSIGHTS.md 10.11: whether a level above the queried object errors (1/99?) or is clamped is open;
    graphmock clamps (an input never yields a 500), so the ad's own row comes back."""
    clamped = data(get(world, world["ads"][0] + "/insights", level="campaign", fields="ad_id,spend"))
    assert clamped == data(get(world, world["ads"][0] + "/insights", fields="ad_id,spend"))
    assert clamped[0]["ad_id"] == world["ads"][0]


def test_too_much_data_is_code_1_http_500_insights_md_6_1(mock, world):
    rules = mock.state.registry.rules("insights")
    saved = rules["max_cells_sync"]
    rules["max_cells_sync"] = 10
    try:
        response = get(world, level="ad", time_increment="1")
    finally:
        rules["max_cells_sync"] = saved
    error = assert_graph_error(response, 1, status=500)
    assert error["message"] == "Please reduce the amount of data you're asking for, then retry your request"


def test_throttle_header_and_80000_when_limits_are_exceeded_insights_md_6_4(mock, world):
    header = json.loads(get(world).headers["x-fb-ads-insights-throttle"])
    assert set(header) == {"app_id_util_pct", "acc_id_util_pct", "ads_api_access_tier"}
    mock.state.ratelimits.configure({"max_score": 2, "decay_seconds": 3600, "block_seconds": 60})
    try:
        answers = [get(world) for _ in range(4)]
    finally:
        mock.state.ratelimits.configure(None)
    assert_graph_error(answers[-1], 80000, 2446079, message_has="too many calls from this ad-account")


# -- async jobs ----------------------------------------------------------------------------------------------
def test_async_job_statuses_then_same_rows_as_sync_insights_md_5_9_8(mock, world):
    c, act = world["client"], world["act"]
    params = {"level": "campaign", "fields": "campaign_id,spend,impressions", "time_increment": "1"}
    run_id = c.post(f"{act}/insights", data=params).json()["report_run_id"]
    assert run_id.isdigit()
    seen = []
    for _ in range(20):
        node = c.get(run_id).json()
        seen.append(node["async_status"])
        assert node["date_start"] == "2025-12-12" and node["account_id"] == act.removeprefix("act_")
        if node["async_status"] == "Job Completed":
            assert node["async_percent_completion"] == 100 and "time_completed" in node
            break
        assert_graph_error(c.get(f"{run_id}/insights"), 2601, 1815107, message_has="Error accessing adreport job.")
        mock.clock.advance(1)
    assert seen[0] == "Job Not Started" and "Job Running" in seen and seen[-1] == "Job Completed"
    mock.clock.advance(3600)  # the job's rows stay as of its creation
    rows = c.get(f"{run_id}/insights", params={"limit": "100"}).json()["data"]
    mock.clock.advance(-3600 - len(seen) + 1)
    assert rows == data(get(world, limit="100", **params))


def test_injected_job_failure_answers_job_failed_insights_md_5_3(mock, world):
    mock.insights.fail_jobs(1, at_percent=40)
    c = world["client"]
    run_id = c.post(f"{world['act']}/insights", data={"level": "ad"}).json()["report_run_id"]
    mock.clock.advance(60)
    node = c.get(run_id).json()
    assert node["async_status"] == "Job Failed" and node["async_percent_completion"] == 40
    assert node["error_code"] == -2 and node["error_subcode"] == 2490547
    assert_graph_error(c.get(f"{run_id}/insights"), 2601, 1815107)
    second = c.post(f"{world['act']}/insights", data={"level": "ad"}).json()["report_run_id"]
    mock.clock.advance(60)
    assert c.get(second).json()["async_status"] == "Job Completed"


def test_polling_through_batch_insights_md_5_3(mock, world):
    """Connectors poll jobs with batched GET /<id> (INSIGHTS.md 5.3, GRAPH-BEHAVIOUR 5)."""
    c = world["client"]
    runs = [c.post(f"{world['act']}/insights", data={"level": level}).json()["report_run_id"]
            for level in ("campaign", "adset")]
    mock.clock.advance(30)
    batch = [{"method": "GET", "relative_url": run} for run in runs] + \
            [{"method": "GET", "relative_url": f"v25.0/{runs[0]}/insights?limit=1"}]
    answers = c.post("", data={"batch": json.dumps(batch)}).json()
    assert [json.loads(a["body"])["async_status"] for a in answers[:2]] == ["Job Completed"] * 2
    assert json.loads(answers[2]["body"])["data"]


# -- nested and summary ----------------------------------------------------------------------------------------
def test_nested_insights_in_lists_and_single_reads_insights_md_1_3(world):
    c, act = world["client"], world["act"]
    body = c.get(f"{act}/campaigns", params={
        "fields": "name,insights.date_preset(last_7d).time_increment(1){impressions,spend}", "summary": "insights"}).json()
    campaign = body["data"][0]
    assert len(campaign["insights"]["data"]) == 7 and set(campaign["insights"]["data"][0]) == {
        "impressions", "spend", "date_start", "date_stop"}
    assert body["summary"]["total_count"] == 2 and body["summary"]["insights"]["data"][0]["spend"]
    one = c.get(world["ads"][0], params={"fields": "insights{impressions}"}).json()
    assert int(one["insights"]["data"][0]["impressions"]) > 0
    account = c.get(act, params={"fields": "insights.date_preset(last_3d){spend}"}).json()
    assert account["insights"]["data"][0]["date_start"] == "2026-01-08"


# -- steering --------------------------------------------------------------------------------------------------
def test_profiles_steer_exact_numbers(mock, world):
    """A test can assert its dashboard's numbers exactly (issue 13): a fixed daily figure, no delivery."""
    c, act = world["client"], world["act"]
    first, second = world["campaigns"]
    mock.insights.set_profile(first, daily_spend=120, cpm=10, ctr=0.01)
    mock.insights.set_profile(second, no_delivery=True)
    rows = data(get(world, level="campaign", fields="campaign_id,spend,impressions,clicks", date_preset="last_3d",
                    time_increment="1"))
    assert rows == [{"campaign_id": first, "spend": "120", "impressions": "12000", "clicks": "120",
                     "date_start": f"2026-01-{d:02d}", "date_stop": f"2026-01-{d:02d}"} for d in (8, 9, 10)]
    assert mock.insights.profiles()[second] == {"no_delivery": True}
    snapshot = mock.snapshot()
    mock.reset()
    assert mock.insights.profiles() == {}
    mock.restore(snapshot)
    assert mock.insights.profiles()[first]["daily_spend"] == 120


def test_job_failure_through_the_fault_mechanism_insights_md_5_3(mock, world):
    """A `job_failed` fault (the same registry as every injected fault) fails the next job it matches."""
    mock.state.faults.add(method="POST", path="act_*/insights", job_failed=True, times=1,
                          error={"code": -3, "error_subcode": 1504045, "message": "Report Too Large"})
    c = world["client"]
    failed = c.post(f"{world['act']}/insights", data={"level": "ad"}).json()["report_run_id"]
    fine = c.post(f"{world['act']}/insights", data={"level": "ad"}).json()["report_run_id"]
    mock.clock.advance(60)
    node = c.get(failed).json()
    assert (node["async_status"], node["error_code"], node["error_subcode"], node["error_message"]) == (
        "Job Failed", -3, 1504045, "Report Too Large")
    assert c.get(fine).json()["async_status"] == "Job Completed"
    mock.state.faults.clear()


def test_action_breakdowns_add_their_keys_and_buc_type_is_ads_insights_insights_md_3_3(world):
    """INSIGHTS.md 3.3: with action_breakdowns each element carries the breakdown keys; GRAPH-BEHAVIOUR 2.1:
    insights calls count under the ads_insights business-use-case type."""
    response = get(world, fields="actions", action_breakdowns="action_type,action_device")
    actions = data(response)[0]["actions"]
    assert all(set(a) == {"action_type", "value", "action_device"} for a in actions)
    assert '"type":"ads_insights"' in response.headers["x-business-use-case-usage"]


def test_sync_breakdowns_older_than_13_months_omit_reach_insights_md_4_4(mock, world):
    mock.clock.set(W.T0 + 420 * W.DAY)
    old = {"since": "2026-01-01", "until": "2026-01-05"}
    rows = data(get(world, fields="impressions,reach,frequency", breakdowns="gender", time_range=json.dumps(old)))
    assert rows and all("reach" not in r and "frequency" not in r for r in rows)
    rows = data(get(world, fields="impressions,reach", time_range=json.dumps(old)))
    assert "reach" in rows[0]


def test_ads_read_is_enough_for_sync_and_async_insights_insights_md_1_1(world):
    """INSIGHTS.md 1.1: insights need ads_read; starting a job is a read too. Another account's job is invisible."""
    c = world["client"]
    assert c.get(f"{world['act']}/insights", token="GMDEMO-ads-read-token").status_code == 200
    started = c.post(f"{world['act']}/insights", data={"level": "ad"}, token="GMDEMO-ads-read-token")
    assert started.status_code == 200, started.text
    assert_graph_error(c.post(f"{world['act']}/insights", token="GMDEMO-two-factor-token"), 100, 33)
    assert_graph_error(c.get(started.json()["report_run_id"], token="GMDEMO-two-factor-token"), 100, 33)


@pytest.mark.parametrize("params", [
    {"filtering": '[{"field":"impressions","operator":"IN_RANGE","value":[1,"x"]}]'},
    {"filtering": '[{"field":"ad.name","operator":"CONTAIN","value":{"a":1}}]'},
    {"filtering": "[1,2]"}, {"breakdowns": '[["age"]]'}, {"time_range": '{"since":1,"until":2}'},
    {"time_ranges": json.dumps([{"since": "2026-01-01", "until": "2026-01-02"}] * 51)},
    {"fields": '{"a":"b"}'}, {"sort": "actions:link_click_descending"}, {"level": '["ad"]'},
    {"time_increment": "1", "date_preset": "maximum"},
])
def test_odd_inputs_answer_json_never_500_with_a_traceback(world, params):
    """TEAM non-negotiable: no input yields a 500 with a traceback; odd insights params get Graph answers."""
    response = get(world, **params)
    assert response.status_code in (200, 400), response.text
    assert "error" in response.json() or "data" in response.json()


def test_job_failure_through_the_control_api_faults_docs_control_api(mock, world):
    """docs/control-api.md: a fault with `"job_failed": true` on `POST act_*/insights` fails the next report run
    through `POST /__graphmock/faults` too (the key was refused as unknown)."""
    c = world["client"]
    added = c.post("/__graphmock/faults", json={"method": "POST", "path": "act_*/insights", "job_failed": True,
                                                 "times": 1}, token=None)
    assert added.status_code == 200, added.text
    failed = c.post(f"{world['act']}/insights", data={"level": "ad"}).json()["report_run_id"]
    mock.clock.advance(60)
    assert c.get(failed).json()["async_status"] == "Job Failed"
    mock.state.faults.clear()

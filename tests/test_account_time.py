"""Datetimes in the ad account's time zone (issue 17 point 4).

Source: issue 17 ("Graph renders datetimes in the ad account's time zone offset, e.g. `2026-08-28T00:00:00-0400`
for an account at -0400, as seen on the wire by SDK users"); seed 000 (naive times are read in the ad account's
timezone); GRAPH-BEHAVIOUR 4 (the `2017-04-06T22:04:21+0000` form).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.domain import account_time, timefmt

CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


def _utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def _created(client, act: str, at: float) -> str:
    client.state.clock.freeze(at)
    campaign = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
    return client.get(campaign, params={"fields": "created_time"}).json()["created_time"]


def test_los_angeles_account_reads_pdt_in_summer_and_pst_in_winter(client, act):
    """Issue 17: the demo account is America/Los_Angeles: -0700 on 2026-08-28, -0800 on 2026-12-05."""
    assert _created(client, act, _utc("2026-08-28T07:00:00")) == "2026-08-28T00:00:00-0700"
    assert _created(client, act, _utc("2026-12-05T08:00:00")) == "2026-12-05T00:00:00-0800"


def test_an_account_at_minus_0400_reads_minus_0400(client, act):
    """Issue 17's wire example: `2026-08-28T00:00:00-0400` for an account at -0400 (America/New_York in summer)."""
    document = copy.deepcopy(client.state.fixtures_document)
    document["ad_accounts"][0]["timezone_name"] = "America/New_York"
    client.state.load_fixtures(document)
    assert _created(client, act, _utc("2026-08-28T04:00:00")) == "2026-08-28T00:00:00-0400"


def test_nested_and_edge_reads_use_the_owning_account_zone(client, act):
    """Every datetime field of the account's objects: node, edge and nested expansion alike."""
    client.state.clock.freeze(_utc("2026-08-28T07:00:00"))
    campaign = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
    listed = client.get(f"{act}/campaigns", params={"fields": "created_time,updated_time"}).json()["data"]
    assert listed == [{"created_time": "2026-08-28T00:00:00-0700", "updated_time": "2026-08-28T00:00:00-0700",
                       "id": campaign}]
    nested = client.get(act, params={"fields": "campaigns{created_time}"}).json()["campaigns"]["data"]
    assert nested == [{"created_time": "2026-08-28T00:00:00-0700", "id": campaign}]


def test_naive_input_is_read_in_the_account_zone_and_rendered_back(client, act):
    """Seed 000: a naive `YYYY-MM-DD HH:MM:SS` is the ad account's local time; it reads back unchanged with the
    offset of that instant (PDT on 2036-07-01)."""
    created = client.post(f"{act}/campaigns", data={**CAMPAIGN, "start_time": "2036-07-01 10:00:00",
                                                     "stop_time": "2036-12-01 10:00:00"}).json()["id"]
    body = client.get(created, params={"fields": "start_time,stop_time"}).json()
    assert body["start_time"] == "2036-07-01T10:00:00-0700"
    assert body["stop_time"] == "2036-12-01T10:00:00-0800"


def test_unknown_zone_name_falls_back_to_utc():
    """A fixture `timezone_name` zoneinfo does not know renders in UTC rather than failing."""
    assert account_time.render(0, account_time.zone("Not/AZone")) == "1970-01-01T00:00:00+0000"


@settings(max_examples=60)
@given(st.integers(0, 4_102_444_800), st.sampled_from(["America/Los_Angeles", "Europe/Paris", "Australia/Sydney",
                                                        "Asia/Kolkata", "UTC", "America/St_Johns"]))
def test_rendered_times_are_the_same_instant_with_that_instant_offset(seconds, name):
    """DST-correct (property): the rendered text parses back to the same instant, and its offset is zoneinfo's
    offset at that instant (not the zone's standard offset)."""
    tz = account_time.zone(name)
    text = account_time.render(seconds, tz)
    assert timefmt.parse(text) == seconds
    offset = datetime.fromtimestamp(seconds, ZoneInfo(name)).utcoffset()
    sign = "-" if offset.total_seconds() < 0 else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    assert text.endswith(f"{sign}{minutes // 60:02d}{minutes % 60:02d}")


def test_naive_times_in_filtering_are_read_in_the_account_zone(client, act):
    """Seed 000 (naive times are the account's local time) applied to `filtering` on a datetime field: 00:30 on
    2026-08-28 in Los Angeles is after a campaign created at 00:00 local (07:00 UTC)."""
    client.state.clock.freeze(_utc("2026-08-28T07:00:00"))
    campaign = client.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]

    def listed(operator: str, value: str) -> list[str]:
        filtering = [{"field": "campaign.created_time", "operator": operator, "value": value}]
        body = client.get(f"{act}/campaigns", params={"filtering": json.dumps(filtering)}).json()
        return [d["id"] for d in body["data"]]

    assert listed("LESS_THAN", "2026-08-28 00:30:00") == [campaign]
    assert listed("GREATER_THAN", "2026-08-28 00:30:00") == []
    assert listed("GREATER_THAN", "2026-08-27 23:30:00") == [campaign]

"""Fair verdicts (issue 17 point 7): a journal verdict is an error only when Graph refuses or mis-handles the request.

Sources: issue 17 (a data-loading connector sends `sort` and `order_by`, which Graph ignores silently, and was
blamed with severity `error`); GRAPH-BEHAVIOUR 3.3 (the SDKs only warn on undeclared params; Graph accepts relaxed
JSON); GRAPH-BEHAVIOUR 4 (an unknown field refuses the whole read). The table is schemas/rules/verdicts.json.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server.config import ServerConfig
from mock_server.journal import journal_of
from mock_server.testing import InProcessClient
from mock_server.verify.verdicts import ERROR, INFO, WARNING, Violation, severity_table

CAMPAIGN = {"name": "c", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED", "special_ad_categories": "[]"}


@pytest.fixture
def c() -> Iterator[InProcessClient]:
    client = InProcessClient(ServerConfig(seed=5))
    yield client
    client.close()


def _last(client: InProcessClient) -> dict[str, str]:
    entry = journal_of(client.state).entries()[-1]
    return {v.kind: v.severity for v in entry.violations}


def test_every_kind_has_a_severity_and_a_reason():
    """Each verdict kind's severity is a table entry with the reason for it."""
    for kind, entry in severity_table()["severity"].items():
        assert entry["severity"] in (ERROR, WARNING, INFO) and entry["reason"], kind
        assert Violation(kind, None, "m").severity == entry["severity"]


def test_connector_sort_and_order_by_are_info_not_error(c):
    """Issue 17: `sort` / `order_by` on a list call are ignored by Graph; the journal notes them as info, and
    the request counts as no violation for check-client or the graph_contract marker."""
    act = c.world["ad_account_id"]
    assert c.get(f"{act}/campaigns", params={"sort": "name_ascending", "order_by": "name"}).status_code == 200
    assert _last(c) == {"ignored_param": INFO}
    assert journal_of(c.state).violations(warnings=True) == []
    assert journal_of(c.state).entries()[-1].conforming  # the note stays readable in the verdict


def test_an_unknown_param_is_a_warning(c):
    """GRAPH-BEHAVIOUR 3.3: Graph ignores an undeclared param silently; the client may expect an effect."""
    c.post(f"{c.world['ad_account_id']}/campaigns", data={**CAMPAIGN, "colour": "red"})
    assert _last(c) == {"unknown_param": WARNING}
    journal = journal_of(c.state)
    assert journal.violations(warnings=False) == [] and len(journal.violations(warnings=True)) == 1


def test_relaxed_json_is_a_warning(c):
    """GRAPH-BEHAVIOUR 3.3: Graph's reader accepts relaxed JSON (single quotes); a strict decoder would not."""
    c.post(f"{c.world['ad_account_id']}/campaigns", data={**CAMPAIGN, "special_ad_categories": "['NONE']"})
    assert _last(c).get("non_strict_json") == WARNING


def test_refusals_stay_errors(c):
    """GRAPH-BEHAVIOUR 4: an unknown field refuses the read (100); a missing required param refuses the write."""
    act = c.world["ad_account_id"]
    c.get(act, params={"fields": "no_such_field"})
    assert _last(c) == {"unknown_field": ERROR}
    c.post(f"{act}/campaigns", data={"name": "x"})
    assert ERROR in _last(c).values()


def test_documented_but_unmodelled_field_is_info(c):
    """A documented Campaign field graphmock does not model (x-graph-unmodelled in schemas/nodes) is served
    without a value; the journal says so as info, never as an error."""
    act = c.world["ad_account_id"]
    campaign = c.post(f"{act}/campaigns", data=CAMPAIGN).json()["id"]
    assert c.get(campaign, params={"fields": "topline_id"}).status_code == 200
    assert _last(c) == {"unmodelled_field": INFO}

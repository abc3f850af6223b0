"""The pytest plugin, exercised in a separate pytest run (pytester) the way a user's project sees it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CLIENT = '''
import httpx, pytest

def create(graph_mock, **extra):
    w = graph_mock.world
    data = {"name": "n", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": "[]", **extra}
    return httpx.post(f"{graph_mock.url}/v25.0/{w['ad_account_id']}/campaigns",
                      params={"access_token": w["access_token"]}, data=data)

def count(graph_mock):
    w = graph_mock.world
    r = httpx.get(f"{graph_mock.url}/v25.0/{w['ad_account_id']}/campaigns",
                  params={"access_token": w["access_token"]})
    return len(r.json()["data"])
'''


def test_fixture_serves_over_http_and_resets_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(user_client=CLIENT)
    pytester.makepyfile(test_user="""
        from user_client import create, count

        def test_one(graph_mock):
            assert graph_mock.url.startswith("http://127.0.0.1:")
            assert create(graph_mock).status_code == 200
            assert count(graph_mock) == 1
            assert len(graph_mock.journal.entries()) == 2

        def test_two_starts_clean(graph_mock):
            assert count(graph_mock) == 0
            assert [e.method for e in graph_mock.journal.entries()] == ["GET"]
            assert graph_mock.clock.now() > 0 and graph_mock.reviews is not None
    """)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_marker_fails_a_test_and_prints_each_violation_with_its_request(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(user_client=CLIENT)
    pytester.makepyfile(test_user="""
        import pytest
        from user_client import create

        @pytest.mark.graph_contract
        def test_sloppy_client(graph_mock):
            assert create(graph_mock, colour="red").status_code == 200   # Graph accepts it silently
            assert create(graph_mock, objective="OUTCOME_NOPE").status_code == 400

        def test_with_fixture(graph_contract):
            create(graph_contract, colour="blue")

        @pytest.mark.graph_contract
        def test_clean_client(graph_mock):
            assert create(graph_mock, status="PAUSED").status_code == 200

        def test_unmarked_sloppy_client_passes(graph_mock):
            create(graph_mock, colour="green")
    """)
    result = pytester.runpytest("-p", "no:randomly")
    # an unknown param is a warning (schemas/rules/verdicts.json: Graph ignores it), so only the bad enum fails
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*graphmock recorded 1 contract violation(s) in 1 request(s):*",
        "*POST /v25.0/act_1000000000000001/campaigns -> HTTP 400*",
        "*objective = OUTCOME_NOPE*",
        "*error: bad_enum [[]objective[]]: \"OUTCOME_NOPE\" is not one of*",
    ])
    result.stdout.fnmatch_lines(["*FAILED test_user.py::test_sloppy_client*"])


def test_strict_option_refuses_silent_violations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(user_client=CLIENT)
    pytester.makepyfile(test_user="""
        from user_client import create

        def test_refused(graph_mock):
            r = create(graph_mock, colour="red")
            assert r.status_code == 400 and "strict mode" in r.json()["error"]["message"]
    """)
    result = pytester.runpytest("-p", "no:randomly", "--graphmock-strict")
    result.assert_outcomes(passed=1)


def test_plugin_with_a_strategy(pytester: pytest.Pytester) -> None:
    """The README example: a user's client driven by a strategy, checked by the journal."""
    pytester.makepyfile(test_user="""
        import httpx, pytest
        from hypothesis import HealthCheck, given, settings
        from contract_tests.strategies import encode, valid_campaign_create

        @pytest.mark.graph_contract
        @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(payload=valid_campaign_create(status="PAUSED"))
        def test_my_client_creates_campaigns(graph_mock, payload):
            w = graph_mock.world
            r = httpx.post(f"{graph_mock.url}/v25.0/{w['ad_account_id']}/campaigns",
                           params={"access_token": w["access_token"]}, data=encode(payload, "form"))
            assert r.status_code == 200, r.text
    """)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_warnings_fail_only_when_asked_and_faults_are_reset(pytester: pytest.Pytester) -> None:
    """Seed 003's recommended title length is a warning: it fails a test only with warnings=True."""
    pytester.makepyfile(test_user="""
        import httpx, pytest

        def creative(graph_mock):
            w = graph_mock.world
            story = '{"page_id": "%s", "link_data": {"link": "https://example.com/"}}' % w["page_id"]
            return httpx.post(f"{graph_mock.url}/v25.0/{w['ad_account_id']}/adcreatives",
                              params={"access_token": w["access_token"]},
                              data={"name": "c", "title": "A rather long creative title here", "object_story_spec": story})

        @pytest.mark.graph_contract
        def test_errors_only(graph_mock):
            assert creative(graph_mock).status_code == 200

        @pytest.mark.graph_contract(warnings=True)
        def test_with_warnings(graph_mock):
            assert creative(graph_mock).status_code == 200

        def test_fault_then_clean(graph_mock):
            graph_mock.faults.add(method="POST", path="act_*/adcreatives", times=1,
                                  error={"code": 2, "message": "Service temporarily unavailable", "is_transient": True})
            assert creative(graph_mock).json()["error"]["code"] == 2

        def test_faults_were_reset(graph_mock):
            assert graph_mock.faults.list() == [] and creative(graph_mock).status_code == 200
    """)
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*FAILED test_user.py::test_with_warnings*"])
    result.stdout.fnmatch_lines(["*warning: recommended_exceeded [[]title[]]: 33 characters; 25 or fewer are recommended*"])

"""The OpenAPI 3.1 document generated from schemas/ (issue 6 item 8): valid, complete, served behaviour
matches it (Schemathesis against the live mock: no 5xx, no response violating its own schema)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from mock_server import GraphMock
from mock_server.cli import main
from mock_server.config import ServerConfig
from mock_server.contract.registry import default_registry
from mock_server.openapi import build, component_name

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


def test_document_validates_and_covers_every_request_schema() -> None:
    document = build()
    validate(document)
    assert document["openapi"] == "3.1.0"
    registry = default_registry()
    referenced = json.dumps(document["paths"])
    for name in registry.documents:
        if name.startswith("requests/"):
            assert f"#/components/schemas/{component_name(name)}" in referenced, name
    assert not any(key.startswith("rules.") for key in document["components"]["schemas"])
    campaigns = document["paths"]["/act_{ad_account_id}/campaigns"]
    assert set(campaigns) == {"get", "post", "delete"}
    body = campaigns["post"]["requestBody"]["content"]
    assert body["application/x-www-form-urlencoded"]["schema"] == {"$ref": "#/components/schemas/requests.campaign.create"}
    objective = document["components"]["schemas"]["requests.campaign.create"]["properties"]["objective"]
    assert objective == {"$ref": "#/components/schemas/enums/$defs/objective"}  # one enum source, referenced


def test_a_create_answers_an_id_or_validate_only_success() -> None:
    """GRAPH-BEHAVIOUR 11: execution_options=["validate_only"] runs every validation and answers
    {"success": true} without writing; the documented create answer is otherwise the new id."""
    from jsonschema import Draft202012Validator
    document = build()
    schema = document["paths"]["/act_{ad_account_id}/campaigns"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    resolved = {"anyOf": [document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]] for ref in schema["anyOf"]]}
    validator = Draft202012Validator(resolved)
    assert validator.is_valid({"id": "120200000000000001"}) and validator.is_valid({"success": True})
    assert not validator.is_valid({}) and not validator.is_valid({"success": False})


def test_cli_prints_the_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == build()


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[GraphMock, str]]:
    config = ServerConfig(seed=4)
    config.rate_limits = "off"  # type: ignore[attr-defined]
    mock = GraphMock(config)
    client = mock.client()
    created = client.post(f"{mock.world['ad_account_id']}/campaigns",
                          data={"name": "seed", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": "[]"})
    mock.url  # start serving
    yield mock, created.json()["id"]
    mock.close()


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(live: tuple[GraphMock, str]) -> None:
    mock, campaign_id = live
    schema = schemathesis.openapi.from_dict(build())
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            if "ad_account_id" in (case.path_parameters or {}):
                case.path_parameters["ad_account_id"] = mock.world["ad_account_id"].removeprefix("act_")
            elif "id" in (case.path_parameters or {}) and case.method != "DELETE":
                case.path_parameters["id"] = campaign_id
            try:
                response = case.call_and_validate(base_url=mock.url + "/v25.0", checks=CHECKS,
                                                  headers={"Authorization": f"Bearer {mock.world['access_token']}"})
                statuses[response.status_code] += 1
            except Exception as failure:  # collect every failing operation, not just the first
                failures.append(f"{operation.label}: {str(failure)[:500]}")
        run()
    assert failures == []
    assert statuses[200] > 20 and sum(statuses.values()) >= EXAMPLES_PER_OPERATION * 5
    assert not any(status >= 500 for status in statuses)

"""Assertions shared by tests: a response is a Graph error envelope with the expected code."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema

from mock_server.contract.registry import default_registry


def assert_graph_error(response: httpx.Response, code: int, subcode: int | None = None, *, status: int = 400,
                       blame: str | None = None, message_has: str | None = None) -> dict[str, Any]:
    """Check the status, the envelope schema, code/subcode, blamed field and message; return the error."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    registry = default_registry()
    registry.get("envelopes/error").detailed.validate(body)
    error = body["error"]
    assert error["code"] == code, error
    assert error.get("error_subcode") == subcode, error
    assert error["fbtrace_id"]
    if blame is not None:
        specs = json.loads(error["error_data"])["blame_field_specs"]
        assert specs[0][0] == blame, specs
    if message_has is not None:
        assert message_has in error["message"] + " " + error.get("error_user_msg", ""), error
    return error


def validate(name: str, body: Any) -> None:
    try:
        default_registry().get(name).detailed.validate(body)
    except jsonschema.ValidationError as exc:  # pragma: no cover - shown on failure
        raise AssertionError(f"{name}: {exc.message} in {body}") from None


def explanation(client: Any) -> str:
    """graphmock's own explanation of the last request's refusal (the catalogue's error_user_msg), read from the
    journal: simple Graph envelopes ("(#100) Param ...") carry no user message on the wire (issue 17)."""
    from mock_server.journal import journal_of

    entry = journal_of(client.state).entries()[-1]
    return " ".join(v.message for v in entry.violations)

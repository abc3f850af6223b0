"""Send generated cases to a Graph-compatible server and judge the answers.

Shared by the in-process property tests and `graphmock verify`: a `Target`
performs HTTP calls (in-process ASGI or real HTTP); `Driver` knows the Graph
conventions (endpoint from the request schema's title, read-after-write,
clean-up of what it created) and raises `CheckFailure` carrying the exact
request that failed, so it can be replayed as a curl command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from contract_tests.cases import Case, Invalid, Ref, Step
from contract_tests.encoding import Style, encode
from contract_tests.operations import Context, Operation
from contract_tests.resources import OPERATIONS
from contract_tests.readback import differences, readable_fields


@dataclass
class SentRequest:
    method: str
    path: str  # /v25.0/...
    params: dict[str, Any] = field(default_factory=dict)  # query string (access_token added by the target)
    body: dict[str, Any] | None = None
    style: Style = "form"

    def curl(self, base_url: str, token: str) -> str:
        """A copy-pasteable curl command reproducing this request."""
        query = urlencode({**{k: str(v) for k, v in self.params.items()}, "access_token": token})
        parts = ["curl", "-sS", "-X", self.method, _quote(f"{base_url.rstrip('/')}{self.path}?{query}")]
        if self.body is not None and self.style == "json":
            parts += ["-H", _quote("Content-Type: application/json"),
                      "--data-raw", _quote(json.dumps(self.body, ensure_ascii=False, separators=(",", ":")))]
        elif self.body is not None:
            for name, value in self.body.items():
                parts += ["--data-urlencode", _quote(f"{name}={value}")]
        return " ".join(parts)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


class CheckFailure(AssertionError):
    """A contract check failed; `request` is the call that showed it."""

    def __init__(self, message: str, request: SentRequest | None = None) -> None:
        super().__init__(message)
        self.request = request


class Target(Protocol):
    def call(self, request: SentRequest) -> tuple[int, Any]: ...


@dataclass
class Driver:
    target: Target
    account: str  # act_<digits>
    ctx: Context
    version: str = "v25.0"
    created: list[str] = field(default_factory=list)
    first_payload: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> payload that created it

    # -- plumbing --------------------------------------------------------------------------------
    def endpoint(self, op: Operation, object_id: str | None = None) -> tuple[str, str]:
        """(method, path) from the request schema's title, e.g. `POST /act_<AD_ACCOUNT_ID>/campaigns`."""
        title = self.ctx.registry.documents[op.schema_name]["title"]
        method, template = title.split(" ", 1)
        path = template.replace("act_<AD_ACCOUNT_ID>", self.account)
        if "<" in path:
            head, _, rest = path.partition("<")
            path = head + (object_id or "") + rest.partition(">")[2]
        return method, f"/{self.version}{path}"

    def send(self, request: SentRequest) -> tuple[int, Any]:
        return self.target.call(request)

    def write(self, op: Operation, payload: dict[str, Any], style: Style, object_id: str | None = None) -> tuple[SentRequest, int, Any]:
        method, path = self.endpoint(op, object_id)
        request = SentRequest(method, path, body=encode(payload, style), style=style)
        status, body = self.send(request)
        return request, status, body

    # -- checks ----------------------------------------------------------------------------------
    def create(self, op: Operation, payload: dict[str, Any], style: Style, *, read_back: bool = True) -> str:
        """positive_data_acceptance + read-after-write for a create; returns the new id."""
        request, status, body = self.write(op, payload, style)
        if status != 200 or not isinstance(body, dict) or not str(body.get("id", "")).isdigit():
            raise CheckFailure(f"valid {op.name} was not accepted: HTTP {status} {_short(body)}", request)
        object_id = str(body["id"])
        self.created.append(object_id)
        # Deduplicated objects (identical creatives, seed 003) answer an existing id: that object's first payload
        # is what reads back.
        first = self.first_payload.setdefault(object_id, payload)
        if read_back:
            self.read_back(op, object_id, first, request)
        return object_id

    def update(self, op: Operation, object_id: str, payload: dict[str, Any], style: Style, *,
               read_back: bool = True) -> None:
        request, status, body = self.write(op, payload, style, object_id)
        if status != 200 or body != {"success": True}:
            raise CheckFailure(f"valid {op.name} was not accepted: HTTP {status} {_short(body)}", request)
        if object_id in self.first_payload:  # a later deduplicated create reads back the edited object
            self.first_payload[object_id] = {**self.first_payload[object_id], **payload}
        if read_back:
            self.read_back(op, object_id, payload, request)

    def read_back(self, op: Operation, object_id: str, payload: dict[str, Any], write: SentRequest) -> None:
        fields = readable_fields(op, payload, self.ctx)
        if not fields:
            return
        read = SentRequest("GET", f"/{self.version}/{object_id}", params={"fields": ",".join(fields)})
        status, body = self.send(read)
        if status != 200 or not isinstance(body, dict):
            raise CheckFailure(f"read after {op.name} failed: HTTP {status} {_short(body)}", read)
        problems = differences(op, payload, body, self.ctx)
        if problems:
            raise CheckFailure(f"{op.name} did not read back equal: " + "; ".join(problems), write)

    def reject(self, op: Operation, case: Invalid, style: Style, object_id: str | None = None) -> None:
        """negative_data_rejection: the exact error (code, subcode, blamed field) the label names."""
        request, status, body = self.write(op, case.payload, style, object_id)
        if status == 200 and isinstance(body, dict) and str(body.get("id", "")).isdigit():
            self.created.append(str(body["id"]))
        problem = case.expected.mismatch(status, body)
        if problem:
            raise CheckFailure(f"{op.name} breaking {case.rule}: {problem}", request)

    # -- cases with setup -------------------------------------------------------------------------
    def materialize(self, steps: tuple[Step, ...], style: Style) -> list[str]:
        """Create each setup object in order (filling Refs to earlier ones); returns their ids."""
        ids: list[str] = []
        for step in steps:
            op = OPERATIONS[step.operation]
            if op.is_update:  # an edit of the previous step's object (e.g. archive it): same id again
                self.update(op, ids[-1], resolve(step.payload, ids), style, read_back=False)
                ids.append(ids[-1])
            else:  # setup objects are accepted or the case fails; their read-back is their own operation's check
                ids.append(self.create(op, resolve(step.payload, ids), style, read_back=False))
        return ids

    def accept(self, op: Operation, case: Case, style: Style) -> str:
        """positive_data_acceptance for a case: setup, then create or update, then read back."""
        ids = self.materialize(case.setup, style)
        payload = resolve(case.payload, ids)
        if op.is_update:
            self.update(op, ids[-1], payload, style)
            return ids[-1]
        return self.create(op, payload, style)

    def refuse(self, op: Operation, case: Invalid, style: Style) -> None:
        """negative_data_rejection for a case: setup, then the request that must fail with its label."""
        ids = self.materialize(case.setup, style)
        resolved = Invalid(resolve(case.payload, ids), case.expected, case.rule, case.setup)
        self.reject(op, resolved, style, ids[-1] if op.is_update else None)

    def cleanup(self) -> None:
        """Delete (soft, status DELETED) everything this driver created, newest first."""
        while self.created:
            object_id = self.created.pop()
            self.first_payload.pop(object_id, None)
            self.send(SentRequest("DELETE", f"/{self.version}/{object_id}"))


def resolve(value: Any, ids: list[str]) -> Any:
    """Replace every Ref in `value` with the id its setup step created."""
    if isinstance(value, Ref):
        return ids[value.step]
    if isinstance(value, dict):
        return {k: resolve(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, ids) for v in value]
    return value


def _short(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)[:300]

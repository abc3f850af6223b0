"""An OpenAPI 3.1 document generated from `schemas/` (never written by hand).

Every schema document becomes a component (`requests.campaign.create`,
`nodes.Campaign`, `envelopes.error`, `common`, `enums`) with its `$ref`s
rewritten to component pointers; paths come from the request schemas' titles
(mock_server.verify.operations). GET/DELETE params go in the query string
(arrays and objects JSON-encoded, as Graph expects); POST params are a form
or JSON body. Every operation answers the Graph error envelope on failure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from mock_server.config import ServerConfig
from mock_server.contract.registry import SchemaRegistry, default_registry, join_document
from mock_server.verify.operations import ANY_NODE, OperationRef, index

_PLACEHOLDER = re.compile(r"<([A-Z_]+)>")
_NAME = re.compile(r"[^A-Za-z0-9._-]")


def component_name(document: str) -> str:
    """`requests/campaign.create` -> `requests.campaign.create`."""
    return _NAME.sub("_", document.replace("/", "."))


def _rewrite(value: Any, document: str) -> Any:
    """Copy a schema, pointing every `$ref` at its component and dropping per-document `$schema`/`$id`."""
    if isinstance(value, list):
        return [_rewrite(v, document) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, inner in value.items():
        if key in ("$schema", "$id"):
            continue
        if key == "$ref" and isinstance(inner, str):
            doc_part, _, pointer = inner.partition("#")
            target = join_document(document, doc_part) if doc_part else document
            out[key] = f"#/components/schemas/{component_name(target)}{pointer}"
        else:
            out[key] = _rewrite(inner, document)
    return out


def _path(template: str) -> tuple[str, list[dict[str, Any]]]:
    """`/act_<AD_ACCOUNT_ID>/campaigns` -> `/act_{ad_account_id}/campaigns` and its path parameters."""
    if template == "/":
        return template, []
    name = "ad_account_id" if template.startswith("/act_") else "id"
    param = {"name": name, "in": "path", "required": True, "description": "a numeric Graph id",
             "schema": {"type": "string", "pattern": "^[0-9]{1,20}$"}}
    # one `{id}` for every node id: /{campaign_id} and /{ad_set_id} would be the same template
    return _PLACEHOLDER.sub("{" + name + "}", template), [param]


def _query_params(registry: SchemaRegistry, schema_name: str) -> list[dict[str, Any]]:
    schema = registry.documents[schema_name]
    ref = f"#/components/schemas/{component_name(schema_name)}/properties/"
    out = []
    for name, prop in schema.get("properties", {}).items():
        resolved = registry.resolve(prop, schema_name)
        structured = resolved.get("type") in ("array", "object")
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in schema.get("required", [])}
        if structured:
            param["content"] = {"application/json": {"schema": {"$ref": ref + name}}}
        else:
            param["schema"] = {"$ref": ref + name}
        out.append(param)
    return out


# GRAPH-BEHAVIOUR 5: a batch answers an array with one {code, headers, body} (or null) per operation.
# (No envelopes/batch.json yet; this shape moves there when it exists.)
_BATCH = {"type": "array", "items": {"anyOf": [{"type": "null"}, {
    "type": "object", "required": ["code"], "properties": {
        "code": {"type": "integer"}, "headers": {"type": "array"}, "body": {"type": ["string", "null"]}}}]}}


def _response(registry: SchemaRegistry, operation: OperationRef, node_refs: list[dict[str, str]]) -> dict[str, Any]:
    name = operation.schema.removeprefix("requests/")
    declared = registry.documents[operation.schema].get("x-graph-response")  # e.g. insights: report_run
    if declared:
        return {"description": "Success", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component_name(declared)}"}}}}
    if operation.template == "/":
        envelope = operation.schema.replace("requests/", "envelopes/")
        return {"description": "One result per operation", "content": {"application/json": {"schema": _BATCH}}} \
            if envelope not in registry.documents else \
            {"description": "Result", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component_name(envelope)}"}}}}
    declared = registry.documents[operation.schema].get("x-graph-response")  # an edge whose rows are not nodes
    if declared:
        body = component_name(declared)
    elif operation.method == "GET" and operation.edge:
        body = "envelopes.list"
    elif operation.method == "GET":
        return {"description": "The node's requested fields", "content": {"application/json": {"schema": {"anyOf": node_refs}}}}
    elif operation.method == "DELETE" and operation.edge:
        body = "envelopes.bulk_delete"
    elif operation.method == "POST" and name.endswith(".create"):
        created, success = ({"$ref": f"#/components/schemas/envelopes.{n}"} for n in ("created", "success"))
        return {"description": "The new object's id (and its `fields`); `{\"success\": true}` when "
                               "execution_options=[\"validate_only\"] only validated",
                "content": {"application/json": {"schema": {"anyOf": [created, success]}}}}
    else:
        body = "envelopes.success"
    return {"description": "Success", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}


def build(registry: SchemaRegistry | None = None, *, versions: tuple[str, ...] | None = None,
          server: str = "http://127.0.0.1:8787") -> dict[str, Any]:
    """The OpenAPI 3.1 document for every operation `schemas/` describes."""
    from mock_server import __version__

    registry = registry or default_registry()
    versions = versions or ServerConfig().versions
    components = {component_name(name): _rewrite(doc, name) for name, doc in sorted(registry.documents.items())
                  if not name.startswith("rules/")}
    node_refs = [{"$ref": f"#/components/schemas/{component_name(n)}"} for n in sorted(registry.documents)
                 if n.startswith("nodes/")]
    grouped: dict[tuple[str, str], list[OperationRef]] = defaultdict(list)
    for operation in index(registry):
        grouped[(_path(operation.template)[0], operation.method)].append(operation)
    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for (path, method), operations in sorted(grouped.items()):
        first = operations[0]
        _, path_params = _path(first.template)
        schemas = [f"#/components/schemas/{component_name(op.schema)}" for op in operations]
        nodes = sorted({op.node for op in operations if op.node != ANY_NODE}) or ["any node"]
        entry: dict[str, Any] = {
            "operationId": method.lower() + _NAME.sub("_", path.replace("/", "_").replace("{", "").replace("}", "")),
            "summary": f"{method} {first.template} ({', '.join(nodes)})",
            "description": " ".join(str(registry.documents[op.schema].get("description", "")) for op in operations).strip(),
            "parameters": path_params,
            "x-graph-request-schemas": schemas,
            "responses": {"200": _response(registry, first, node_refs),
                          "default": {"description": "Graph error envelope",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/envelopes.error"}}}}},
        }
        if method == "POST":
            body_schema = {"$ref": schemas[0]} if len(schemas) == 1 else {"anyOf": [{"$ref": s} for s in schemas]}
            entry["requestBody"] = {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": body_schema},
                "application/json": {"schema": body_schema}}}
        else:
            entry["parameters"] = path_params + _query_params(registry, first.schema)
        paths[path][method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "graphmock: Meta Marketing API (Graph ad endpoints)", "version": __version__,
                 "description": "Generated from graphmock's schemas/. Paths are relative to /{version}."},
        "servers": [{"url": server + "/{version}", "variables": {"version": {"default": versions[0], "enum": list(versions)}}}],
        "security": [{"access_token": []}, {"bearer": []}],
        "paths": dict(paths),
        "components": {
            "schemas": components,
            "securitySchemes": {"access_token": {"type": "apiKey", "in": "query", "name": "access_token"},
                                "bearer": {"type": "http", "scheme": "bearer"}},
        },
    }

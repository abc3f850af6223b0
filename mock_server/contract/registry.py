"""Load every JSON Schema under `schemas/` and compile validators once.

Two validators per schema: `jsonschema-rs` answers "is it valid?" in a few
microseconds on the hot path; the pure-Python `jsonschema` runs only when a
payload is invalid, because it reports the exact failing keyword and path
that the Graph error message needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from referencing import Registry, Resource

from mock_server.resources import schemas_dir

BASE_URI = "https://graphmock.dev/schemas/"


@dataclass(frozen=True)
class CompiledSchema:
    name: str
    schema: dict[str, Any]
    fast: Any
    detailed: jsonschema.protocols.Validator

    def is_valid(self, instance: Any) -> bool:
        return self.fast.is_valid(instance)


class SchemaRegistry:
    """All schemas by name (`requests/campaign.create`, `nodes/Campaign`, ...)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.documents: dict[str, dict[str, Any]] = {}
        for path in sorted(root.rglob("*.json")):
            rel = path.relative_to(root).with_suffix("").as_posix()
            with open(path, encoding="utf-8") as fh:
                self.documents[rel] = json.load(fh)
        resources = [(BASE_URI + name + ".json", doc) for name, doc in self.documents.items() if "$schema" in doc]
        self._py_registry = Registry().with_resources(
            (uri, Resource.from_contents(doc)) for uri, doc in resources)
        self._rs_registry = jsonschema_rs.Registry(resources)
        self._compiled: dict[str, CompiledSchema] = {}

    def get(self, name: str) -> CompiledSchema:
        compiled = self._compiled.get(name)
        if compiled is None:
            schema = self.documents[name]
            fast = jsonschema_rs.validator_for(schema, registry=self._rs_registry)
            detailed = jsonschema.Draft202012Validator(schema, registry=self._py_registry)
            compiled = self._compiled[name] = CompiledSchema(name, schema, fast, detailed)
        return compiled

    def compile_all(self) -> None:
        for name, doc in self.documents.items():
            if name.startswith(("requests/", "nodes/", "envelopes/")) and "$schema" in doc:
                self.get(name)

    def resolve(self, schema: dict[str, Any], base: str) -> dict[str, Any]:
        """Follow `$ref` chains (relative to the document `base`) to the referenced subschema."""
        seen = 0
        while "$ref" in schema and seen < 16:
            ref = schema["$ref"]
            doc_part, _, pointer = ref.partition("#")
            target_name = join_document(base, doc_part) if doc_part else base
            schema = self.documents[target_name]
            for token in (t for t in pointer.split("/") if t):
                schema = schema[token.replace("~1", "/").replace("~0", "~")]
            base = target_name
            seen += 1
        return schema

    @property
    def rs_registry(self) -> Any:
        """The jsonschema-rs registry of every schema (contract/known_valid.py compiles with it)."""
        return self._rs_registry

    def rules(self, name: str) -> Any:
        """A rule table from `schemas/rules/<name>.json`."""
        return self.documents["rules/" + name]

    def enum(self, name: str) -> list[str]:
        return self.documents["enums"]["$defs"][name]["enum"]


def join_document(base: str, relative: str) -> str:
    """Resolve a relative `$ref` document path: ("requests/campaign.create", "../enums.json") -> "enums"."""
    parts = base.split("/")[:-1]
    for piece in relative.removesuffix(".json").split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


@cache
def default_registry() -> SchemaRegistry:
    registry = SchemaRegistry(schemas_dir())
    return registry

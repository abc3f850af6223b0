"""Regenerate graphmock's node schemas for the account surface from Meta's field lists.

Reads ../shared/reference/graph-node-fields.txt and graph-surface-fields.txt (Meta's codegen specs, as
field:type lists) and writes one `schemas/nodes/<Node>.json` per fixture-backed node, plus the documented
fields the six stored nodes lacked (appended, existing entries untouched). Run from the project root:
`python tools/gen_surface_schemas.py ../shared/reference`. The output is committed; this script only
keeps it reproducible.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

NEW_NODES = {  # schema title -> (reference node, x-graph-node-type, edges, refs, description)
    "User": ("User", "User", {"adaccounts": "AdAccount", "businesses": "Business", "permissions": "Permission",
                              "accounts": "Page", "business_users": "BusinessUser"}, {},
             "The person or system user a token belongs to; `me` resolves to it (ACCOUNT-SURFACE 1.1-1.2)."),
    "Permission": ("Permission", "UserPermission", {}, {}, "One row of /me/permissions (ACCOUNT-SURFACE 1.2)."),
    "Business": ("Business", "Business", {"owned_ad_accounts": "AdAccount", "client_ad_accounts": "AdAccount",
                                          "business_users": "BusinessUser"}, {},
                 "A Business Manager from the fixtures (ACCOUNT-SURFACE 1.3)."),
    "BusinessUser": ("BusinessUser", "BusinessUser", {}, {}, "A person's role in a business (ACCOUNT-SURFACE 1.4)."),
    "AdAccountUser": ("AdAccountUser", "AdAccountUser", {}, {}, "A row of /act_<id>/users (ACCOUNT-SURFACE 1.4)."),
    "AssignedUser": ("AssignedUser", "AssignedUser", {}, {}, "A row of /act_<id>/assigned_users (ACCOUNT-SURFACE 1.4)."),
    "Page": ("Page", "Page", {"posts": "PagePost", "promotable_posts": "PagePost", "instagram_accounts": "IGUser"},
             {}, "A Facebook Page from the fixtures (ACCOUNT-SURFACE 6.1)."),
    "PagePost": ("PagePost", "PagePost", {}, {}, "A Page post, id <page_id>_<post_id> (ACCOUNT-SURFACE 6.1)."),
    "IGUser": ("IGUser", "IGUser", {"media": "IGMedia"}, {},
               "An Instagram account from the fixtures (ACCOUNT-SURFACE 6.2)."),
    "IGMedia": ("IGMedia", "ShadowIGMedia", {}, {}, "An Instagram post (ACCOUNT-SURFACE 6.2)."),
    "AdPreview": ("AdPreview", "AdPreview", {}, {}, "A preview iframe (ACCOUNT-SURFACE 7)."),
}
EXTRA = {  # fields Graph serves as edges but clients request as fields (ACCOUNT-SURFACE 6.1: `picture`)
    "Page": {"picture": {"type": "object", "description": "ProfilePictureSource as a field: {data: {url, ...}}"}},
    "User": {"picture": {"type": "object", "description": "ProfilePictureSource as a field: {data: {url, ...}}"}},
}
DEFAULT_FIELDS = {  # what a read without `fields` returns (ACCOUNT-SURFACE 1.2-1.4, 6, 7; [INFER] where marked there)
    "User": ["id", "name"], "Business": ["id", "name"], "BusinessUser": ["id", "name"], "Page": ["id", "name"],
    "AdAccountUser": ["id", "name", "tasks"], "AssignedUser": ["id", "name"], "Permission": ["permission", "status"],
    "PagePost": ["id", "created_time", "message"], "IGUser": ["id"], "IGMedia": ["id"], "AdPreview": ["body"],
}
STORED = ("Campaign", "AdSet", "Ad", "AdCreative", "AdAccount", "AdImage")
REFS = {("Ad", "source_ad"): ("Ad", "source_ad_id")}
_SPLIT = re.compile(r",\s+(?=[a-z0-9_]+:)")


def parse(path: Path) -> dict[str, list[tuple[str, str]]]:
    nodes: dict[str, list[tuple[str, str]]] = {}
    lines = path.read_text().splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^## (\w+) \(\d+ fields\)$", line)
        if match and i + 1 < len(lines):
            nodes[match.group(1)] = [tuple(p.split(":", 1)) for p in _SPLIT.split(lines[i + 1].strip())]  # type: ignore[misc]
    return nodes


def prop(kind: str) -> dict:
    kind = kind.strip()
    if kind == "string" or re.match(r"^[A-Za-z]+_[a-z_]+$", kind):
        return {"type": "string"}
    if kind in ("int", "unsigned int"):
        return {"type": "integer"}
    if kind == "float":
        return {"type": "number"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "datetime":
        return {"$ref": "../common.json#/$defs/datetime_out"}
    if kind.startswith("list<"):
        return {"type": "array"}
    return {"type": "object"}


def main(reference: Path, root: Path = Path(".")) -> None:
    fields = {**parse(reference / "graph-node-fields.txt"), **parse(reference / "graph-surface-fields.txt")}
    for title, (ref, graph_type, edges, _, description) in NEW_NODES.items():
        props: dict = {}
        for name, kind in fields[ref]:
            props[name] = prop(kind)
        props.update(EXTRA.get(title, {}))
        for edge, target in edges.items():
            props[edge] = {"$ref": "../envelopes/list.json", "x-graph-edge": target}
        doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
               "$id": f"https://graphmock.dev/schemas/nodes/{title}.json", "title": title,
               "x-graph-node-type": graph_type, "description": description + " Fields: Meta's codegen specs"
               " (graph-surface-fields.txt); a field graphmock holds no value for is omitted, as Graph omits unset fields.",
               "x-graph-default-fields": DEFAULT_FIELDS[title],
               "type": "object", "required": ["id"] if "id" in props else [], "properties": props}
        (root / "schemas" / "nodes" / f"{title}.json").write_text(json.dumps(doc, indent=1) + "\n")
    for node in STORED:
        path = root / "schemas" / "nodes" / f"{node}.json"
        doc = json.loads(path.read_text())
        added = False
        for name, kind in fields[node]:
            if name in doc["properties"]:
                continue
            added = True
            if (node, name) in REFS:
                target, id_field = REFS[(node, name)]
                doc["properties"][name] = {"type": "object", "x-graph-ref": {"node": target, "id_field": id_field}}
            else:
                doc["properties"][name] = prop(kind)
        if added:
            path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def apply_legacy(root: Path = Path(".")) -> None:
    """schemas/legacy_fields.json -> the same fields on the node schemas, flagged x-graph-legacy."""
    table = json.loads((root / "schemas" / "legacy_fields.json").read_text())
    for entry in table["fields"]:
        path = root / "schemas" / "nodes" / f"{entry['node']}.json"
        doc = json.loads(path.read_text())
        prop_doc = doc["properties"].setdefault(entry["field"], {"type": "string"})
        prop_doc["x-graph-legacy"] = True
        if entry["value"].startswith("alias of "):
            prop_doc["x-graph-alias-of"] = entry["value"].removeprefix("alias of ")
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference"))
    apply_legacy()

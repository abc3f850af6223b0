"""Ad labels (ACCOUNT-SURFACE 5.4): stored per account, keyed by name, attached to campaigns, ad sets, ads and
creatives through `adlabels`.

`adlabels=[{"name"}|{"id"}]` on a create or update replaces an object's set, and a new name creates the label;
`POST /<object>/adlabels` adds to the set. Objects store `[{"id", "name"}]`; reads show each label's current
`id`, `name`, `created_time` and `updated_time`.
"""

from __future__ import annotations

from typing import Any

from mock_server.domain import timefmt
from mock_server.store.repository import Record, Repository
from mock_server.wire.errors import GraphError
from mock_server.wire.limits import ascii_digits

TYPE = "AdLabel"
LABELLED = ("Campaign", "AdSet", "Ad", "AdCreative")


def build(params: dict[str, Any], account_id: str, object_id: int, now: float) -> Record:
    name = str(params["name"]).strip()
    if not name:
        raise GraphError("param_required", field="name")
    data = {"name": name, "created_time": int(now), "updated_time": int(now)}
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, key=_key(name),
                  created=int(now))


def rename(record: Record, name: str, now: float) -> None:
    record.data["name"] = name
    record.data["updated_time"] = int(now)
    record.key = _key(name)


def _key(name: str) -> str:
    return "name:" + name


def find(store: Repository, account_id: str, name: str) -> Record | None:
    record = store.find_by_key(TYPE, account_id, _key(name))
    return record if record is not None and record.status != "DELETED" else None


def resolve(store: Repository, account_id: str, items: list[dict[str, Any]], now: float, *, create: bool = True,
            min_id: int = 0) -> list[dict[str, str]]:
    """`[{"name"}|{"id"}]` -> `[{"id", "name"}]`: ids must be labels of this account; unknown names become new
    labels (ACCOUNT-SURFACE 5.4 'a new name creates the label'). Call inside the write's transaction."""
    out: list[dict[str, str]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise GraphError("adlabel_invalid", field=f"adlabels[{index}]", value=str(item)[:100])
        label_id, name = item.get("id"), item.get("name")
        record: Record | None = None
        if label_id is not None:
            record = store.get(int(label_id)) if ascii_digits(str(label_id)) and len(str(label_id)) < 20 else None
            if record is None or record.type != TYPE or record.account_id != account_id or record.status == "DELETED":
                raise GraphError("adlabel_invalid", field=f"adlabels[{index}]", value=str(label_id))
        elif name is not None and str(name).strip():
            record = find(store, account_id, str(name).strip())
            if record is None:
                record = build({"name": name}, account_id, max(store.next_id(), min_id), now)
                if create:
                    store.insert(record)
        else:
            raise GraphError("adlabel_invalid", field=f"adlabels[{index}]", value="{}")
        entry = {"id": str(record.id), "name": record.data["name"]}
        if entry not in out:
            out.append(entry)
    return out


class Binder:
    """Before a labelled object is written (create, update, copy, batch), its `adlabels` become `[{"id", "name"}]`
    of this account's labels, new names creating labels in the same transaction (store/observed.py)."""

    def __init__(self, now: Any, per_object: int) -> None:
        self.now = now
        self.per_object = per_object

    def before_write(self, store: Repository, record: Record) -> None:
        items = record.data.get("adlabels")
        if record.type not in LABELLED or not items or not isinstance(items, list):
            return
        if len(items) > self.per_object:
            raise GraphError("adlabel_too_many", limit=str(self.per_object))
        # the object's own id may be allocated but not yet inserted: a new label takes the id after it
        record.data["adlabels"] = resolve(store, record.account_id, items, self.now(), min_id=record.id + 1)

    def before_insert(self, store: Repository, record: Record) -> None:
        return None

    def inserted(self, store: Repository, record: Record) -> None:
        return None

    def updated(self, store: Repository, before: Record | None, after: Record) -> None:
        return None


def merged(current: list[dict[str, Any]] | None, added: list[dict[str, str]]) -> list[dict[str, Any]]:
    """`POST /<object>/adlabels` adds or reuses (ACCOUNT-SURFACE 5.4)."""
    out = [dict(item) for item in current or []]
    ids = {str(item.get("id")) for item in out}
    out.extend(item for item in added if item["id"] not in ids)
    return out


def removed(current: list[dict[str, Any]] | None, gone: list[dict[str, str]]) -> list[dict[str, Any]]:
    ids = {item["id"] for item in gone}
    return [dict(item) for item in current or [] if str(item.get("id")) not in ids]


def view(items: list[dict[str, Any]] | None, lookup: Any) -> list[dict[str, Any]] | None:
    """The `adlabels` an object reads: each label's current id, name and times (a rename shows at once)."""
    if not items:
        return items
    out = []
    for item in items:
        label_id = str(item.get("id") or "")
        record = lookup(int(label_id)) if ascii_digits(label_id) else None
        if record is None or record.type != TYPE:
            out.append(dict(item))
            continue
        out.append({"id": label_id, "name": record.data["name"], "created_time": _iso(record.data["created_time"]),
                    "updated_time": _iso(record.data["updated_time"])})
    return out


def _iso(seconds: int) -> str:
    return timefmt.format_graph(seconds)

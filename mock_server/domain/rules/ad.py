"""Ad create/update rules (seed 000 step 4; GRAPH-BEHAVIOUR 6, 11).

Each rule is a small function `(params, context) -> GraphError | None`; the
ordered tuples at the bottom are the rule tables the ad domain runs. Limits and
editable-field lists come from `schemas/rules/ad.json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError


@dataclass(frozen=True)
class AdContext:
    table: dict[str, Any]
    existing: Record | None = None  # the stored ad on update
    ads_in_adset: Callable[[], int] = lambda: 0  # non-archived ads already in the target ad set


Rule = Callable[[dict[str, Any], AdContext], GraphError | None]


def creation_status(params: dict[str, Any], ctx: AdContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 6.1 (M-AD): 'Only ACTIVE and PAUSED are valid during creation.'"""
    status = params.get("status")
    if status is not None and status not in ctx.table["creation_statuses"]:
        return GraphError("creation_status_invalid", value=status)
    return None


def execution_options(params: dict[str, Any], ctx: AdContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 11: include_recommendations 'cannot be used by itself'; synchronous_ad_review 'should always be specified with validate_only'."""
    options = params.get("execution_options") or []
    if "include_recommendations" in options and "validate_only" not in options:
        return GraphError("include_recommendations_alone")
    if "synchronous_ad_review" in options and "validate_only" not in options:
        return GraphError("synchronous_ad_review_alone")
    return None


def ads_per_adset(params: dict[str, Any], ctx: AdContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 11: at most 50 non-archived ads per ad set."""
    limit = ctx.table["max_ads_per_adset"]
    if ctx.ads_in_adset() >= limit:
        return GraphError("ad_limit_per_adset", value=str(params.get("adset_id")), bound=limit)
    return None


def editable(params: dict[str, Any], ctx: AdContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 6.3: an ARCHIVED ad changes only name (or status to DELETED, 1885088); a DELETED ad only name."""
    record = ctx.existing
    if record is None:
        return None
    changing = sorted(set(params))
    if record.status == "DELETED":
        refused = [k for k in changing if k not in ctx.table["deleted_editable"]]
        if refused:
            return GraphError("edit_deleted_ad", field=refused[0])
    if record.status == "ARCHIVED":
        refused = [k for k in changing if k not in ctx.table["archived_editable"]]
        if refused or params.get("status", "DELETED") not in ctx.table["archived_statuses"]:
            return GraphError("edit_archived_ad", field=(refused or ["status"])[0])
    return None


def immutable(params: dict[str, Any], ctx: AdContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 11 (M-AD): 'adset_id and social_prefs can not be updated'."""
    record = ctx.existing
    for name in ctx.table["immutable"]:
        if record is not None and name in params and str(params[name]) != str(record.data.get(name)):
            return GraphError("ad_adset_immutable", field=name)
    return None


CREATE_RULES: tuple[Rule, ...] = (execution_options, creation_status, ads_per_adset)
UPDATE_RULES: tuple[Rule, ...] = (execution_options, editable, immutable)


def check(rules: tuple[Rule, ...], params: dict[str, Any], ctx: AdContext) -> None:
    for rule in rules:
        error = rule(params, ctx)
        if error is not None:
            raise error

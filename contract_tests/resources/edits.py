"""Ad creative and ad update strategies (seed 003 'Updating'; GRAPH-BEHAVIOUR 6.3, 11).

Creatives change only name, adlabels and status; ads change most params but
never their ad set, and once ARCHIVED or DELETED only their name (and an
archived ad's status, to DELETED). Setup creates the object (and its parents).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected, Step
from contract_tests.operations import Breaker, Context, Operation, valid
from contract_tests.resources import ad, adcreative
from contract_tests.resources.campaign import _break_execution_options

# Creative statuses a client sets; IN_PROCESS / WITH_ISSUES are set by Graph itself (graphmock assumption).
CREATIVE_STATUSES = ("ACTIVE", "DELETED")


def _creative_setup(ctx: Context) -> st.SearchStrategy[Context]:
    creative = valid(adcreative.make(ctx.registry), ctx.replace(pins={}, ready=True))
    return creative.map(lambda c: ctx.replace(existing=c, steps=(Step("adcreative.create", c),), ready=True))


def _creative_repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if "status" not in ctx.pins and draw(st.booleans()):
        p["status"] = draw(st.sampled_from(CREATIVE_STATUSES))
    return p


def creative_update(registry: Any) -> Operation:
    schema = registry.documents["requests/adcreative.update"]["properties"]
    skips = {name: "not a stored creative field" for name in schema if name not in ("name", "adlabels", "status")}
    return Operation(name="adcreative.update", node="AdCreative", not_generated=skips, repair=_creative_repair,
                     breakers={}, setup=_creative_setup, controlled=frozenset({"status"}))


# -- ads ------------------------------------------------------------------------------------------------
def _ad_setup(ctx: Context) -> st.SearchStrategy[Context]:
    @st.composite
    def chain(draw: st.DrawFn) -> Context:
        parents = draw(ad.setup(ctx.replace(ready=False)))
        created = draw(valid(ad.CREATE, parents))
        return parents.replace(existing=created, steps=(*parents.steps, Step("ad.create", created)), ready=True)
    return chain()


def _ad_repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if "status" not in ctx.pins and draw(st.booleans()):
        p["status"] = draw(st.sampled_from(ctx.table("ad")["creation_statuses"]))
    return p


def _then(status: str, key: str, payload: dict[str, Any], field: str) -> Breaker:
    """The ad is first set to `status`; then `payload` is an edit that status refuses."""
    def breaker(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
        steps = (*ctx.steps, Step("ad.update", {"status": status}))
        return dict(payload), steps, Expected.of(key, field=field)
    return breaker


def _move(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    return {**p, "adset_id": "99999999999"}, ctx.existing, Expected.of("ad_adset_immutable", field="adset_id")


AD_UPDATE = Operation(
    name="ad.update", node="Ad",
    not_generated={**ad.SKIPS, "adset_id": "cannot change (its own rule)", "creative": "a new creative is its own case"},
    repair=_ad_repair, setup=_ad_setup, controlled=frozenset({"status"}),
    breakers={
        "rule:execution_options": _break_execution_options,
        "rule:immutable": _move,
        "rule:editable[deleted]": _then("DELETED", "edit_deleted_ad", {"priority": 5}, "priority"),
        "rule:editable[archived]": _then("ARCHIVED", "edit_archived_ad", {"status": "ACTIVE"}, "status"),
    })

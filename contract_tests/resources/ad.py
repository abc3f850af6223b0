"""Ad create strategies (seed 000 step 4): an ad joins an ad set and a creative created as setup.

Setup chain: campaign -> ad set (its strategies) -> creative (its strategies);
the ad names them by `Ref`. Rules from `schemas/rules/ad.json`: ACTIVE/PAUSED
at creation, execution_options never alone, a live ad set and creative of the
same account, at most `max_ads_per_adset` ads per ad set.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected, Ref, Step
from contract_tests.operations import Breaker, Context, Operation, valid
from contract_tests.resources import adcreative, adset

CONTROLLED = frozenset({"adset_id", "creative", "status"})
SKIPS = {
    "execution_options": "validate_only / synchronous_ad_review change the response; broken by its own rule",
    "fields": "a read-after-write selector, not a param of the ad",
    **{name: "must name an existing object or spec" for name in (
        "source_ad_id", "draft_adgroup_id", "audience_id", "adset_spec", "creative_asset_groups_spec",
        "engagement_audience", "include_demolink_hashes", "date_format")},
}


def _t(ctx: Context) -> dict[str, Any]:
    return ctx.table("ad")


def setup(ctx: Context) -> st.SearchStrategy[Context]:
    """Campaign, ad set and creative to create first (steps 0, 1, 2)."""
    creative_op = adcreative.make(ctx.registry)

    @st.composite
    def chain(draw: st.DrawFn) -> Context:
        parent = draw(adset.setup(ctx.replace(ready=False)))
        adset_params = draw(valid(adset.CREATE, parent))
        creative = draw(valid(creative_op, ctx.replace(pins={}, ready=True)))
        steps = (*parent.steps, Step("adset.create", adset_params), Step("adcreative.create", creative))
        return ctx.replace(parents={**parent.parents, "adset": adset_params, "creative": creative}, steps=steps,
                           ready=True)
    return chain()


def repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    p["adset_id"] = Ref(1)
    p["creative"] = {"creative_id": Ref(2)}
    if "status" not in ctx.pins:
        p["status"] = draw(st.sampled_from(_t(ctx)["creation_statuses"]))
    return p


def _options(option: str, key: str) -> Breaker:
    def breaker(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
        return {**p, "execution_options": [option]}, ctx.existing, Expected.of(key)
    return breaker


def _status(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    others = [s for s in ctx.registry.enum("ad_status") if s not in _t(ctx)["creation_statuses"]]
    return {**p, "status": draw(st.sampled_from(others))}, ctx.existing, Expected.of("creation_status_invalid")


def _adset(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    return {**p, "adset_id": "99999999999"}, ctx.existing, Expected.of("ad_adset_invalid")


def _creative(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    payload = {**p, "creative": {"creative_id": "99999999999"}}
    return payload, ctx.existing, Expected.of("ad_creative_invalid", field="creative[creative_id]")


def _no_creative(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    return {**p, "creative": {}}, ctx.existing, Expected.of("ad_creative_required")


def _full_adset(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
    """GRAPH-BEHAVIOUR 11: the ad set already holds the maximum number of ads."""
    sibling = {"name": "sibling", "adset_id": Ref(1), "creative": {"creative_id": Ref(2)}, "status": "PAUSED"}
    steps = (*ctx.steps, *[Step("ad.create", sibling)] * int(_t(ctx)["max_ads_per_adset"]))
    return p, steps, Expected.of("ad_limit_per_adset")


BREAKERS: dict[str, Breaker] = {
    "rule:ads_per_adset": _full_adset,
    "rule:execution_options[include_recommendations]": _options("include_recommendations", "include_recommendations_alone"),
    "rule:execution_options[synchronous_ad_review]": _options("synchronous_ad_review", "synchronous_ad_review_alone"),
    "rule:creation_status": _status,
    "rule:parent_adset": _adset,
    "rule:existing_creative": _creative,
    "rule:creative_required": _no_creative,
}

CREATE = Operation(name="ad.create", node="Ad", not_generated=SKIPS, repair=repair, breakers=BREAKERS, setup=setup,
                   controlled=CONTROLLED)

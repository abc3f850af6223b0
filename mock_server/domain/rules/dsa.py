"""Ad set rules of the EU Digital Services Act (GRAPH-BEHAVIOUR 1.1/9, M-ADSET 'Targeting DSA Regulated
Locations'): an EU-targeted ad set names its payor and beneficiary, or the ad account's defaults fill them in.
Tables: schemas/rules/adset.json 'dsa'. Run by rules/adset.py's rule tuples like every other ad set rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mock_server.domain.rules import targeting
from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext, Spec


def _dsa_regulated(spec: Spec, ctx: AdSetContext) -> list[str]:
    """The EU locations of the targeting when the DSA check applies: on create, and on update when targeting or a
    DSA field is sent (GRAPH-BEHAVIOUR 1.1: 'Updating/creating ad needs to provide payor of the ad'), so a name or
    status edit of an older ad set is not refused. Detection: schemas/rules/adset.json 'dsa' and
    targeting.located_in (countries, entries carrying an EU country, EU country groups)."""
    rule = ctx.table["dsa"]
    if ctx.existing is not None and not ctx.touched("targeting", *rule["fields"]):
        return []
    sent = spec.get("targeting")
    kept = ctx.memo.get("dsa")  # the fill and both rules ask: work it out once per targeting object
    if kept is None or kept[0] is not sent:
        kept = ctx.memo["dsa"] = (sent, targeting.located_in(spec, rule["eu_countries"], rule["eu_country_groups"]))
    return kept[1]


def regulated(spec: Spec, ctx: AdSetContext) -> list[str]:
    """The EU locations of the targeting as a create sends it (rules/adset.py fill_create remembers them)."""
    return _dsa_regulated(spec, ctx)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def dsa_account_defaults(spec: Spec, ctx: AdSetContext) -> None:
    """GRAPH-BEHAVIOUR 9 (M-ADSET): 'Account defaults default_dsa_payor/default_dsa_beneficiary auto-fill' - a fill:
    an EU-targeted ad set without (or with a blank) dsa_payor / dsa_beneficiary gets the ad account's default
    (fixture keys of the ad account), stored and read back like a sent value."""
    if not _dsa_regulated(spec, ctx):
        return
    for name, entry in ctx.table["dsa"]["fields"].items():
        default = ctx.account.raw.get(entry["account_default"])
        if _blank(spec.get(name)) and not _blank(default):
            spec[name] = default


def _dsa_required(name: str, spec: Spec, ctx: AdSetContext) -> GraphError | None:
    if not _blank(spec.get(name)):
        return None
    regulated = _dsa_regulated(spec, ctx)
    if not regulated:
        return None
    return GraphError(ctx.table["dsa"]["fields"][name]["error"], eu=", ".join(regulated[:3]))


def dsa_payor_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 1.1/9 (M-ADSET 'Targeting DSA Regulated Locations'): ad sets targeting EU locations need
    dsa_payor (<= 512 characters: the schema) unless the account has default_dsa_payor - else code 100, subcode
    3858079, FacebookApiException, 'No payor provided in DSA regulated region', blame [["dsa_payor"]].
    A blank string counts as not provided."""
    return _dsa_required("dsa_payor", spec, ctx)


def dsa_beneficiary_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 1.1/9 (M-ADSET): the beneficiary variant - subcode 3858081, blame [["dsa_beneficiary"]],
    'No payor/beneficiary provided in DSA regulated location'; default_dsa_beneficiary fills it."""
    return _dsa_required("dsa_beneficiary", spec, ctx)

"""Ad set targeting rules (GRAPH-BEHAVIOUR 9): what the targeting schema cannot say alone.

Shapes, enums and the 13..65 age range are in `schemas/targeting.json`; these
rules add the cross-field ones: known options only, a location, age order,
radius per unit, and the special-ad-category restrictions inherited from the
parent campaign. Tables: `schemas/rules/adset.json` "targeting".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from mock_server.wire.errors import GraphError

if TYPE_CHECKING:
    from mock_server.domain.rules.adset import AdSetContext

Spec = dict[str, Any]
Rule = Callable[[Spec, Any], "GraphError | None"]


def _when_written(rule: Rule) -> Rule:
    """On update, targeting is checked only when it is sent (it replaces the stored spec whole)."""
    @wraps(rule)
    def checked(spec: Spec, ctx: AdSetContext) -> GraphError | None:
        return rule(spec, ctx) if ctx.existing is None or "targeting" in ctx.changed else None  # ctx.touched
    return checked


def _targeting(spec: Spec) -> dict[str, Any]:
    value = spec.get("targeting")
    return value if isinstance(value, dict) else {}


def _geo(spec: Spec) -> dict[str, Any]:
    value = _targeting(spec).get("geo_locations")
    return value if isinstance(value, dict) else {}


def known_options(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 1.3 (wire): '(#100) Unsupported targeting option: targeting_automation'-style errors."""
    options = ctx.tables.targeting_options
    for key in _targeting(spec):
        if key not in options:
            return GraphError("targeting_unsupported_option", field=f"targeting[{key}]", option=key)
    return None


def location_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9: 'You must specify at least one country in targeting, unless you use a Custom Audience'."""
    geo_keys, targeting = ctx.tables.geo_keys, _targeting(spec)
    for key, value in _geo(spec).items():  # the keys sent (one or two), not the table's ~20
        if value and key in geo_keys:
            return None
    for key in ctx.table["targeting"]["geo_optional_with"]:
        if targeting.get(key):
            return None
    return GraphError("targeting_geo_required", field="targeting[geo_locations]")


def age_order(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9: age_min (>= 13) and age_max (<= 65) bound one range, so age_min <= age_max."""
    targeting = _targeting(spec)
    low, high = targeting.get("age_min"), targeting.get("age_max")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        return GraphError("targeting_age_order", field="targeting[age_max]", age_min=low, age_max=high)
    return None


def radius_range(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9: cities radius 10-50 mi / 17-80 km; custom_locations 0.63-50 mi / 1-80 km."""
    geo = _geo(spec)
    for kind, units in ctx.table["targeting"]["radius"].items():
        if not geo.get(kind):
            continue
        for index, location in enumerate(geo[kind]):
            if not isinstance(location, dict) or location.get("radius") is None:
                continue
            unit = location.get("distance_unit") or "mile"
            low, high = units[unit]
            if not low <= location["radius"] <= high:
                return GraphError("targeting_radius_range", field=f"targeting[geo_locations][{kind}][{index}][radius]",
                                  low=low, high=high, unit=unit, value=location["radius"])
    return None


def restricted_category(ctx: AdSetContext) -> str | None:
    """The campaign's first restricted special ad category (four rules ask: worked out once per request)."""
    memo = ctx.memo
    if "restricted_category" not in memo:
        restricted = ctx.table["targeting"]["special_ad_categories"]["categories"]
        memo["restricted_category"] = None
        for category in ctx.campaign.data.get("special_ad_categories") or ():
            if category in restricted:
                memo["restricted_category"] = category
                break
    return memo["restricted_category"]


def special_category_age(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9 (M-SAC): HOUSING/EMPLOYMENT/CREDIT/FINANCIAL ad sets: 'age fixed 18-65+'."""
    category = restricted_category(ctx)
    if category is None:
        return None
    rule = ctx.table["targeting"]["special_ad_categories"]
    targeting = _targeting(spec)
    for name in ("age_min", "age_max"):
        if targeting.get(name) is not None and targeting[name] != rule[name]:
            return GraphError("targeting_sac_age", field=f"targeting[{name}]", category=category, required=rule[name])
    return None


def special_category_gender(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9 (M-SAC): special ad categories allow 'no specific gender'."""
    category = restricted_category(ctx)
    genders = _targeting(spec).get("genders")
    rule = ctx.table["targeting"]["special_ad_categories"]["genders"]
    if category is None or not genders or sorted(set(genders)) == sorted(rule):
        return None
    return GraphError("targeting_sac_gender", field="targeting[genders]", category=category)


def special_category_location(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9 (M-SAC): no zips, sub-city areas or location exclusion under special ad categories."""
    category = restricted_category(ctx)
    if category is None:
        return None
    rule = ctx.table["targeting"]["special_ad_categories"]
    geo = _geo(spec)
    for kind in rule["forbidden_geo"]:
        if geo.get(kind):
            return GraphError("targeting_sac_location", field=f"targeting[geo_locations][{kind}]", category=category)
    if rule["no_excluded_geo"] and _targeting(spec).get("excluded_geo_locations"):
        return GraphError("targeting_sac_location", field="targeting[excluded_geo_locations]", category=category)
    return None


def special_category_radius(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9 (M-SAC): HOUSING/EMPLOYMENT/CREDIT/FINANCIAL ad sets need 'radius >=15 mi / 25 km (US/CA),
    15 km Europe' - else 2909035 'Location Radius Selection Is Not Available', blaming the radius.

    A location's region comes from the country it carries, else from the campaign's special_ad_category_country;
    the strictest region applies, none -> the table's default (schemas/rules/adset.json min_radius)."""
    category = restricted_category(ctx)
    if category is None:
        return None
    rule = ctx.table["targeting"]["special_ad_categories"]["min_radius"]
    fallback = [c for c in ctx.campaign.data.get("special_ad_category_country") or [] if isinstance(c, str)]
    geo = _geo(spec)
    for kind in ctx.table["targeting"]["radius"]:
        for index, location in enumerate(geo.get(kind) or []):
            if not isinstance(location, dict) or not isinstance(location.get("radius"), (int, float)):
                continue
            unit = location.get("distance_unit") or "mile"
            country = _entry_country(location)
            countries = [country] if country else fallback
            regions = [name for name, region in rule["regions"].items() if set(countries) & set(region["countries"])]
            region, minimum = max(((name, _minimum(rule, name, unit)) for name in regions or [rule["default"]]),
                                  key=lambda pair: pair[1])
            if location["radius"] < minimum:
                return GraphError("targeting_sac_radius", field=f"targeting[geo_locations][{kind}][{index}][radius]",
                                  category=category, minimum=minimum, unit=unit, region=region, value=location["radius"])
    return None


def _minimum(rule: dict[str, Any], region: str, unit: str) -> float:
    """A region's minimum radius in `unit` (converted from the other unit when the table does not list it)."""
    limits = rule["regions"][region]
    if unit in limits:
        return limits[unit]
    value = limits["kilometer"] / rule["km_per_mile"] if unit == "mile" else limits["mile"] * rule["km_per_mile"]
    return math.ceil(value * 100) / 100  # rounded up to 0.01: never below the documented minimum


def _entry_country(entry: Any) -> str | None:
    """The country a geo_locations entry carries: its `country` (as Graph's targeting search returns regions, cities
    and custom locations), else a 'CC:' key prefix (zips 'DE:10115'); None when it names no country."""
    if isinstance(entry, dict):
        country = entry.get("country") or entry.get("country_code")
        if isinstance(country, str) and country:
            return country.upper()
        entry = entry.get("key")
    if isinstance(entry, str) and len(entry) > 3 and entry[2] == ":" and entry[:2].isalpha():
        return entry[:2].upper()
    return None


def located_in(spec: Spec, countries: list[str], groups: list[str]) -> list[str]:
    """The targeting.geo_locations entries in `countries` (or one of `groups`), as 'kind[value]' labels.

    graphmock has no location database: a region, city or other key counts only through the country it carries
    (see _entry_country). excluded_geo_locations never count."""
    geo, found = _geo(spec), []
    for kind, entries in geo.items():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if kind == "countries":
                country: str | None = entry.upper() if isinstance(entry, str) else None
            elif kind == "country_groups":
                if isinstance(entry, str) and entry.lower() in groups:
                    found.append(f"{kind}[{entry}]")
                continue
            else:
                country = _entry_country(entry)
            if country in countries:
                found.append(f"{kind}[{country}]")
    return found


# -- Advantage+ audience (v23+) ---------------------------------------------------------------------
def _advantage(ctx: AdSetContext) -> dict[str, Any] | None:
    """The table when the rule applies: ad set create at API version >= since_version (every version if unknown)."""
    if ctx.existing is not None or not ctx.tables.advantage_applies(ctx.version):
        return None
    return ctx.table["targeting"]["advantage_audience"]


def _advantage_flag(targeting: dict[str, Any]) -> Any:
    automation = targeting.get("targeting_automation")
    return automation.get("advantage_audience") if isinstance(automation, dict) else None


def narrowing(targeting: dict[str, Any], rule: dict[str, Any]) -> list[str]:
    """What keeps a targeting from being the 'default' / 'relaxed' setup (empty: exempt, the flag defaults)."""
    exempt = rule["exempt"]
    out = []
    age_min, age_max, genders = targeting.get("age_min"), targeting.get("age_max"), targeting.get("genders")
    if age_min is not None and not (isinstance(age_min, int) and exempt["age_min"][0] <= age_min <= exempt["age_min"][1]):
        out.append("age_min")
    if age_max is not None and age_max not in exempt["age_max"]:
        out.append("age_max")
    if genders and (not isinstance(genders, list) or sorted(set(genders)) != sorted(exempt["genders"])):
        out.append("genders")
    return out + [key for key in exempt["inclusions"] if targeting.get(key)]


def advantage_audience_default(spec: Spec, ctx: AdSetContext) -> None:
    """GRAPH-BEHAVIOUR 9 (M-ADV, v23+): a 'default' or 'relaxed' setup without the flag gets advantage_audience 1.

    A fill, not a rule: it completes the create params before the rules run (the stored targeting reads back
    with the flag, as a default Graph applied)."""
    rule = _advantage(ctx)
    targeting = spec.get("targeting")
    if rule is None or not isinstance(targeting, dict) or _advantage_flag(targeting) is not None:
        return
    if narrowing(targeting, rule):
        return
    flag_default(spec, targeting, rule)


def flag_default(spec: Spec, targeting: dict[str, Any], rule: dict[str, Any]) -> None:
    """spec's targeting, a copy of `targeting` with advantage_audience set to its default."""
    automation = targeting.get("targeting_automation")
    automation = dict(automation) if isinstance(automation, dict) else {}
    automation["advantage_audience"] = rule["default_value"]
    spec["targeting"] = {**targeting, "targeting_automation": automation}


def advantage_audience_required(spec: Spec, ctx: AdSetContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 9 (M-ADV, v23+): 'On ad set create, targeting.targeting_automation.advantage_audience must
    be 1 or 0, unless the setup is "default" ... or "relaxed"' - real title 'Advantage Audience Flag Required',
    code 100. Updates are unaffected. (0/1 themselves are the schema's enum.)"""
    rule = _advantage(ctx)
    targeting = _targeting(spec)
    if rule is None or _advantage_flag(targeting) is not None:
        return None
    narrowed = narrowing(targeting, rule)
    if not narrowed:
        return None
    return GraphError("targeting_advantage_audience_required", since=rule["since_version"],
                      narrowed=", ".join(narrowed))


FILLS_ON_CREATE = (advantage_audience_default,)

CHECKS: tuple[Rule, ...] = (
    known_options, location_required, age_order, radius_range,
    special_category_age, special_category_gender, special_category_location, special_category_radius,
    advantage_audience_required,
)
RULES: tuple[Rule, ...] = tuple(_when_written(rule) for rule in CHECKS)  # on update: only when targeting is sent

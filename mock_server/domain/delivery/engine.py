"""Spend per ad and day from budgets, then every other count from spend (INSIGHTS.md 9.5, 9.6, 7).

The budget owner is the campaign when it has a budget (campaign budget optimisation), else the ad set. Each
day the owner spends `factor x integral(rate x active)` split across its ads by seeded weights among the ads
that delivered that day; `factor` stays within the documented daily over-delivery allowance for daily budgets
and at most 1 for lifetime budgets, so neither budget is ever exceeded. A delivery profile (profiles.py) can
replace the rate by a fixed daily figure, scale the result or switch delivery off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from mock_server.domain.delivery import atoms, calendar, schedule, seeded
from mock_server.domain.delivery.profiles import Profiles
from mock_server.store.repository import Record


@dataclass
class _Leaf:
    ad: Record
    adset: Record
    campaign: Record
    weight: float
    profile: dict[str, Any]
    seconds: Any  # array of float per day (schedule.per_day)
    units: Any
    plan: atoms.Plan
    multiplier: float | None  # the profile's spend_multiplier


class Delivery:
    """Delivery of one ad account over a range of local days, computed on demand."""

    def __init__(self, table: dict[str, Any], currencies: dict[str, Any], account: Any, seed: int,
                 now: float, profiles: Profiles) -> None:
        self.table = table
        entry = currencies["currencies"].get(account.currency, currencies["default"])
        self.currency = (float(entry["per_usd"]), int(entry["offset"]))
        self.account = account
        self.tz = calendar.zone(account.timezone_name)
        self.seed = seed
        self.now = now
        self.profiles = profiles
        self._rates: dict[tuple[Any, Any], dict[str, Any]] = {}

    def cells(self, ads: list[Record], parents: dict[int, Record], first: date, last: date, full: bool = True
              ) -> Iterator[tuple[Record, int, list[int], tuple[str, int]]]:
        """(ad, day index, components, budget owner) for every ad-day with delivery in first..last (local
        dates), owner by owner and day by day. Without `full` only the delivery counts are filled."""
        if self.account.account_status != 1 or last < first:
            return
        bounds = calendar.bounds(self.tz, first, last)
        start, end = bounds[0], min(bounds[-1], self.now)
        groups: dict[tuple[str, int], list[_Leaf]] = {}
        owners: dict[tuple[str, int], tuple[Record, schedule.Timeline, dict[str, Any]]] = {}
        timelines: dict[int, schedule.Timeline] = {}
        for ad in ads:
            adset = parents.get(int(ad.adset_id or 0))
            campaign = parents.get(int(ad.campaign_id or 0))
            if adset is None or campaign is None:
                continue
            profile = self.profiles.resolve(self.account.id, campaign.id, adset.id, ad.id)
            if profile.get("no_delivery"):
                continue
            owner, fixed = self._owner(campaign, adset, ad)
            key = (owner.type, owner.id)
            for record in (owner, adset, campaign):  # one timeline per object and request
                if record.id not in timelines:
                    timelines[record.id] = schedule.Timeline(record)
            if key not in owners:
                owners[key] = (owner, timelines[owner.id], fixed)
            owner_timeline = owners[key][1]
            rate = self._rate_fn(owner, owner_timeline, fixed)
            segs = schedule.segments(ad, timelines[adset.id], timelines[campaign.id], rate,
                                     owner_timeline.breakpoints(), start, end)
            if not segs:
                continue
            seconds, units = schedule.per_day(segs, bounds)
            weight = self._weight(ad.id) * (self._weight(adset.id) if owner.type == "Campaign" else 1.0)
            multiplier = profile.get("spend_multiplier")
            plan = self._plan(campaign, adset, ad, profile)
            groups.setdefault(key, []).append(_Leaf(ad, adset, campaign, weight, profile, seconds, units, plan,
                                                    None if multiplier is None else float(multiplier)))
        first_ordinal = first.toordinal()
        build = atoms.build
        for key, leaves in groups.items():
            owner, owner_timeline, fixed = owners[key]
            factors = None if fixed else self._factors(owner, owner_timeline, bounds, first_ordinal)
            all_weight = sum(leaf.weight for leaf in leaves)
            for d in range(len(bounds) - 1):
                active = [leaf for leaf in leaves if leaf.seconds[d] > 0]
                if not active:
                    continue
                # the same sum in the same order when every leaf delivers (the usual day)
                total_weight = all_weight if len(active) == len(leaves) else sum(leaf.weight for leaf in active)
                factor = 1.0 if factors is None else factors[d]
                running, paid = 0.0, 0
                spends = []
                for leaf in active:
                    # cumulative flooring: the owner's day total is exact (a fixed 100.00 a day reads "100")
                    running += factor * leaf.units[d] * leaf.weight / total_weight
                    upto = int(running + 1e-6)
                    spend, paid = upto - paid, upto
                    if leaf.multiplier is not None:
                        spend = int(spend * leaf.multiplier)
                    spends.append(spend)
                ordinal = first_ordinal + d
                if fixed and len(active) > 1:
                    # a steered owner: its day is computed whole and split, so its fixed rates read exactly
                    yield from self._split_owner_day(active, spends, ordinal, d, key, full)
                    continue
                for leaf, spend in zip(active, spends):
                    vector = build(spend, leaf.plan, ordinal, full)
                    if vector is not None:
                        yield leaf.ad, d, vector, key

    @staticmethod
    def _split_owner_day(active: list[_Leaf], spends: list[int], ordinal: int, d: int, key: tuple[str, int],
                         full: bool) -> Iterator[tuple[Record, int, list[int], tuple[str, int]]]:
        total = sum(spends)
        whole = atoms.build(total, active[0].plan, ordinal, full)  # type: ignore[arg-type]
        if whole is None:
            return
        cumulative, running = [], 0
        for spend in spends:
            running += spend
            cumulative.append(running / total)
        cumulative[-1] = 1.0
        for leaf, part in zip(active, atoms.split(whole, cumulative, range(len(whole)))):
            if part[atoms.SPEND] or part[atoms.IMPR]:
                part[atoms.REACH] = min(part[atoms.REACH], part[atoms.IMPR]) or (1 if part[atoms.IMPR] else 0)
                yield leaf.ad, d, part, key

    # -- budgets ------------------------------------------------------------------------------------
    def _owner(self, campaign: Record, adset: Record, ad: Record) -> tuple[Record, dict[str, Any]]:
        """Who pays: a fixed daily figure from a profile wins over budgets (nearest object first)."""
        for record in (ad, adset, campaign):
            fixed = self.profiles.own(record.id)
            if "daily_spend" in fixed:
                return record, fixed
        account_fixed = self.profiles.own(self.account.id)
        if "daily_spend" in account_fixed:
            return Record(0, "AdAccount", self.account.account_id, "ACTIVE", {}), account_fixed
        data = campaign.data
        if data.get("daily_budget") or data.get("lifetime_budget"):
            return campaign, {}
        return adset, {}

    def _rate_fn(self, owner: Record, timeline: schedule.Timeline, fixed: dict[str, Any]) -> Any:
        offset = self.currency[1]
        if fixed:
            per_second = float(fixed["daily_spend"]) * offset / calendar.DAY
            return lambda t: per_second
        budget = self.table["budget"]
        fallback = budget["no_budget_daily_usd"] * self.currency[0] * offset / calendar.DAY

        def rate(instant: float) -> float:
            state = timeline.at(instant)
            if state is None:
                return 0.0
            return _rate(state, timeline.born, budget, fallback)
        return rate

    def _factors(self, owner: Record, timeline: schedule.Timeline, bounds: list[float], first_ordinal: int
                 ) -> list[float]:
        """The owner's spend factor for each day: lifetime budgets draw it in [min, max], daily budgets swing
        it by today's draw minus yesterday's, so consecutive days even out (one draw per day, reused)."""
        budget = self.table["budget"]
        oid, seed, born = owner.id, self.seed, timeline.born
        draws = [seeded.uniform(seeded.DAY_FACTOR, seed, oid, first_ordinal + d - 1) for d in range(len(bounds))]
        low, high = budget["lifetime_factor_min"], budget["lifetime_factor_max"]
        base, swing = budget["daily_factor_base"], budget["daily_factor_swing"]
        out = []
        for d in range(len(bounds) - 1):
            a, b = bounds[d], bounds[d + 1]
            state = timeline.at(min(max((a + b) / 2, born), b)) or {}
            if not state.get("daily_budget") and state.get("lifetime_budget"):
                out.append(low + (high - low) * draws[d + 1])
            else:
                out.append(base + swing * (draws[d + 1] - draws[d]))
        return out

    def _weight(self, object_id: int) -> float:
        variation = self.table["variation"]
        low, high = variation["ad_weight_min"], variation["ad_weight_max"]
        return low + (high - low) * seeded.uniform(seeded.AD_WEIGHT, self.seed, object_id)

    def _plan(self, campaign: Record, adset: Record, ad: Record, profile: dict[str, Any]) -> atoms.Plan:
        objective, goal = campaign.data.get("objective"), adset.data.get("optimization_goal")
        if profile:
            rate = atoms.rates(self.table, objective, goal, profile)
        else:  # unsteered ads share their (objective, goal) rates: resolved once per request
            rate = self._rates.get((objective, goal))
            if rate is None:
                rate = self._rates[(objective, goal)] = atoms.rates(self.table, objective, goal, profile)
        return atoms.Plan(rate, self.table, self.currency, profile, self.seed, ad.id)


def _rate(state: dict[str, Any], born: float, budget: dict[str, Any], fallback: float) -> float:
    """Minor units per second the owner may spend in this state."""
    daily = state.get("daily_budget")
    if daily:
        return float(daily) / calendar.DAY
    lifetime = state.get("lifetime_budget")
    if lifetime:
        start = float(state.get("start_time") or born)
        end = state.get("end_time") or state.get("stop_time") or start + budget["lifetime_default_days"] * calendar.DAY
        return float(lifetime) / (float(end) - start) if float(end) > start else 0.0
    return fallback

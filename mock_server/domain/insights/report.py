"""Insights rows for one query: scope the ads, replay delivery, split into buckets, sum per row, render.

Every figure is summed from ad-day components (domain/delivery), so day rows add up to their period, bucket
rows to the unbroken row and levels to each other (INSIGHTS.md 9). Objects in any status count in their
parents' totals; rows of ARCHIVED/DELETED children appear only when an effective_status filter asks for them
(INSIGHTS.md 1.1). Rows with no delivery are absent (3.6).
"""

from __future__ import annotations

from datetime import date, datetime
from operator import add, itemgetter
from typing import Any

from mock_server.domain.delivery import atoms as A
from mock_server.domain.delivery import calendar
from mock_server.domain.delivery.engine import Delivery
from mock_server.domain.insights import dates, filters
from mock_server.domain.insights.buckets import Buckets, ColumnSums, flat_split, split
from mock_server.domain.insights.metrics import CELLS, CMAX, METRICS, RMAX, UMAX, WIDTH, Row, modelled_windows, needed
from mock_server.domain.insights.params import LEVEL_RANK, Query
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

_LIGHT = frozenset((A.SPEND, A.IMPR, A.REACH, A.UCLICKS, A.RECALL) + A.CLICKS)
_UNIQUE = (A.REACH, A.UCLICKS, A.RECALL)
HOURLY = ("hourly_stats_aggregated_by_advertiser_time_zone", "hourly_stats_aggregated_by_audience_time_zone")
_ID_FIELD = {"ad": "ad_id", "adset": "adset_id", "campaign": "campaign_id"}


class Scope:
    """The ads a query covers and their parents, read once from the store."""

    def __init__(self, ads: list[Record], parents: dict[int, Record], values: Any) -> None:
        self.ads = ads
        self.parents = parents
        self.values = values  # record -> read values (effective_status needs parents)
        self.by_id = {ad.id: ad for ad in ads}


def level_id(ad: Record, level: str) -> int:
    if level == "ad":
        return ad.id
    if level == "adset":
        return int(ad.adset_id or 0)
    if level == "campaign":
        return int(ad.campaign_id or 0)
    return 0


def run(query: Query, scope: Scope, delivery: Delivery, account: Any, rules: dict[str, Any], own_level: str,
        max_cells: int) -> tuple[Rows, dict[str, Any] | None]:
    """All rows of the query (then paged by the caller) and the summary if asked."""
    ads = filters.select_ads(query, scope, own_level, rules)
    buckets = Buckets(query.breakdowns, rules, delivery.seed) if query.breakdowns else None
    first, last = query.span
    n_days = (last - first).days + 1
    window_days = sum((w[1] - w[0]).days + 1 for w in query.windows)  # overlapping time_ranges count twice
    width = 1
    if buckets is not None and ads:
        width = max(len(buckets.for_ad(ad, scope.parents.get(int(ad.adset_id or 0)))[0]) for ad in ads[:50])
    if len(ads) * window_days * width > max_cells:
        raise GraphError("insights_too_much_data")
    # which (result set, slice) each day of the span belongs to
    day_slices: list[list[tuple[int, int]]] = [[] for _ in range(n_days)]
    slice_list: list[tuple[int, dates.Window]] = []
    for w_index, window in enumerate(query.windows):
        for slice_ in dates.slices(window, query.increment):
            key = len(slice_list)
            slice_list.append((w_index, slice_))
            for d in range((slice_[0] - first).days, (slice_[1] - first).days + 1):
                day_slices[d].append((key, w_index))
    metric_filters = filters.metric_filters(query)
    indices = needed(query.fields + (query.summary or []), bool(metric_filters) or bool(query.sort))
    level = query.level
    full = any(i not in _LIGHT for i in indices)
    groups: dict[tuple[int, int, tuple[str, ...]], list[int]] = {}
    totals: dict[int, list[int]] = {}
    pending: dict[int, tuple[Record, list[int]]] = {}
    empty: tuple[str, ...] = ()

    # groups hold only the needed components (cidx), then the three per-cell maxima and the cell count; the
    # maxima feed only reach-like figures, so they are tracked (and those components summed) only when needed
    track = any(i in indices for i in _UNIQUE)
    cidx = tuple(sorted(set(indices) | (set(_UNIQUE) if track else set())))
    n = len(cidx)
    maxima = tuple((cidx.index(i), n + k) for k, i in enumerate(_UNIQUE)) if track else ()
    width_c = n + 4
    compact = itemgetter(*cidx)  # cidx holds at least spend and impressions: always a tuple
    impr_at, spend_at = cidx.index(A.IMPR), cidx.index(A.SPEND)
    summarise = query.summary is not None
    lids = {ad.id: level_id(ad, level) for ad in ads}

    def accumulate(lid: int, d: int, names: Any, parts: Any, whole: Any) -> None:
        for slice_key, w_index in day_slices[d]:
            for bucket, part in zip(names, parts):
                if not part[impr_at] and not part[spend_at]:
                    continue
                key = (slice_key, lid, bucket)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = [0] * width_c
                group[:n] = map(add, group, part)  # runs for every ad-day (or ad set-day) and bucket
                for p, m in maxima:
                    if part[p] > group[m]:
                        group[m] = part[p]
                group[-1] += 1
            if summarise:
                add_total(w_index, whole)

    def add_total(w_index: int, whole: Any) -> None:
        total = totals.get(w_index)
        if total is None:
            total = totals[w_index] = [0] * width_c
        total[:n] = map(add, total, whole)
        for p, m in maxima:
            if whole[p] > total[m]:
                total[m] = whole[p]
        total[-1] += 1

    # Breakdowns split each ad-day at ad level, each ad set-day above it (an ad set's ads share its targeting):
    # the buckets of a row then add up exactly, and levels from the ad set up agree bucket by bucket.
    per_adset = buckets is not None and level != "ad"
    current: tuple[Any, int] | None = None
    unbroken = (empty,)
    sums = ColumnSums(impr_at, spend_at) if per_adset and not track and len(query.windows) == 1 else None

    def flush() -> None:
        d = current[1]  # type: ignore[index]
        for adset_id, (ad, vector) in pending.items():
            adset = scope.parents.get(adset_id)
            names, cumulative = buckets.for_ad(adset or ad, adset)  # type: ignore[union-attr]
            if sums is None:
                accumulate(lids[ad.id], d, names, split(vector, cumulative), vector)
                continue
            for slice_key, w_index in day_slices[d]:
                sums.add(slice_key, lids[ad.id], names, flat_split(vector, cumulative))
                if summarise:
                    add_total(w_index, vector)
        pending.clear()

    for ad, d, full_vector, owner in delivery.cells(ads, scope.parents, first, last, full):
        if not day_slices[d]:
            continue
        vector = compact(full_vector)
        if buckets is None:
            accumulate(lids[ad.id], d, unbroken, (vector,), vector)
        elif not per_adset:
            names, cumulative = buckets.for_ad(ad, scope.parents.get(int(ad.adset_id or 0)))
            accumulate(ad.id, d, names, split(vector, cumulative), vector)
        else:
            if current != (owner, d):
                if pending:
                    flush()
                current = (owner, d)
            adset_id = int(ad.adset_id or 0)
            held = pending.get(adset_id)
            if held is None:
                pending[adset_id] = (ad, list(vector))
            else:
                held[1][:] = map(add, held[1], vector)
    if pending:
        flush()
    if sums is not None:
        groups = sums.groups(width_c)

    def expand(group: list[int]) -> list[int]:
        out = [0] * WIDTH
        for p, i in enumerate(cidx):
            out[i] = group[p]
        out[RMAX], out[UMAX], out[CMAX], out[CELLS] = group[n], group[n + 1], group[n + 2], group[n + 3]
        return out

    render = _Renderer(query, scope, account, rules, delivery)
    keys = list(groups)
    if metric_filters:
        keys = [k for k in keys if filters.keep_row(render.row(expand(groups[k]), k[2]), metric_filters)]
    starts = [window[0] for _, window in slice_list]
    keys.sort(key=lambda k: (starts[k[0]], k[1], k[2]))

    def body(key: tuple[int, int, tuple[str, ...]]) -> dict[str, Any]:
        slice_key, lid, bucket = key
        return render.fields(render.row(expand(groups[key]), bucket), lid, slice_list[slice_key][1], bucket)

    rows = Rows(keys, body)
    if query.sort is not None:
        name, descending = query.sort
        rendered = sorted(rows[:], key=lambda r: _sort_value(r, name), reverse=descending)
        rows = Rows(list(range(len(rendered))), rendered.__getitem__)
    summary = None
    if query.summary is not None:
        window = query.windows[0]
        total = expand(totals.get(0) or [0] * width_c)
        row = render.row(total, empty)
        summary = render.fields(row, 0, window, empty, names=query.summary, identity=False)
    return rows, summary


class Rows:
    """The report's rows in order, rendered only when read: a page of 25 out of 10 000 renders 25."""

    def __init__(self, keys: list[Any], render: Any) -> None:
        self.keys = keys
        self.render = render

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.render(key) for key in self.keys[index]]

    def __eq__(self, other: object) -> bool:
        return list(self[:]) == (list(other[:]) if isinstance(other, Rows) else other)


def _sort_value(body: dict[str, Any], name: str) -> float:
    field, _, action_type = name.partition(":")
    value = body.get(field)
    if isinstance(value, list):
        value = next((item.get("value") for item in value if item.get("action_type") == action_type), None)
    try:
        return float(value) if value is not None else -1.0
    except (TypeError, ValueError):
        return -1.0


class _Renderer:
    def __init__(self, query: Query, scope: Scope, account: Any, rules: dict[str, Any], delivery: Delivery) -> None:
        self.query = query
        self.scope = scope
        self.account = account
        self.rules = rules
        self.offset = delivery.currency[1]
        self.dedup = delivery.table["reach"]["new_people_share"]
        self.hourly = any(b in HOURLY for b in query.breakdowns)
        self.aliases = {o["conversion"]["action_type"]: o["conversion"].get("aliases", [])
                        for o in delivery.table["objectives"].values()
                        if isinstance(o, dict) and o.get("conversion", {}).get("action_type")}
        action_filter = filters.action_types(query)
        self.action_filter = action_filter
        self.windows = modelled_windows(query.attribution_windows)
        self._dates: dict[dates.Window, tuple[str, str]] = {}
        self._identities: dict[int, dict[str, Any]] = {}
        values = rules["action_breakdown_values"]
        self.action_keys = {name: values.get(name, "unknown") for name in query.action_breakdowns if name != "action_type"}

    def row(self, group: list[int], bucket: tuple[str, ...]) -> Row:
        return Row(group, self.offset, self.dedup, self.hourly, self.windows, self.action_filter, self.action_keys)

    def fields(self, row: Row, lid: int, window: dates.Window, bucket: tuple[str, ...], names: list[str] | None = None,
               identity: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        ident = self._identity(lid) if identity else {}
        defaults = self.rules["unmodelled_defaults"]
        for name in names or self.query.fields:
            if name in ("date_start", "date_stop"):
                continue
            if name in METRICS:
                value = METRICS[name](row, self.aliases)
            elif name in ident:
                value = ident[name]
            else:
                value = defaults.get(name)
            if value is not None:
                out[name] = value
        labels = self._dates.get(window)
        if labels is None:
            labels = self._dates[window] = (window[0].isoformat(), window[1].isoformat())
        out["date_start"], out["date_stop"] = labels
        for name, value in zip(self.query.breakdowns, bucket):
            out[name] = value
        return out

    def _identity(self, lid: int) -> dict[str, Any]:
        cached = self._identities.get(lid)
        if cached is None:
            cached = self._identities[lid] = self._build_identity(lid)
        return cached

    def _build_identity(self, lid: int) -> dict[str, Any]:
        account = self.account
        out: dict[str, Any] = {"account_id": account.account_id, "account_name": account.name,
                               "account_currency": account.currency, "attribution_setting": "7d_click_1d_view"}
        level = self.query.level
        if level == "account":
            return out
        record = self.scope.parents.get(lid) if level != "ad" else self.scope.by_id.get(lid)
        if record is None:
            return out
        ad = record if level == "ad" else None
        adset = self.scope.parents.get(int(record.adset_id or 0)) if level == "ad" else (record if level == "adset" else None)
        campaign = self.scope.parents.get(int(record.campaign_id or 0)) if level != "campaign" else record
        if LEVEL_RANK[level] <= 2 and campaign is not None:
            out.update(campaign_id=str(campaign.id), campaign_name=campaign.data.get("name"),
                       objective=campaign.data.get("objective"), buying_type=campaign.data.get("buying_type", "AUCTION"))
        if adset is not None:
            out.update(adset_id=str(adset.id), adset_name=adset.data.get("name"),
                       optimization_goal=adset.data.get("optimization_goal"))
            tz = calendar.zone(account.timezone_name)
            for key, source in (("adset_start", "start_time"), ("adset_end", "end_time")):
                value = adset.data.get(source)
                if isinstance(value, (int, float)):
                    out[key] = datetime.fromtimestamp(value, tz).strftime("%Y-%m-%dT%H:%M:%S%z")
        if ad is not None:
            out.update(ad_id=str(ad.id), ad_name=ad.data.get("name"))
        created = record.data.get("created_time")
        updated = record.data.get("updated_time")
        tz = calendar.zone(account.timezone_name)
        if isinstance(created, (int, float)):
            out["created_time"] = calendar.local_date(tz, created).isoformat()
        if isinstance(updated, (int, float)):
            out["updated_time"] = calendar.local_date(tz, updated).isoformat()
        return out


def today(account: Any, now: float) -> date:
    return calendar.local_date(calendar.zone(account.timezone_name), now)

"""configured `status` vs derived `effective_status` (GRAPH-BEHAVIOUR 6).

`effective_status` is never stored: it is derived on every read from the
object's own configured status and its parents', so it cannot go stale.
Precedence: own DELETED/ARCHIVED; inherited DELETED/ARCHIVED from a parent;
own PAUSED; CAMPAIGN_PAUSED; ADSET_PAUSED; then the object's own state
(review for ads); else ACTIVE.
"""

from __future__ import annotations

from collections.abc import Iterable

TERMINAL = ("DELETED", "ARCHIVED")
HIDDEN_BY_DEFAULT = frozenset(TERMINAL)


def derive(own: str, campaign: str | None = None, adset: str | None = None, own_state: str | None = None) -> str:
    """Effective status from configured statuses (own, parent campaign, parent ad set) and own state."""
    if own in TERMINAL:
        return own
    for parent in (campaign, adset):
        if parent in TERMINAL:
            return parent  # children inherit ARCHIVED/DELETED (M-STATUS)
    if own == "PAUSED":
        return "PAUSED"
    if campaign is not None and campaign != "ACTIVE":
        return "CAMPAIGN_PAUSED"
    if adset is not None and adset != "ACTIVE":
        return "ADSET_PAUSED"
    return own_state or "ACTIVE"


def configured_candidates(effective: Iterable[str]) -> set[str]:
    """Which configured statuses can produce any of these effective statuses (for SQL pre-filtering)."""
    out: set[str] = set()
    for value in effective:
        if value in TERMINAL:
            out.update(("ACTIVE", "PAUSED", value))
        elif value == "PAUSED":
            out.add("PAUSED")
        else:
            out.add("ACTIVE")
    return out


def explain(effective: str, own: str, campaign: tuple[str, str] | None = None,
            adset: tuple[str, str] | None = None) -> str:
    """Why `derive` gave `effective` (the dashboard's "ADSET_PAUSED: ad set 12… is PAUSED").

    `campaign` / `adset` are the parents' (id, configured status); the order of the checks is `derive`'s.
    """
    if own in TERMINAL:
        return f"configured status is {own}"
    for label, parent in (("campaign", campaign), ("ad set", adset)):
        if parent is not None and parent[1] in TERMINAL and effective == parent[1]:
            return f"{label} {parent[0]} is {parent[1]}"
    if own == "PAUSED":
        return "configured status is PAUSED"
    if effective == "CAMPAIGN_PAUSED" and campaign is not None:
        return f"campaign {campaign[0]} is {campaign[1]}"
    if effective == "ADSET_PAUSED" and adset is not None:
        return f"ad set {adset[0]} is {adset[1]}"
    if effective == "ACTIVE":
        return "configured ACTIVE" + (" and every parent is ACTIVE" if campaign or adset else "")
    return f"ad review state is {effective}"

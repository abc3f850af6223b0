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

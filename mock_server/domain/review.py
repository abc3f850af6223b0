"""The ad review state machine (GRAPH-BEHAVIOUR 6.4; seed 000 "effective_status will be PENDING_REVIEW").

An ad's review lives in `record.data["review"]`. Submitting decides *when* and
*what* up front (policy + banned terms, `schemas/rules/review.json`); reads
derive the current state from the clock, so nothing runs in the background and
a frozen clock gives reproducible results.

    created ACTIVE / activated (never reviewed) / creative edited while ACTIVE
        -> PENDING --(decide_at reached, or manual decision)--> APPROVED | DISAPPROVED
    creative edited while PAUSED -> approval dropped (activation submits again)

`state()` returns the ad's own contribution to effective_status
("PENDING_REVIEW", "DISAPPROVED", ... or None when approved / never reviewed),
which `status.derive` combines with the configured statuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from mock_server.contract.registry import default_registry
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

PENDING, APPROVED, DISAPPROVED = "PENDING", "APPROVED", "DISAPPROVED"
_READS_AS = {PENDING: "PENDING_REVIEW", APPROVED: None}  # anything else reads as itself


class PolicyError(ValueError):
    """A review policy document that cannot be used (the control API answers 400)."""


def table() -> dict[str, Any]:
    return default_registry().rules("review")


@dataclass(frozen=True)
class BannedTerm:
    term: str
    policy: str
    reason: str


@dataclass(frozen=True)
class ReviewPolicy:
    mode: str = "after"
    delay_seconds: float = 300.0
    outcome: str = APPROVED
    banned_terms: tuple[BannedTerm, ...] = ()

    @classmethod
    def from_layers(cls, *layers: Mapping[str, Any] | None) -> ReviewPolicy:
        """Merge policy documents key by key over review.json's default (later wins) and validate the result."""
        merged: dict[str, Any] = dict(table()["policy"])
        for layer in layers:
            if not layer:
                continue
            if not isinstance(layer, Mapping):
                raise PolicyError("a review policy must be a JSON object")
            unknown = set(layer) - {"mode", "delay_seconds", "outcome", "banned_terms"}
            if unknown:
                raise PolicyError(f"unknown review policy key(s): {', '.join(sorted(unknown))}")
            merged.update(layer)
        rules = table()
        mode = merged.get("mode", "after")
        if mode not in rules["modes"]:
            raise PolicyError(f"mode must be one of {', '.join(rules['modes'])}, got {mode!r}")
        delay = merged.get("delay_seconds", 300)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise PolicyError(f"delay_seconds must be a number >= 0, got {delay!r}")
        outcome = merged.get("outcome", APPROVED)
        if outcome not in rules["outcomes"]:
            raise PolicyError(f"outcome must be one of {', '.join(rules['outcomes'])}, got {outcome!r}")
        return cls(mode, float(delay), outcome, tuple(_banned(entry) for entry in merged.get("banned_terms") or []))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["banned_terms"] = [asdict(term) for term in self.banned_terms]
        return out


def _banned(entry: Any) -> BannedTerm:
    default = table()["disapproval"]
    if isinstance(entry, str) and entry.strip():
        return BannedTerm(entry, default["policy"], f"The ad text contains the banned term '{entry}'.")
    if isinstance(entry, Mapping) and isinstance(entry.get("term"), str) and entry["term"].strip():
        return BannedTerm(entry["term"], str(entry.get("policy") or default["policy"]),
                          str(entry.get("reason") or f"The ad text contains the banned term '{entry['term']}'."))
    raise PolicyError(f"a banned term is a non-empty string or {{term, policy, reason}}, got {entry!r}")


# -- what counts as creative text -----------------------------------------------------------
def creative_texts(*sources: Any) -> list[str]:
    """Strings under the text keys of `review.json` at any depth of the given creative documents."""
    keys = set(table()["text_fields"])
    out: list[str] = []

    def walk(value: Any, under_text_key: bool) -> None:
        if isinstance(value, str):
            if under_text_key:
                out.append(value)
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, under_text_key or key in keys)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, under_text_key)

    for source in sources:
        walk(source, False)
    return out


def first_banned(texts: Iterable[str], policy: ReviewPolicy) -> BannedTerm | None:
    folded = [text.casefold() for text in texts]
    for banned in policy.banned_terms:
        needle = banned.term.casefold()
        if any(needle in text for text in folded):
            return banned
    return None


# -- transitions ------------------------------------------------------------------------------
def submit(record: Record, now: float, policy: ReviewPolicy, texts: Iterable[str] | None = None) -> None:
    """Put the ad in review now; the outcome and its time are fixed here (deterministic)."""
    previous = record.data.get("review") or {}
    texts = list(texts) if texts is not None else list(previous.get("texts", []))
    hit = first_banned(texts, policy)
    outcome = DISAPPROVED if hit else policy.outcome
    decide_at = {"immediate": now, "after": now + policy.delay_seconds}.get(policy.mode)
    record.data["review"] = {
        "state": PENDING, "submitted_at": now, "mode": policy.mode, "decide_at": decide_at, "outcome": outcome,
        "fields": _disapproval(hit.policy, hit.reason) if hit else (_disapproval() if outcome == DISAPPROVED else {}),
        "texts": texts,
    }


def decide(record: Record, now: float, outcome: str, *, reason: str | None = None, policy_name: str | None = None) -> None:
    """A manual decision (control API): APPROVED, or DISAPPROVED with a reason."""
    previous = record.data.get("review") or {}
    fields: dict[str, Any] = {}
    if outcome == DISAPPROVED:
        proposed = previous.get("fields") if previous.get("outcome") == DISAPPROVED else None
        fields = proposed if proposed and not (reason or policy_name) else _disapproval(policy_name, reason)
    record.data["review"] = {"state": outcome, "submitted_at": previous.get("submitted_at", now), "decided_at": now,
                             "fields": fields, "texts": previous.get("texts", [])}


def force(record: Record, now: float, target: str, *, reason: str | None = None, policy_name: str | None = None) -> None:
    """Jump to any state of `forced_states` (PENDING_REVIEW stays pending until decided by hand)."""
    if target not in table()["forced_states"]:
        raise PolicyError(f"state must be one of {', '.join(table()['forced_states'])}, got {target!r}")
    if target in (APPROVED, DISAPPROVED):
        decide(record, now, target, reason=reason, policy_name=policy_name)
        return
    previous = record.data.get("review") or {}
    state_name = PENDING if target == "PENDING_REVIEW" else target
    fields = _issue(table()["with_issues"]["issue"], reason or "This ad has issues.") if target == "WITH_ISSUES" else {}
    record.data["review"] = {"state": state_name, "submitted_at": now, "mode": "manual", "decide_at": None,
                             "outcome": previous.get("outcome", APPROVED), "fields": fields,
                             "texts": previous.get("texts", [])}


def on_create(record: Record, now: float, policy: ReviewPolicy, texts: Iterable[str] = ()) -> None:
    """A new ad created ACTIVE goes to review; one created PAUSED waits for its activation."""
    if record.status == "ACTIVE":
        submit(record, now, policy, texts)


def on_update(record: Record, previous_status: str, changed: Iterable[str], now: float, policy: ReviewPolicy,
              texts: Iterable[str] | None = None) -> None:
    """Apply the re-review rules after an update of an ad (`changed` = the params sent).

    Raises GraphError `review_rejected_enable` when a DISAPPROVED ad is re-enabled without a creative change.
    """
    if record.status in ("DELETED", "ARCHIVED"):
        return
    if resubmits(record.type, changed):
        on_material_change(record, now, policy, texts)
        return
    activating = record.status == "ACTIVE" and previous_status != "ACTIVE"
    if activating:
        current = resolved(record.data.get("review"), now)
        if current == DISAPPROVED:
            raise GraphError("review_rejected_enable", field="status")
        if current is None:
            submit(record, now, policy, texts)


def on_material_change(record: Record, now: float, policy: ReviewPolicy, texts: Iterable[str] | None = None) -> None:
    """The ad's creative, or its ad set's targeting / optimization goal / billing event, changed.

    ACTIVE ads go back to review (texts=None re-checks the texts reviewed last time); PAUSED ads lose their
    approval so that their next activation submits them.
    """
    if record.status in ("DELETED", "ARCHIVED"):
        return
    if record.status == "ACTIVE":
        submit(record, now, policy, texts)
    else:
        record.data.pop("review", None)


def resubmits(node_type: str, changed: Iterable[str]) -> bool:
    """Whether editing these fields of a node sends its ads back to review (bid/budget/schedule never do)."""
    return bool(set(changed) & set(table()["resubmit_on"].get(node_type, [])))


# -- reads ------------------------------------------------------------------------------------
def resolved(review: Mapping[str, Any] | None, now: float) -> str | None:
    """The stored review state as of `now` (a due PENDING review reads as its outcome)."""
    if not review:
        return None
    state_name = review.get("state", PENDING)
    if state_name == PENDING:
        decide_at = review.get("decide_at", float(review.get("submitted_at", now)) + float(table()["policy"]["delay_seconds"]))
        if decide_at is not None and now >= decide_at:
            return str(review.get("outcome", APPROVED))
    return str(state_name)


def state(record: Record, now: float) -> tuple[str | None, dict[str, Any]]:
    """(own effective state or None, extra read fields such as ad_review_feedback and issues_info)."""
    review = record.data.get("review")
    current = resolved(review, now)
    if current is None:
        return None, {}
    own = _READS_AS.get(current, current)
    fields = dict(review.get("fields") or {}) if current in (DISAPPROVED, "WITH_ISSUES") else {}  # type: ignore[union-attr]
    if current == DISAPPROVED and not fields:
        fields = _disapproval()
    return own, fields


def is_pending(record: Record, now: float) -> bool:
    return resolved(record.data.get("review"), now) == PENDING


def describe(record: Record, now: float) -> dict[str, Any]:
    """One ad's review as the control API shows it."""
    review = record.data.get("review") or {}
    current = resolved(review or None, now)
    return {
        "ad_id": str(record.id), "ad_account_id": f"act_{record.account_id}", "name": record.data.get("name"),
        "status": record.status, "review_state": current, "mode": review.get("mode"),
        "submitted_at": review.get("submitted_at"), "decide_at": review.get("decide_at") if current == PENDING else None,
        "decided_at": review.get("decided_at"),
        "outcome": review.get("outcome") if current == PENDING else current,
        **state(record, now)[1],
    }


# -- read fields ------------------------------------------------------------------------------
def _disapproval(policy_name: str | None = None, reason: str | None = None) -> dict[str, Any]:
    default = table()["disapproval"]
    name, text = policy_name or default["policy"], reason or default["reason"]
    return {"ad_review_feedback": {"global": {name: text}}, **_issue(default["issue"], text)}


def _issue(template: Mapping[str, Any], message: str) -> dict[str, Any]:
    return {"issues_info": [{**template, "error_message": message}]}

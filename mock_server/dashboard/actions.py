"""The dashboard's state-changing actions: JSON POSTs that call the control API's operations.

Each action validates its input and answers `{"ok", "message"}`; a refusal is a
readable 4xx, never a 500. `same_origin` keeps the dashboard from being a
cross-site hole: a page on another site cannot make the browser change the mock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request

from mock_server.control import access, clock, lifecycle, reviews
from mock_server.control.errors import ControlError, body_of
from mock_server.dashboard.insights import steer
from mock_server.journal import journal_of
from mock_server.state import State
from mock_server.wire.limits import ascii_digits

log = logging.getLogger("graphmock.dashboard")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*([smhdw]?)\s*", re.IGNORECASE)


def same_origin(request: Request) -> str | None:
    """Why this request may not change anything (None: it may). JSON only, and Origin must be our Host."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return "dashboard actions must be sent as JSON (Content-Type: application/json)"
    host = request.headers.get("host", "").lower()
    origin = request.headers.get("origin")
    if origin is not None and (urlsplit(origin).netloc.lower() != host or not host):
        return f"refused: the request comes from {origin}, not from this graphmock ({host or 'no Host'})"
    if origin is None and request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return "refused: a cross-site request may not change graphmock"
    return None


def seconds(text: Any) -> float:
    """'90', '90s', '15m', '1h', '2d', '1w' or a sum like '1d 6h' -> seconds; anything else is a readable error."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        raise ControlError("enter how far to move the clock, e.g. 3600, 15m, 2h, 1d or 1d 6h")
    total, end = 0.0, 0
    for match in _DURATION.finditer(raw):
        if match.start() != end or not match.group(0).strip():
            break
        total += float(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
        end = match.end()
    if end != len(raw):
        raise ControlError(f"{raw!r} is not a duration: use seconds or units s, m, h, d, w (e.g. 1d 6h)")
    if abs(total) > 10 * 365 * 86400:
        raise ControlError("move the clock by at most 10 years at a time")
    return total


def _clock(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"do", "by", "at"})
    do = body.get("do")
    if do == "freeze":
        clock.apply(state, {"freeze": True})
    elif do == "release":
        clock.apply(state, {"freeze": False})
    elif do == "advance":
        clock.apply(state, {"advance": seconds(body.get("by"))})
    elif do == "set":
        clock.apply(state, {"at": str(body.get("at") or "").strip() or None, "freeze": True})
    else:
        raise ControlError("do must be freeze, release, advance or set")
    return f"clock: {state.clock.state()['now_iso']}"


def _review(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"ad_id", "action", "reason"})
    action, ad_id = body.get("action"), str(body.get("ad_id") or "")
    if action not in ("approve", "disapprove"):
        raise ControlError("choose approve or disapprove")
    request: dict[str, Any] = {"action": action}
    if action == "disapprove":
        reason = str(body.get("reason") or "").strip()
        if not reason:
            raise ControlError("write the feedback the advertiser will read before disapproving")
        request["reason"] = reason
    result = reviews.decide(state, ad_id, request)
    return f"ad {ad_id} is now {result.get('review_state')}"


def _confirmed(body: dict[str, Any], what: str) -> None:
    if body.get("confirm") is not True:
        raise ControlError(f"{what} needs confirmation")


def _reset(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"confirm", "ad_account_id"})
    _confirmed(body, "reset")
    act = body.get("ad_account_id") or None
    lifecycle.reset(state, {"ad_account_id": act} if act else None)
    return f"reset {act or 'the whole world'} to the fixtures"


def _restore(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"confirm", "snapshot"})
    _confirmed(body, "restore")
    if not isinstance(body.get("snapshot"), dict):
        raise ControlError("choose a snapshot file saved from graphmock (a JSON document)")
    result = lifecycle.restore(state, body["snapshot"])
    return f"restored {result['objects']} objects"


def _strict(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"strict"})
    if not isinstance(body.get("strict"), bool):
        raise ControlError("strict must be true or false")
    flags = getattr(state, "_journal_middleware", None)
    if flags is None:
        raise ControlError("this app has no journal to make strict")
    flags.strict = body["strict"]
    return "strict mode " + ("on: contract violations are refused" if flags.strict else "off")


def _fault(state: State, body: dict[str, Any]) -> str:
    spec = {k: v for k, v in body_of(body, access.FAULT_KEYS).items() if v not in ("", None)}
    for key in ("times", "status", "latency_ms"):
        if isinstance(spec.get(key), str):
            if not ascii_digits(spec[key].strip()):
                raise ControlError(f"{key} must be a whole number, got {spec[key]!r}")
            spec[key] = int(spec[key])
    fault = access.add_fault(state, spec)
    return f"added {fault.get('id')}"


def _clear_faults(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"fault_id"})
    if body.get("fault_id"):
        access.clear_fault(state, str(body["fault_id"]), None)
        return f"cleared {body['fault_id']}"
    return f"cleared {access.clear_faults(state, None)['cleared']} fault(s)"


def _rate_limits(state: State, body: dict[str, Any]) -> str:
    body = body_of(body, {"settings"})
    if body.get("settings") not in ("on", "off", None):
        raise ControlError("settings must be on, off or default")
    access.configure_rate_limits(state, {"settings": body.get("settings")})
    return f"rate limits: {body.get('settings') or 'default'}"


def _clear_journal(state: State, body: dict[str, Any]) -> str:
    body_of(body, set())
    journal_of(state).clear()
    return "journal cleared"


ACTIONS: dict[str, Callable[[State, dict[str, Any]], str]] = {
    "clock": _clock, "review": _review, "reset": _reset, "restore": _restore, "strict": _strict,
    "fault": _fault, "clear_faults": _clear_faults, "rate_limits": _rate_limits, "clear_journal": _clear_journal,
    "profile": steer,
}


def run(state: State, name: str, body: Any) -> tuple[int, dict[str, Any]]:
    """Apply one action; (HTTP status, {"ok", "message"})."""
    action = ACTIONS.get(name)
    if action is None:
        return 404, {"ok": False, "message": f"unknown action {name}"}
    if not isinstance(body, dict):
        return 400, {"ok": False, "message": "send a JSON object"}
    try:
        with state.clock.active():
            return 200, {"ok": True, "message": action(state, body)}
    except ControlError as error:
        return (error.code if 400 <= error.code < 500 else 400), {"ok": False, "message": error.message}
    except Exception:  # a bug: the log has it; the page still gets a sentence
        log.exception("dashboard action %s failed", name)
        return 400, {"ok": False, "message": f"{name} failed unexpectedly (see the server log)"}

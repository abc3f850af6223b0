"""The object view's insights panel: a per-day chart from `GET /<id>/insights` and the delivery-profile controls.

The chart reads the real insights edge through the route table (what a client would be answered); the date
window is a preset from the insights rules or a custom since/until on the virtual clock, in the ad account's
time zone. Profiles are read from and written through `control/insights` (the control API's operations), so
the dashboard holds no second copy of the profile rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mock_server.control.errors import ControlError, body_of
from mock_server.control import insights as control
from mock_server.dashboard import chart, graph
from mock_server.domain.delivery import profiles
from mock_server.domain.insights import dates, report
from mock_server.domain.world import Token
from mock_server.state import State

METRICS = ("spend", "impressions", "clicks")
CUSTOM = "custom"
DEFAULT_PRESET = "last_7d"
MAX_FILLED_DAYS = 92  # longer windows chart only the days that have rows
ROW_LIMIT = 1200  # > 37 months of daily rows: one page holds the whole window
STEERABLE = ("AdAccount", "Campaign", "AdSet", "Ad")
KEYS = ("no_delivery", *profiles._NUMBERS)  # exactly what control/insights.set_profile accepts
LABELS = {"no_delivery": "No delivery", "daily_spend": "Fixed daily spend", "spend_multiplier": "Spend ×",
          "impressions_multiplier": "Impressions ×", "clicks_multiplier": "Clicks ×",
          "conversion_rate": "Conversion rate (0–1)", "cpm": "CPM", "ctr": "CTR (0–1)"}


@dataclass
class Panel:
    preset: str = DEFAULT_PRESET
    since: str = ""
    until: str = ""
    today: str = ""
    zone: str = ""
    currency: str = ""
    chart: chart.Chart | None = None
    note: str | None = None
    steerable: bool = False
    profile: dict[str, Any] = field(default_factory=dict)
    inherited: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def presets(state: State) -> list[str]:
    """Every documented date_preset (schemas/rules/insights.json) and the custom window."""
    return [*state.registry.rules("insights")["date_presets"], CUSTOM]


def build(state: State, token: Token, object_id: str, node_type: str, body: dict[str, Any],
          query: dict[str, str]) -> Panel:
    panel = Panel(steerable=node_type in STEERABLE)
    account = state.world.ad_accounts.get(_account_of(object_id, node_type, body) or "")
    if account is None:
        panel.note = "insights are reported for ad accounts, campaigns, ad sets and ads"
        return panel
    today = report.today(account, state.now())
    panel.today, panel.zone, panel.currency = today.isoformat(), account.timezone_name, account.currency
    _profiles(state, panel, object_id, node_type, body, account.id)
    window = _window(state, panel, query, today)
    if window is None:
        return panel
    params: dict[str, Any] = {"time_increment": "1", "fields": ",".join(METRICS), "limit": str(ROW_LIMIT)}
    if panel.preset == CUSTOM:
        params["time_range"] = f'{{"since":"{panel.since}","until":"{panel.until}"}}'
    else:
        params["date_preset"] = panel.preset
    reply = graph.read(state, token, object_id, "insights", params)
    if not reply.ok:
        panel.note = f"insights not available: {reply.error}"
        return panel
    rows = graph.rows(reply)
    span = (window[1] - window[0]).days + 1
    days = [(window[0] + timedelta(days=n)).isoformat() for n in range(span)] if span <= MAX_FILLED_DAYS else None
    panel.chart = chart.build(rows, METRICS, days)
    return panel


def _window(state: State, panel: Panel, query: dict[str, str], today: date) -> tuple[date, date] | None:
    """The chosen window (None: the custom dates are not usable; the note says why)."""
    table = state.registry.rules("insights")
    chosen = query.get("preset") or DEFAULT_PRESET
    panel.preset = chosen if chosen in presets(state) else DEFAULT_PRESET
    if panel.preset != CUSTOM:
        window = dates.preset(panel.preset, today, table["lookback_months"])
        panel.since, panel.until = window[0].isoformat(), window[1].isoformat()
        return window
    panel.since = str(query.get("since") or "").strip()[:10] or (today - timedelta(days=6)).isoformat()
    panel.until = str(query.get("until") or "").strip()[:10] or today.isoformat()
    try:
        since, until = date.fromisoformat(panel.since), date.fromisoformat(panel.until)
    except ValueError:
        panel.note = f"enter the custom window as dates (YYYY-MM-DD), got {panel.since!r} … {panel.until!r}"
        return None
    if since > until:
        panel.note = f"the custom window starts ({panel.since}) after it ends ({panel.until})"
        return None
    return since, until


def _account_of(object_id: str, node_type: str, body: dict[str, Any]) -> str | None:
    if node_type == "AdAccount":
        return object_id
    account = body.get("account_id")
    return f"act_{account}" if account else None


def _profiles(state: State, panel: Panel, object_id: str, node_type: str, body: dict[str, Any], act: str) -> None:
    """This object's own profile, and those it inherits (the nearest object's key wins, docs/insights.md)."""
    document = control.get_profiles(state)["profiles"]
    panel.profile = dict(document.get(object_id, {}))
    parents = [("ad account", act)] if node_type != "AdAccount" else []
    parents += [(kind, str(body[key])) for kind, key in (("campaign", "campaign_id"), ("ad set", "adset_id"))
                if body.get(key) and str(body[key]) != object_id]
    panel.inherited = [(kind, pid, document[pid]) for kind, pid in parents if document.get(pid)]


def number(key: str, value: Any) -> int | float:
    """A form value as a number (the browser sends text); anything else is a readable error."""
    if isinstance(value, bool):
        raise ControlError(f"{LABELS.get(key, key)} must be a number, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ControlError(f"{LABELS.get(key, key)} must be a number, got {value!r}") from None
    if not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise ControlError(f"{LABELS.get(key, key)} must be a number, got {value!r}")
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else value


def steer(state: State, body: dict[str, Any]) -> str:
    """The `profile` action: set (replace) or clear the delivery profile of one object via the control API."""
    body = body_of(body, {"object_id", "clear", *KEYS})
    object_id = str(body.pop("object_id", None) or "").strip()
    if not object_id:
        raise ControlError("choose the ad account, campaign, ad set or ad whose delivery to steer")
    clear = body.pop("clear", False)
    if not isinstance(clear, bool):
        raise ControlError("clear must be true or false")
    if clear:
        control.set_profile(state, object_id, {})
        return f"cleared the delivery profile of {object_id}"
    profile: dict[str, Any] = {}
    for key, value in body.items():
        if key == "no_delivery":
            if value not in (True, False, "true", "false", "on", None, ""):
                raise ControlError("No delivery must be checked or not")
            if value in (True, "true", "on"):
                profile[key] = True
        elif value not in ("", None):
            profile[key] = number(key, value)
    if not profile:
        raise ControlError("fill in at least one delivery setting (or use Clear profile)")
    result = control.set_profile(state, object_id, profile)
    shown = ", ".join(f"{key} {value}" for key, value in result["profile"].items())
    return f"delivery profile of {object_id}: {shown}"

"""Money in the account currency's minor units (GRAPH-BEHAVIOUR 8)."""

from __future__ import annotations

import math

from mock_server.contract.registry import SchemaRegistry
from mock_server.wire.limits import ascii_digits


def minor_units_for_usd(registry: SchemaRegistry, currency: str, usd: float) -> int:
    """`usd` dollars expressed in `currency` minor units (rounded up)."""
    table = registry.rules("currencies")
    entry = table["currencies"].get(currency, table["default"])
    return int(math.ceil(round(usd * entry["per_usd"] * entry["offset"], 6)))


def display(registry: SchemaRegistry, currency: str, minor: int | str | None) -> str | None:
    """A minor-unit amount as people read it, e.g. 1050 USD -> "10.50 USD" (the dashboard's budgets)."""
    if minor is None or (isinstance(minor, str) and not ascii_digits(minor.lstrip("-"))):
        return None
    table = registry.rules("currencies")
    offset = int(table["currencies"].get(currency, table["default"])["offset"])
    places = len(str(offset)) - 1
    return f"{int(minor) / offset:,.{places}f} {currency}"

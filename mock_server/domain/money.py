"""Money in the account currency's minor units (GRAPH-BEHAVIOUR 8)."""

from __future__ import annotations

import math

from mock_server.contract.registry import SchemaRegistry


def minor_units_for_usd(registry: SchemaRegistry, currency: str, usd: float) -> int:
    """`usd` dollars expressed in `currency` minor units (rounded up)."""
    table = registry.rules("currencies")
    entry = table["currencies"].get(currency, table["default"])
    return int(math.ceil(round(usd * entry["per_usd"] * entry["offset"], 6)))

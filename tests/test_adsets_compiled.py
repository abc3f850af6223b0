"""The ad set rule tables compiled once (mock_server/domain/rules/adset_tables.py, issue 18) answer exactly what
the tables in schemas/rules/adset.json and currencies.json say when read directly, for any input a request
can bring: values the tables name, values they do not, absent ones and odd types."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.config import version_key
from mock_server.contract.registry import default_registry
from mock_server.domain import money
from mock_server.domain.rules.adset_tables import FACTS, applicable_requirements, compiled

REGISTRY = default_registry()
TABLE = REGISTRY.rules("adset")
TABLES = compiled(REGISTRY)


def _named(fact: str) -> list[Any]:
    return sorted({v for entry in TABLE["promoted_object"] for v in entry["when"].get(fact, ())})


def _fact(fact: str) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(_named(fact)), st.none(), st.text(max_size=12), st.integers(),
                     st.lists(st.text(max_size=3), max_size=2))


@settings(max_examples=60)
@given(st.fixed_dictionaries({}, optional={fact: _fact(fact) for fact in FACTS}))
def test_compiled_promoted_object_requirements_match_the_table(facts: dict[str, Any]) -> None:
    """GRAPH-BEHAVIOUR 7.3/7.6: the entries whose 'when' holds, in table order, whatever the facts."""
    assert TABLES.requirements(facts) == applicable_requirements(TABLE, facts)
    assert TABLES.requirements_for(*(facts.get(fact) for fact in FACTS)) == applicable_requirements(TABLE, facts)


def test_every_named_combination_is_compiled() -> None:
    """Each value the table names for a fact, combined with each of the others, is answered like the table."""
    for objective in [*_named("objective"), None]:
        for destination in [*_named("destination_type"), None]:
            for goal in [*_named("optimization_goal"), None]:
                facts = {"objective": objective, "destination_type": destination, "optimization_goal": goal}
                assert TABLES.requirements(facts) == applicable_requirements(TABLE, facts), facts


@settings(max_examples=40)
@given(st.sampled_from(sorted(REGISTRY.rules("currencies")["currencies"]) + ["XXX"]),
       st.sampled_from(sorted({*TABLE["budget"]["min_daily_usd"].values(), *TABLE["bidding"]["min_bid_usd"].values()})),
       st.sampled_from([1, 2]))
def test_compiled_minor_units_match_the_currency_table(currency: str, usd: float, factor: int) -> None:
    """GRAPH-BEHAVIOUR 8 minimum budgets and bids: memoised conversions equal the currency table's, asked twice."""
    expected = money.minor_units_for_usd(REGISTRY, currency, usd * factor)
    assert TABLES.minor_units_for_usd(currency, usd * factor) == expected
    assert TABLES.minor_units_for_usd(currency, usd * factor) == expected


@settings(max_examples=40)
@given(st.one_of(st.none(), st.just(""), st.builds(lambda a, b: f"v{a}.{b}", st.integers(1, 40), st.integers(0, 9))))
def test_compiled_advantage_gate_matches_since_version(version: str | None) -> None:
    """GRAPH-BEHAVIOUR 9 (M-ADV, v23+): the Advantage+ audience rules apply from since_version on, or always when
    the version is unknown."""
    since = TABLE["targeting"]["advantage_audience"]["since_version"]
    expected = not version or version_key(version) >= version_key(since)
    assert TABLES.advantage_applies(version) is expected
    assert TABLES.advantage_applies(version) is expected

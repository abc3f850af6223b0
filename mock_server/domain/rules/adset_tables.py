"""The ad set rule tables compiled once (issue 18, cold paths): lookups the rules would otherwise work out from
`schemas/rules/adset.json` on every create or update.

The tables stay the source of truth: each compiled form is derived from them at first use by the same
interpretation the rules used to run per request (`applicable_requirements`, `money.minor_units_for_usd`,
`version_key`), and tests/test_adsets_compiled.py checks compiled == interpreted over generated inputs.
"""

from __future__ import annotations

import copy
import itertools
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from mock_server.config import version_key
from mock_server.contract.registry import SchemaRegistry
from mock_server.domain import money

# The facts a promoted_object requirement's "when" may name (what promoted_object_requirements knows).
FACTS = ("objective", "destination_type", "optimization_goal")
_OTHER = object()  # any fact value the table does not name: every such value matches the same entries
_MEMO_LIMIT = 512  # memoised lookups keyed by request values stay bounded whatever clients send


def applicable_requirements(table: dict[str, Any], facts: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The promoted_object entries whose every "when" condition holds for `facts`, in table order (the
    interpretation of the table; the compiled index is built from it)."""
    return tuple(entry for entry in table["promoted_object"]
                 if all(facts.get(key) in values for key, values in entry["when"].items()))


class AdSetTables:
    """What one registry's ad set tables compile to."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self.registry = registry
        self.table: dict[str, Any] = registry.rules("adset")
        self.currencies: dict[str, Any] = registry.rules("currencies")
        self.targeting_options: dict[str, Any] = \
            registry.documents["targeting"]["$defs"]["targeting"]["properties"]
        self.geo_keys = frozenset(self.table["targeting"]["geo_keys"])  # location_required: a set, not a scan
        self.not_stored = frozenset(self.table["not_stored"])  # domain/adsets.py build
        # budget_minimum: a set, not a scan of the list (~0.25 us a create whose account is in none of them)
        self.double_minimum_countries = frozenset(self.table["budget"]["double_minimum_countries"])
        # the record defaults, each with how a record gets its own copy (None: a scalar, shared)
        self.defaults = tuple((key, value, _copier(value)) for key, value in self.table["defaults"].items())
        self._named = {fact: _hashable_values(self.table["promoted_object"], fact) for fact in FACTS}
        self._lookups = tuple({value: value for value in self._named[fact]} for fact in FACTS)
        self._requirements = self._index_requirements()
        self._minor_units: dict[tuple[str, float], int] = {}
        self._advantage: dict[str | None, bool] = {}
        self.passed_by_facts = Remembered()  # rules/adset.py check_create: fact tuples that passed BY_FACTS
        self.count_queries = Answers()  # rules/adset.py campaign_adset_limit: campaign id -> its ListQuery (frozen)
        self.targeting_fills = Answers()  # rules/adset.py fill_create: (targeting text, gate) -> what the fills found
        self.passed_by_request = Remembered()  # the same for BY_REQUEST: keys of creates that passed every rule

    def _index_requirements(self) -> dict[tuple[Any, ...], tuple[dict[str, Any], ...]]:
        """Every combination of the values the table names for each fact (plus 'anything else'), answered once."""
        choices = [[*sorted(self._named[fact], key=repr), _OTHER] for fact in FACTS]
        return {combo: applicable_requirements(self.table, dict(zip(FACTS, combo)))
                for combo in itertools.product(*choices)}

    def requirements(self, facts: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        """applicable_requirements(table, facts), by one dict lookup."""
        return self.requirements_for(facts.get("objective"), facts.get("destination_type"),
                                     facts.get("optimization_goal"))

    def requirements_for(self, objective: Any, destination_type: Any, optimization_goal: Any) -> tuple[dict[str, Any], ...]:
        """`requirements` of these three facts (the rule's call: no facts dict built per request)."""
        objectives, destinations, goals = self._lookups
        try:
            key = (objectives.get(objective, _OTHER), destinations.get(destination_type, _OTHER),
                   goals.get(optimization_goal, _OTHER))
        except TypeError:  # an unhashable value (a list): the table names none
            facts = (objective, destination_type, optimization_goal)
            key = tuple(self._representative(fact, value) for fact, value in zip(FACTS, facts))
        return self._requirements[key]

    def _representative(self, fact: str, value: Any) -> Any:
        if isinstance(value, Hashable):
            try:
                if value in self._named[fact]:
                    return value
            except TypeError:  # a hashable container holding an unhashable value
                pass
        return _OTHER

    def minor_units_for_usd(self, currency: str, usd: float) -> int:
        """money.minor_units_for_usd, memoised per (currency, amount): the amounts come from the tables."""
        key = (currency, usd)
        value = self._minor_units.get(key)
        if value is None:
            value = money.minor_units_for_usd(self.registry, currency, usd)
            if len(self._minor_units) < _MEMO_LIMIT:
                self._minor_units[key] = value
        return value

    def advantage_applies(self, version: str | None) -> bool:
        """Advantage+ audience rules apply from since_version on (to every version when it is unknown)."""
        applies = self._advantage.get(version)
        if applies is None:
            since = self.table["targeting"]["advantage_audience"]["since_version"]
            applies = not version or version_key(version) >= version_key(since)
            if len(self._advantage) < _MEMO_LIMIT:
                self._advantage[version] = applies
        return applies


class Remembered:
    """A bounded set of keys (what clients send decides how many there could be)."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: set[Any] = set()

    def __contains__(self, key: Any) -> bool:
        return key in self.keys

    def remember(self, key: Any) -> None:
        if len(self.keys) >= _MEMO_LIMIT:
            self.keys.clear()  # the keys in use are learnt again
        self.keys.add(key)


class Answers:
    """A bounded dictionary of answers by key (what clients send decides how many keys there could be)."""

    __slots__ = ("answers",)

    def __init__(self) -> None:
        self.answers: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        return self.answers.get(key)

    def remember(self, key: Any, answer: Any) -> None:
        if len(self.answers) >= _MEMO_LIMIT:
            self.answers.clear()
        self.answers[key] = answer


def _copier(value: Any) -> Callable[[Any], Any] | None:
    """How a record gets its own copy of a table default (deepcopy without its cost for scalars and flat lists)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, (str, int, float, bool)) or v is None for v in value):
        return list
    return copy.deepcopy


def _hashable_values(entries: list[dict[str, Any]], fact: str) -> frozenset[Any]:
    return frozenset(value for entry in entries for value in entry["when"].get(fact, ())
                     if isinstance(value, Hashable))


_COMPILED: weakref.WeakKeyDictionary[SchemaRegistry, AdSetTables] = weakref.WeakKeyDictionary()


_last: AdSetTables | None = None  # the one a server asks for on every ad set write: no weak-dictionary lookup


def compiled(registry: SchemaRegistry) -> AdSetTables:
    """The compiled tables of `registry` (built on first use, rebuilt if its ad set table was replaced)."""
    global _last
    tables = _last
    if tables is not None and tables.registry is registry and tables.table is registry.documents["rules/adset"]:
        return tables
    tables = _COMPILED.get(registry)
    if tables is None or tables.table is not registry.rules("adset"):
        tables = _COMPILED[registry] = AdSetTables(registry)
    _last = tables
    return tables

"""pytest plugin (registered through the `pytest11` entry point): a graphmock for every test session.

Fixtures:
  graph_mock      the mock, reset before each test: `.url`, `.world`, `.reset()`, `.clock`, `.reviews`,
                  `.faults`, `.journal`, `.client()` (in-process), `.violations()`
  graph_contract  same object; requesting it (or marking the test `@pytest.mark.graph_contract`) fails the
                  test when the journal recorded a contract violation during it, printing each violation
                  with the request that caused it.

The server runs in-process (uvicorn in a thread) on a free 127.0.0.1 port, started on first use.
`--graphmock-strict` makes the session mock refuse requests the real API would accept silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # importing graphmock itself waits until a test asks for graph_mock
    from mock_server.journal import Entry, Journal

MARKER = "graph_contract"


class GraphMockFixture:
    """The session's mock as a test sees it (wraps `mock_server.GraphMock`)."""

    def __init__(self, strict: bool = False, seed: int | None = 1, rate_limits: str | None = "off") -> None:
        from mock_server import GraphMock, ServerConfig
        from mock_server.journal import journal_of

        config = ServerConfig(seed=seed, strict=strict)
        if rate_limits is not None:  # property tests make thousands of calls; opt back in with "on"
            config.rate_limits = rate_limits
            config.budget_change_limit = rate_limits != "off"  # 4 budget changes per ad set per hour: same switch
        self.mock = GraphMock(config)
        self.journal: Journal = journal_of(self.mock.state)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:54321 (append /v25.0/act_…/campaigns)."""
        return self.mock.url

    @property
    def world(self) -> dict[str, Any]:
        """Demo ids and token: ad_account_id, page_id, instagram_user_id, access_token, ..."""
        return self.mock.world

    @property
    def clock(self) -> Any:
        return self.mock.clock

    @property
    def reviews(self) -> Any:
        return self.mock.reviews

    @property
    def insights(self) -> Any:
        """Steer synthetic delivery: `.set_profile(campaign_id, daily_spend=100, cpm=10)`, `.fail_jobs(1)`."""
        return self.mock.insights

    @property
    def faults(self) -> Any:
        """Fault injection: `.add(method=..., path=..., times=..., error={...})`, `.list()`, `.clear()`."""
        faults = getattr(self.mock, "faults", None) or getattr(self.mock.state, "faults", None)
        if faults is None:
            raise AttributeError("fault injection is not available in this graphmock build")
        return faults

    @property
    def ratelimits(self) -> Any:
        """Rate limits (off in graph_mock by default): `.configure("on")`."""
        return getattr(self.mock, "ratelimits", None) or getattr(self.mock.state, "ratelimits", None)

    def client(self, **kwargs: Any) -> Any:
        """A synchronous in-process Graph client on this mock (no sockets)."""
        return self.mock.client(**kwargs)

    def reset(self) -> None:
        """Objects, clock, faults and journal back to the fixtures' state."""
        self.mock.reset()
        faults = getattr(self.mock.state, "faults", None)
        if faults is not None:
            faults.clear()
        self.journal.clear()

    def violations(self, *, warnings: bool = False) -> list[Entry]:
        """Journal entries with contract violations (errors; warnings too if asked)."""
        return self.journal.violations(warnings=warnings)

    def close(self) -> None:
        self.mock.close()


def report(entries: list[Entry]) -> str:
    """A failure message: every offending request and what is wrong with it."""
    count = sum(len(e.violations) for e in entries)
    lines = [f"graphmock recorded {count} contract violation(s) in {len(entries)} request(s):", ""]
    for entry in entries:
        lines += [entry.describe(), ""]
    return "\n".join(lines)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graphmock")
    group.addoption("--graphmock-strict", action="store_true", default=False,
                    help="graph_mock refuses requests with contract violations the real API would accept")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(warnings=False): fail the test if graph_mock's journal recorded "
                                       "a contract violation during it")


@pytest.fixture(scope="session")
def graph_mock_session(request: pytest.FixtureRequest) -> Iterator[GraphMockFixture]:
    """The session's mock server (started lazily; use `graph_mock` in tests)."""
    handle = GraphMockFixture(strict=bool(request.config.getoption("--graphmock-strict", False)))
    yield handle
    handle.close()


@pytest.fixture
def graph_mock(graph_mock_session: GraphMockFixture) -> GraphMockFixture:
    """The graphmock, reset to the demo world (and an empty journal) before this test."""
    graph_mock_session.reset()
    return graph_mock_session


@pytest.fixture
def graph_contract(graph_mock: GraphMockFixture) -> GraphMockFixture:
    """`graph_mock`, and the test fails if any request it made violated the contract."""
    return graph_mock


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    marker = item.get_closest_marker(MARKER)
    funcargs = getattr(item, "funcargs", {})
    handle = funcargs.get("graph_contract") or (funcargs.get("graph_mock") if marker else None)
    if isinstance(handle, GraphMockFixture):
        warnings = bool(marker.kwargs.get("warnings", False)) if marker else False
        offending = handle.violations(warnings=warnings)
        if offending:
            pytest.fail(report(offending), pytrace=False)
    return result

"""`graphmock verify`: the server-side contract properties, run against any Graph-compatible server.

Checks (named like Schemathesis' where they mean the same): valid payloads
are accepted and read back equal (positive_data_acceptance), each rule
broken alone gets exactly its error (negative_data_rejection), list paging
neither loses nor repeats objects (paging_invariants), and configured status
drives effective_status and default visibility (status_derivation). Only
PAUSED objects are created and everything created is deleted. A failure is
shrunk by Hypothesis and shown as a curl command.

Before any check, a preflight says in one line each whether the target is
reachable, the token valid and the ad account readable. Exit statuses of
`graphmock verify` (EXIT_*): 0 every check passed, 1 a check failed, 2 a
usage mistake, 3 the preflight failed, 130 interrupted (Ctrl-C; the summary so
far is printed). `--examples N` bounds every property: at most N examples for each
positive check, for each rule of a negative check, and at most max(N, 5) pages.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

# `import pkg.mod`, not `from pkg import mod`: the latter takes whatever module the package object names, which is
# stale once sys.modules was restored under it (pytester); then its Refs are not the driver's and stay unresolved.
import contract_tests.strategies as s
from contract_tests.driver import CheckFailure, Driver, SentRequest
from mock_server.verify.progress import Progress
from contract_tests.operations import Context
from mock_server.contract.registry import default_registry


@dataclass
class Result:
    check: str
    target: str
    examples: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (message, curl)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class Verifier:
    driver: Driver
    base_url: str
    token: str
    examples: int = 50
    seed: int | None = None
    out: TextIO = sys.stdout
    results: list[Result] = field(default_factory=list)
    progress: Progress | None = None
    operations: tuple[str, ...] = ("campaign.create", "campaign.update", "adset.create", "adset.update", "adcreative.create",
                                   "adcreative.update", "ad.create", "ad.update")

    # -- running -----------------------------------------------------------------------------
    def _settings(self, examples: int) -> settings:
        return settings(max_examples=examples, deadline=None, database=None, print_blob=False,
                        suppress_health_check=list(HealthCheck),
                        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink])  # no slow `explain`

    def _hypothesis(self, result: Result, examples: int, strategy: st.SearchStrategy[Any],
                    body: Callable[[Any], None]) -> None:
        """Run `body` over `strategy`; record the shrunk failure (if any) as a curl command."""
        def test(value: Any) -> None:
            result.examples += 1
            if self.progress is not None:
                self.progress.example(result)
            try:
                body(value)
            finally:
                self.driver.cleanup()

        runner = given(strategy)(test)
        runner = self._settings(examples)(runner)
        if self.seed is not None:
            runner = hypothesis_seed(self.seed)(runner)
        try:
            runner()
        except CheckFailure as failure:
            result.failures.append(self._failure(failure))
        except BaseExceptionGroup as group:  # several distinct failures: report each
            for failure in _flatten(group):
                result.failures.append(self._failure(failure))
        except Exception as exc:  # noqa: BLE001 - a crash of the suite is a failed check, not a traceback
            result.failures.append((f"{type(exc).__name__}: {exc}", ""))

    def _failure(self, failure: BaseException) -> tuple[str, str]:
        request = getattr(failure, "request", None)
        curl = request.curl(self.base_url, self.token) if isinstance(request, SentRequest) else ""
        return str(failure).split("\n")[0], curl

    def run_check(self, check: str, target: str, work: Callable[[Result], None]) -> Result:
        result = Result(check, target)
        index = len(self.results) + 1
        if self.progress is not None:
            self.progress.start(index, result, self.examples)
        else:
            print(f"[{index}] {check} [{target}] ...", file=self.out, flush=True)
        started = time.perf_counter()
        try:
            work(result)
        finally:
            result.seconds = time.perf_counter() - started
            self.results.append(result)  # kept even when interrupted: the summary so far includes it
            self.driver.cleanup()
        if self.progress is not None:
            self.progress.done(result, self.results)
        else:
            mark = "passed" if result.passed else f"FAILED ({len(result.failures)})"
            print(f"    {mark}: {result.examples} examples in {result.seconds:.1f}s", file=self.out, flush=True)
        return result

    # -- checks ----------------------------------------------------------------------------------
    def paused(self, operation: str) -> dict[str, str]:
        """`status=PAUSED` for operations whose objects deliver (campaigns, ad sets); creatives have no such status."""
        registry = self.driver.ctx.registry
        prop = registry.documents[f"requests/{operation}"].get("properties", {}).get("status")
        allowed = registry.resolve(prop, f"requests/{operation}").get("enum", []) if prop else []
        return {"status": "PAUSED"} if "PAUSED" in allowed else {}

    def positive(self, operation: str) -> Callable[[Result], None]:
        def work(result: Result) -> None:
            op = s.OPERATIONS[operation]
            cases = s.cases(operation, registry=self.driver.ctx.registry, world=self.driver.ctx.world, **self.paused(operation))
            self._hypothesis(result, self.examples, st.tuples(cases, st.sampled_from(s.STYLES)),
                             lambda v: self.driver.accept(op, *v))
        return work

    def negative(self, operation: str) -> Callable[[Result], None]:
        def work(result: Result) -> None:
            op = s.OPERATIONS[operation]
            names = s.rules(operation, self.driver.ctx.registry)
            # each rule is a property of its own: --examples N bounds it (N or fewer examples per rule, a fifth of N
            # and at least 3 when N allows), so `--examples 1` makes one example per rule
            per_rule = min(self.examples, max(3, self.examples // 5))
            for rule in names:
                strategy = st.tuples(s.invalid_payloads(operation, rule=rule, world=self.driver.ctx.world,
                                                        registry=self.driver.ctx.registry, **self.paused(operation)),
                                     st.sampled_from(s.STYLES))
                self._hypothesis(result, per_rule, strategy, lambda v, op=op: self.driver.refuse(op, *v))
        return work

    def paging(self, result: Result) -> None:
        """GRAPH-BEHAVIOUR 3: following `paging.next` visits every object once; pages respect `limit`."""
        op = s.OPERATIONS["campaign.create"]
        payloads = [{"name": f"graphmock verify paging {i}", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                     "special_ad_categories": []} for i in range(5)]
        try:
            made = {self.driver.create(op, p, "form") for p in payloads}
            seen: list[str] = []
            request = SentRequest("GET", f"/{self.driver.version}/{self.driver.account}/campaigns",
                                  params={"limit": "2", "fields": "id"})
            for _ in range(max(self.examples, 5)):  # five objects at two a page need three pages
                status, body = self.driver.send(request)
                result.examples += 1
                if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
                    raise CheckFailure(f"listing failed: HTTP {status} {str(body)[:200]}", request)
                if len(body["data"]) > 2:
                    raise CheckFailure(f"page of {len(body['data'])} objects exceeds limit=2", request)
                seen += [str(item.get("id")) for item in body["data"]]
                after = ((body.get("paging") or {}).get("cursors") or {}).get("after")
                if not (body.get("paging") or {}).get("next") or not after:
                    break
                request = SentRequest("GET", request.path, params={"limit": "2", "fields": "id", "after": after})
            repeated = sorted({i for i in seen if seen.count(i) > 1})
            if repeated:
                raise CheckFailure(f"paging returned {repeated} more than once", request)
            if not made <= set(seen):
                raise CheckFailure(f"paging never returned {sorted(made - set(seen))}", request)
        except CheckFailure as failure:
            result.failures.append(self._failure(failure))

    def status(self, result: Result) -> None:
        """GRAPH-BEHAVIOUR 6: PAUSED reads PAUSED; ARCHIVED/DELETED are derived and hidden from default lists."""
        op = s.OPERATIONS["campaign.create"]
        payload = {"name": "graphmock verify status", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
                   "special_ad_categories": []}
        try:
            object_id = self.driver.create(op, payload, "form")
            for configured in ("PAUSED", "ARCHIVED", "DELETED"):
                if configured != "PAUSED":
                    self.driver.update(s.OPERATIONS["campaign.update"], object_id, {"status": configured}, "form")
                read = SentRequest("GET", f"/{self.driver.version}/{object_id}",
                                   params={"fields": "status,configured_status,effective_status"})
                status, body = self.driver.send(read)
                result.examples += 1
                want = {"status": configured, "configured_status": configured, "effective_status": configured}
                got = {k: (body or {}).get(k) for k in want} if isinstance(body, dict) else body
                if status != 200 or got != want:
                    raise CheckFailure(f"after status={configured}: expected {want}, read HTTP {status} {got}", read)
                if configured != "PAUSED":
                    listing = SentRequest("GET", f"/{self.driver.version}/{self.driver.account}/campaigns",
                                          params={"fields": "id", "limit": "500"})
                    _, page = self.driver.send(listing)
                    ids = {str(i.get("id")) for i in (page or {}).get("data", [])} if isinstance(page, dict) else set()
                    if object_id in ids:
                        raise CheckFailure(f"a {configured} campaign is listed by default", listing)
        except CheckFailure as failure:
            result.failures.append(self._failure(failure))

    @property
    def planned(self) -> int:
        """Checks run(): positive and negative per operation, paging, status, and the two insights checks."""
        return 2 * len(self.operations) + 4

    def run(self) -> list[Result]:
        for operation in self.operations:
            self.run_check("positive_data_acceptance", operation, self.positive(operation))
        for operation in self.operations:
            self.run_check("negative_data_rejection", operation, self.negative(operation))
        self.run_check("paging_invariants", "GET /act_<id>/campaigns", self.paging)
        self.run_check("status_derivation", "campaign", self.status)
        from mock_server.verify import insights  # INSIGHTS.md: sync params/errors, async jobs, nested reads
        self.run_check("insights_params", "GET /act_<id>/insights", lambda r: insights.sync(self, r))
        self.run_check("insights_async_nested", "POST /act_<id>/insights", lambda r: insights.async_and_nested(self, r))
        return self.results

    def report(self) -> bool:
        """Print the table and each failure's shrunk curl; True when everything passed."""
        if not self.results:
            print("\nno check finished", file=self.out)
            return False
        width = max(len(f"{r.check} [{r.target}]") for r in self.results)
        print("", file=self.out)
        print(f"{'check'.ljust(width)}  examples  result", file=self.out)
        print(f"{'-' * width}  --------  ------", file=self.out)
        for r in self.results:
            print(f"{f'{r.check} [{r.target}]'.ljust(width)}  {r.examples:>8}  {'passed' if r.passed else 'FAILED'}",
                  file=self.out)
        passed = sum(r.passed for r in self.results)
        print(f"\n{passed} passed, {len(self.results) - passed} failed", file=self.out)
        for r in self.results:
            for message, curl in r.failures:
                print(f"\nFAILED {r.check} [{r.target}]: {message}", file=self.out)
                if curl:
                    print(f"  minimal reproduction:\n    {curl}", file=self.out)
        return passed == len(self.results)


def _flatten(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for inner in group.exceptions:
        out += _flatten(inner) if isinstance(inner, BaseExceptionGroup) else [inner]
    return out


EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_PREFLIGHT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def preflight(http: Any, account: str, version: str, out: TextIO) -> tuple[str | None, str | None]:
    """Target reachable, token valid, account readable: (problem or None, the account's currency)."""
    read = SentRequest("GET", f"/{version}/{account}", params={"fields": "currency"})
    try:
        status, body = http.call(read)
    except Exception as exc:  # httpx.HTTPError, or httpcore's own when httpx's mapping misses it (a reloaded httpcore)
        reason = str(exc).split("\n")[0] or type(exc).__name__
        return f"target {http.base_url} is not reachable: {reason}", None
    print(f"  ok  target {http.base_url} answers", file=out, flush=True)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(body, dict) or (status >= 400 and not isinstance(error, dict)):
        return f"target {http.base_url} does not answer like Graph (HTTP {status}: {str(body)[:120]})", None
    if isinstance(error, dict):
        code, message = error.get("code"), str(error.get("message", ""))[:200]
        if code in (190, 102, 104, 463, 467):
            return f"the token is not valid for {http.base_url}: #{code} {message}", None
        print("  ok  token accepted", file=out, flush=True)
        return f"ad account {account} is not reachable with this token: #{code} {message}", None
    print("  ok  token accepted", file=out, flush=True)
    currency = body.get("currency") if isinstance(body.get("currency"), str) else None
    print(f"  ok  ad account {account} readable{f' (currency {currency})' if currency else ''}", file=out, flush=True)
    return None, currency


def verify(target: str, token: str, account: str, *, examples: int = 50, seed: int | None = None,
           version: str = "v25.0", currency: str = "USD", page_id: str | None = None, app_id: str | None = None,
           out: TextIO | None = None) -> bool:
    """Run the suite against `target`; True when every check passed."""
    return run(target, token, account, examples=examples, seed=seed, version=version, currency=currency,
               page_id=page_id, app_id=app_id, out=out) == EXIT_PASSED


def run(target: str, token: str, account: str, *, examples: int = 50, seed: int | None = None,
        version: str = "v25.0", currency: str = "USD", page_id: str | None = None, app_id: str | None = None,
        out: TextIO | None = None) -> int:
    """Preflight, then the checks with a progress display; an EXIT_* status."""
    out = out or sys.stdout
    from contract_tests.targets import HTTPTarget

    http = HTTPTarget(target, token, timeout=15.0)
    print(f"graphmock verify: {target} as {account} ({examples} examples per check"
          f"{f', seed {seed}' if seed is not None else ''})", file=out, flush=True)
    try:
        problem, found = preflight(http, account, version, out)
    except KeyboardInterrupt:
        http.close()
        print("\ninterrupted during the preflight", file=out)
        return EXIT_INTERRUPTED
    if problem is not None:
        http.close()
        print(f"graphmock verify: preflight failed: {problem}", file=out, flush=True)
        return EXIT_PREFLIGHT
    world = {"page_id": page_id, "app_id": app_id} if page_id or app_id else {}
    driver = Driver(http, account, Context(default_registry(), found or currency, world=world), version=version)
    verifier = Verifier(driver, http.base_url, token, examples, seed, out)
    verifier.progress = Progress(out, verifier.planned)
    interrupted = False
    try:
        verifier.run()
    except KeyboardInterrupt:
        interrupted = True
        verifier.progress.interrupted()
    finally:
        try:
            driver.cleanup()
        except (KeyboardInterrupt, Exception):  # noqa: BLE001 - best effort: objects left are PAUSED
            print("graphmock verify: cleanup incomplete; created objects are PAUSED", file=out)
        http.close()
    passed = verifier.report()
    if interrupted:
        print(f"interrupted after {len(verifier.results)} of {verifier.planned} checks (summary so far above)",
              file=out, flush=True)
        return EXIT_INTERRUPTED
    return EXIT_PASSED if passed else EXIT_FAILED

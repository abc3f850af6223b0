"""The dashboard in a real headless Chromium (issue 15 "Done when"): objects made through the Graph API seen in
the tree with their effective statuses and reasons, the review queue, the clock, the live journal, reset.

One browser and one graphmock HTTP server for the module; each test starts from a reset world. Screenshots go
to artifacts/dashboard/ (or $GRAPHMOCK_ARTIFACTS) so a failing CI run can be looked at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import GraphMock
from test_lifecycle_state_machine import make_ad, make_adset, make_campaign, make_creative

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("GRAPHMOCK_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("GRAPHMOCK_ARTIFACTS", Path(__file__).parent.parent / "artifacts")) / "dashboard"
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
WAIT = 5_000  # ms; the journal polls every 2 s


@pytest.fixture(scope="module")
def mock() -> Iterator[GraphMock]:
    with GraphMock(seed=0) as mock:
        mock.start()
        yield mock


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def graph(mock: GraphMock) -> Iterator[httpx.Client]:
    """A Graph client over HTTP, as the user's app would be (the dashboard runs in the server's thread)."""
    mock.reset()
    mock.clock.freeze(T0)
    with httpx.Client(base_url=f"{mock.url}/v25.0/", params={"access_token": mock.world["access_token"]}) as client:
        yield client


@pytest.fixture
def page(browser: Any, mock: GraphMock, request: pytest.FixtureRequest) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())  # destructive actions ask first
    page.set_default_timeout(WAIT)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    page.close()


def open_dashboard(page: Any, mock: GraphMock) -> None:
    page.goto(mock.url + "/", wait_until="domcontentloaded")  # a browser asking for / lands on the dashboard
    assert page.url == mock.url + "/__graphmock/ui/"
    page.wait_for_selector("#tree-form")


def node(page: Any, object_id: str) -> Any:
    return page.locator(f"li.node[data-id='{object_id}']").first


def reason(page: Any, object_id: str) -> str:
    return node(page, object_id).locator(":scope > .reason, :scope > details > summary > .reason").first.inner_text()


def seed_000(graph: httpx.Client, mock: GraphMock, *, adset_status: str = "ACTIVE", ad_status: str = "ACTIVE") -> dict[str, str]:
    act, world = mock.world["ad_account_id"], mock.world
    campaign = make_campaign(graph, act)
    adset = make_adset(graph, act, world, campaign, status=adset_status)
    creative = make_creative(graph, act, world)
    return {"campaign": campaign, "adset": adset, "creative": creative, "ad": make_ad(graph, act, adset, creative, ad_status)}


def test_seed_000_flow_in_the_tree_with_effective_statuses_and_reasons(page: Any, mock: GraphMock, graph: httpx.Client):
    """GRAPH-BEHAVIOUR 6: an ad under a PAUSED ad set reads ADSET_PAUSED; seed 000: a new ACTIVE ad reads
    PENDING_REVIEW until approved. The tree says which and why; the detail shows JSON, children and a preview."""
    paused = seed_000(graph, mock, adset_status="PAUSED")
    pending = seed_000(graph, mock)
    open_dashboard(page, mock)
    assert reason(page, paused["ad"]) == f"ADSET_PAUSED: ad set {paused['adset']} is PAUSED"
    assert reason(page, paused["adset"]) == "PAUSED: configured status is PAUSED"
    assert reason(page, pending["ad"]) == "PENDING_REVIEW: ad review state is PENDING_REVIEW"
    assert reason(page, pending["campaign"]).startswith("ACTIVE: configured ACTIVE")
    assert "50.00 USD daily" in node(page, pending["adset"]).inner_text()  # daily_budget 5000 minor units
    assert "review: PENDING" in node(page, pending["ad"]).inner_text()
    opener = node(page, pending["ad"]).get_by_role("button", name="Click to Instagram Ad").first
    opener.focus()
    page.keyboard.press("Enter")  # keyboard-usable: every object is a button
    page.wait_for_selector("#object-view h3")
    detail = page.locator("#object-view")
    assert f'"id": "{pending["ad"]}"' in detail.locator("pre.json").inner_text()
    assert "Chat with us on Instagram" in detail.locator(".preview").inner_text()  # creative rendered as a preview
    assert detail.locator("#insights-note, #insights-chart").count() == 1  # a chart, or says insights are absent


def test_approving_from_the_queue_turns_the_ad_active(page: Any, mock: GraphMock, graph: httpx.Client):
    ids = seed_000(graph, mock)
    open_dashboard(page, mock)
    queued = page.locator(f"#review-list li[data-ad='{ids['ad']}']")
    queued.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_selector("#queue-empty")
    page.wait_for_function(f"document.querySelector(\"li.node[data-id='{ids['ad']}'] .effective\").textContent === 'ACTIVE'")
    assert reason(page, ids["ad"]) == "ACTIVE: configured ACTIVE and every parent is ACTIVE"
    assert graph.get(ids["ad"], params={"fields": "effective_status"}).json()["effective_status"] == "ACTIVE"


def test_disapproving_needs_feedback_and_shows_it(page: Any, mock: GraphMock, graph: httpx.Client):
    ids = seed_000(graph, mock)
    open_dashboard(page, mock)
    queued = page.locator(f"#review-list li[data-ad='{ids['ad']}']")
    queued.get_by_role("button", name="Disapprove").click()
    page.wait_for_function("document.getElementById('status').textContent.includes('feedback')")
    assert page.locator("#status.bad").count() == 1
    queued.get_by_label("Feedback").fill("Landing page is broken")
    queued.get_by_role("button", name="Disapprove").click()
    page.wait_for_selector("#queue-empty")
    feedback = graph.get(ids["ad"], params={"fields": "effective_status,ad_review_feedback"}).json()
    assert feedback["effective_status"] == "DISAPPROVED" and "Landing page is broken" in str(feedback["ad_review_feedback"])


def test_advancing_the_clock_decides_a_pending_review(page: Any, mock: GraphMock, graph: httpx.Client):
    """review.json: the default policy decides 300 s after submission on the virtual clock."""
    ids = seed_000(graph, mock)
    open_dashboard(page, mock)
    page.wait_for_selector(f"#review-list li[data-ad='{ids['ad']}']")
    assert "Next automatic review decision: 2026-01-01 00:05:00 UTC" in page.locator("#next-decision").inner_text()
    page.get_by_role("button", name="+1 h").click()
    page.wait_for_selector("#queue-empty")
    assert page.locator("#virtual-now").inner_text() == "2026-01-01T01:00:00+0000"
    page.wait_for_function(f"document.querySelector(\"li.node[data-id='{ids['ad']}'] .effective\").textContent === 'ACTIVE'")
    page.get_by_label("Advance by").fill("soon")
    page.get_by_role("button", name="Advance", exact=True).click()
    page.wait_for_function("document.getElementById('status').textContent.includes('not a duration')")


def test_the_journal_shows_a_violating_request_live_with_its_detail(page: Any, mock: GraphMock, graph: httpx.Client):
    open_dashboard(page, mock)
    page.wait_for_selector("#journal-list table, #journal-empty")
    act = mock.world["ad_account_id"]
    answer = graph.post(f"{act}/campaigns", data={"name": "no objective", "status": "PAUSED", "special_ad_categories": "[]",
                                                  "bogus_param": "1"})
    assert answer.status_code == 400
    page.get_by_label("violations only").check()
    row = page.locator("#journal-list tr.bad", has_text=f"/{act}/campaigns").first
    row.wait_for()  # arrives by polling, without a reload
    assert "POST" in row.inner_text() and "400" in row.inner_text()
    row.get_by_role("button").click()
    entry = page.locator("#journal-entry")
    entry.wait_for()
    text = entry.inner_text()
    assert "bogus_param" in text and "no objective" in text  # the request
    assert '"error"' in text and '"code": 100' in text  # the answer
    assert "access_token" not in text or "<redacted>" in text  # secrets stay out of the journal


def test_reset_empties_the_tree_and_a_saved_snapshot_brings_it_back(page: Any, mock: GraphMock, graph: httpx.Client,
                                                                      tmp_path: Path):
    ids = seed_000(graph, mock)
    open_dashboard(page, mock)
    node(page, ids["campaign"]).wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Save snapshot").click()
    saved = tmp_path / "snapshot.json"
    download.value.save_as(saved)
    page.get_by_role("button", name="Reset world").click()  # confirmed by the dialog handler
    page.wait_for_selector("#tree-empty")
    assert re.search(r"reset the whole world", page.locator("#status").inner_text())
    assert graph.get(ids["campaign"]).status_code == 400
    page.get_by_label("Restore snapshot").set_input_files(str(saved))
    page.get_by_role("button", name="Restore", exact=True).click()
    node(page, ids["ad"]).wait_for()
    assert graph.get(ids["campaign"]).status_code == 200


def test_narrow_dark_window_is_readable(browser: Any, mock: GraphMock, graph: httpx.Client):
    """Readable in a narrow window and in dark mode: nothing wider than the viewport."""
    seed_000(graph, mock, adset_status="PAUSED")
    page = browser.new_page(viewport={"width": 380, "height": 800}, color_scheme="dark")
    try:
        open_dashboard(page, mock)
        page.wait_for_selector("li.node")
        width = page.evaluate("document.documentElement.scrollWidth")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "narrow_dark.png"))
        assert width <= 380
    finally:
        page.close()


def test_with_an_admin_token_the_page_asks_for_it_once(browser: Any):
    """Follows the control API's admin-token setting: panels stay locked until the token is given."""
    with GraphMock(seed=0, admin_token="let-me-in") as locked:
        page = browser.new_page()
        page.set_default_timeout(WAIT)
        try:
            page.goto(locked.url + "/__graphmock/ui/")
            login = page.locator("#login")
            login.wait_for()
            assert page.locator("#tree-form").count() == 0
            login.get_by_label("Admin token").fill("let-me-in")
            login.get_by_role("button", name="Unlock").click()
            page.wait_for_selector("#tree-form")
            page.get_by_role("button", name="Freeze").click()
            page.wait_for_function("document.getElementById('status').textContent.startsWith('clock:')")
            assert locked.state.clock.state()["frozen"] is True
        finally:
            page.close()


def test_a_fixed_daily_spend_profile_set_in_the_dashboard_shows_exact_daily_figures(page: Any, mock: GraphMock,
                                                                                    graph: httpx.Client):
    """Issue 15 point 5 with docs/insights.md "Steering a delivery profile": `daily_spend` spends exactly that per
    full active day; `cpm` / `ctr` fix impressions and clicks. Objects made through the Graph API, approved from the
    queue, profile set and clock advanced from the dashboard; the chart's bars carry the exact daily figures."""
    mock.clock.freeze(T0 + 8 * 3600)  # local midnight of 2026-01-01 in the account's America/Los_Angeles
    ids = seed_000(graph, mock)
    open_dashboard(page, mock)
    page.locator(f"#review-list li[data-ad='{ids['ad']}']").get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_selector("#queue-empty")
    node(page, ids["adset"]).get_by_role("button", name="Click to Instagram Ad Set").first.click()
    form = page.locator("#profile-form")
    form.get_by_label("Fixed daily spend").fill("40")
    form.get_by_label("CPM").fill("10")
    form.get_by_label("CTR").fill("0.02")
    form.get_by_role("button", name="Set profile").click()
    page.wait_for_function("document.getElementById('status').textContent.startsWith('delivery profile of')")
    assert mock.insights.profiles() == {ids["adset"]: {"daily_spend": 40, "cpm": 10, "ctr": 0.02}}
    page.get_by_label("Advance by").fill("3d")
    page.get_by_role("button", name="Advance", exact=True).click()
    page.wait_for_selector("#insights-chart rect[data-day='2026-01-03'][data-value='40']")
    titles = {metric: page.locator(f"#insights-chart figure[data-metric='{metric}'] rect title").all_text_contents()
              for metric in ("spend", "impressions", "clicks")}
    days = ["2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02", "2026-01-03"]
    assert titles["spend"] == [f"{d}: spend {v}" for d, v in zip(days, ["0"] * 4 + ["40"] * 3)]
    assert titles["impressions"] == [f"{d}: impressions {v}" for d, v in zip(days, ["0"] * 4 + ["4000"] * 3)]
    assert titles["clicks"] == [f"{d}: clicks {v}" for d, v in zip(days, ["0"] * 4 + ["80"] * 3)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content="body > header { position: static }")  # the sticky bar would cover the panel
    page.locator("#insights").screenshot(path=str(ARTIFACTS / "insights_last_7d.png"))
    page.get_by_label("Period").select_option("custom")  # a custom window on the virtual clock
    page.wait_for_selector("#insights-range button:has-text('Show')")
    page.get_by_label("Since").fill("2026-01-02")
    page.get_by_label("Until").fill("2026-01-03")
    page.get_by_role("button", name="Show").click()
    page.wait_for_function("document.querySelectorAll(\"#insights-chart figure[data-metric='spend'] rect\").length === 2")
    assert page.locator("#insights-chart figure[data-metric='spend'] rect").evaluate_all(
        "rects => rects.map(r => r.dataset.value)") == ["40", "40"]
    page.locator("#profile-form").get_by_label("CTR").fill("3")
    page.locator("#profile-form").get_by_role("button", name="Set profile").click()
    page.wait_for_function("document.getElementById('status').textContent.includes('between 0 and 1')")
    assert mock.insights.profiles()[ids["adset"]]["ctr"] == 0.02  # the refused form changed nothing

"""API versions as a dated table (issue 17 point 1): schemas/rules/versions.json read on a date.

Sources: issue 17 quoting the Marketing API changelog ("versions"): v27.0 released 2026-11-04, v26.0 2026-07-29,
v25.0 2026-02-18 expiring 2027-02-23, v24.0 expired 2026-11-10, v23.0 expired 2026-06-09; GRAPH-BEHAVIOUR 12
(M-VER) for 2635 and auto-upgrade.
"""

from __future__ import annotations

from datetime import date

import pytest

from helpers_envelope import assert_graph_error
from mock_server import cli
from mock_server.access.versions import served_on, table
from mock_server.config import ServerConfig
from mock_server.testing import InProcessClient

ACT = "act_1000000000000001"


def test_changelog_today_serves_v25_v26_v27():
    """Marketing API changelog (issue 17): on 2026-12-05 v25.0, v26.0 and v27.0 are served; v24.0 expired
    2026-11-10, v28.0 does not exist yet."""
    assert served_on(date(2026, 12, 5)) == ("v25.0", "v26.0", "v27.0")
    assert served_on(date(2026, 11, 9)) == ("v24.0", "v25.0", "v26.0", "v27.0")
    assert served_on(date(2026, 11, 3)) == ("v24.0", "v25.0", "v26.0")
    assert served_on(date(2027, 2, 23)) == ("v26.0", "v27.0")
    with pytest.raises(ValueError):
        served_on(date(2020, 1, 1))


def test_every_row_is_dated_and_sourced():
    """The table is the documentation: every row names its source; expiry comes after release."""
    for row in table():
        assert row["source"] and row["released"]
        assert row["marketing_api_expiry"] is None or row["released"] < row["marketing_api_expiry"]


def test_v27_is_served_and_expired_v24_is_upgraded_naming_v27():
    """Marketing API changelog: v27.0 is current. M-VER: the version deprecated last is auto-upgraded with
    X-Ad-Api-Version-Warning; older versions get (#2635) naming the latest version."""
    c = InProcessClient(ServerConfig(seed=1, as_of=date(2026, 12, 5)))
    try:
        served = c.get(f"/v27.0/{ACT}", params={"fields": "name"})
        assert served.status_code == 200 and served.headers["facebook-api-version"] == "v27.0"
        upgraded = c.get(f"/v24.0/{ACT}")
        assert upgraded.headers["x-ad-api-version-warning"] == ("The call has been auto-upgraded to v25.0 as v24.0 "
                                                               "has been deprecated")
        error = assert_graph_error(c.get(f"/v23.0/{ACT}"), 2635)
        assert error["message"].endswith("Please update to the latest version: v27.0.")
    finally:
        c.close()


@pytest.mark.parametrize("version", ["v28.0", "v27", "v27.x"])
def test_unreleased_or_malformed_version_is_unknown_path_components(version):
    """fbRads #97 (GRAPH-BEHAVIOUR 1.3): a path prefix Graph does not know as a version is a path component:
    2500 'Unknown path components'. v28.0 is not released on 2026-12-05."""
    c = InProcessClient(ServerConfig(seed=1, as_of=date(2026, 12, 5)))
    try:
        error = assert_graph_error(c.get(f"/{version}/{ACT}"), 2500)
        assert error["message"].startswith("Unknown path components")
    finally:
        c.close()


def test_as_of_before_v27_release_refuses_v27():
    """--as-of reads the table on another day: on 2026-10-01 v27.0 was not released yet and v24.0 was live."""
    c = InProcessClient(ServerConfig(seed=1, as_of=date(2026, 10, 1)))
    try:
        assert_graph_error(c.get(f"/v27.0/{ACT}"), 2500)
        assert c.get(f"/v24.0/{ACT}").status_code == 200
        assert "x-ad-api-version-warning" not in c.get(f"/v24.0/{ACT}").headers
    finally:
        c.close()


def test_explicit_versions_override_the_table():
    """--versions wins over the table (a user pinning a set)."""
    assert ServerConfig(versions=("v26.0",), as_of=date(2020, 1, 1)).versions == ("v26.0",)


def _banner(monkeypatch, capsys, *argv: str) -> str:
    """`graphmock serve`'s banner, without serving (uvicorn.run stubbed; serve's gc tuning undone)."""
    import gc

    import uvicorn
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    threshold = gc.get_threshold()
    try:
        assert cli.main(["serve", "--db", ":memory:", "--port", "0", *argv]) == 0  # any free port
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    return capsys.readouterr().out


def test_serve_prints_the_served_versions(monkeypatch, capsys):
    """`graphmock serve` says which versions it serves, from the table on --as-of or from --versions."""
    assert "serving Graph v25.0, v26.0, v27.0 on" in _banner(monkeypatch, capsys, "--as-of", "2026-12-05")
    assert "serving Graph v24.0, v25.0, v26.0 on" in _banner(monkeypatch, capsys, "--as-of", "2026-08-01")
    assert "serving Graph v26.0 on" in _banner(monkeypatch, capsys, "--versions", "v26.0")


def test_serve_rejects_a_bad_as_of(capsys):
    assert cli.main(["serve", "--db", ":memory:", "--as-of", "yesterday"]) == 2
    assert cli.main(["serve", "--db", ":memory:", "--as-of", "2001-01-01"]) == 2

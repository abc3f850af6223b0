"""`graphmock check-client -- CMD` (issue 6 'Done when'): the shipped bad client fails listing both
violations; the good client passes; the environment carries the mock's URL and demo world."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def check_client(*command: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mock_server", "check-client", *extra, "--", *command],
                          capture_output=True, text=True, timeout=120)


def test_bad_client_exits_non_zero_listing_both_violations() -> None:
    result = check_client(sys.executable, str(EXAMPLES / "bad_client.py"))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "2 request(s), 2 with violations; client exited 0" in out
    assert "POST /v25.0/act_1000000000000001/campaigns -> HTTP 400" in out and "objective = TRAFFIC" in out
    assert 'error: bad_enum [objective]: "TRAFFIC" is not one of' in out
    assert "GET /v25.0/act_1000000000000001/campaigns -> HTTP 400" in out and "fields = name,budget" in out
    assert "error: unknown_field [fields]: 'budget' is not a field of Campaign (AdCampaignGroup)" in out


def test_good_client_exits_zero() -> None:
    result = check_client(sys.executable, str(EXAMPLES / "good_client.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 request(s), 0 with violations; client exited 0" in result.stdout
    assert "created campaign" in result.stdout


def test_environment_names_the_mock_and_demo_world(tmp_path: Path) -> None:
    script = tmp_path / "env.py"
    script.write_text("import json, os\nprint(json.dumps({k: v for k, v in os.environ.items() if k.startswith('GRAPHMOCK_')}))\n")
    result = check_client(sys.executable, str(script))
    assert result.returncode == 0
    env = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("{")))
    assert env["GRAPHMOCK_URL"].startswith("http://127.0.0.1:")
    assert env["GRAPHMOCK_ACCESS_TOKEN"] == "GMDEMO-ads-management-token"
    assert env["GRAPHMOCK_AD_ACCOUNT_ID"] == "act_1000000000000001"
    assert env["GRAPHMOCK_PAGE_ID"] == "1100000000000001"
    assert env["GRAPHMOCK_INSTAGRAM_USER_ID"] == "17841400000000001"


def test_client_failure_and_missing_command_are_reported() -> None:
    assert check_client(sys.executable, "-c", "raise SystemExit(3)").returncode == 3
    missing = subprocess.run([sys.executable, "-m", "mock_server", "check-client"], capture_output=True, text=True)
    assert missing.returncode == 2 and "after --" in missing.stderr
    assert check_client("/nonexistent/graphmock-client").returncode == 127


def test_strict_mode_refuses_the_silent_violation_while_the_client_runs(tmp_path: Path) -> None:
    script = tmp_path / "sloppy.py"
    script.write_text(
        "import os, urllib.parse, urllib.request, urllib.error\n"
        "data = urllib.parse.urlencode({'name': 'n', 'objective': 'OUTCOME_TRAFFIC', 'special_ad_categories': '[]',"
        " 'colour': 'red', 'access_token': os.environ['GRAPHMOCK_ACCESS_TOKEN']}).encode()\n"
        "url = f\"{os.environ['GRAPHMOCK_URL']}/v25.0/{os.environ['GRAPHMOCK_AD_ACCOUNT_ID']}/campaigns\"\n"
        "try:\n    urllib.request.urlopen(url, data)\n    print('accepted')\n"
        "except urllib.error.HTTPError as e:\n    print('refused', e.code)\n")
    lenient = check_client(sys.executable, str(script))
    strict = check_client(sys.executable, str(script), extra=("--strict",))
    # an unknown param is a warning (Graph ignores it): it fails the client only with --fail-on-warnings
    assert "accepted" in lenient.stdout and lenient.returncode == 0
    assert check_client(sys.executable, str(script), extra=("--fail-on-warnings",)).returncode == 1
    assert "refused 400" in strict.stdout and strict.returncode == 1
    assert "unknown_param [colour]" in strict.stdout

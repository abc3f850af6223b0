"""`graphmock check-client -- CMD`: run any client (any language) against a fresh mock, then judge its calls.

The mock listens on a free 127.0.0.1 port; the command gets its URL and the
demo world in the environment:

  GRAPHMOCK_URL                http://127.0.0.1:<port>  (append /v25.0/...)
  GRAPHMOCK_ACCESS_TOKEN       the demo access token
  GRAPHMOCK_AD_ACCOUNT_ID      act_<digits>
  GRAPHMOCK_PAGE_ID            the demo Facebook Page
  GRAPHMOCK_INSTAGRAM_USER_ID  the demo Instagram account

Exit status: 1 when the journal holds a contract violation, else the command's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TextIO

ENV_KEYS = {
    "GRAPHMOCK_ACCESS_TOKEN": "access_token", "GRAPHMOCK_AD_ACCOUNT_ID": "ad_account_id",
    "GRAPHMOCK_PAGE_ID": "page_id", "GRAPHMOCK_INSTAGRAM_USER_ID": "instagram_user_id",
}


def check_client(command: list[str], *, strict: bool = False, warnings_fail: bool = False,
                 out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from contract_tests.plugin import GraphMockFixture, report

    mock = GraphMockFixture(strict=strict, rate_limits=None)  # the server's defaults, as `graphmock serve` runs
    try:
        env = {**os.environ, "GRAPHMOCK_URL": mock.url}
        env.update({key: str(mock.world.get(field) or "") for key, field in ENV_KEYS.items()})
        print(f"graphmock check-client: mock at {mock.url}; running {' '.join(command)}", file=out, flush=True)
        try:
            code = subprocess.run(command, env=env, check=False).returncode
        except OSError as exc:
            print(f"graphmock check-client: cannot run {command[0]!r}: {exc}", file=out)
            return 127
        entries = mock.journal.entries()
        violating = mock.journal.violations(warnings=True)
        errors = [e for e in violating if e.errors]
        print(f"\ngraphmock check-client: {len(entries)} request(s), {len(violating)} with violations; "
              f"client exited {code}", file=out)
        if violating:
            print(report(violating), file=out)
        if errors or (warnings_fail and violating):
            return 1
        return code
    finally:
        mock.close()

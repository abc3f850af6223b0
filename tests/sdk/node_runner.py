"""Run a Node SDK script (tests/sdk/node/<name>.js) against graphmock and read its JSON answer.

The script gets its arguments as JSON on stdin and the server in GRAPHMOCK_URL / GRAPHMOCK_TOKEN, and
prints one JSON document on stdout. A missing `node` or a missing/stale `node_modules` FAILS the test
with the install command: a skipped SDK suite would hide exactly the breakage it exists to catch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
SDK_PACKAGE = "facebook-nodejs-business-sdk"
INSTALL_COMMAND = "npm ci --prefix tests/sdk/node"
SCRIPT_TIMEOUT_S = 60


def pinned_version() -> str:
    return str(json.loads((NODE_DIR / "package.json").read_text())["dependencies"][SDK_PACKAGE])


class NodeRunner:
    def __init__(self, url: str, token: str, version: str | None = None) -> None:
        self.url = url
        self.token = token
        self.version = version  # None: the SDK's own default version; else FacebookAdsApi.VERSION redefined

    def check_installed(self) -> str:
        """The node binary; fails with the install command when the pinned SDK is not in node_modules."""
        node = shutil.which("node")
        if node is None:
            pytest.fail("`node` is not on PATH: the Node SDK tests need Node.js >= 18 and "
                        f"`{INSTALL_COMMAND}` (see README, 'Use with the official SDKs').", pytrace=False)
        installed = NODE_DIR / "node_modules" / SDK_PACKAGE / "package.json"
        if not installed.exists():
            pytest.fail(f"{SDK_PACKAGE} is not installed in tests/sdk/node/node_modules: run `{INSTALL_COMMAND}` "
                        "(the README test command does this before pytest).", pytrace=False)
        version = json.loads(installed.read_text())["version"]
        if version != pinned_version():
            pytest.fail(f"tests/sdk/node/node_modules has {SDK_PACKAGE} {version}, package.json pins "
                        f"{pinned_version()}: run `{INSTALL_COMMAND}`.", pytrace=False)
        return node

    def run(self, script: str, **args: Any) -> Any:
        """`node <script>.js` with `args` as JSON on stdin; returns the JSON it printed."""
        node = self.check_installed()
        env = {**os.environ, "GRAPHMOCK_URL": self.url, "GRAPHMOCK_TOKEN": self.token}
        if self.version:
            env["GRAPHMOCK_API_VERSION"] = self.version
        proc = subprocess.run([node, str(NODE_DIR / f"{script}.js")], input=json.dumps(args), text=True,
                              capture_output=True, env=env, cwd=NODE_DIR, timeout=SCRIPT_TIMEOUT_S)
        if proc.returncode != 0:
            pytest.fail(f"node {script}.js exited with {proc.returncode}:\n{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}",
                        pytrace=False)
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"node {script}.js printed no JSON:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}", pytrace=False)

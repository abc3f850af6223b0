"""`create_app` under plain uvicorn, without the CLI (no gc tuning), to see what `graphmock serve` adds.

    python benchmarks/serve_app.py PORT DB FIXTURES
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from mock_server.app import create_app
from mock_server.config import ServerConfig

if __name__ == "__main__":
    port, db, fixtures = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    app = create_app(ServerConfig(db=db, fixtures=fixtures))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)

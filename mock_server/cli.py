"""`graphmock` command line: serve, fixtures (and more subcommands as they land)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from mock_server.config import DEFAULT_VERSIONS, ServerConfig, parse_versions
from mock_server.domain.world import World

DEFAULT_DB = "graphmock.sqlite3"


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mock_server.app import create_app

    started = time.perf_counter()
    try:
        versions = parse_versions(args.versions)
    except ValueError as exc:
        print(f"graphmock: {exc}", file=sys.stderr)
        return 2
    db = args.db if args.db == ":memory:" else str(Path(args.db).resolve())
    config = ServerConfig(db=db, fixtures=Path(args.fixtures) if args.fixtures else None, versions=versions,
                          seed=args.seed, durable=args.durable)
    app = create_app(config)
    state = app.state.graph
    summary = state.world.summary()
    where = "in memory (lost on exit)" if db == ":memory:" else db
    print(f"graphmock: store {where}", flush=True)
    print(f"graphmock: serving Graph {', '.join(versions)} on http://{args.host}:{args.port} "
          f"(ready in {time.perf_counter() - started:.2f}s)", flush=True)
    print(f"graphmock: ad account {summary['ad_account_id']}  access_token {summary['access_token']}", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


def _fixtures(args: argparse.Namespace) -> int:
    from mock_server.resources import default_fixtures_file
    from mock_server.state import WORLD_KEY

    document = None
    if args.db and args.db != ":memory:" and Path(args.db).exists():
        from mock_server.store.sqlite import SQLiteRepository
        document = SQLiteRepository(args.db).get_meta(WORLD_KEY)
    if document is None:
        with open(args.fixtures or default_fixtures_file(), encoding="utf-8") as fh:
            document = json.load(fh)
    world = World.from_document(document)
    print(json.dumps(world.summary(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphmock", description="Offline, stateful mock of Meta's Marketing API.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default ./{DEFAULT_DB}) or :memory:")
    serve.add_argument("--fixtures", help="fixtures document loaded into an empty store (default: the demo world)")
    serve.add_argument("--versions", default=",".join(DEFAULT_VERSIONS), help="supported Graph versions, comma separated")
    serve.add_argument("--seed", type=int, help="deterministic ids and trace ids")
    serve.add_argument("--durable", action="store_true", help="fsync every commit (synchronous=FULL)")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(func=_serve)

    fixtures = sub.add_parser("fixtures", help="print the loaded world's ids and tokens as JSON")
    fixtures.add_argument("--fixtures", help="fixtures document (default: the demo world)")
    fixtures.add_argument("--db", help="read the world stored in this SQLite file instead")
    fixtures.set_defaults(func=_fixtures)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

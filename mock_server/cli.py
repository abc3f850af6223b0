"""`graphmock` command line: serve, fixtures, openapi, verify, check-client."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

from mock_server.config import DEFAULT_VERSIONS, ServerConfig, parse_versions
from mock_server.domain.world import World
from mock_server.store import is_postgres_url, masked

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
    db = args.db if args.db == ":memory:" or is_postgres_url(args.db) else str(Path(args.db).resolve())
    config = ServerConfig(db=db, fixtures=Path(args.fixtures) if args.fixtures else None, versions=versions,
                          seed=args.seed, durable=args.durable, strict=args.strict, journal_size=args.journal_size,
                          admin_token=args.admin_token, rate_limits=_rate_limits(args.rate_limits),
                          read_cache=args.read_cache)
    try:
        app = create_app(config)
    except RuntimeError as exc:  # a store that cannot be opened (e.g. PostgreSQL unreachable): say why, briefly
        print(f"graphmock: {exc}", file=sys.stderr)
        return 2
    state = app.state.graph
    summary = state.world.summary()
    where = "in memory (lost on exit)" if db == ":memory:" else masked(db)  # never print a DB password
    print(f"graphmock: store {where}", flush=True)
    print(f"graphmock: serving Graph {', '.join(versions)} on http://{args.host}:{args.port} "
          f"(ready in {time.perf_counter() - started:.2f}s)", flush=True)
    print(f"graphmock: ad account {summary['ad_account_id']}  access_token {summary['access_token']}", flush=True)
    # Long-lived objects (schemas, validators, world) never need collecting, and requests allocate many small
    # acyclic dicts: freezing the start-up heap and collecting young objects less often saves ~7 % per create.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    # graph.facebook.com sends a Date header but no Server header; uvicorn would add `server: uvicorn`
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False, server_header=False)
    return 0


def _fixtures(args: argparse.Namespace) -> int:
    from mock_server.resources import default_fixtures_file
    from mock_server.state import WORLD_KEY

    document = None
    if args.db and args.db != ":memory:" and (is_postgres_url(args.db) or Path(args.db).exists()):
        from mock_server.store import open_repository
        document = open_repository(args.db).get_meta(WORLD_KEY)
    if document is None:
        with open(args.fixtures or default_fixtures_file(), encoding="utf-8") as fh:
            document = json.load(fh)
    world = World.from_document(document)
    print(json.dumps(world.summary(), indent=2))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from mock_server.openapi import build

    print(json.dumps(build(server=args.server), indent=2, ensure_ascii=False))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from mock_server.verify.suite import verify

    ok = verify(args.target, args.token, args.account, examples=args.examples, seed=args.seed, version=args.version,
                page_id=args.page_id, app_id=args.app_id)
    return 0 if ok else 1


def _check_client(args: argparse.Namespace) -> int:
    from mock_server.verify.check_client import check_client

    command = list(args.cmd)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("graphmock check-client: give the command to run after --", file=sys.stderr)
        return 2
    return check_client(command, strict=args.strict, warnings_fail=args.fail_on_warnings)


def _rate_limits(text: str | None) -> str | dict | None:
    if text and text.strip().startswith("{"):
        return json.loads(text)
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphmock", description="Offline, stateful mock of Meta's Marketing API.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default ./{DEFAULT_DB}), :memory:, or postgresql://user:pass@host/db "
                       "(a store shared by several servers: docs/shared-sandbox.md)")
    serve.add_argument("--fixtures", help="fixtures document loaded into an empty store (default: the demo world)")
    serve.add_argument("--versions", default=",".join(DEFAULT_VERSIONS), help="supported Graph versions, comma separated")
    serve.add_argument("--seed", type=int, help="deterministic ids and trace ids")
    serve.add_argument("--durable", action="store_true", help="fsync every commit (synchronous=FULL)")
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--strict", action="store_true",
                       help="refuse requests with contract violations the real API would accept silently")
    serve.add_argument("--admin-token", help="require this token (Authorization: Bearer ...) on /__graphmock/")
    serve.add_argument("--rate-limits", help='"on", "off" or a JSON object of rate-limit settings (default: per app tier)')
    serve.add_argument("--journal-size", type=int, default=1000, help="requests kept in the journal (default 1000)")
    serve.add_argument("--no-read-cache", dest="read_cache", action="store_false",
                       help="render every GET afresh instead of reusing an answer until the next write")
    serve.set_defaults(func=_serve)

    fixtures = sub.add_parser("fixtures", help="print the loaded world's ids and tokens as JSON")
    fixtures.add_argument("--fixtures", help="fixtures document (default: the demo world)")
    fixtures.add_argument("--db", help="read the world stored in this SQLite file (or postgresql:// URL) instead")
    fixtures.set_defaults(func=_fixtures)

    openapi = sub.add_parser("openapi", help="print the OpenAPI 3.1 document generated from schemas/")
    openapi.add_argument("--server", default="http://127.0.0.1:8787", help="server URL written into the document")
    openapi.set_defaults(func=_openapi)

    verify = sub.add_parser("verify", help="run the contract conformance suite against a Graph-compatible server")
    verify.add_argument("--target", required=True, help="base URL, e.g. http://127.0.0.1:8787 or https://graph.facebook.com")
    verify.add_argument("--token", required=True, help="access token")
    verify.add_argument("--account", required=True, help="ad account id, act_<digits>")
    verify.add_argument("--examples", type=int, default=50, help="generated examples per check (default 50)")
    verify.add_argument("--seed", type=int, help="Hypothesis seed, for a reproducible run")
    verify.add_argument("--version", default="v25.0", help="Graph version in paths (default v25.0)")
    verify.add_argument("--page-id", help="a Page the token may advertise for (ad set promoted_object; default: demo)")
    verify.add_argument("--app-id", help="an app id for app promotion ad sets (default: demo)")
    verify.set_defaults(func=_verify)

    check = sub.add_parser("check-client", help="run a client against a fresh mock and report its contract violations",
                           usage="graphmock check-client [--strict] -- CMD [ARGS...]")
    check.add_argument("--strict", action="store_true", help="also refuse violating requests while the client runs")
    check.add_argument("--fail-on-warnings", action="store_true", help="warnings (recommended limits) fail too")
    check.add_argument("cmd", nargs=argparse.REMAINDER, help="the client command, after --")
    check.set_defaults(func=_check_client)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `graphmock fixtures | head`: the reader left; no traceback for that
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

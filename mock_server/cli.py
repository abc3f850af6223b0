"""`graphmock` command line: serve, fixtures, openapi, verify, check-client."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import gc
import ipaddress
import json
import os
import socket
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from mock_server.access.versions import served_on
from mock_server.config import ServerConfig, as_of_from_env, parse_versions
from mock_server.domain.world import World
from mock_server.wire.request import Limits

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
from mock_server.store import is_postgres_url, masked

DEFAULT_DB = "graphmock.sqlite3"


class UsageError(Exception):
    """A mistake on the command line: printed as one line, exit status 2, before anything starts."""


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from mock_server.app import create_app
    from mock_server.request_log import install as install_request_log
    from mock_server.wire.malformed import protocol_class

    started = time.perf_counter()
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
        versions = parse_versions(args.versions) if args.versions else served_on(as_of or as_of_from_env() or date.today())
        db = _check_db(args.db)
        if args.workers > 1 and db == ":memory:":
            raise UsageError("--workers needs a store the workers can share: a SQLite file or a postgresql:// URL")
        fixtures = _check_fixtures(args.fixtures)
        rate_limits = _rate_limits(args.rate_limits)
        sock = _bind(args.host, args.port)
    except (UsageError, ValueError) as exc:
        print(f"graphmock: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    reopened = db != ":memory:" and (is_postgres_url(db) or (Path(db).exists() and Path(db).stat().st_size > 0))
    limits = dataclasses.replace(Limits(), body_timeout=args.body_timeout)
    config = ServerConfig(db=db, fixtures=fixtures, versions=versions, as_of=as_of, seed=args.seed, durable=args.durable,
                          strict=args.strict, journal_size=args.journal_size, journal_bytes=args.journal_bytes,
                          admin_token=args.admin_token, rate_limits=rate_limits, read_cache=args.read_cache,
                          limits=limits, allowed_hosts=tuple(h.lower() for h in args.allowed_host or ()) + _bound(args.host),
                          allowed_origins=tuple(o.lower().rstrip("/") for o in args.allowed_origin or ()))
    config.group_commit = config.group_commit or args.workers <= 1  # docs/group-commit.md
    try:
        app = create_app(config)
    except Exception as exc:  # noqa: BLE001 - e.g. a damaged SQLite file: one line, not a traceback
        sock.close()
        print(f"graphmock: cannot open the store {masked(db)}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    state = app.state.graph
    if not args.quiet:
        install_request_log(state.journal)
    _banner(args, state, db, port, versions, reopened, time.perf_counter() - started)
    # Long-lived objects (schemas, validators, world) never need collecting, and requests allocate many small
    # acyclic dicts: freezing the start-up heap and collecting young objects less often saves ~7 % per create.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    # graph.facebook.com sends a Date header but no Server header; uvicorn would add `server: uvicorn`. The probe
    # socket proved the port free (and chose it for --port 0); uvicorn binds it again at once.
    if args.workers > 1:  # N processes on the one bound socket, one world through the store (mock_server/workers.py)
        from mock_server.workers import run_workers
        return run_workers(args, config, state, sock)
    sock.close()
    uvicorn.run(app, host=args.host, port=port, log_level=args.log_level, access_log=False, server_header=False,
                http=protocol_class(args.body_timeout, journal_after_send=True), ws="none")  # no websockets: `Upgrade:` is a plain Graph call
    return 0


def _banner(args: argparse.Namespace, state: Any, db: str, port: int, versions: tuple[str, ...], reopened: bool,
            seconds: float) -> None:
    summary = state.world.summary()
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    if db == ":memory:":
        where = "in memory (lost on exit)"
    else:
        count = state.store.object_count()
        where = f"{masked(db)} ({f'reopened, {count} objects from the last run' if reopened else 'new'})"
    print(f"graphmock {_version()}: store {where}", flush=True)
    print(f"graphmock: serving Graph {', '.join(versions)} on {base} (ready in {seconds:.2f}s)", flush=True)
    print(f"graphmock: ad account {summary['ad_account_id']}  access_token {summary['access_token']}", flush=True)
    print(f"graphmock: control API {base}/__graphmock/  journal {base}/__graphmock/journal?limit=20", flush=True)
    print(f"graphmock: dashboard {base}/__graphmock/ui/", flush=True)
    if not args.quiet:
        print("graphmock: request log below (--quiet to silence)", flush=True)
    if not _loopback(args.host) and not args.admin_token:
        print(f"graphmock: WARNING: listening on {args.host} without --admin-token: anyone who can reach this port "
              "can reset the world or read snapshots; pass --admin-token (docs/hardening.md)", file=sys.stderr, flush=True)


def _check_db(value: str) -> str:
    """`:memory:`, a postgresql:// URL, or a SQLite file in an existing directory (a new file, or one that is
    SQLite)."""
    if value == ":memory:" or is_postgres_url(value):
        return value
    path = Path(value).expanduser().resolve()
    if path.is_dir():
        raise UsageError(f"--db {value}: is a directory; give a file name, e.g. {path / DEFAULT_DB}")
    if not path.parent.is_dir():
        raise UsageError(f"--db {value}: directory {path.parent} does not exist")
    if path.exists() and path.stat().st_size > 0:
        try:
            with open(path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise UsageError(f"--db {value}: cannot read it ({exc.strerror})") from None
        if header != b"SQLite format 3\x00":
            raise UsageError(f"--db {value}: not a SQLite database (refusing to overwrite it)")
    elif not os.access(path.parent, os.W_OK):
        raise UsageError(f"--db {value}: directory {path.parent} is not writable")
    return str(path)


def _check_fixtures(value: str | None) -> Path | None:
    """A readable JSON object of the shape of fixtures/demo.json."""
    if not value:
        return None
    path = Path(value).expanduser()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--fixtures {value}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--fixtures {value}: cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--fixtures {value}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(document, dict):
        raise UsageError(f"--fixtures {value}: must be a JSON object like fixtures/demo.json, "
                         f"not a {type(document).__name__}")
    try:
        World.from_document(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
        raise UsageError(f"--fixtures {value}: not a fixtures document ({what}); see fixtures/demo.json") from None
    return path


def _bind(host: str, port: int) -> socket.socket:
    """Bind now, so a port in use is an error before the banner says ready (and port 0 picks a free one)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UsageError(f"--host {host}: cannot resolve it ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise UsageError(f"--port {port}: cannot listen on {host}:{port} ({reason})") from None
    return sock


def _loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bound(host: str) -> tuple[str, ...]:
    """A specific address graphmock was bound to is one of its own Host names."""
    return () if host in ("0.0.0.0", "::", "") else (host.lower().strip("[]"),)


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0..65535; 0 picks a free one)")
    return int(text)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _version() -> str:
    try:
        return metadata.version("graphmock")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


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


def _sample_image(args: argparse.Namespace) -> int:
    from mock_server.sample_image import write_png

    path = Path(args.path)
    if not path.parent.is_dir():
        print(f"graphmock: {args.path}: directory {path.parent} does not exist", file=sys.stderr)
        return 2
    write_png(path, args.width, args.height)
    print(f"graphmock: wrote {path} ({args.width}x{args.height} PNG)")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from mock_server.openapi import build

    print(json.dumps(build(server=args.server), indent=2, ensure_ascii=False))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from mock_server.verify.suite import run

    return run(args.target, args.token, args.account, examples=args.examples, seed=args.seed, version=args.version,
               page_id=args.page_id, app_id=args.app_id)


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
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--rate-limits: not a JSON object ({exc.msg})") from None
    return text


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (`graphmock serve: error: ...`) and exit status 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="graphmock", description="Offline, stateful mock of Meta's Marketing API.")
    parser.add_argument("--version", action="version", version=f"graphmock {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = sub.add_parser("serve", help="run the mock server")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; beyond loopback, also pass --admin-token)")
    serve.add_argument("--port", type=_port, default=8787, help="0..65535 (default 8787; 0 picks a free port)")
    serve.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default ./{DEFAULT_DB}), :memory:, or postgresql://user:pass@host/db "
                       "(a store shared by several servers: docs/shared-sandbox.md)")
    serve.add_argument("--fixtures", help="fixtures document loaded into an empty store (default: the demo world)")
    serve.add_argument("--versions", help="served Graph versions, comma separated (default: the versions "
                       "schemas/rules/versions.json serves on --as-of)")
    serve.add_argument("--as-of", help="read the version table on this date, YYYY-MM-DD (default: today)")
    serve.add_argument("--seed", type=int, help="deterministic ids and trace ids")
    serve.add_argument("--durable", action="store_true", help="fsync every commit (synchronous=FULL)")
    serve.add_argument("--log-level", default="warning", choices=LOG_LEVELS, help="uvicorn's log level (default warning)")
    serve.add_argument("--quiet", action="store_true", help="no request log lines on the console")
    serve.add_argument("--strict", action="store_true",
                       help="refuse requests with contract violations the real API would accept silently")
    serve.add_argument("--admin-token", help="require this token (Authorization: Bearer ...) on /__graphmock/; "
                       "required in practice when --host is not a loopback address")
    serve.add_argument("--allowed-host", action="append", metavar="NAME",
                       help="another Host name the control API answers (behind a proxy); repeatable, * for any")
    serve.add_argument("--allowed-origin", action="append", metavar="ORIGIN",
                       help="another Origin (scheme://host:port) that may change state through the control API")
    serve.add_argument("--journal-bytes", type=_count, default=32 * 1024 * 1024,
                       help="bytes the journal may hold (default 32 MiB; oldest entries fall off)")
    serve.add_argument("--body-timeout", type=_positive, default=10.0,
                       help="seconds to wait for a body shorter than its Content-Length (default 10, then 408)")
    serve.add_argument("--rate-limits", help='"on", "off" or a JSON object of rate-limit settings (default: per app tier)')
    serve.add_argument("--journal-size", type=_count, default=1000, help="requests kept in the journal (default 1000)")
    serve.add_argument("--no-read-cache", dest="read_cache", action="store_false",
                       help="render every GET afresh instead of reusing an answer until the next write")
    serve.add_argument("--workers", type=_count, default=1,
                       help="server processes sharing the port and the store (default 1; docs/shared-sandbox.md)")
    serve.set_defaults(func=_serve)

    fixtures = sub.add_parser("fixtures", help="print the loaded world's ids and tokens as JSON")
    fixtures.add_argument("--fixtures", help="fixtures document (default: the demo world)")
    fixtures.add_argument("--db", help="read the world stored in this SQLite file (or postgresql:// URL) instead")
    fixtures.set_defaults(func=_fixtures)

    image = sub.add_parser("sample-image", help="write a small real PNG (the README walk-through's pixel.png)")
    image.add_argument("path", nargs="?", default="pixel.png", help="where to write it (default ./pixel.png)")
    image.add_argument("--width", type=_count, default=2)
    image.add_argument("--height", type=_count, default=2)
    image.set_defaults(func=_sample_image)

    openapi = sub.add_parser("openapi", help="print the OpenAPI 3.1 document generated from schemas/")
    openapi.add_argument("--server", default="http://127.0.0.1:8787", help="server URL written into the document")
    openapi.set_defaults(func=_openapi)

    verify = sub.add_parser("verify", help="run the contract conformance suite against a Graph-compatible server",
                            description="Exit status: 0 every check passed, 1 a check failed, 2 usage mistake, "
                                        "3 preflight failed (target, token or account), 130 interrupted (Ctrl-C).")
    verify.add_argument("--target", required=True, help="base URL, e.g. http://127.0.0.1:8787 or https://graph.facebook.com")
    verify.add_argument("--token", required=True, help="access token")
    verify.add_argument("--account", required=True, help="ad account id, act_<digits>")
    verify.add_argument("--examples", type=_count, default=50, help="at most this many examples per check (default 50)")
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

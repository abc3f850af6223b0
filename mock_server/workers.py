"""`graphmock serve --workers N`: N processes serve one world through one store (pre-fork).

The parent binds the port once, opens the store (creating the world, printing the banner) and forks; each
worker opens its own connection to the store and runs uvicorn on the inherited socket, so the kernel spreads
connections over the workers. Everything the workers must agree on is in the store: objects and ids (allocated
inside each write transaction, so concurrent creates on several workers never collide), and the control
state published by `shared.py` (clock, world, reviews, seed, faults). The parent forwards SIGINT/SIGTERM and
exits when every worker has.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import signal
import socket
import sys
from typing import Any

from mock_server.config import ServerConfig


def run_workers(args: argparse.Namespace, config: ServerConfig, state: Any, sock: socket.socket) -> int:
    print(f"graphmock: {args.workers} worker processes share the port and the store", flush=True)
    state.store.close()  # each worker opens its own connection: a SQLite connection must not cross a fork
    children: list[int] = []
    for index in range(args.workers):
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                code = _serve_one(args, dataclasses.replace(config, join_shared=True, worker=index), sock)
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()

    def forward(signum: int, _frame: Any) -> None:
        for pid in children:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    status = 0
    for _ in children:
        try:
            _pid, code = os.wait()
        except ChildProcessError:
            break
        if os.waitstatus_to_exitcode(code) not in (0, -signal.SIGINT, -signal.SIGTERM):
            status = 1
            forward(signal.SIGTERM, None)  # one worker died: stop the others rather than serve short-handed
    return status


def _serve_one(args: argparse.Namespace, config: ServerConfig, sock: socket.socket) -> int:
    import uvicorn

    from mock_server.app import create_app
    from mock_server.request_log import install as install_request_log
    from mock_server.wire.malformed import protocol_class

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        app = create_app(config)
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        print(f"graphmock: worker {os.getpid()} cannot start: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    if not args.quiet:
        install_request_log(app.state.graph.journal)
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    server = uvicorn.Server(uvicorn.Config(app, log_level=args.log_level, access_log=False, server_header=False,
                                           http=protocol_class(args.body_timeout, journal_after_send=True), ws="none"))
    server.run(sockets=[sock])
    return 0

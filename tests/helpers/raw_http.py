"""Raw-socket HTTP exchanges for the hostile-input suite: send any bytes, read back exactly one answer.

`exchange()` says whether the server answered completely (status line, headers, the whole body its
Content-Length announced) or dropped the connection; nothing here ever "fixes" a malformed request.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Reply:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    complete: bool = False
    seconds: float = 0.0
    raw_head: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def exchange(port: int, data: bytes, *, timeout: float = 10.0, head: bool = False, pause: float = 0.0,
             tail: bytes = b"") -> Reply:
    """Send `data` (then, after `pause` seconds, `tail`) and read one answer; HEAD answers have no body."""
    reply = Reply()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if tail:
                time.sleep(pause)
                sock.sendall(tail)
        except OSError:
            pass  # the server may answer (and close) before reading everything: the answer still counts
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return _done(reply, started)
                    buffer += chunk
                if not buffer.startswith(b"HTTP/1.1 100 "):
                    break
                buffer = buffer.partition(b"\r\n\r\n")[2]  # an interim `100 Continue`: the answer follows
            head_bytes, _, body = buffer.partition(b"\r\n\r\n")
            reply.raw_head = head_bytes
            lines = head_bytes.split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            reply.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                reply.headers.setdefault(name.strip().lower().decode("latin-1"), value.strip().decode("latin-1"))
            length = int(reply.headers.get("content-length", "-1"))
            if head or reply.status in (204, 304) or 100 <= reply.status < 200:
                reply.complete = True
                return _done(reply, started)
            while length < 0 or len(body) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                body += chunk
            reply.body = body if length < 0 else body[:length]
            reply.complete = length >= 0 and len(body) >= length
        except (socket.timeout, ConnectionResetError, OSError):
            pass
    return _done(reply, started)


def _done(reply: Reply, started: float) -> Reply:
    reply.seconds = time.monotonic() - started
    return reply


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")

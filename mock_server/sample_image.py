"""A real, decodable PNG written from scratch: the walk-through's `pixel.png` (`graphmock sample-image`).

Also what the SDK suites upload, so ad image uploads carry genuine image bytes without shipping binaries.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (220, 40, 40)) -> bytes:
    """An 8-bit RGB PNG of one colour: signature, IHDR, one zlib IDAT, IEND, each chunk CRC-checked."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def write_png(path: Path, width: int = 2, height: int = 2) -> Path:
    path.write_bytes(png_bytes(width, height))
    return path

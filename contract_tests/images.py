"""Strategies for `POST /act_<id>/adimages` (GRAPH-BEHAVIOUR 10 'Ad images').

Valid uploads are real PNG files (random size and pixels) sent as base64 `bytes` or as a multipart file;
invalid ones break one documented rule and carry the catalogue error they must get. Image uploads answer
`{"images": {"<name>": {"hash", "url", ...}}}`, not `{"id"}`, so they have their own helpers here.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected

__all__ = ["ImageUpload", "png", "valid_adimage_upload", "invalid_adimage_upload"]


@dataclass(frozen=True)
class ImageUpload:
    """What to send: either `data` (form fields) or `files` (multipart), and the content hash Graph returns."""

    data: dict[str, str]
    files: dict[str, tuple[str, bytes, str]] | None
    name: str
    expected_hash: str | None
    expected: Expected | None = None


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour (the server reads the size from the header, as Graph does)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


_PNGS = st.builds(png, st.integers(1, 32), st.integers(1, 32), st.tuples(*[st.integers(0, 255)] * 3))
_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)


@st.composite
def valid_adimage_upload(draw: st.DrawFn) -> ImageUpload:
    content = draw(_PNGS)
    digest = hashlib.md5(content).hexdigest()
    if draw(st.booleans()):
        return ImageUpload({"bytes": base64.b64encode(content).decode()}, None, "bytes", digest)
    name = draw(_NAMES) + ".png"
    return ImageUpload({}, {draw(_NAMES): (name, content, "image/png")}, name, digest)


@st.composite
def invalid_adimage_upload(draw: st.DrawFn) -> ImageUpload:
    """One of: no file at all; bytes that are not an image; a file name without an extension."""
    rule = draw(st.sampled_from(["no_file", "not_an_image", "no_extension"]))
    if rule == "no_file":
        return ImageUpload({"name": draw(_NAMES)}, None, "", None, Expected.of("adimage_no_file"))
    if rule == "not_an_image":
        junk = draw(st.binary(min_size=1, max_size=64).filter(lambda b: not b.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF", b"BM"))))
        return ImageUpload({"bytes": base64.b64encode(junk).decode()}, None, "bytes", None,
                           Expected.of("adimage_invalid_file", "bytes"))
    field = draw(_NAMES)
    return ImageUpload({}, {field: (draw(_NAMES), draw(_PNGS), "image/png")}, "", None,
                       Expected.of("adimage_filename_extension", field))

"""Ad images: the account's image library (GRAPH-BEHAVIOUR 10 "Ad images").

An image is identified by the MD5 of its bytes, so uploading the same bytes
twice gives the same hash and the same record (`Record.key` = hash). Width and
height are read from the file header; anything that is not a PNG, JPEG, GIF,
WebP or BMP is refused like Graph's "Error processing image" (1487197).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server.store.repository import Record

TYPE = "AdImage"
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


class NotAnImage(ValueError):
    """The bytes are not an image graphmock can read (the message says why)."""


@dataclass(frozen=True)
class ImageInfo:
    format: str  # png | jpeg | gif | webp | bmp
    width: int
    height: int

    @property
    def ext(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format


def content_hash(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def image_id(account_id: str, hash_: str) -> str:
    """GRAPH-BEHAVIOUR 10: an image id is `<account_id>:<hash>`."""
    return f"{account_id}:{hash_}"


def inspect(data: bytes) -> ImageInfo:
    """Format and pixel size from the file header; raises NotAnImage."""
    if not data:
        raise NotAnImage("the file is empty")
    try:
        info = _read_header(data)
    except (struct.error, IndexError):
        raise NotAnImage("the image header is truncated") from None
    if info is None:
        raise NotAnImage("the file is not a PNG, JPEG, GIF, WebP or BMP image")
    if info.width <= 0 or info.height <= 0:
        raise NotAnImage(f"the image has no pixels ({info.width}x{info.height})")
    return info


def _read_header(data: bytes) -> ImageInfo | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("png", width, height)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return ImageInfo("gif", width, height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return ImageInfo("bmp", width, abs(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _webp(data: bytes) -> ImageInfo | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        b0, b1, b2, b3 = data[21:25]
        width = 1 + (((b1 & 0x3F) << 8) | b0)
        height = 1 + (((b3 & 0x0F) << 10) | (b2 << 2) | ((b1 & 0xC0) >> 6))
        return ImageInfo("webp", width, height)
    if chunk == b"VP8X":
        return ImageInfo("webp", 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little"))
    return None


def _jpeg(data: bytes) -> ImageInfo | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return ImageInfo("jpeg", width, height)
        if length < 2:
            return None
        pos += 2 + length
    return None


# -- records ----------------------------------------------------------------------------------
def build(account_id: str, hash_: str, info: ImageInfo, name: str, object_id: int, now: float,
          table: dict[str, Any]) -> Record:
    """A new library image; urls are stable graphmock URLs derived from account and hash."""
    fill = {"account_id": account_id, "hash": hash_, "ext": info.ext}
    data = {
        "hash": hash_, "name": name, "width": info.width, "height": info.height, "original_width": info.width,
        "original_height": info.height, "format": info.format, "status": "ACTIVE", "creatives": [],
        "url": table["url"].format(**fill), "url_128": table["url_128"].format(**fill),
        "permalink_url": table["permalink_url"].format(**fill),
        "created_time": int(now), "updated_time": int(now),
    }
    return Record(id=object_id, type=TYPE, account_id=account_id, status="ACTIVE", data=data, key=hash_, created=int(now))


def info_of(record: Record) -> ImageInfo:
    data = record.data
    return ImageInfo(data.get("format", "png"), int(data.get("width", 0)), int(data.get("height", 0)))


def reactivate(record: Record, name: str, now: float) -> bool:
    """Uploading the bytes of a DELETED image brings it back; returns whether the record changed."""
    if record.status == "ACTIVE":
        return False
    record.status = record.data["status"] = "ACTIVE"
    record.data["name"] = name
    record.data["creatives"] = []
    record.data["updated_time"] = int(now)
    return True


def upload_entry(record: Record) -> dict[str, Any]:
    """One value of the upload response map `{"images": {"<name>": {...}}}` (GRAPH-BEHAVIOUR 10)."""
    data = record.data
    return {"hash": data["hash"], "url": data["url"], "url_128": data["url_128"], "url_256": data["url"],
            "url_256_height": str(min(256, data["height"])), "url_256_width": str(min(256, data["width"])),
            "height": data["height"], "width": data["width"], "name": data["name"]}


def link_creative(record: Record, creative_id: int, now: float) -> None:
    """Remember that a creative uses this image (AdImage.creatives; blocks deleting the image)."""
    creatives = record.data.setdefault("creatives", [])
    if str(creative_id) not in creatives:
        creatives.append(str(creative_id))
        record.data["updated_time"] = int(now)


def unlink_creative(record: Record, creative_id: int) -> None:
    creatives = record.data.get("creatives") or []
    if str(creative_id) in creatives:
        creatives.remove(str(creative_id))


def computed(record: Record, lookup: Callable[[int], Record | None]) -> dict[str, Any]:
    """The Graph id of an image is `<account_id>:<hash>`, not the store id."""
    return {"id": image_id(record.account_id, record.data["hash"])}

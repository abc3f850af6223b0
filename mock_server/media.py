"""Image bytes and preview pages graphmock links to (issue 14 points 4-5).

Picture, thumbnail and media URLs graphmock returns point here, so a client
that downloads them gets a real PNG; preview iframes (`/<creative_id>/previews`)
point at `/__graphmock/preview`, a small HTML rendering of the creative. Both
are served without an access token, like Graph's CDN and preview_iframe.php
URLs; a preview URL is signed, so it only renders what graphmock put in it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import json
import secrets
import struct
import zlib
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

PREFIX = "/__graphmock/media"
PREVIEW_PATH = "/__graphmock/preview"
_PALETTE = [(0x1877F2), (0x42B72A), (0xF02849), (0xF7B928), (0x8A3AB9), (0x00A400)]
_IMAGE_NAME = (".png", ".jpg", ".jpeg", ".gif")


def image_url(base_url: str, kind: str, object_id: str, size: int = 128) -> str:
    """An absolute URL of a real PNG standing for the picture of `object_id`."""
    return f"{base_url}{PREFIX}/{kind}/{object_id}.png?size={size}"


@cache
def png(seed: str, width: int, height: int) -> bytes:
    """A solid-colour PNG (colour picked from `seed`), built with zlib: no imaging dependency."""
    rgb = _PALETTE[int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(_PALETTE)].to_bytes(3, "big")
    raw = b"".join(b"\x00" + rgb * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


class PreviewSigner:
    """Signs the content of a preview into its URL (`d` = the content, `t` = its HMAC)."""

    def __init__(self, seed: int | None) -> None:
        self.key = hashlib.sha256(f"graphmock-preview-{seed}".encode()).digest() if seed is not None else secrets.token_bytes(32)

    def url(self, base_url: str, content: dict[str, Any]) -> str:
        data = base64.urlsafe_b64encode(json.dumps(content, separators=(",", ":"), sort_keys=True).encode()).decode().rstrip("=")
        return f"{base_url}{PREVIEW_PATH}?d={data}&t={self._tag(data)}"

    def read(self, data: str, tag: str) -> dict[str, Any] | None:
        if not hmac.compare_digest(self._tag(data), tag):
            return None
        try:
            value = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
        except (binascii.Error, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def _tag(self, data: str) -> str:
        return hmac.new(self.key, data.encode(), hashlib.sha256).hexdigest()[:32]


def signer(state: Any) -> PreviewSigner:
    found = state.__dict__.get("_preview_signer")
    if found is None:
        found = state.__dict__["_preview_signer"] = PreviewSigner(state.config.seed)
    return found


def render_preview(content: dict[str, Any]) -> str:
    """The creative as a small HTML card: Page name, text, image, headline, link and call to action, all escaped."""
    def text(key: str) -> str:
        return html.escape(str(content.get(key) or ""), quote=True)
    image = f'<img src="{text("image_url")}" alt="" style="width:100%">' if content.get("image_url") else ""
    cta = f'<a class="cta" href="{text("link")}">{text("call_to_action")}</a>' if content.get("call_to_action") else ""
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>graphmock ad preview</title></head>"
            f"<body data-ad-format=\"{text('ad_format')}\"><div class=\"page\">{text('page_name')}</div>"
            f"<p class=\"body\">{text('body')}</p>{image}<h3 class=\"title\">{text('title')}</h3>"
            f"<div class=\"link\">{text('link')}</div>{cta}<small>{text('ad_format')}</small></body></html>")


def _dimension(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 1024 else 128


def routes(state: Any) -> list[BaseRoute]:
    def not_found() -> Response:
        return JSONResponse({"error": {"message": "Unknown graphmock media", "type": "GraphMethodException", "code": 100,
                                       "fbtrace_id": state.trace.next()}}, status_code=404)

    async def picture(request: Request) -> Response:
        """`size=N` (a square) or `w=..&h=..` (a creative thumbnail's read params)."""
        kind, name = request.path_params["kind"], request.path_params["name"]
        if not name.lower().endswith(_IMAGE_NAME) or len(name) > 120 or len(kind) > 40:
            return not_found()
        query = request.query_params
        size = query.get("size", "128")
        width, height = _dimension(query.get("w") or size), _dimension(query.get("h") or size)
        return Response(png(f"{kind}/{name}", width, height), media_type="image/png",
                        headers={"cache-control": "max-age=86400"})

    async def preview(request: Request) -> Response:
        content = signer(state).read(request.query_params.get("d", ""), request.query_params.get("t", ""))
        if content is None:
            return not_found()
        return HTMLResponse(render_preview(content))

    return [Route(PREFIX + "/{kind}/{name}", picture, methods=["GET", "HEAD"]),
            Route(PREVIEW_PATH, preview, methods=["GET", "HEAD"])]

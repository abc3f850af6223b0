"""Shared by the image, creative and ad tests: assets, seed-000 placeholders, and a campaign/ad set to hang ads on."""

from __future__ import annotations

import copy
import json
import struct
import zlib
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).parent / "assets"
RED = (ASSETS / "red_4x3.png").read_bytes()
BLUE = (ASSETS / "blue_1200x628.png").read_bytes()

# Seed 000's page_welcome_message, with its placeholders filled in.
WELCOME = {
    "type": "VISUAL_EDITOR", "version": 2, "landing_screen_type": "welcome_message", "media_type": "text",
    "text_format": {"customer_action_type": "ice_breakers", "message": {
        "text": "Sample greeting message",
        "ice_breakers": [{"title": f"Sample icebreaker {i}", "response": f"Auto response {i}"} for i in (1, 2, 3)]}},
}
CTA_IG = {"type": "INSTAGRAM_MESSAGE", "value": {"app_destination": "INSTAGRAM_DIRECT"}}


def png(width: int, height: int, rgb: tuple[int, int, int] = (0, 128, 0)) -> bytes:
    """A valid RGB PNG of the given size."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def upload(client: Any, act: str, data: bytes = RED, filename: str = "red_4x3.png", field: str = "filename") -> str:
    """Upload an image (multipart, as curl -F 'filename=@red_4x3.png'); returns its hash."""
    response = client.post(f"{act}/adimages", files={field: (filename, data, "image/png")})
    assert response.status_code == 200, response.text
    return response.json()["images"][filename]["hash"]


def fill(text: str, values: dict[str, str]) -> str:
    """Replace seed placeholders such as <PAGE_ID> in a curl argument."""
    for key, value in values.items():
        text = text.replace(f"<{key}>", value)
    return text


def link_spec(world: dict[str, Any], image_hash: str, **link_data: Any) -> dict[str, Any]:
    """A minimal valid click-to-Instagram object_story_spec (seed 000)."""
    return {"page_id": world["page_id"], "instagram_user_id": world["instagram_user_id"],
            "link_data": {"message": "Chat with us", "image_hash": image_hash, "call_to_action": CTA_IG, **link_data}}


def make_creative(client: Any, act: str, spec: dict[str, Any], name: str = "Sample ad creative", **extra: Any) -> str:
    data = {"name": name, "object_story_spec": json.dumps(spec),
            **{k: v if isinstance(v, str) else json.dumps(v) for k, v in extra.items()}}
    response = client.post(f"{act}/adcreatives", data=data)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def make_campaign(client: Any, act: str, status: str = "ACTIVE") -> str:
    response = client.post(f"{act}/campaigns", data={"name": "Click to Instagram Campaign", "objective": "OUTCOME_ENGAGEMENT",
                                                      "status": status, "special_ad_categories": "[]"})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def make_adset(client: Any, act: str, world: dict[str, Any], campaign: str, status: str = "ACTIVE") -> str:
    """Seed 000's click-to-Instagram ad set."""
    response = client.post(f"{act}/adsets", data={
        "name": "Click to Instagram Ad Set", "campaign_id": campaign, "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
        "billing_event": "IMPRESSIONS", "daily_budget": "5000", "destination_type": "INSTAGRAM_DIRECT",
        "optimization_goal": "CONVERSATIONS", "promoted_object": json.dumps({"page_id": world["page_id"]}),
        "status": status, "targeting": json.dumps({"geo_locations": {"countries": ["US", "CA"]},
                                                   "device_platforms": ["mobile", "desktop"]})})
    assert response.status_code == 200, response.text
    return response.json()["id"]


def with_world(client: Any, change: Any) -> None:
    """Reload the fixtures after `change(document)` edits a copy of them (extra pages, accounts, ...)."""
    document = copy.deepcopy(client.state.fixtures_document)
    change(document)
    client.state.load_fixtures(document)

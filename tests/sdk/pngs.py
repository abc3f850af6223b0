"""A real (decodable) PNG written from scratch, so ad image uploads carry genuine image bytes (the same writer
as `graphmock sample-image`)."""

from __future__ import annotations

from mock_server.sample_image import png_bytes, write_png

__all__ = ["png_bytes", "write_png"]

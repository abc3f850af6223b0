"""The asset rule tables (`schemas/rules/assets.json`), for read-time views that have no State at hand."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from mock_server.resources import schemas_dir


@cache
def _document() -> dict[str, Any]:
    with open(schemas_dir() / "rules" / "assets.json", encoding="utf-8") as fh:
        return json.load(fh)


def table(section: str) -> dict[str, Any]:
    return _document()[section]

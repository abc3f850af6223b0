"""Locate the shipped data folders (`schemas/`, `fixtures/`).

In a wheel they live under `mock_server/_data/`; in a source checkout (or an
editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory holding the `name` data folder ("schemas" or "fixtures")."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"graphmock data folder {name!r} not found next to {_PACKAGE_DIR}")


def schemas_dir() -> Path:
    return data_dir("schemas")


def fixtures_dir() -> Path:
    return data_dir("fixtures")


def default_fixtures_file() -> Path:
    return fixtures_dir() / "demo.json"

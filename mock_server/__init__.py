"""graphmock: an offline, stateful mock of Meta's Marketing API."""

from mock_server.app import create_app
from mock_server.config import ServerConfig

__all__ = ["create_app", "ServerConfig"]
__version__ = "0.1.0"

"""graphmock: an offline, stateful mock of Meta's Marketing API."""

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.control.errors import ControlError
from mock_server.handle import GraphMock

__all__ = ["create_app", "ServerConfig", "GraphMock", "ControlError"]
__version__ = "0.1.0"

"""Honesty (issue 14 'Done when'): a documented path graphmock does not serve says so; it never blames the client."""

from __future__ import annotations

import pytest

from mock_server.contract.registry import default_registry
from mock_server.handlers.routes import ROUTES

DOCUMENTED = default_registry().rules("surface")["documented_edges"]
UNSERVED = sorted((node, edge) for node, edges in DOCUMENTED.items() if node in ("AdAccount", "User", "Page")
                  for edge, methods in edges.items() if "GET" in methods and (node, edge, "GET") not in ROUTES)


@pytest.mark.parametrize(("node", "edge"), UNSERVED[:25])
def test_documented_unserved_edges_answer_not_implemented(client, act, node, edge):
    owner = {"AdAccount": act, "User": "me", "Page": "1100000000000001"}[node]
    error = client.get(f"{owner}/{edge}").json()["error"]
    assert error["code"] == 3 and "graphmock does not implement" in error["message"]
    assert "nonexisting" not in error["message"]


def test_undocumented_names_keep_graphs_unknown_field_error(client, act):
    """GRAPH-BEHAVIOUR 4: a name Graph does not know is still (#100) nonexisting field."""
    for path in (f"{act}/not_an_edge", "me/not_an_edge"):
        assert "nonexisting field (not_an_edge)" in client.get(path).json()["error"]["message"]


def test_unknown_aliases_are_803(client):
    """ACCOUNT-SURFACE 0 / issue 14: before, `me` itself was '(#803) Some of the aliases you requested do not exist'."""
    assert client.get("someone").json()["error"]["code"] == 803
    assert client.get("me").status_code == 200

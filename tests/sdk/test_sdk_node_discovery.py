"""Discovery and previews through the unmodified Node SDK (issue 14 points 1 and 5; ACCOUNT-SURFACE 1, 7)."""

from __future__ import annotations


def test_node_sdk_discovers_the_account_and_previews_a_creative(node, graphmock):
    out = node.run("discovery", act=graphmock.act, business="1300000000000001")
    assert out["me"] == {"id": "1500000000000001", "name": "graphmock Demo User"}
    assert [a["id"] for a in out["accounts"]] == [graphmock.act] and out["accounts"][0]["user_tasks"][0] == "MANAGE"
    assert out["has_next"] is False
    assert {"permission": "ads_management", "status": "granted"} in out["permissions"]
    assert any("MANAGE" in row["tasks"] for row in out["assigned"])
    assert [row["iabp_id"] for row in out["iabp"]] == ["1100000000000009"]
    assert out["preview"][0]["body"].startswith("<iframe src=") and "__graphmock/preview" in out["preview"][0]["body"]
    assert out["generated"][0]["body"].startswith("<iframe src=")
    assert out["missing_format"]["status"] == 400
    assert "ad_format is required" in str(out["missing_format"]["error"])

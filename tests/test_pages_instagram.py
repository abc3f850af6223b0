"""Pages and Instagram, fixture-backed and read-only (issue 14 point 4; ACCOUNT-SURFACE 6; seeds 000, 003)."""

from __future__ import annotations

from helpers_creatives import with_world

PAGE = "1100000000000001"
POST = "1100000000000001_1110000000000001"
INLINE_POST = "1100000000000001_1110000000000002"
IG = "17841400000000001"
MEDIA = "17900000000000001"


def test_me_accounts_lists_the_tokens_pages_with_tasks(client):
    """ACCOUNT-SURFACE 6.1 [WIRE]: /me/accounts items carry category, category_list, name, id, tasks."""
    rows = client.get("me/accounts").json()["data"]
    assert [r["id"] for r in rows] == [PAGE]
    assert rows[0]["category_list"] == [{"id": "1756049968005436", "name": "E-commerce website"}]
    assert "ADVERTISE" in rows[0]["tasks"]


def test_page_node_reads_fixture_values_and_its_instagram_account(client):
    """ACCOUNT-SURFACE 6.1: the Page fields ad tools read; instagram_business_account as {id, ...}."""
    body = client.get(PAGE, params={"fields": "name,category,fan_count,is_published,promotion_eligible,"
                                              "instagram_business_account{id},picture"}).json()
    assert body["instagram_business_account"] == {"id": IG} and body["fan_count"] == 1280
    assert body["picture"]["data"]["url"].startswith("http://")
    assert client.get(PAGE).json() == {"name": "graphmock Demo Page", "id": PAGE}


def test_posts_and_promotable_posts_include_inline(client):
    """Seed 003 / ACCOUNT-SURFACE 6.1: promotable_posts; include_inline=true adds ad-only (inline-created) posts."""
    assert [r["id"] for r in client.get(f"{PAGE}/posts").json()["data"]] == [POST]
    assert [r["id"] for r in client.get(f"{PAGE}/promotable_posts").json()["data"]] == [POST]
    both = client.get(f"{PAGE}/promotable_posts", params={"include_inline": "true", "fields": "message,is_inline_created"})
    assert [r["id"] for r in both.json()["data"]] == [POST, INLINE_POST]
    assert both.json()["data"][1]["is_inline_created"] is True


def test_post_node_is_the_creatives_object_story_id(client):
    """ACCOUNT-SURFACE 6.1: /<post_id> = <page_id>_<post_id>, with message, permalink_url, full_picture."""
    body = client.get(POST, params={"fields": "message,permalink_url,full_picture,created_time"}).json()
    assert body["message"] == "Our spring collection is here."
    assert body["permalink_url"].endswith("/posts/1110000000000001")


def test_instagram_user_serves_profile_pic_and_profile_picture_url_and_media(client):
    """ACCOUNT-SURFACE 6.2: serve both profile_pic (legacy) and profile_picture_url; /<ig>/media -> IGMedia."""
    body = client.get(IG, params={"fields": "username,profile_pic,profile_picture_url,followers_count"}).json()
    assert body["username"] == "graphmock_demo" and body["profile_pic"] == body["profile_picture_url"]
    media = client.get(f"{IG}/media", params={"fields": "caption,media_type,media_url,permalink"}).json()["data"]
    assert [m["id"] for m in media] == [MEDIA] and media[0]["media_type"] == "IMAGE"
    assert client.get(MEDIA, params={"fields": "caption"}).json()["caption"] == "Spring collection"


def test_account_instagram_accounts(client, act):
    """ACCOUNT-SURFACE 6.2: act_/instagram_accounts and connected_instagram_accounts: no params, IGUser rows."""
    for edge in ("instagram_accounts", "connected_instagram_accounts"):
        rows = client.get(f"{act}/{edge}", params={"fields": "id,username,profile_pic"}).json()["data"]
        assert [r["username"] for r in rows] == ["graphmock_demo"]


def test_seed_000_iabp_flow_end_to_end(client, act, world):
    """Seed 000: read iabp_id from connected_instagram_accounts_with_iabp, create a creative with object_id=<iabp_id>."""
    rows = client.get(f"{act}/connected_instagram_accounts_with_iabp",
                      params={"fields": "iabp_id", "business_id": "1300000000000001"}).json()["data"]
    assert rows == [{"iabp_id": "1100000000000009", "id": IG}]
    response = client.post(f"{act}/adcreatives", data={
        "name": "IG post ad", "object_id": rows[0]["iabp_id"], "instagram_user_id": rows[0]["id"],
        "source_instagram_media_id": MEDIA})
    assert response.status_code == 200, response.text
    creative = response.json()["id"]
    assert client.get(creative, params={"fields": "object_id"}).json()["object_id"] == "1100000000000009"
    assert client.get(IG, params={"fields": "iabp_id"}).json()["error"]["code"] == 100  # not an IGUser field


def test_image_urls_point_at_graphmock_and_serve_png_bytes(client):
    """Issue 14 point 4: thumbnail and image URLs graphmock returns serve real image bytes."""
    url = client.get(IG, params={"fields": "profile_picture_url"}).json()["profile_picture_url"]
    path = url.split("graphmock.test", 1)[1]
    response = client.get(path, token=None)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_pages_need_page_permissions(client):
    """/me/accounts needs pages_show_list; Page posts need pages_read_engagement (seed 000 permission list)."""
    def drop(document):
        for user in document["users"]:
            for token in user["tokens"]:
                if token["access_token"] == "GMDEMO-ads-management-token":
                    token["permissions"] = ["ads_management"]
    with_world(client, drop)
    assert client.get("me/accounts").json()["error"]["code"] == 200
    assert client.get(f"{PAGE}/posts").json()["error"]["code"] == 200
    assert client.get("me").status_code == 200


def test_creative_thumbnail_is_a_graphmock_png_of_the_requested_size(client, act, world):
    """Seed 003 'Read Thumbnail' + issue 14 point 4: thumbnail_url points at graphmock and serves a real PNG."""
    import struct

    from helpers_creatives import link_spec, make_creative, upload
    creative = make_creative(client, act, link_spec(world, upload(client, act)))
    url = client.get(creative, params={"thumbnail_width": "150", "thumbnail_height": "120",
                                       "fields": "thumbnail_url"}).json()["thumbnail_url"]
    assert url.startswith("http://graphmock.test/__graphmock/media/creative/")
    path, _, query = url.split("graphmock.test", 1)[1].partition("?")
    png = client.get(path, params=dict(p.split("=") for p in query.split("&")), token=None).content
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (150, 120)

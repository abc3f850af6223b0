"""Ad creative create strategies: content sources, Pages and Instagram accounts of the fixture world, and
seed 003's title/body text rules, all read from `schemas/rules/creative.json`.

Valid creatives promote one story: an inline link or text post of a usable Page
(`object_story_spec`), an existing Page post (`object_story_id`) or an Instagram
post of the Page's connected account; `title`/`body` follow the text rules.
Image hashes are left out (they need an upload first).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contract_tests.cases import Expected
from contract_tests.operations import Breaker, Context, Operation

FREE = frozenset({"name", "url_tags", "authorization_category", "adlabels"})  # params with no cross-field rule
CONTROLLED = frozenset({"object_story_spec", "object_story_id", "source_instagram_media_id", "instagram_user_id",
                        "title", "body"})
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèàüöñç"
DEMO = {"page_id": "1100000000000001", "instagram_user_id": "17841400000000001",
        "page_post_id": "1100000000000001_1110000000000001", "instagram_media_id": "17900000000000001",
        "video_id": "1400000000000001"}


def _t(ctx: Context) -> dict[str, Any]:
    return ctx.table("creative")


def _w(ctx: Context, name: str) -> str:
    return str(ctx.world.get(name) or DEMO[name])


def not_generated(ctx_registry: Any) -> dict[str, str]:
    schema = ctx_registry.documents["requests/adcreative.create"]
    return {name: "content or references with rules of their own" for name in schema["properties"]
            if name not in FREE | CONTROLLED}


@st.composite
def text(draw: st.DrawFn, ctx: Context) -> str:
    """Seed 003-clean text: words of 2..max letters, single spaces, an optional closing period."""
    rules = _t(ctx)["text_rules"]
    words = draw(st.lists(st.text(LETTERS, min_size=2, max_size=min(12, rules["max_word_length"])), min_size=1, max_size=8))
    return " ".join(words) + draw(st.sampled_from(["", "."]))


@st.composite
def content(draw: st.DrawFn, ctx: Context) -> dict[str, Any]:
    kind = draw(st.sampled_from(["link", "text", "post", "instagram"]))
    page = _w(ctx, "page_id")
    if kind == "link":
        data: dict[str, Any] = {"link": draw(st.sampled_from(["https://example.com/", "https://shop.example.org/sale"]))}
        for key in ("message", "name", "description"):
            if draw(st.booleans()):
                data[key] = draw(text(ctx))
        spec: dict[str, Any] = {"page_id": page, "link_data": data}
        if draw(st.booleans()):
            spec["instagram_user_id"] = _w(ctx, "instagram_user_id")
        return {"object_story_spec": spec}
    if kind == "text":
        return {"object_story_spec": {"page_id": page, "text_data": {"message": draw(text(ctx))}}}
    if kind == "post":
        return {"object_story_id": _w(ctx, "page_post_id")}
    return {"instagram_user_id": _w(ctx, "instagram_user_id"), "source_instagram_media_id": _w(ctx, "instagram_media_id")}


def repair(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    p.update(draw(content(ctx)))
    for field in ("title", "body"):
        if draw(st.booleans()):
            p[field] = draw(text(ctx))
    return p


# -- rule breakers -----------------------------------------------------------------------------------------
def _story(p: dict[str, Any], ctx: Context, **data: Any) -> dict[str, Any]:
    """`p` promoting only an inline post of the demo Page with `data` (other content sources removed)."""
    rest = {k: v for k, v in p.items() if k not in _t(ctx)["content_sources"] and k != "instagram_user_id"}
    return {**rest, "object_story_spec": {"page_id": _w(ctx, "page_id"), **data}}


def _b(key: str, field: str | None, build: Any) -> Breaker:
    def breaker(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
        return build(draw, p, ctx), ctx.existing, Expected.of(key, field=field)
    return breaker


def _text_breaker(key: str, bad: Any) -> Breaker:
    def breaker(draw: st.DrawFn, p: dict[str, Any], ctx: Context) -> Any:
        field = draw(st.sampled_from(sorted(f for fields in _t(ctx)["text_rules"]["fields"].values() for f in fields)))
        return {**p, field: bad(draw, ctx)}, ctx.existing, Expected.of(key, field=field)
    return breaker


def _rules(ctx: Context) -> dict[str, Any]:
    return _t(ctx)["text_rules"]


LINK = {"link": "https://example.com/"}
BREAKERS: dict[str, Breaker] = {
    "rule:content_required": _b("creative_spec_required", None, lambda d, p, c: {
        k: v for k, v in p.items() if k not in _t(c)["content_sources"]}),
    "rule:one_story": _b("creative_story_ambiguous", "object_story_id", lambda d, p, c: {
        **_story(p, c, link_data=LINK), "object_story_id": _w(c, "page_post_id")}),
    "rule:story_spec_has_content": _b("object_story_spec_ill_formed", None, lambda d, p, c: _story(p, c)),
    "rule:instagram_once": _b("creative_instagram_both", "instagram_actor_id", lambda d, p, c: {
        **_story(p, c, link_data=LINK), "instagram_user_id": _w(c, "instagram_user_id"),
        "instagram_actor_id": _w(c, "instagram_user_id")}),
    "rule:pages_usable": _b("creative_page_invalid", "object_story_spec[page_id]", lambda d, p, c: {
        **_story(p, c, link_data=LINK), "object_story_spec": {"page_id": "99999999999", "link_data": LINK}}),
    "rule:story_resolves": _b("creative_story_unknown", "object_story_id", lambda d, p, c: {
        **{k: v for k, v in _story(p, c).items() if k != "object_story_spec"},
        "object_story_id": f"{_w(c, 'page_id')}_{d(st.integers(10**14, 10**15))}"}),
    "rule:instagram_connected": _b("creative_instagram_invalid", "instagram_user_id", lambda d, p, c: {
        **_story(p, c, link_data=LINK), "instagram_user_id": "99999999999"}),
    "rule:instagram_media_owned": _b("creative_instagram_media_unknown", "source_instagram_media_id", lambda d, p, c: {
        **{k: v for k, v in _story(p, c).items() if k != "object_story_spec"},
        "instagram_user_id": _w(c, "instagram_user_id"), "source_instagram_media_id": "99999999999"}),
    "rule:images_in_library": _b("adimage_not_found", "object_story_spec[link_data][image_hash]", lambda d, p, c: _story(
        p, c, link_data={**LINK, "image_hash": d(st.text("0123456789abcdef", min_size=32, max_size=32))})),
    "rule:videos_known": _b("creative_video_unknown", "object_story_spec[video_data][video_id]", lambda d, p, c: _story(
        p, c, video_data={"video_id": "99999999999", "image_url": "https://example.com/t.jpg"})),
    "rule:video_has_thumbnail": _b("creative_video_thumbnail_required", "object_story_spec[video_data]",
                                   lambda d, p, c: _story(p, c, video_data={"video_id": _w(c, "video_id")})),
    "rule:has_image": _b("creative_missing_image", "object_story_spec[link_data]",
                         lambda d, p, c: _story(p, c, link_data={"message": "Hello there"})),
    "rule:text_limits[empty]": _text_breaker("creative_text_empty", lambda d, c: " " * d(st.integers(0, 3))),
    "rule:text_limits[forbidden_character]": _text_breaker(
        "creative_text_forbidden_character",
        lambda d, c: f"Big {d(st.sampled_from(_rules(c)['forbidden_characters']))} sale"),
    "rule:text_limits[leading_punctuation]": _text_breaker(
        "creative_text_leading_punctuation",
        lambda d, c: d(st.sampled_from(_rules(c)["leading_punctuation"])) + "Sale now"),
    "rule:text_limits[consecutive_punctuation]": _text_breaker(
        "creative_text_consecutive_punctuation", lambda d, c: "Big sale" + d(st.sampled_from(["!!", "??", "!?", ",,"]))),
    "rule:text_limits[word_too_long]": _text_breaker(
        "creative_text_word_too_long",
        lambda d, c: "Sale " + "a" * d(st.integers(_rules(c)["max_word_length"] + 1, _rules(c)["max_word_length"] + 20))),
    "rule:text_limits[single_character_words]": _text_breaker(
        "creative_text_single_character_words",
        lambda d, c: " ".join(["Sale"] + ["x"] * (_rules(c)["max_single_character_words"] + 1))),
}



def make(registry: Any) -> Operation:
    return Operation(name="adcreative.create", node="AdCreative", not_generated=not_generated(registry), repair=repair,
                     breakers=BREAKERS, controlled=CONTROLLED)

"""Ad creative rules (seeds 000 and 003, GRAPH-BEHAVIOUR 10).

Each rule is a small function `(spec, context) -> GraphError | None`; CREATE_RULES
is the ordered table the creative domain runs. Limits and key lists come from
`schemas/rules/creative.json`; ids are checked against the fixture world
(pages, Instagram accounts and media, posts, videos) and the account's image library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mock_server.contract.violations import field_path
from mock_server.domain.world import AdAccount, Token, World
from mock_server.store.repository import Record
from mock_server.wire.errors import GraphError

Path = tuple[Any, ...]


@dataclass(frozen=True)
class CreativeContext:
    table: dict[str, Any]
    account: AdAccount
    world: World
    token: Token
    image: Callable[[str], Record | None]  # the account's ACTIVE library image with this hash
    inline_story: Callable[[str], bool]  # an effective_object_story_id of one of the account's creatives


Rule = Callable[[dict[str, Any], CreativeContext], GraphError | None]


# -- walking a creative ---------------------------------------------------------------------------
def walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) below `value`, dict keys and list indexes alike."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*path, key), inner
            yield from walk(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk(inner, (*path, index))


def image_hash_refs(spec: dict[str, Any], table: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, hash) for every library image the creative names."""
    keys = set(table["image_hash_keys"])
    out = []
    for path, value in walk(spec):
        key = path[-1]
        in_feed_images = len(path) >= 3 and path[0] == "asset_feed_spec" and path[1] == "images"
        if isinstance(value, str) and (key in keys or (in_feed_images and key == table["asset_feed_image_key"])):
            out.append((field_path(path), value))
    return out


def video_refs(spec: dict[str, Any], table: dict[str, Any]) -> list[tuple[str, str]]:
    keys = set(table["video_id_keys"])
    return [(field_path(path), str(value)) for path, value in walk(spec)
            if path[-1] in keys and isinstance(value, (str, int)) and not isinstance(value, bool)]


def instagram_refs(spec: dict[str, Any], table: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, IG account id) at the top level and in object_story_spec (both spellings)."""
    alias = table["instagram_alias"]
    out = []
    for prefix, holder in (((), spec), (("object_story_spec",), spec.get("object_story_spec") or {})):
        for name in (alias["current"], alias["legacy"]):
            if holder.get(name) is not None:
                out.append((field_path((*prefix, name)), str(holder[name])))
    return out


def page_context(spec: dict[str, Any]) -> tuple[str, str] | None:
    """(field, page id) of the Page the creative speaks as."""
    story_spec = spec.get("object_story_spec") or {}
    if story_spec.get("page_id") is not None:
        return "object_story_spec[page_id]", str(story_spec["page_id"])
    if spec.get("object_story_id"):
        return "object_story_id", str(spec["object_story_id"]).split("_")[0]
    if spec.get("object_id") is not None:
        return "object_id", str(spec["object_id"])
    return None


# -- world lookups ----------------------------------------------------------------------------------
def page_usable(page_id: str, ctx: CreativeContext) -> bool:
    """A fixture Page this token may advertise for (any Page when the token lists none)."""
    return page_id in ctx.world.pages and (not ctx.token.pages or page_id in ctx.token.pages)


def _iabp_page(object_id: str, ctx: CreativeContext) -> str | None:
    """Seed 000: object_id may be an Instagram-account-backed page id (`iabp_id` in the fixtures)."""
    for ig in ctx.world.instagram_accounts.values():
        if str(ig.get("iabp_id", "")) == object_id:
            return object_id
    return None


def connected(page_id: str, ig_id: str, ctx: CreativeContext) -> bool:
    page = ctx.world.pages.get(page_id) or {}
    ig = ctx.world.instagram_accounts.get(ig_id) or {}
    return (str(page.get("instagram_user_id", "")) == ig_id or str(ig.get("page_id", "")) == page_id
            or str(ig.get("iabp_id", "")) == page_id)


def _connected_to(page_id: str, ctx: CreativeContext) -> str:
    found = [i for i in ctx.world.instagram_accounts if connected(page_id, i, ctx)]
    return ", ".join(found) or "no Instagram account"


# -- rules ------------------------------------------------------------------------------------------
def content_required(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 10: a creative promotes something: object_story_spec, object_story_id, an IG post, ..."""
    if not any(spec.get(key) not in (None, "", {}, []) for key in ctx.table["content_sources"]):
        return GraphError("creative_spec_required")
    return None


def one_story(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 10 'object_story_id or object_story_spec'; both -> 1487929 (ambiguous promoted object)."""
    for pair in ctx.table["exclusive_sources"]:
        given = [key for key in pair if spec.get(key) is not None]
        if len(given) > 1:
            return GraphError("creative_story_ambiguous", field=given[-1], value=", ".join(given))
    return None


def story_spec_has_content(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 10: page_id plus one of link_data, photo_data, video_data, text_data, template_data."""
    story_spec = spec.get("object_story_spec")
    keys = ctx.table["story_data_keys"]
    if story_spec is not None and not any(story_spec.get(key) for key in keys):
        return GraphError("object_story_spec_ill_formed", allowed=", ".join(keys))
    return None


def instagram_once(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 10: instagram_user_id replaces instagram_actor_id; passing both -> 2446149."""
    alias = ctx.table["instagram_alias"]
    for prefix, holder in (("", spec), ("object_story_spec", spec.get("object_story_spec") or {})):
        if holder.get(alias["current"]) is not None and holder.get(alias["legacy"]) is not None:
            return GraphError("creative_instagram_both", field=f"{prefix}[{alias['legacy']}]" if prefix else alias["legacy"])
    return None


def pages_usable(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Seed 000: the Page must be one the token manages (fixtures: pages, token.pages)."""
    known = ", ".join(sorted(ctx.world.pages)) or "none"
    story_spec = spec.get("object_story_spec") or {}
    if story_spec.get("page_id") is not None and not page_usable(str(story_spec["page_id"]), ctx):
        return GraphError("creative_page_invalid", field="object_story_spec[page_id]", value=str(story_spec["page_id"]),
                          allowed=known)
    object_id = spec.get("object_id")
    if object_id is not None:
        text = str(object_id)
        if not (page_usable(text, ctx) or text in ctx.world.apps or _iabp_page(text, ctx)):
            return GraphError("creative_page_invalid", field="object_id", value=text, allowed=known)
    return None


def story_resolves(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Seed 000/003: object_story_id is `<page id>_<post id>` of a post of a usable Page."""
    story = spec.get("object_story_id")
    if story is None:
        return None
    page_id = str(story).split("_")[0]
    known = ctx.world.posts.get(str(story)) == page_id or ctx.inline_story(str(story))
    if not (known and page_usable(page_id, ctx)):
        return GraphError("creative_story_unknown", field="object_story_id", value=str(story))
    return None


def instagram_connected(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Seed 000: the Instagram account must exist and be connected to (or backed by) the creative's Page."""
    page = page_context(spec)
    known = ", ".join(sorted(ctx.world.instagram_accounts)) or "none"
    for field, ig_id in instagram_refs(spec, ctx.table):
        if ig_id not in ctx.world.instagram_accounts:
            return GraphError("creative_instagram_invalid", field=field, value=ig_id, allowed=known)
        if page is not None and not connected(page[1], ig_id, ctx):
            return GraphError("creative_instagram_not_connected", field=field, value=ig_id, page=page[1],
                              allowed=_connected_to(page[1], ctx))
    return None


def instagram_media_owned(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Seed 000: source_instagram_media_id is a post of the given (or the Page's) Instagram account."""
    media = spec.get("source_instagram_media_id")
    if media is None:
        return None
    owner = ctx.world.instagram_media.get(str(media))
    refs = instagram_refs(spec, ctx.table)
    account = refs[0][1] if refs else owner
    if owner is None or owner != account:
        mine = [m for m, o in ctx.world.instagram_media.items() if o == account]
        return GraphError("creative_instagram_media_unknown", field="source_instagram_media_id", value=str(media),
                          account=account or "(none given)", allowed=", ".join(mine) or "none")
    page = page_context(spec)
    if page is not None and not refs and not connected(page[1], owner, ctx):
        return GraphError("creative_instagram_not_connected", field="source_instagram_media_id", value=owner,
                          page=page[1], allowed=_connected_to(page[1], ctx))
    return None


def images_in_library(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Seed 003: image_hash names an image of 'your ad account's image library'."""
    for field, hash_ in image_hash_refs(spec, ctx.table):
        if ctx.image(hash_) is None:
            return GraphError("adimage_not_found", field=field, value=hash_, account=ctx.account.id)
    return None


def videos_known(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Video ids must be videos of this ad account (fixtures `videos`)."""
    def ours(raw: dict[str, Any]) -> bool:
        owner = raw.get("ad_account_id")
        return owner is None or f"act_{str(owner).removeprefix('act_')}" == ctx.account.id

    for field, video_id in video_refs(spec, ctx.table):
        video = ctx.world.videos.get(video_id)
        if video is None or not ours(video):
            mine = [v for v, raw in ctx.world.videos.items() if ours(raw)]
            return GraphError("creative_video_unknown", field=field, value=video_id, account=ctx.account.id,
                              allowed=", ".join(mine) or "none")
    return None


def video_has_thumbnail(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """GRAPH-BEHAVIOUR 10: video_data needs a thumbnail, image_hash or image_url [INFER]."""
    video = (spec.get("object_story_spec") or {}).get("video_data")
    if isinstance(video, dict) and not (video.get("image_url") or video.get("image_hash")):
        return GraphError("creative_video_thumbnail_required", field="object_story_spec[video_data]")
    return None


def has_image(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """1487212 'Missing Image' (GRAPH-BEHAVIOUR 10 / wire): a link post with no link to scrape and no image, or a photo post without one."""
    story_spec = spec.get("object_story_spec") or {}
    for key in ("link_data", "template_data"):
        data = story_spec.get(key)
        if isinstance(data, dict) and not any(data.get(k) for k in ("link", "image_hash", "picture", "child_attachments")):
            return GraphError("creative_missing_image", field=f"object_story_spec[{key}]", allowed="image_hash, picture or link")
    photo = story_spec.get("photo_data")
    if isinstance(photo, dict) and not (photo.get("image_hash") or photo.get("url")):
        return GraphError("creative_missing_image", field="object_story_spec[photo_data]", allowed="image_hash or url")
    return None


def text_limits(spec: dict[str, Any], ctx: CreativeContext) -> GraphError | None:
    """Seed 003 'Title and Body Limits' on the creative's title and body."""
    rules = ctx.table["text_rules"]
    for fields in rules["fields"].values():
        for field in fields:
            value = spec.get(field)
            if isinstance(value, str):
                error = text_problem(field, value, rules)
                if error is not None:
                    return error
    return None


def text_problem(field: str, text: str, rules: dict[str, Any]) -> GraphError | None:
    """The first seed-003 text rule `text` breaks, as a GraphError naming `field`."""
    if len(text.strip()) < rules["min_length"]:
        return GraphError("creative_text_empty", field=field, bound=rules["min_length"])
    for char in text:
        banned = _forbidden(char, rules)
        if banned:
            return GraphError("creative_text_forbidden_character", field=field, detail=banned, value=text)
    stripped = text.lstrip()
    if stripped[0] in rules["leading_punctuation"]:
        return GraphError("creative_text_leading_punctuation", field=field, value=text,
                          allowed=" ".join(rules["leading_punctuation"]))
    run = _bad_punctuation_run(text, rules)
    if run:
        return GraphError("creative_text_consecutive_punctuation", field=field, detail=f"'{run}'", value=text)
    words = text.split()
    long_words = [w for w in words if len(w) > rules["max_word_length"]]
    if long_words:
        return GraphError("creative_text_word_too_long", field=field, bound=rules["max_word_length"],
                          detail=long_words[0][:60], value=text)
    single = [w for w in words if len(w) == 1]
    if len(single) > rules["max_single_character_words"]:
        return GraphError("creative_text_single_character_words", field=field, bound=rules["max_single_character_words"],
                          detail=len(single), value=text)
    return None


def _forbidden(char: str, rules: dict[str, Any]) -> str | None:
    if char in rules["forbidden_characters"]:
        return f"'{char}'"
    code = ord(char)
    for block in rules["forbidden_ranges"]:
        if int(block["from"], 16) <= code <= int(block["to"], 16) and f"{code:04X}" not in block["except"]:
            return f"U+{code:04X} ({block['name']})"
    return None


def _bad_punctuation_run(text: str, rules: dict[str, Any]) -> str | None:
    marks = set(rules["punctuation"])
    run = ""
    for char in text + " ":
        if char in marks:
            run += char
            continue
        if len(run) > 1 and run not in rules["allowed_runs"]:
            return run
        run = ""
    return None


CREATE_RULES: tuple[Rule, ...] = (
    content_required, one_story, story_spec_has_content, instagram_once, pages_usable, story_resolves,
    instagram_connected, instagram_media_owned, images_in_library, videos_known, video_has_thumbnail, has_image,
    text_limits,
)


def check(rules: tuple[Rule, ...], spec: dict[str, Any], ctx: CreativeContext) -> None:
    for rule in rules:
        error = rule(spec, ctx)
        if error is not None:
            raise error

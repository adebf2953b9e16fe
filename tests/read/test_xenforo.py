"""Forum threads on XenForo (SpaceBattles, Sufficient Velocity…): the posts' bodies are the
story, the forum's frame around each post is not."""

from __future__ import annotations

from ficsift.model import TagType
from ficsift.read import read_bytes
from tests.read.reader_contract import Case, ReaderContract

PARA = "The static had a shape, and Taylor reached for it the way she reached for her bugs. "


def post(n: int, author: str, body: str, threadmark: str | None = None) -> str:
    mark = (
        "<div class='message-cell message-cell--threadmark-header'><span class='primary'>"
        f"<label>Threadmarks</label><span id='threadmark-{n}'>{threadmark}</span></span>"
        "<span class='secondary'><a href='/threads/1/threadmarks'>View content</a></span></div>"
        if threadmark
        else ""
    )
    return (
        f"<article class='message message--post js-post' data-author='{author}' "
        f"data-content='post-{n}'>{mark}<div class='message-inner'>"
        "<div class='message-cell message-cell--user'><section class='message-user'>"
        f"<h4 class='message-name'><a class='username'>{author}</a></h4>"
        "<h5 class='userTitle'>Professional Procrastinator</h5>"
        "<dl><dt>Joined</dt><dd>Mar 4, 2022</dd><dt>Messages</dt><dd>1,204</dd></dl></section></div>"
        "<div class='message-cell message-cell--main'><header class='message-attribution'>"
        f"Mar 4, 2022 #{n}</header><div class='message-content'><article class='message-body'>"
        f"<div class='bbWrapper'>{body}</div></article>"
        "<aside class='message-signature'>My other fics: Gloaming</aside></div>"
        "<div class='reactionsBar'>Likes: 412</div></div></div></article>"
    )


def thread(posts: str) -> bytes:
    return (
        "<!DOCTYPE html><html id='XF' data-xf='2.2'><head><title>Ironwood | SpaceBattles</title>"
        "<link rel='canonical' href='https://forums.spacebattles.com/threads/ironwood.1012345/'>"
        "</head><body><div class='p-title'><h1 class='p-title-value'><span class='label'>Worm"
        "</span><span class='label-append'>&nbsp;</span>Ironwood (Worm/RWBY)</h1></div>"
        "<div class='p-description'><a class='username'>Cinderblock</a>"
        "<a class='tagItem'>crossover</a><a class='tagItem'>taylor hebert</a></div>"
        f"<div class='block-body'>{posts}</div>"
        "<footer>Forum software by XenForo</footer></body></html>"
    ).encode()


def test_threadmarked_posts_are_the_chapters_and_the_frame_is_gone() -> None:
    story = (
        "<b>Disclaimer:</b> Worm belongs to Wildbow.<br><br>~~~<br><br>"
        + (PARA * 3 + "<br><br>") * 3
    )
    page = thread(
        post(1, "Cinderblock", story, "Chapter 1: Arrival")
        + post(2, "Reader42", "Great start! " * 5)
        + post(3, "Cinderblock", (PARA * 3 + "<br><br>") * 3, "Chapter 2: Static")
    )
    doc = read_bytes("thread.html", page)[0]
    assert doc.title == "Ironwood (Worm/RWBY)" and doc.authors == ["Cinderblock"]
    assert [c.title for c in doc.chapters] == ["Chapter 1: Arrival", "Chapter 2: Static"]
    assert doc.disclaimer == "Disclaimer: Worm belongs to Wildbow."
    assert doc.chapters[0].text.startswith("The static")
    for gone in ("Great start", "Professional", "Joined", "Likes", "My other fics", "#1"):
        assert gone not in doc.text
    assert doc.text.count("static had a shape") == 18
    assert [t.name for t in doc.tags_of(TagType.FREEFORM)] == ["Worm", "crossover", "taylor hebert"]
    assert doc.source.url == "https://forums.spacebattles.com/threads/ironwood.1012345/"


def test_without_threadmarks_the_authors_posts_are_the_story() -> None:
    page = thread(
        post(1, "Cinderblock", PARA * 4)
        + post(2, "Reader42", "More please! " * 5)
        + post(3, "Cinderblock", PARA * 4)
    )
    doc = read_bytes("thread.html", page)[0]
    assert len(doc.chapters) == 2 and "More please" not in doc.text
    assert doc.text.count("static had a shape") == 8


def _marked_thread() -> bytes:
    body = (PARA * 3 + "<br><br>") * 3
    return thread(
        post(1, "Cinderblock", body, "Chapter 1: Arrival")
        + post(2, "Cinderblock", body, "Chapter 2: Static")
    )


class TestXenForoContract(ReaderContract):
    cases = (
        Case(
            "generated threadmarked thread",
            _marked_thread,
            {
                "title": "Ironwood (Worm/RWBY)",
                "authors": ["Cinderblock"],
                "freeforms": ["Worm", "crossover", "taylor hebert"],
                "chapters": 2,
                "chapter_titles": ["Chapter 1: Arrival", "Chapter 2: Static"],
                "words": 2 * 3 * 3 * 17,
            },
            reader="xenforo",
        ),
    )


def test_a_thread_saved_from_xenforo_1() -> None:
    """The same forums before 2019 (XenForo 1): ``li.message`` posts, ``blockquote.messageText``
    bodies, "Threadmark: …" labels, the title in ``.titleBar h1`` with its prefix."""
    body = (PARA * 2 + "<br /><br />") * 3
    page = (
        "<html><body><div class='titleBar'><h1><span class='prefix'>Worm</span> Ironwood</h1></div>"
        "<ol class='messageList'>"
        "<li class='message threadmarked' data-author='Cinderblock'><div class='messageUserInfo'>"
        "<em class='userTitle'>Verified Procrastinator</em></div><div class='threadmarker'>"
        "<span class='label'>Threadmark: <span class='threadmarkLabel'>Chapter 1</span></span></div>"
        f"<blockquote class='messageText ugc'>{body}</blockquote></li>"
        "<li class='message' data-author='Reader42'><blockquote class='messageText ugc'>Watched!"
        "</blockquote></li></ol></body></html>"
    ).encode()
    doc = read_bytes("thread.html", page)[0]
    assert doc.source.format == "html" and doc.title == "Ironwood"
    assert [c.title for c in doc.chapters] == ["Chapter 1"] and doc.authors == ["Cinderblock"]
    assert doc.text.count("static had a shape") == 6 and "Watched" not in doc.text

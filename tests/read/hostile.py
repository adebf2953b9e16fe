"""Builders for the hostile files of issue 10: small inputs that used to cost minutes or gigabytes.

Every file is generated here, in memory, from a few made-up sentences; the sizes are
parameters so a test can build a smaller cousin of the audit's input when the full one
would only make the test slower without making it stronger.
"""

from __future__ import annotations

import io
import zipfile

from tests.read.epub_fixtures import paragraphs, simple_epub, zip_bytes

SENTENCE = "The lamp was lit at dusk, as it always was, and the sea did not care. "
STORY_HTML = paragraphs(SENTENCE * 3, SENTENCE * 2)


def div_spaces_epub(spaces: int = 200_000) -> bytes:
    """An EPUB whose chapter holds ``<div`` + a run of spaces + ``>`` (finding 4)."""
    body = STORY_HTML + "<div" + " " * spaces + ">" + paragraphs(SENTENCE)
    return simple_epub([("One", body)])


def nested_markup(depth: int, kind: str = "div") -> str:
    """``depth`` nested elements around one paragraph: divs, or lists (``<ul><li>``)."""
    opening, closing = ("<div>", "</div>") if kind == "div" else ("<ul><li>", "</li></ul>")
    return opening * depth + f"<p>{SENTENCE}</p>" + closing * depth


def nested_html_page(depth: int, kind: str = "div") -> bytes:
    page = f"<html><body><p>{SENTENCE}</p>{nested_markup(depth, kind)}</body></html>"
    return page.encode()


def nested_epub(depth: int, kind: str = "div") -> bytes:
    return simple_epub([("One", STORY_HTML + nested_markup(depth, kind))])


def text_of_size(size: int) -> bytes:
    """Plain story text of exactly ``size`` bytes, in paragraphs."""
    block = (SENTENCE * 4 + "\n\n").encode()
    return (block * (size // len(block) + 1))[:size]


def text_zip(
    members: int = 40, member_size: int = 1 << 20, compression: int = zipfile.ZIP_LZMA
) -> bytes:
    """A small zip of ``members`` highly compressible text files (finding 7: 40 × 1 MiB in
    16 KB with LZMA, 218 KB deflated)."""
    text = text_of_size(member_size)
    return zip_bytes(
        [(f"story{n:02d}.txt", text) for n in range(members)],
        epub_mimetype=False,
        compression=compression,
    )


def zip_of_zips(inner: bytes, copies: int = 4) -> bytes:
    """A zip holding ``copies`` of the zip ``inner``, deflated once more (finding 7: 3 KB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n in range(copies):
            zf.writestr(f"pack{n}.zip", inner)
    return buf.getvalue()


def many_chapter_epub(chapters: int = 15_000, words: int = 40) -> bytes:
    """An EPUB of ``chapters`` small chapters (finding 8: 15,000 chapters in 5 MB)."""
    sentence_words = len(SENTENCE.split())
    text = SENTENCE * max(1, words // sentence_words)
    return simple_epub([(f"Chapter {n}", paragraphs(text)) for n in range(1, chapters + 1)])

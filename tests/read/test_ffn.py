"""FanFiction.net story pages saved from the browser, and its "story not found" page."""

from __future__ import annotations

from ficsift.model import Status, TagType
from ficsift.read import read_bytes
from tests.read.reader_contract import Case, ReaderContract, wild_case

PARA = "Rain hammered the dojo roof while the two of them trained until their arms gave out. "


def ffn_page(profile: str, story: str, links: str, chapter: str = "1. Storms") -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>Storms Chapter 1, a bleach fanfic | FanFiction</title>"
        "<link rel='canonical' href='https://www.fanfiction.net/s/123456/1/Storms'></head><body>"
        "<div id=top><a href='/'>FanFiction</a> | unleash your imagination</div>"
        f"<div id=pre_story_links><span class=lc-left>{links}</span></div>"
        "<div id=profile_top><b class='xcontrast_txt'>Storms</b> By: "
        "<a class='xcontrast_txt' href='/u/42/Rain-Writer'>Rain Writer</a>"
        "<div class='xcontrast_txt'>Two rivals, one storm.</div>"
        f"<span class='xgray xcontrast_txt'>{profile}</span></div>"
        f"<select id=chap_select><option value=1 selected>{chapter}<option value=2>2. After</select>"
        f"<div class='storytext xcontrast_txt nocopy' id='storytext'>{story}</div>"
        "<div id=review><p>Review this story, please, you know you want to, go on.</p></div></body></html>"
    ).encode()


CROSSOVER = ffn_page(
    "Rated: <a>Fiction  T</a> - English - Hurt/Comfort/Drama - [Ichigo K., Naruto U.] Rukia K. - "
    "Chapters: 2 - Words: 4,321 - Reviews: <a>15</a> - Favs: 1,002 - Follows: 30 - "
    "Updated: <span data-xutime='1589598153'>5/15</span> - Published: <span data-xutime='1082775104'>"
    "4/23/2004</span> - Status: Complete - id: 123456",
    "<p>A/N: Thanks to my beta!</p><p>Disclaimer: I don't own Bleach or Naruto.</p>"
    + f"<p>{PARA * 3}</p>" * 10,
    "<a href='/crossovers/'>Crossover</a> <a href='/Bleach-and-Naruto-Crossovers/1/2/'>Bleach + Naruto Crossover</a>",
)
# The layout before 2013: the header is a table cell, dates read "MM-DD-YY", two characters
# are joined by " & ".
OLD_LAYOUT = (
    "<html><head><title>Storms Chapter 1, a bleach fanfic | FanFiction</title></head><body>"
    "<div id=top><a href='/'>FanFiction.Net</a> | unleash your imagination</div>"
    "<div id=pre_story_links><a href='/anime/'>Anime/Manga</a> &#187; "
    "<a href='/anime/Bleach/'>Bleach</a> &#187;</div>"
    "<table id='gui_table1'><tr><td><table id='gui_table1i'><tr class='alt2'><td>"
    "<b>Storms</b><hr size=1 noshade>Author: <a href='/u/42/Rain-Writer'>Rain Writer</a> "
    "<a href='https://www.fanfiction.net/pm2/post.php?uid=42'>PM</a>"
    "<div style='margin-top:2px'>Two rivals, one storm.</div>"
    "<div style='color:gray;'>Rated: <a href='http://www.fictionratings.com/'>Fiction  T</a> - "
    "English - Drama - Ichigo K. & Rukia K. - Chapters: 2 - Words: 4,321 - Reviews: "
    "<a href='/r/1/'>15</a> - Updated: 02-02-12 - Published: 11-23-99 - id: 123456 </div>"
    "</td></tr><tr class='alt1'><td><select id=chap_select><option value=1 selected>1. Storms"
    "<option value=2>2. After</select></td></tr></table></td></tr></table>"
    f"<div class='storytext xcontrast_txt' id='storytext'>{f'<p>{PARA * 3}</p>' * 4}</div>"
    "</body></html>"
).encode()
# m.fanfiction.net: a plainer header, the profile line's fields parted by commas.
MOBILE = (
    "<html><head><title>Storms Ch 2, a bleach fanfic | FanFiction</title>"
    "<link rel='canonical' href='https://m.fanfiction.net/s/123456/2/'></head><body>"
    "<div id=top><a href='/'>FanFiction</a></div><div style='height:5px'></div><div id=content>"
    "<div align=center><b>Storms</b> by <a href='/u/42/'>Rain Writer</a></div><hr size=1>"
    "<a href='/anime/'>Anime</a> » <a href='/anime/Bleach/'>Bleach</a> Rated: T, English, "
    "Drama &amp; Hurt/Comfort, Ichigo K., Rukia K., Words: 4k+, Favs: 12, Follows: 30, "
    "Published: <span data-xutime='1082775104'>Apr 23, 2004</span> Updated: "
    "<span data-xutime='1589598153'>May 15</span><hr size=1><span class=pull-right>"
    "<a href='/r/123456/'>15</a></span>Chapter 2: After<br></div>"
    "<div role=main><div class='storycontent nocopy' id=storycontent>"
    f"{f'<p>{PARA * 3}</p>' * 4}</div></div></body></html>"
).encode()
# Before about 2011: no header box; the profile line is loose text between rules.
BARE = (
    "<html><head><title>Storms Chapter 2, a Bleach fanfic - FanFiction.Net</title></head><body>"
    "<div id=menu><a href='/book/'>Books</a> <select name=type><option selected>Story</select></div>"
    "<a href='/anime/'>Anime</a> &#187; <a href='/anime/Bleach/'>Bleach</a> &#187; <b>Storms</b>"
    "<hr size=1 noshade><table><tr><td><a href='/u/42/Rain_Writer'>Rain Writer</a></td><td>"
    "<select name=chapter><option value=1>1. Storms<option value=2 selected>2. After</select>"
    "</td></tr></table><hr size=1 noshade>Rated: <a href='http://www.fictionratings.com/'> T</a>"
    " - English - Drama - Ichigo K. & Rukia K. - Reviews: <a href='/r/123456/'>15</a> - "
    "Updated: 12-14-09 - Published: 02-08-06 - id:123456 <hr size=1 noshade>"
    f"<div id=storytext class=storytext>{f'<p>{PARA * 3}</p>' * 4}</div></body></html>"
).encode()
NOT_FOUND = (
    b"<html><head><title>FanFiction</title></head><body><div id=top>fanfiction.net</div>"
    b"<span class='gui_warning'>Story Not Found<br>Unable to locate story. Code 1.</span></body></html>"
)


class TestFfnContract(ReaderContract):
    cases = (
        Case(
            "generated crossover page",
            lambda: CROSSOVER,
            {
                "title": "Storms",
                "authors": ["Rain Writer"],
                "fandoms": ["Bleach", "Naruto"],
                "rating": "Teen And Up Audiences",
                "language": "English",
                "freeforms": ["Hurt/Comfort", "Drama"],
                "characters": ["Ichigo K.", "Naruto U.", "Rukia K."],
                "relationships": ["Ichigo K./Naruto U."],
                "status": "complete",
                "chapters": 1,
                "chapter_titles": ["Storms"],
                "words": 10 * 3 * 16,
                "published": "2004-04-23",
                "summary_prefix": "Two rivals",
                "stats": {
                    "words": 4321,
                    "chapters_posted": 2,
                    "reviews": 15,
                    "favs": 1002,
                    "follows": 30,
                },
                "notes": ["Thanks to my beta!"],
                "text_excludes": ["Review this story", "I don't own", "unleash"],
            },
            reader="ffn-page",
        ),
        Case("generated story not found.html", lambda: NOT_FOUND, no_story=True),
        wild_case("aerialabhorsen-ff_scrape/fanfiction/good_story.html", "ffn-page"),
        wild_case("aerialabhorsen-ff_scrape/fanfiction/good_story2.html", "ffn-page"),
    )


def test_no_status_means_in_progress_and_single_fandom() -> None:
    page = CROSSOVER.replace(b" - Status: Complete", b"").replace(
        b"<a href='/Bleach-and-Naruto-Crossovers/1/2/'>Bleach + Naruto Crossover</a>",
        b"<a href='/anime/Bleach/'>Bleach</a>",
    )
    doc = read_bytes("storms.html", page)[0]
    assert doc.status == Status.IN_PROGRESS
    assert [t.name for t in doc.tags_of(doc.tags[0].type.FANDOM)] == ["Bleach"]


def test_bare_complete_segment_is_the_status_not_a_character() -> None:
    page = CROSSOVER.replace(b" - Status: Complete", b" - Complete")
    doc = read_bytes("storms.html", page)[0]
    assert doc.status == Status.COMPLETE
    assert "Complete" not in [t.name for t in doc.tags]


def test_protocol_relative_canonical_link_names_the_story() -> None:
    """Pages saved from the site write the canonical link "//www.fanfiction.net/s/N/…": the
    chapters of one story saved apart are still one work."""
    page = CROSSOVER.replace(
        b"href='https://www.fanfiction.net/s/123456/1/Storms'",
        b"href='//www.fanfiction.net/s/123456/1/Storms'",
    )
    doc = read_bytes("storms.html", page)[0]
    assert (doc.source.url, doc.source.work_key) == (
        "https://www.fanfiction.net/s/123456/1/Storms",
        "ffn:123456",
    )


def test_page_of_the_layout_before_2013() -> None:
    """The header in a table cell: title, author, summary, the profile line and its
    two-digit dates; the characters joined by " & " are two."""
    doc = read_bytes("storms.html", OLD_LAYOUT)[0]
    assert (doc.title, doc.authors, doc.summary) == (
        "Storms",
        ["Rain Writer"],
        "Two rivals, one storm.",
    )
    assert (doc.published, doc.updated) == ("1999-11-23", "2012-02-02")
    assert [t.name for t in doc.tags_of(TagType.CHARACTER)] == ["Ichigo K.", "Rukia K."]
    assert [t.name for t in doc.tags_of(TagType.FANDOM)] == ["Bleach"]
    assert doc.tags_of(TagType.RATING)[0].name == "Teen And Up Audiences"
    assert (doc.stats.chapters_posted, doc.stats.reviews, doc.words) == (2, 15, 4 * 3 * 16)
    assert doc.chapters[0].title == "Storms"
    # saved with no canonical link: the profile line's "id: 123456" names the story
    assert doc.source.work_key == "ffn:123456"


def test_page_of_the_mobile_site() -> None:
    """m.fanfiction.net: title and author, the section path's fandom (not the reviews
    link), the comma-parted profile line with its two stamped dates, the chapter's title."""
    doc = read_bytes("storms-m.html", MOBILE)[0]
    assert (doc.title, doc.authors, doc.language) == ("Storms", ["Rain Writer"], "English")
    assert [t.name for t in doc.tags_of(TagType.FANDOM)] == ["Bleach"]
    assert [t.name for t in doc.tags_of(TagType.CHARACTER)] == ["Ichigo K.", "Rukia K."]
    assert [t.name for t in doc.tags_of(TagType.FREEFORM)] == ["Drama", "Hurt/Comfort"]
    assert doc.tags_of(TagType.RATING)[0].name == "Teen And Up Audiences"
    assert (doc.published, doc.updated) == ("2004-04-23", "2020-05-15")
    assert (doc.stats.favs, doc.stats.follows) == (12, 30)
    assert doc.chapters[0].title == "After" and doc.words == 4 * 3 * 16
    assert doc.source.work_key == "ffn:123456"


def test_page_before_the_header_box() -> None:
    """No header box: the page title names story and fandom, the profile line is read from
    the loose text, the chapter from the chapter menu (not the site's search menu)."""
    doc = read_bytes("storms-old.html", BARE)[0]
    assert (doc.title, doc.authors) == ("Storms", ["Rain Writer"])
    assert [t.name for t in doc.tags_of(TagType.FANDOM)] == ["Bleach"]
    assert [t.name for t in doc.tags_of(TagType.CHARACTER)] == ["Ichigo K.", "Rukia K."]
    assert (doc.published, doc.updated, doc.stats.reviews) == ("2006-02-08", "2009-12-14", 15)
    assert doc.tags_of(TagType.RATING)[0].name == "Teen And Up Audiences"
    assert doc.chapters[0].title == "After" and doc.words == 4 * 3 * 16
    assert doc.source.url == "https://www.fanfiction.net/s/123456/"

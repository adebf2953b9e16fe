"""What the reader's own tagged works teach (``understand/learned.py``)."""

from __future__ import annotations

from ficsift.model import Document, Source, Tag, TagOrigin, TagType
from ficsift.understand.cast import find_cast
from ficsift.understand.learned import TaggedWork, learn, tagged_works, with_learned
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

FANDOM = "Lanternfall Chronicles (Video Game)"  # made up: no primer or AO3 data knows it
QUILLON, YSOLDE, BRANN = "Quillon Varesh", "Ysolde Marrack", "Brann Okarro (Lanternfall)"


def library() -> list[TaggedWork]:
    works = [TaggedWork([FANDOM], [QUILLON, YSOLDE], [f"{QUILLON}/{YSOLDE}"]) for _ in range(3)]
    works.append(TaggedWork([FANDOM, "Some Other Fandom"], [BRANN], []))  # a crossover
    return works


def test_single_fandom_works_teach_characters_and_partners() -> None:
    learned = learn(library())
    entry = learned[FANDOM]
    assert set(entry.characters) == {QUILLON, YSOLDE}  # a crossover's cast is not placed
    quillon = entry.characters[QUILLON]
    assert {"Quillon", "Varesh", QUILLON} <= set(quillon.aliases)
    assert quillon.partners == (YSOLDE,)


def test_a_character_tagged_once_is_known_by_full_name_only() -> None:
    learned = learn([TaggedWork([FANDOM], [QUILLON])])
    assert learned[FANDOM].characters[QUILLON].aliases == (QUILLON,)


def test_the_library_places_a_fandom_the_primer_never_heard_of(primer: Primer) -> None:
    lines = [
        f"Quillon looked at Ysolde across the fire. ({i}) “We ride at dawn,” Ysolde said, and "
        "Quillon nodded. Ysolde smiled at him."
        for i in range(8)
    ]
    story = StoryText(chapters=["\n\n".join(lines)])
    assert find_cast(story, primer).fandoms == []
    taught = with_learned(primer, learn(library()))
    result = find_cast(story, taught)
    assert [f.fandom for f in result.fandoms] == [FANDOM]
    assert {m.name for m in result.tagged()} == {QUILLON, YSOLDE}
    assert primer.fandoms.keys() < taught.fandoms.keys()  # the primer itself is unchanged


def test_only_author_tags_teach() -> None:
    def doc(origin: TagOrigin) -> Document:
        d = Document(source=Source(path="x.html", format="html"))
        d.tags = [
            Tag(name=FANDOM, type=TagType.FANDOM, origin=origin),
            Tag(name=QUILLON, type=TagType.CHARACTER, origin=origin),
        ]
        return d

    works = list(tagged_works([doc(TagOrigin.AUTHOR), doc(TagOrigin.INFERRED)]))
    assert [(w.fandoms, w.characters) for w in works] == [([FANDOM], [QUILLON])]

"""Stories told to "you": ``POV Second Person``, and ``Reader`` with ``Reader-Insert`` when
the "you" is the reader.  The stories are our own, a few lines each."""

from __future__ import annotations

from ficsift.model import Chapter, Document, Source, TagOrigin, TagType
from ficsift.understand import understand
from ficsift.understand.second_person import read_second_person
from ficsift.understand.story import StoryText

# Told to "you", nobody named: the reader walks into the story.
TO_YOU = [
    "You wake before dawn to the sound of rain on the roof of your little cottage.",
    "The fire has gone out in the night, and you pull the blanket around your shoulders.",
    "Somewhere past the hedge a dog barks twice, and you hold your breath to listen.",
    "Nothing follows. You tell yourself it was only the wind in the old oak by the gate.",
    "Still, you light the lamp with shaking hands and set it in the window, as you promised.",
    "The knock comes an hour later, soft and patient, and your heart stops in your chest.",
    "You open the door anyway, because you have always opened it, every year on this night.",
]
# Told in the third person, with all the "you" in what the characters say.
TO_EACH_OTHER = [
    "Marnie found her brother in the barn, mending the harness by the light of a lantern.",
    "“You missed supper,” she said. “Are you ever going to eat with us again?”",
    "He shrugged and pulled the thread tight with his teeth before he answered her.",
    "“You know why. You saw what he did to the mare, and you said nothing.”",
    "Marnie sat on the hay bale beside him and watched the rain through the open door.",
    "“I said plenty,” she told him. “You just weren't there to hear any of it.”",
    "The lantern guttered, and for a long time neither of them said another word.",
    "Outside the wind rose, and the rain came in sideways across the yard and the pump.",
    "At last he put the harness down and rubbed his eyes with the heels of his hands.",
]


def story(paragraphs: list[str]) -> Document:
    return Document(
        source=Source(path="story.txt", format="text"),
        chapters=[Chapter(title=None, text="\n\n".join(paragraphs))],
    )


def guessed(doc: Document) -> dict[str, TagType]:
    return {t.name: t.type for t in doc.tags if t.origin == TagOrigin.INFERRED}


def test_a_story_told_to_nobody_named_is_a_reader_insert() -> None:
    tags = guessed(understand(story(TO_YOU)))
    assert tags.get("POV Second Person") == TagType.FREEFORM
    assert tags.get("Reader-Insert") == TagType.FREEFORM
    assert tags.get("Reader") == TagType.CHARACTER
    reader = next(t for t in understand(story(TO_YOU)).tags if t.name == "Reader")
    assert reader.evidence and "you" in reader.evidence[0].text.lower()


def test_you_said_in_dialogue_is_no_second_person_narration() -> None:
    assert read_second_person(StoryText(["\n\n".join(TO_EACH_OTHER)])) is None
    reading = read_second_person(StoryText(["\n\n".join(TO_YOU)]))
    assert reading is not None and reading.share == 1.0 and not reading.placeholder
    tags = guessed(understand(story(TO_EACH_OTHER)))
    assert not {"POV Second Person", "Reader", "Reader-Insert"} & set(tags)


def test_a_named_you_is_second_person_but_no_reader_unless_a_placeholder_says_so() -> None:
    named = [
        p.replace("You wake", "You wake, Corwin,").replace("the gate.", "the gate, Corwin.")
        for p in TO_YOU
    ]
    # "Corwin" recurs (in the narration addressing him) and acts as the story's lead.
    named += [
        "Corwin, you think, you fool. Corwin said he would come, and Corwin always keeps his word.",
        "You remember Corwin laughing at the fair, and you remember Corwin leaving.",
    ]
    tags = guessed(understand(story(named)))
    assert "POV Second Person" in tags
    assert tags.get("Corwin") == TagType.CHARACTER  # the "you" may be him: no reader
    assert "Reader" not in tags and "Reader-Insert" not in tags
    with_placeholder = [*named, "“Goodnight, Y/N,” says the voice at the door, and you smile."]
    assert "Reader" in guessed(understand(story(with_placeholder)))


def test_too_little_narration_to_tell() -> None:
    assert read_second_person(StoryText(["You nod.\n\nYou go."])) is None

"""A two-hander told in the present tense, one lead named by a title once and "he" after:
both leads act on the page ("Mara is", "Mara likes"; his paragraphs are his acts), so both are
tagged, not demoted as names only talked about."""

from __future__ import annotations

from ficsift.understand.calibration import load_calibration
from ficsift.understand.cast import find_cast
from ficsift.understand.primer import Primer
from ficsift.understand.story import StoryText

# Our own sentences; neither name is a character ficsift knows.
STORY = "\n\n".join(
    [
        "The Captain has no idea what the night will bring.",
        "He pours the wine and hands her a glass.",
        "Mara is at the window of the flat, looking down at the harbour.",
        "He stands beside her, and she leans against him.",
        "Mara likes the quiet of the city at this hour.",
        "He kisses her hair and says nothing at all.",
        "Mara has waited for this for weeks.",
        "He holds her close, and she lets him.",
        "Mara is laughing now, and he laughs with her.",
        "He turns off the lamp, and the harbour lights are all they see.",
    ]
)


def test_both_leads_of_a_present_tense_two_hander_are_tagged(primer: Primer) -> None:
    result = find_cast(StoryText([STORY]), primer, load_calibration())
    roles = {m.name: result.roles[m.name] for m in result.cast}
    assert roles.get("Mara") in {"main", "significant"}, roles
    captain = next((m for m in result.cast if "Captain" in m.name), None)
    assert captain is not None and captain.implied, roles
    assert roles[captain.name] in {"main", "significant"}, roles


# Told in the present, the lead's name only ever opens a sentence, before a verb acting on
# something: "Nell rolls her eyes" is a person doing a thing, as "Nell rolled her eyes" is.
OPENINGS = "\n\n".join(
    [
        "Nell rolls her eyes at the rain and goes back inside.",
        "The kettle is on, and the radio murmurs about the weather.",
        "Nell fills the teapot and sets out two cups on the table.",
        "Outside, the street is grey and empty.",
        "Nell leans her head against the window and waits.",
        "A car passes, then another, and neither of them stops.",
        "Nell pours the tea when it is ready and drinks hers alone.",
        "The second cup goes cold on the table.",
    ]
)


def test_a_name_opening_present_tense_sentences_is_a_character(primer: Primer) -> None:
    result = find_cast(StoryText([OPENINGS]), primer, load_calibration())
    assert "Nell" in {m.name for m in result.cast}, [m.name for m in result.cast]

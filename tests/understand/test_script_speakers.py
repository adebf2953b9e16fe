"""In a script, a name on a line of its own above a speech is that character speaking."""

from __future__ import annotations

import re

from ficsift.understand.cast import _acting_share
from ficsift.understand.story import CastMember
from ficsift.understand.textops import quoted_spans

SCRIPT = (
    "PERSONS OF THE PLAY\n\nOTTOLINE BREX\n\nHAMISH VOSS\n\n"
    "A dark kitchen. OTTOLINE and HAMISH at the table.\n\n"
    "HAMISH\n\nIs the kettle on?\n\n"
    "OTTOLINE\n\nIt has been on for an hour.\n\n"
    "HAMISH\n\nThen where is my tea?\n\n"
    "OTTOLINE\n\nIn the pot, where it always is.\n\n"
    "HAMISH\n\nYou could pour it.\n\n"
    "OTTOLINE\n\nI could.\n"
)


def _member(name: str, word: str) -> CastMember:
    spans = [m.span() for m in re.finditer(word, SCRIPT)]
    return CastMember(name, None, spans, original=True)


def test_a_script_s_speakers_act() -> None:
    quoted = quoted_spans(SCRIPT)
    for name, word in (("Hamish Voss", "HAMISH"), ("Ottoline Brex", "OTTOLINE")):
        assert _acting_share(SCRIPT, _member(name, word), quoted) >= 0.5


def test_a_name_alone_at_the_end_is_no_speaker() -> None:
    text = "They talked of him all night.\n\nHamish"
    member = CastMember("Hamish", None, [(text.index("Hamish"), len(text))], original=True)
    assert _acting_share(text, member, quoted_spans(text)) == 0.0

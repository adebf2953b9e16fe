"""Spelling rules shared by the build script and the runtime API.

Everything that turns a tag spelling into a lookup key lives here, so the packaged data file
and the queries against it can never disagree about what "the same spelling" means.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Bit flags for tag types, as stored in the data file.
FREEFORM = 1
CHARACTER = 2
FANDOM = 4
RELATIONSHIP = 8
NAME_GROUP = 16  # a character meta tag that only groups a name ("Giles", "Xander")
CURATED = 32  # a character AO3's wranglers made canonical (not just seen typed on a work)

TYPE_FLAGS: dict[str, int] = {
    "freeform": FREEFORM,
    "character": CHARACTER,
    "fandom": FANDOM,
    "relationship": RELATIONSHIP,
}
# Order used when a spelling is a tag of several types and no type was asked for.
TYPE_PRIORITY: tuple[str, ...] = ("character", "relationship", "freeform", "fandom")

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
# AO3 appends " - Freeform", " - Character" … to a tag whose name is taken by another type.
_TYPE_SUFFIX = re.compile(r"\s+-\s+(freeform|character|relationship|fandom)\s*$", re.IGNORECASE)
_DISAMBIGUATOR = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")
_BANG_PREFIX = re.compile(r"^[^!/&]*!\s*(?=\S)")
_MENTIONED = re.compile(
    r"\s*\((?:only |briefly |just )?(?:mention|mentioned|mentions|referenced|reference|implied"
    r"|background|minor|past|cameo|brief|briefly|dead|deceased|dies|death|offscreen"
    r"|off-screen|original|oc|self-insert)\b[^()]*\)\s*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"([^\"]+)\"")
_SEP_SLASH = re.compile(r"\s*/\s*")
_SEP_AMP = re.compile(r"\s*&\s*")


@lru_cache(maxsize=1 << 18)
def clean(text: str) -> str:
    """Unicode-normalise, straighten quotes and dashes, collapse whitespace."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return " ".join(text.split())


def strip_type_suffix(text: str) -> tuple[str, str | None]:
    """``"Ripper - Character"`` -> ``("Ripper", "character")``."""
    m = _TYPE_SUFFIX.search(text)
    if not m:
        return text, None
    return text[: m.start()].strip(), m.group(1).lower()


@lru_cache(maxsize=1 << 18)
def key(text: str) -> str:
    """The lookup key of a spelling: case-, accent-, whitespace- and suffix-insensitive."""
    text, _ = strip_type_suffix(clean(text))
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = " ".join(text.split())
    return text


def split_disambiguator(name: str) -> tuple[str, str | None]:
    """``"Faith (BtVS)"`` -> ``("Faith", "BtVS")``; names without one come back unchanged."""
    m = _DISAMBIGUATOR.match(name.strip())
    if not m:
        return name.strip(), None
    return m.group(1).strip(), m.group(2).strip()


def base_name(name: str) -> str:
    """A character tag without its disambiguator(s): ``"Odo (Star Trek)"`` -> ``"Odo"``."""
    name, _ = strip_type_suffix(clean(name))
    name = _MENTIONED.sub("", name)
    for _ in range(3):  # "Ozai (Avatar) (Mentioned)" has two
        stripped, dis = split_disambiguator(name)
        if dis is None:
            break
        name = stripped
    return name


def strip_bang(text: str) -> str:
    """``"hurt!giles"`` -> ``"giles"`` (fandom shorthand for a character in some state)."""
    return _BANG_PREFIX.sub("", text.strip())


def strip_mentioned(text: str) -> str:
    return _MENTIONED.sub("", text).strip()


def name_forms(name: str) -> list[str]:
    """The separate names inside one character tag.

    ``"Evil Queen | Regina Mills"`` -> both halves; ``'Kara "Starbuck" Thrace'`` -> the name
    without the nickname plus the nickname.
    """
    forms: list[str] = []
    for part in base_name(name).split(" | "):
        part = part.strip()
        if not part:
            continue
        nicks = _QUOTED.findall(part)
        plain = _SPACE.sub(" ", _QUOTED.sub(" ", part)).strip()
        for form in (plain, *nicks):
            form = form.strip()
            if form and form not in forms:
                forms.append(form)
    return forms


def name_parts(name: str) -> list[str]:
    """Given name and surname of each name form (only for names of two or more words)."""
    parts: list[str] = []
    for form in name_forms(name):
        words = [w for w in form.split(" ") if w]
        if len(words) < 2:
            continue
        # "Lurien the Watcher", "The Ripper": the word after an article is an epithet, no
        # surname a story would call the character by alone ("the Watcher" is BtVS's Giles).
        ends = (words[0],) if words[-2].casefold() == "the" else (words[0], words[-1])
        for word in ends:
            word = word.strip(".,")
            if len(word) > 1 and not any(ch.isdigit() for ch in word) and word not in parts:
                parts.append(word)
    return parts


def given_initial(name: str) -> str | None:
    """First letter of the first name form, casefolded (``"Willow Rosenberg"`` -> ``"w"``).

    A leading article is skipped: ``"The First Evil (BtVS)"`` -> ``"f"``.
    """
    forms = name_forms(name)
    if not forms:
        return None
    words = key(forms[0]).split(" ")
    if len(words) > 1 and words[0] in ("the", "a", "an"):
        words = words[1:]
    first = words[0][:1]
    return first if first.isalpha() else None


def split_relationship(text: str) -> tuple[str, list[str]] | None:
    """``"W/T"`` -> ``("/", ["W", "T"])``; ``"A & B"`` -> ``("&", …)``; else ``None``.

    Only one separator kind is allowed per tag, as on AO3.
    """
    text = clean(text)
    has_slash, has_amp = "/" in text, "&" in text
    if has_slash == has_amp:
        return None
    sep = "/" if has_slash else "&"
    sides = [s.strip() for s in (_SEP_SLASH if has_slash else _SEP_AMP).split(text)]
    if len(sides) < 2 or not all(sides):
        return None
    return sep, sides


def join_relationship(sep: str, names: list[str]) -> str:
    """AO3 writes romantic pairings as ``A/B`` and platonic ones as ``A & B``."""
    return "/".join(names) if sep == "/" else " & ".join(names)


def is_original_character(name: str) -> bool:
    return key(name).startswith(("original ", "oc ", "reader"))


def sort_key(name: str) -> tuple[int, str, str]:
    """AO3's order for the names in a relationship tag.

    AO3 wranglers order the people in a canonical relationship tag alphabetically by surname
    (the last word of the name; a one-word name is its own surname), with original characters
    and readers last.  The build script measures how often this reproduces the real tags.
    """
    forms = name_forms(name)
    first = forms[0] if forms else base_name(name)
    words = first.split(" ")
    return (1 if is_original_character(name) else 0, key(words[-1]), key(name))

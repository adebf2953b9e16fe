"""Build ``src/ficsift/understand/data/words-en.txt.gz``: the English word list behind the
spelling-error proxy in :mod:`ficsift.search.quality`.

Source: the English dictionary shipped in the PyPI package ``pyspellchecker`` (MIT licence;
``spellchecker/resources/en.json.gz``, a word → frequency map built from OpenSubtitles and
checked against SCOWL).  It is only needed to *build* the list, not to run ficsift::

    .venv/bin/pip install pyspellchecker
    .venv/bin/python scripts/build_wordlist.py

What is kept: every lowercase word of letters only, plus contractions (``don't``,
``wasn't``).  Possessive forms (``karl's``) are dropped because the checker strips a trailing
``'s`` itself.  The source is American English; fan fiction is written in British English as
often, so the usual regular spelling variants of each kept word are added by rule
(``color → colour``, ``realize → realise``, ``analyze → analyse``, ``center → centre``,
``traveling → travelling``).  Only words derived from a listed word are added, so no
misspelling can enter by a rule.

The output is sorted, one word a line, gzip-compressed with a fixed mtime so rebuilding
gives identical bytes.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/ficsift/understand/data/words-en.txt.gz"
_WORD = re.compile(r"[a-z]+(?:'(?:t|re|ve|ll|d|m))?")
# Rules from American to British spelling, applied to the end or inside of a word.
_BRITISH = (
    (re.compile(r"(?<=[^aeiou])or(s|ed|ing|ful|fully|less|ite|ites|able)?$"), r"our\1"),
    (re.compile(r"(?<=[a-z]{4})iz(e|es|ed|ing|ation|ations|er|ers)$"), r"is\1"),
    (re.compile(r"yz(e|es|ed|ing|er|ers)$"), r"ys\1"),
    (re.compile(r"(?<=[^aeiou])er(s)?$"), r"re\1"),
    (re.compile(r"(?<=[^aeiou][aeiou])l(ed|ing|er|ers)$"), r"ll\1"),
    (re.compile(r"ense(s)?$"), r"ence\1"),
)
# Stems whose American "-er" or "-or" ending has a British form; the rules above would
# otherwise turn "water" into "watre" or "door" into "dour".
_RE_STEMS = {"center", "theater", "meter", "liter", "fiber", "somber", "caliber", "saber"}
_ENCE_STEMS = {"defense", "offense", "license", "pretense"}
_OUR_STEMS = {
    "color",
    "honor",
    "favor",
    "flavor",
    "humor",
    "labor",
    "neighbor",
    "rumor",
    "behavior",
    "harbor",
    "armor",
    "vapor",
    "odor",
    "valor",
    "vigor",
    "savior",
    "clamor",
    "splendor",
    "rigor",
    "parlor",
    "candor",
    "fervor",
    "glamor",
    "tumor",
    "endeavor",
    "ardor",
}


def british_variants(word: str, words: set[str]) -> set[str]:
    found: set[str] = set()
    if any(word.startswith(stem) for stem in _OUR_STEMS):
        found.add(_BRITISH[0][0].sub(_BRITISH[0][1], word))
    if any(word.startswith(stem) for stem in _RE_STEMS):
        found.add(_BRITISH[3][0].sub(_BRITISH[3][1], word))
    if any(word.startswith(stem) for stem in _ENCE_STEMS):
        found.add(_BRITISH[5][0].sub(_BRITISH[5][1], word))
    for pattern, repl in (_BRITISH[1], _BRITISH[2], _BRITISH[4]):
        variant = pattern.sub(repl, word)
        if variant != word:
            found.add(variant)
    if word.endswith(("alog", "olog", "agog")) and word + "ue" not in words:
        found.add(word + "ue")
    return {v for v in found if v != word}


def build() -> list[str]:
    import spellchecker  # build-time only

    source = Path(spellchecker.__file__).parent / "resources" / "en.json.gz"
    freq: dict[str, int] = json.loads(gzip.decompress(source.read_bytes()))
    words = {w for w in freq if _WORD.fullmatch(w)}
    extra: set[str] = set()
    for word in words:
        extra |= british_variants(word, words)
    return sorted(words | extra)


def main() -> None:
    words = build()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write("\n".join(words).encode() + b"\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(buf.getvalue())
    print(f"{len(words):,} words -> {OUT} ({len(buf.getvalue()) / 1024:,.0f} KB)")


if __name__ == "__main__":
    main()

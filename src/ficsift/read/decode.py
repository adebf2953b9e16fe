"""Bytes to text, whatever the encoding, with mojibake repaired.

Fics arrive as UTF-8 (with or without BOM), UTF-16, cp1252 from old Windows editors and
latin-1 from old archives, often double-encoded ("donâ€™t").  Strict UTF-8 is tried first
because it is both the common case and fast; charset-normalizer guesses the rest.  ftfy only
runs when the text shows mojibake, since it is slow on novel-length text.
"""

from __future__ import annotations

import re

import ftfy
from charset_normalizer import from_bytes

from ficsift.read.base import ReadError, looks_binary

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Typical UTF-8-read-as-cp1252 sequences: â€™ â€œ Ã© Â  and friends.
_MOJIBAKE_RE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00e2\u0080")
_DECLARED_CHARSET_RE = re.compile(rb"""<meta[^>]+charset=["']?([a-z0-9_\-]+)""", re.I)


def decode_bytes(data: bytes, hint: str | None = None) -> str:
    """Decode ``data`` to str; ReadError when it is not text at all.

    ``hint`` is an encoding the container declared (an HTML meta charset, an XML prolog);
    it is trusted only if it decodes cleanly.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data[len(bom) :].decode(encoding, errors="replace"))
    if looks_binary(data):  # control bytes are valid UTF-8, so this comes first
        raise ReadError("not text: mostly binary data")
    try:
        return _repair(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if hint is None:
        match = _DECLARED_CHARSET_RE.search(data[:4096])
        hint = match.group(1).decode("ascii", "replace") if match else None
    if hint:
        try:
            return _repair(data.decode(hint))
        except (UnicodeDecodeError, LookupError):
            pass
    # Fics that are not UTF-8 are overwhelmingly Windows-1252 (old Word and archive files);
    # statistical guessing on a short English text picks Central European codepages instead.
    # cp1252 is kept unless it leaves undefined bytes or reads as accented gibberish
    # ("Ïðèâåò" is Cyrillic decoded with the wrong table).
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _plausibly_western(western):
        return _repair(western)
    best = from_bytes(data[:262144]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return _checked(data.decode(encoding, errors="replace"))
    except LookupError:  # charset-normalizer named a codec Python lacks
        return _checked(data.decode("cp1252", errors="replace"))


def _checked(text: str) -> str:
    """Text decoded with replacement characters, refused when they are a fair share of it
    (what does not decode in the encoding it claims or seems to have is no story)."""
    sample = text[:65536]
    if sample and sample.count("\ufffd") > 0.05 * len(sample):
        raise ReadError("not text: mostly bytes that do not decode")
    return _repair(text)


def _plausibly_western(text: str) -> bool:
    letters = sum(1 for ch in text[:20000] if ch.isalpha())
    accented = sum(1 for ch in text[:20000] if "\u00c0" <= ch <= "\u00ff")
    return letters > 0 and accented / letters < 0.15


def _repair(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    # The substring tests are C-speed and rule out mojibake on almost every clean text.
    if ("\u00c2" in text or "\u00c3" in text or "\u00e2" in text) and _MOJIBAKE_RE.search(text):
        text = ftfy.fix_text(
            text, normalization="NFC", uncurl_quotes=False
        )  # keep the author’s quotes
    return text.replace("\r\n", "\n").replace("\r", "\n")

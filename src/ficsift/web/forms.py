"""The search form: URL parameters ↔ :class:`~ficsift.library.query.Query`.

A search is bookmarkable because everything lives in the URL: ``q`` holds the inline query
language and the sidebar adds plain parameters (``tag``/``xtag`` as ``type:name``, ``rating``,
``complete``, ``words_min`` …).  :meth:`SearchForm.url` rebuilds the URL with one change, which
is how every include/exclude link and page link is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

from ficsift.library.filters import apply_filter
from ficsift.library.query import Crossover, Query, Range, Sort, TagFilter, TagGroup
from ficsift.model import TagType
from ficsift.understand.content_lexicon import TRIGGER_LABELS

RATINGS = ["General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated"]
WARNINGS = [
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage",
    "Creator Chose Not To Use Archive Warnings",
    "No Archive Warnings Apply",
]
CATEGORIES = ["F/F", "F/M", "Gen", "M/M", "Multi", "Other"]
SORTS = [
    ("", "Best match"),
    (Sort.QUALITY.value, "Quality"),
    (Sort.KUDOS.value, "Kudos"),
    (Sort.HITS.value, "Hits"),
    (Sort.BOOKMARKS.value, "Bookmarks"),
    (Sort.COMMENTS.value, "Comments"),
    (Sort.WORDS.value, "Word count"),
    (Sort.UPDATED.value, "Date updated"),
    (Sort.PUBLISHED.value, "Date published"),
    (Sort.TITLE.value, "Title"),
]
PAGE_SIZE = 20
MAX_PAGE = 500
_TYPE_NAMES = {t.value for t in TagType}

ParseQuery = Callable[[str], Query]

# The query box is the one source of truth for what both it and the sidebar can say (sort,
# completion, main pairing): the page renders the sidebar from the parsed box, and sends the
# state it showed back as ``<key>_was``; a sidebar control the reader changed rewrites the box.
SYNCED = ("sort", "complete", "main")


def _token(key: str) -> re.Pattern[str]:
    return re.compile(rf'(?<!\S)-?{key}:(?:"[^"]*"|\S+)', re.IGNORECASE)


def has_token(q: str, key: str) -> bool:
    """Whether the query box says ``key:`` (``sort:quality``, ``complete:yes``)."""
    return _token(key).search(q) is not None


def strip_token(q: str, key: str) -> str:
    """The box without its ``key:`` tokens.

    >>> strip_token('vampire sort:quality "a b" complete:yes', "sort")
    'vampire "a b" complete:yes'
    """
    return " ".join(_token(key).sub(" ", q).split())


def split_tag(spec: str) -> tuple[TagType | None, str]:
    """``"character:Willow Rosenberg"`` → (CHARACTER, "Willow Rosenberg"); untyped otherwise.

    >>> split_tag("fandom:Star Trek: Deep Space Nine")
    (<TagType.FANDOM: 'fandom'>, 'Star Trek: Deep Space Nine')
    >>> split_tag("Star Trek: Deep Space Nine")
    (None, 'Star Trek: Deep Space Nine')
    """
    kind, sep, name = spec.partition(":")
    if sep and kind in _TYPE_NAMES and name.strip():
        return TagType(kind), name.strip()
    return None, spec.strip()


def _tag_shown(spec: str) -> str:
    """A tag filter's name as the sidebar shows it: a fine content label by its readable name
    ("warning:blood-gore" → "Blood and Gore")."""
    kind, name = split_tag(spec)
    return TRIGGER_LABELS.get(name, name) if kind is TagType.WARNING else name


def tag_spec(kind: str | None, name: str) -> str:
    return f"{kind}:{name}" if kind else name


def _int(value: str | None, low: int = 0, high: int = 10**9) -> int | None:
    try:
        number = int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None
    return max(low, min(high, number))


# How sure a guessed tag must be to hide a work (exclusions, the blacklist): the sidebar's
# choices, as ``guesses:`` says them; "" is each tag type's measured bar (≥ 0.9 precise).
GUESS_LEVELS = {
    "0.5": "hide from 50% sure",
    "0.7": "hide from 70% sure",
    "0.95": "hide from 95% sure",
    "show": "never hide",
}


@dataclass(slots=True)
class SearchForm:
    q: str = ""
    tag: list[str] = field(default_factory=list)  # include, "type:name"
    xtag: list[str] = field(default_factory=list)  # exclude
    rating: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    xwarning: list[str] = field(default_factory=list)  # archive warnings to leave out
    complete: str = ""  # "" | "yes" | "no"
    words_min: int | None = None
    words_max: int | None = None
    lang: list[str] = field(default_factory=list)
    crossover: str = Crossover.ANY.value
    main: bool = False
    sort: str = ""
    hide_read: bool = False
    author_only: bool = False
    no_blacklist: bool = False
    guesses: str = ""  # how sure a guessed tag must be to hide a work: a GUESS_LEVELS value
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchForm:
        """From request query parameters (a Starlette ``QueryParams`` or a plain mapping)."""

        def many(key: str) -> list[str]:
            if hasattr(params, "getlist"):
                values = params.getlist(key)
            else:
                raw = params.get(key)
                values = raw if isinstance(raw, list) else [] if raw is None else [raw]
            seen: list[str] = []
            for v in values:
                v = " ".join(str(v).split())[:300]
                if v and v not in seen:
                    seen.append(v)
            return seen[:50]

        def tags(key: str) -> list[str]:
            """The sidebar's links and its free "other tags" box (AO3's tag names hold no
            commas, so a comma separates them)."""
            split = [t for v in many(key) for t in v.split(",")]
            out: list[str] = []
            for t in split:
                t = " ".join(t.split())
                if t and t not in out:
                    out.append(t)
            return out[:50]

        def one(key: str) -> str:
            values = many(key)
            return values[0] if values else ""

        def flag(key: str) -> bool:
            return one(key) in {"1", "on", "yes", "true"}

        q = params.get("q") or ""
        if isinstance(q, list):
            q = q[0] if q else ""
        q = str(q)[:2000].strip()
        crossover = one("crossover")
        sort = one("sort")
        q_was = params.get("q_was") or ""  # the box as the page showed it
        q_was = str((q_was[0] if q_was else "") if isinstance(q_was, list) else q_was)[:2000]
        sidebar = {"sort": sort, "complete": one("complete"), "main": "1" if flag("main") else ""}
        for key in SYNCED:
            was = params.get(f"{key}_was")
            was = (was[0] if was else "") if isinstance(was, list) else was
            if was is None:  # a link or the API: the parameter says it, over the box
                if sidebar[key]:
                    q = strip_token(q, key)
            elif sidebar[key] != str(was).strip().replace("0", ""):
                q = strip_token(q, key)  # the reader changed the sidebar control
            elif has_token(q, key) or has_token(q_was, key):
                sidebar[key] = ""  # unchanged control showing the box: the box decides
        sort, complete, main = sidebar["sort"], sidebar["complete"], bool(sidebar["main"])
        return cls(
            q=q,
            tag=tags("tag"),
            xtag=tags("xtag"),
            rating=[r for r in many("rating") if r in RATINGS],
            category=[c for c in many("category") if c in CATEGORIES],
            xwarning=[w for w in many("xwarning") if w in WARNINGS],
            complete=complete if complete in {"yes", "no"} else "",
            words_min=_int(one("words_min")) if one("words_min") else None,
            words_max=_int(one("words_max")) if one("words_max") else None,
            lang=many("lang"),
            crossover=crossover if crossover in {c.value for c in Crossover} else "any",
            main=main,
            sort=sort if sort in {s for s, _ in SORTS} else "",
            hide_read=flag("hide_read"),
            author_only=flag("author_only"),
            no_blacklist=flag("no_blacklist"),
            guesses=guesses if (guesses := one("guesses")) in GUESS_LEVELS else "",
            page=_int(one("page"), 1, MAX_PAGE) or 1,
        )

    def params(self) -> list[tuple[str, str]]:
        """The non-default fields as URL parameters, in a stable order."""
        out: list[tuple[str, str]] = []
        default = SearchForm()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if isinstance(value, list):
                out += [(f.name, v) for v in value]
            elif isinstance(value, bool):
                out.append((f.name, "1"))
            else:
                out.append((f.name, str(value)))
        return out

    def url(self, **changes: Any) -> str:
        form = replace(self, **changes) if changes else self
        if "page" not in changes:
            form = replace(form, page=1) if changes else form
        query = urlencode(form.params())
        return f"/search?{query}" if query else "/search"

    # one-click changes, for the sidebar and the active-filter chips

    def include_url(self, kind: str | None, name: str) -> str:
        spec = tag_spec(kind, name)
        return self.url(
            tag=[*self.tag, spec] if spec not in self.tag else self.tag,
            xtag=[t for t in self.xtag if t != spec],
        )

    def exclude_url(self, kind: str | None, name: str) -> str:
        spec = tag_spec(kind, name)
        return self.url(
            xtag=[*self.xtag, spec] if spec not in self.xtag else self.xtag,
            tag=[t for t in self.tag if t != spec],
        )

    def without_url(self, key: str, value: str) -> str:
        current = getattr(self, key)
        return self.url(**{key: [v for v in current if v != value]})

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    def facet_key(self) -> tuple[tuple[str, str], ...]:
        """What decides the facet counts: everything but the page and the order."""
        return tuple(p for p in self.params() if p[0] not in {"page", "sort"})

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    @property
    def is_empty(self) -> bool:
        return not [p for p in self.params() if p[0] not in {"page", "sort"}]

    def active(self) -> list[tuple[str, str, str]]:
        """(label, value, url without it) for each sidebar filter, for removable chips."""
        chips: list[tuple[str, str, str]] = []
        for key, label in (("tag", "+"), ("xtag", "−"), ("rating", "rating"),
                           ("category", "category"), ("xwarning", "no"), ("lang", "language")):  # fmt: skip
            for value in getattr(self, key):
                shown = _tag_shown(value) if key in {"tag", "xtag"} else value
                chips.append((label, shown, self.without_url(key, value)))
        if self.complete:
            chips.append(("", "complete" if self.complete == "yes" else "in progress",
                          self.url(complete="")))  # fmt: skip
        if self.words_min is not None or self.words_max is not None:
            low = f"{self.words_min:,}" if self.words_min is not None else "0"
            high = f"{self.words_max:,}" if self.words_max is not None else "∞"
            chips.append(("words", f"{low}–{high}", self.url(words_min=None, words_max=None)))
        if self.crossover != "any":
            shown = "no crossovers" if self.crossover == "exclude" else "crossovers only"
            chips.append(("", shown, self.url(crossover="any")))
        for key, shown in (("main", "main pairing only"), ("hide_read", "hiding read"),
                           ("author_only", "author tags only"),
                           ("no_blacklist", "blacklist off")):  # fmt: skip
            if getattr(self, key):
                chips.append(("", shown, self.url(**{key: False})))
        if self.guesses:
            chips.append(("guesses", GUESS_LEVELS[self.guesses], self.url(guesses="")))
        return chips

    def to_query(self, parse: ParseQuery | None = None) -> Query:
        """The query the box and the sidebar ask together (the box's syntax errors propagate)."""
        query = parse(self.q) if (parse and self.q) else Query(text=self.q)
        query.include += [TagGroup((_filter(spec, self.main),)) for spec in self.tag]
        query.exclude += [_filter(spec, False) for spec in self.xtag]
        query.exclude += [TagFilter(w, TagType.WARNING) for w in self.xwarning]
        query.ratings += [r for r in self.rating if r not in query.ratings]
        query.categories += [c for c in self.category if c not in query.categories]
        query.languages += [lang for lang in self.lang if lang not in query.languages]
        if self.complete:
            apply_filter(query, "complete", self.complete)
        if self.words_min is not None or self.words_max is not None:
            query.words = Range(
                self.words_min if self.words_min is not None else query.words.low,
                self.words_max if self.words_max is not None else query.words.high,
            )
        # each control as the box would say it: one meaning (library.filters' table)
        for on, key, value in (
            (self.crossover != "any", "crossover", self.crossover),
            (self.main, "main", "yes"),
            (self.hide_read, "hide", "read"),
            (self.author_only, "tags", "author"),
            (self.no_blacklist, "blacklist", "off"),
            (bool(self.guesses), "guesses", self.guesses),
            (bool(self.sort), "sort", self.sort),
        ):
            if on:
                apply_filter(query, key, value)
        return query


def _filter(spec: str, main: bool) -> TagFilter:
    kind, name = split_tag(spec)
    return TagFilter(name, kind, main=main and kind is TagType.RELATIONSHIP)


def pages(current: int, last: int, around: int = 2) -> Iterable[int | None]:
    """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
    shown = {1, last, *range(current - around, current + around + 1)}
    previous = 0
    for n in sorted(p for p in shown if 1 <= p <= last):
        if n - previous > 1:
            yield None
        yield n
        previous = n

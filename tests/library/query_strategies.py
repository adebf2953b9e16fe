"""Random library queries over a library's own tags (real AO3 and author spellings): what the
differential tests draw from — in-memory columns against SQL, one backend against another,
and the SQL against the conditions' own Python meaning."""

from __future__ import annotations

from hypothesis import strategies as st

from ficsift.library.query import (
    BlacklistEntry,
    BlacklistKind,
    Crossover,
    GuessHiding,
    Query,
    Range,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.model import TagType


def queries(vocab: dict[str, list[str]]) -> st.SearchStrategy[Query]:
    kinds = [
        k for k in ("fandom", "relationship", "character", "freeform", "warning") if k in vocab
    ]
    tag = st.sampled_from(kinds).flatmap(
        lambda k: st.builds(
            TagFilter,
            st.sampled_from(vocab[k][:40]),
            st.sampled_from([TagType(k), None]),
            st.booleans() if k == "relationship" else st.just(False),
        )
    )
    wildcard = st.sampled_from(["Willow Rosenberg/*", "*Bashir*", "Alternate Universe*"])
    group = st.lists(tag | st.builds(TagFilter, wildcard), min_size=1, max_size=2).map(
        lambda fs: TagGroup(tuple(fs))
    )
    bound = st.none() | st.integers(0, 30000)
    date = st.none() | st.sampled_from(["2010-01-01", "2015-06-30", "2019-12-31", "2023"])
    blacklisted = st.builds(
        BlacklistEntry,
        st.just(BlacklistKind.TAG),
        tag.map(lambda f: f.text),
        st.none() | st.just("Buffy the Vampire Slayer"),
    ) | st.builds(BlacklistEntry, st.just(BlacklistKind.WORK), st.integers(1, 120).map(str))
    return st.builds(
        Query,
        include=st.lists(group, max_size=2),
        exclude=st.lists(tag, max_size=2),
        ratings=st.lists(
            st.sampled_from(["General", "Teen", "Mature", "Explicit", "Not Rated"]), max_size=2
        ),
        complete=st.none() | st.booleans(),
        words=st.builds(Range, bound, bound),
        kudos=st.builds(Range, st.none() | st.integers(0, 2000), st.none()),
        updated=st.builds(Range, date, date),
        crossover=st.sampled_from(list(Crossover)),
        main_pairing=st.booleans(),
        max_relationships=st.none() | st.integers(0, 3),
        has_text=st.none() | st.booleans(),
        author_tags_only=st.booleans(),
        guesses=st.sampled_from(list(GuessHiding)),
        guess_bar=st.sampled_from([None, None, 0.0, 0.5, 0.9]),
        blacklist=st.lists(blacklisted, max_size=2),
        sort=st.sampled_from(list(Sort)),
    )

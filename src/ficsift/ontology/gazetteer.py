"""AO3's characters by the names prose calls them: which characters a name may be, and where
each is at home.

Built by ``scripts/build_ontology.py`` (``_build_names``): every character tag's full names,
given names and surnames, the other order of a two-word name, and its synonyms' base names.
A character's *homes* are the AO3 franchises its fandom links point to (a disambiguator, AO3
listings, ship data, or a fandom named after it), keeping those with a fair share of its links
(``Sherlock Holmes`` is at home in Sherlock Holmes, not in the odd crossover a listing shows).

The member is parsed on first use (understanding a story), never when the ontology is opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from ficsift.ontology._store import Store

HOME_SHARE = 0.2  # a franchise with less than this share of a character's links is no home
TOTALS_MEMBER = "gazetteer.totals"  # the ontology image's copy of the franchises' totals


class Gazetteer:
    def __init__(self, store: Store) -> None:
        self._s = store
        self._homes: dict[int, dict[str, int]] = {}

    @cached_property
    def _index(self) -> dict[str, Any]:
        data = self._s.member("gazetteer")
        if not data:
            return {}
        return dict(zip(data["forms"], data["ids"], strict=True))

    @cached_property
    def _things(self) -> frozenset[str]:
        data = self._s.member("gazetteer")
        return frozenset(data.get("things", ())) if data else frozenset()

    @cached_property
    def _partners(self) -> dict[str, list[int]]:
        data = self._s.member("gazetteer")
        return dict(data.get("partners", {})) if data else {}

    def partnered(self) -> list[int]:
        """The characters AO3's relationship tags pair with anyone."""
        return [int(i) for i in self._partners]

    def partners(self, i: int) -> tuple[int, ...]:
        """The characters AO3's relationship tags pair character ``i`` with, either way
        ("Jenny Calendar" → Rupert Giles, …)."""
        return tuple(self._partners.get(str(i), ()))

    def is_thing(self, form: str) -> bool:
        """``form`` is also an AO3 freeform tag ("England", "Hope"): not only a person."""
        return form in self._things

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, form: str) -> bool:
        return form in self._index

    def forms(self) -> Iterable[str]:
        """Every name the gazetteer knows."""
        return self._index.keys()

    def people(self, form: str) -> tuple[int, ...]:
        """Ids of the characters ``form`` (as written: "Noelle", "Noelle Holiday") may name."""
        v = self._index.get(form)
        if v is None:
            return ()
        return (v,) if isinstance(v, int) else tuple(v)

    def name(self, i: int) -> str:
        """The canonical character tag of an id."""
        return self._s.names[i]

    def fandoms(self, i: int) -> dict[str, int]:
        """Fandom → evidence count for character ``i``."""
        return {self._s.names[f]: n for f, n in self._s.links(i, "character").items()}

    @cached_property
    def people_ids(self) -> frozenset[int]:
        """Every character the gazetteer names."""
        out: set[int] = set()
        for v in self._index.values():
            if isinstance(v, int):
                out.add(v)
            else:
                out.update(v)
        return frozenset(out)

    @cached_property
    def sizes(self) -> dict[str, int]:
        """Franchise → how many of the gazetteer's characters are at home there."""
        return self._totals[0]

    @cached_property
    def weights(self) -> dict[str, int]:
        """Franchise → the sum over its characters of their evidence there, plus one each
        (how much AO3 tags the franchise's characters at all)."""
        return self._totals[1]

    @cached_property
    def _totals(self) -> tuple[dict[str, int], dict[str, int]]:
        # Kept in the ontology's image (0.2 s a command that understands a story, otherwise).
        kept = self._s.member(TOTALS_MEMBER)
        if kept is not None:
            return kept[0], kept[1]
        return self.count_totals()

    def count_totals(self) -> tuple[dict[str, int], dict[str, int]]:
        """:attr:`sizes` and :attr:`weights`, counted over every character."""
        sizes: dict[str, int] = {}
        weights: dict[str, int] = {}
        for i in self.people_ids:
            for fr, n in self.homes(i).items():
                sizes[fr] = sizes.get(fr, 0) + 1
                weights[fr] = weights.get(fr, 0) + n + 1
        return sizes, weights

    def homes(self, i: int) -> dict[str, int]:
        """Franchise → evidence count, the franchises with a fair share of ``i``'s links."""
        got = self._homes.get(i)
        if got is None:
            out: dict[str, int] = {}
            for f, n in self._s.links(i, "character").items():
                name = self._s.names[self._s.franchise(f)]
                out[name] = out.get(name, 0) + n
            total = sum(out.values())
            got = {f: n for f, n in out.items() if n >= HOME_SHARE * total}
            self._homes[i] = got
        return got

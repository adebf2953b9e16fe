"""Search: filters, full text and meaning, ranked with quality, every hit with its reasons.

``search`` compiles the reader's :class:`~ficsift.library.query.Query` through the library
(one place, :mod:`ficsift.library.compile`) and, when there is free text and the library
has text vectors, blends BM25 (normalised by the best hit's) with the cosine of the story
vectors, 0.6/0.4 as measured best by ``scripts/eval_semantic.py``, plus a small quality prior.  Filters always hold: the
semantic candidates are re-checked against the compiled query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from ficsift import derived_cache
from ficsift.library import Library
from ficsift.library.compile import TextTerms
from ficsift.library.query import (
    GuessHiding,
    Query,
    Sort,
    TagFilter,
    TagGroup,
)
from ficsift.library.tag_keys import KeyMatch, TagResolver
from ficsift.model import TagType
from ficsift.search import vector_ivf
from ficsift.search.index import SEMANTIC_MODEL, load_model
from ficsift.search.results import Hit, SearchPage
from ficsift.search.semantic import SemanticModel, VectorIndex

LEXICAL_DEPTH = 300  # BM25 candidates fused
SEMANTIC_DEPTH = 300  # nearest neighbours fused
SEMANTIC_WEIGHT = 0.4  # cosine's share of the blend; BM25 (normalised) has the rest
QUALITY_WEIGHT = 0.05  # quality breaks near-ties, never drowns relevance
MIN_COSINE = 0.2  # a semantic-only candidate below this is not a match
# Tags this share of the works carry are asked for at warm-up: a first search for one of
# them read ~1% of the library's tag rows from disk (at 1M works ~100 ms for "Fluff", 8 ms
# once kept), and they are the tags readers and the facet links ask for most.
WIDE_TAG_SHARE = 0.01
WIDE_TAGS_KEPT = 64  # at most (1 MB each at 1M works), well inside the filter cache
_FILTERED_TAG_TYPES = {t.value for t in (TagType.FANDOM, TagType.RELATIONSHIP,
                       TagType.CHARACTER, TagType.FREEFORM, TagType.WARNING)}  # fmt: skip

_RESOLVER = TagResolver()
_Kept = TypeVar("_Kept")
_VECTOR_CACHE: dict[tuple[str, str], tuple[SemanticModel, VectorIndex] | None] = {}


def resolver() -> TagResolver:
    return _RESOLVER


def _semantic(lib: Library) -> tuple[SemanticModel, VectorIndex] | None:
    """The library's text vectors and model, loaded once and kept until they change."""
    # by identity, not object: a server's fresh handle on the same library (see
    # web.state) shares what the one before it loaded
    key = (lib.cache_identity() or f"object {id(lib)}", lib.vectors_stamp(SEMANTIC_MODEL))
    if key in _VECTOR_CACHE:
        return _VECTOR_CACHE[key]
    _VECTOR_CACHE.clear()  # one library per process at a time is the common case
    model_stamp = lib.model_stamp(SEMANTIC_MODEL) or ""
    model = _kept_for_library(
        lib, "model", model_stamp, lambda: load_model(lib),
        SemanticModel.to_mapped, SemanticModel.from_mapped,
    )  # fmt: skip
    if model is None:
        _VECTOR_CACHE[key] = None
        return None
    # the index's format and inverted-file settings are part of its key: an entry of an
    # older layout is rebuilt, never read as this one
    index_stamp = f"{key[1]} index {VectorIndex.FORMAT} {vector_ivf.settings()}"
    index = _kept_for_library(
        lib, "vectors", index_stamp, lambda: _read_vector_index(lib),
        VectorIndex.to_bytes, VectorIndex.from_bytes,
    )  # fmt: skip
    loaded = _VECTOR_CACHE[key] = (model, index) if index else None
    return loaded


def _kept_for_library(
    lib: Library,
    what: str,
    stamp: str,
    build: Callable[[], _Kept | None],
    dump: Callable[[_Kept], bytes],
    load: Callable[[memoryview], _Kept],
) -> _Kept | None:
    """``build()``, kept in the user's cache folder for this library and ``stamp``: a
    one-shot command maps the entry in a millisecond where reading the library's rows costs
    ~0.05-0.07 s per 10k works.  A library without an identity (no place of its own) is
    read every time; a damaged entry is rebuilt."""
    identity = lib.cache_identity()
    if identity is None:
        return build()
    entry = f"{what}-" + derived_cache.make_key(identity)[:12]
    key = derived_cache.make_key(what, identity, stamp)
    cached = derived_cache.read(entry, key, sampled=True)  # numbers: see derived_cache
    if cached is not None:
        try:
            return load(cached)
        except ValueError:
            pass
    built = build()
    if built is not None and derived_cache.writable():
        derived_cache.write(entry, key, dump(built), sampled=True)
    return built


def _read_vector_index(lib: Library) -> VectorIndex | None:
    matrix = _vector_matrix(lib)
    return VectorIndex(*matrix) if matrix is not None else None


def _vector_matrix(lib: Library) -> tuple[np.ndarray, np.ndarray] | None:
    """(ids, one row per id) of the library's text vectors, read a page at a time into one
    array sized by their count: at 1M works each copy of the rows is 1 GB, and the index
    makes its own (grouped) one.  A row of another width than the first (damaged) is
    left out; rows stored meanwhile beyond the count are added at the end."""
    count = lib.vector_count(SEMANTIC_MODEL)
    ids = np.empty(count, dtype=np.int64)
    rows: np.ndarray | None = None
    filled = 0
    more_ids: list[np.ndarray] = []
    more_rows: list[np.ndarray] = []
    for page in lib.vector_pages(SEMANTIC_MODEL):
        # the rows' width: the commonest of the first page (a damaged first row is not it)
        width = _commonest_width(page) if rows is None else rows.shape[1] * 4
        if rows is None:
            if width == 0 or width % 4:
                return None  # not float32 rows: nothing to search by meaning
            rows = np.empty((count, width // 4), dtype="<f4")
        page = [(i, b) for i, b in page if len(b) == width]
        page_ids = np.fromiter((i for i, _ in page), dtype=np.int64, count=len(page))
        block = np.frombuffer(b"".join(b for _, b in page), dtype="<f4").reshape(len(page), -1)
        fits = min(len(page), count - filled)
        ids[filled : filled + fits] = page_ids[:fits]
        rows[filled : filled + fits] = block[:fits]
        filled += fits
        if fits < len(page):  # (copies: a view would hold on to the page)
            more_ids.append(page_ids[fits:].copy())
            more_rows.append(block[fits:].copy())
    if rows is None or filled + len(more_ids) == 0:
        return None
    if more_ids:
        return np.concatenate([ids[:filled], *more_ids]), np.concatenate(
            [rows[:filled], *more_rows]
        )
    return ids[:filled], rows[:filled]


def _commonest_width(page: list[tuple[int, bytes]]) -> int:
    widths = np.array([len(b) for _, b in page], dtype=np.int64)
    values, counts = np.unique(widths, return_counts=True)
    return int(values[np.argmax(counts)])


def warm_up(lib: Library) -> None:
    """Load what the first search would: the ontology, text vectors, facet counts.

    A server calls this once at start (in the background) so no reader waits for it.
    """
    _RESOLVER.primer  # noqa: B018 - loads the primer and the ontology
    _semantic(lib)
    lib.load_search_caches()
    lib.find(Query(use_blacklist=False), _RESOLVER, limit=1, facets=1)
    for kind, name in lib.widely_used_tags(WIDE_TAG_SHARE, WIDE_TAGS_KEPT):
        if kind in _FILTERED_TAG_TYPES:
            _ask_for_tag(lib, name, TagType(kind))


def _ask_for_tag(lib: Library, name: str, kind: TagType) -> None:
    """Find the works of one tag as a facet link (typed) and the search box (``tag:``,
    any type) ask for it, so its works are in the filter cache before a reader asks."""
    for asked in {kind, None}:
        query = Query(include=[TagGroup((TagFilter(name, asked),))], use_blacklist=False)
        lib.find(query, _RESOLVER, limit=1)


def search(
    lib: Library, query: Query, *, offset: int = 0, limit: int = 20, facets: int = 0
) -> SearchPage:
    """One page of works matching ``query``, best first, with reasons and facet counts."""
    started = time.perf_counter()
    if query.use_blacklist and not query.blacklist:
        query = replace(query, blacklist=lib.blacklist())
    words = TextTerms.of(query.text) if query.text else None
    semantic = _semantic(lib) if words and query.semantic else None  # words to mean
    if query.text and query.sort == Sort.RELEVANCE and semantic is not None:
        ranked, total, facet_counts, cosines, lexical, facets_from = _hybrid(
            lib, query, semantic, facets
        )
        page = ranked[offset : offset + limit]
    else:
        found = lib.find(query, _RESOLVER, offset=offset, limit=limit, facets=facets)
        page, total, facet_counts, cosines = found.page, found.total, found.facets, {}
        facets_from = found.facets_from
        lexical = {i for i, _ in page}
    ids = [i for i, _ in page]
    blurbs = lib.blurbs(ids)
    # only works the words matched have a passage to show (meaning-only hits have none)
    snippets = lib.snippets([i for i in ids if i in lexical], list(words.positive)) if words else {}
    matchers = _matchers(lib, query)
    tag_keys = lib.tag_keys(ids) if matchers else {}
    hits = []
    for work_id, score in page:
        blurb = blurbs.get(work_id)
        if blurb is None:
            continue
        why = _why(query, matchers, tag_keys.get(work_id, []), snippets.get(work_id),
                   cosines.get(work_id), blurb.quality, work_id in lexical)  # fmt: skip
        hits.append(Hit.of(blurb, score, why, snippets.get(work_id)))
    return SearchPage(
        total=total, hits=hits, facets=facet_counts, described=query.describe(), offset=offset,
        limit=limit, hidden_by_guesses=_hidden_by_guesses(lib, query),
        took_ms=(time.perf_counter() - started) * 1000,
        facets_from=facets_from if facet_counts else 0,
    )  # fmt: skip


def _hidden_by_guesses(lib: Library, query: Query) -> int:
    """How many works the words and filters match that guessed tags alone hide (an exclusion
    or a blacklisted tag acting on ficsift's guess, not on the author's tag): the search says
    so and links to them (``guesses:only``).  One count, asked only of a query that hides
    by tags at all."""
    if not query.hides_by_tags or query.guesses is not GuessHiding.HIDE or query.author_tags_only:
        return 0
    only = replace(query, guesses=GuessHiding.ONLY, sort=Sort.RELEVANCE)
    return lib.find(only, _RESOLVER, limit=0).total


def _hybrid(
    lib: Library, query: Query, semantic: tuple[SemanticModel, VectorIndex], facets: int
) -> tuple[
    list[tuple[int, float]], int, dict[str, list[tuple[str, int]]], dict[int, float], set[int],
    int,
]:  # fmt: skip
    model, index = semantic
    lexical = lib.find(
        query, _RESOLVER, limit=LEXICAL_DEPTH, facets=facets, count_facets=False, match_ids=True
    )
    query_vector = model.embed_query(query.text)
    nearest = [
        (i, c) for i, c in index.top_k(query_vector, SEMANTIC_DEPTH)
        if c >= MIN_COSINE
    ]  # fmt: skip
    cosines = dict(nearest)
    # Semantic candidates must pass every filter too: re-check them through the compiler,
    # without the words (meaning may match where the words do not).
    allowed: set[int] = set()
    if nearest:
        check = replace(query, text="", work_ids=[i for i, _ in nearest], sort=Sort.RELEVANCE)
        allowed = {i for i, _ in lib.find(check, _RESOLVER, limit=len(nearest)).page}
    # Score blend (measured better than rank fusion in scripts/eval_semantic.py): BM25
    # normalised by the best candidate's, plus cosine; works only the meaning found get
    # the cosine part alone.
    best_bm25 = max((b for _, b in lexical.page), default=0.0) or 1.0
    if lexical.page:
        ids = np.array([i for i, _ in lexical.page], dtype=np.int64)
        cosines.update(index.top_k(query_vector, len(ids), allowed=ids))
    fused: dict[int, float] = {}
    for work_id, bm25 in lexical.page:
        fused[work_id] = (1 - SEMANTIC_WEIGHT) * bm25 / best_bm25 + SEMANTIC_WEIGHT * max(
            cosines.get(work_id, 0.0), 0.0
        )
    for work_id, cosine in nearest:
        if work_id in allowed and work_id not in fused:
            fused[work_id] = SEMANTIC_WEIGHT * cosine
    qualities = _qualities(lib, list(fused))
    # A work titled as the words comes first, as in the words-only order.
    exact = lexical.exact
    ranked = sorted(
        ((i, s + QUALITY_WEIGHT * qualities.get(i, 0.0)) for i, s in fused.items()),
        key=lambda x: (x[0] not in exact, -x[1], x[0]),
    )
    extra = allowed - {i for i, _ in lexical.page}
    if not extra or lexical.total <= len(lexical.page):
        extra_lexical = 0
    elif lexical.match_ids is not None:
        # Beyond the lexical page, a work the meaning found may match the words too: count
        # it once.
        extra_lexical = len(extra & lexical.match_ids)
    else:
        check = replace(query, work_ids=sorted(extra), sort=Sort.RELEVANCE)
        extra_lexical = lib.find(check, _RESOLVER, limit=0).total
    total = lexical.total + len(extra) - extra_lexical
    matched = {i for i, _ in lexical.page}
    shown = {i: c for i, c in cosines.items() if i in allowed or i in matched}
    # Facets count every result: the words' matches and the works only the meaning found.
    counted = list(dict.fromkeys([*lexical.facet_ids, *sorted(extra)]))
    facet_counts = lib.facet_counts(counted, facets) if facets else {}
    return ranked, total, facet_counts, shown, matched, len(counted)


def _qualities(lib: Library, ids: list[int]) -> dict[int, float]:
    return lib.qualities(ids) if ids else {}


def _matchers(lib: Library, query: Query) -> list[tuple[TagFilter, KeyMatch]]:
    return [(f, lib.tag_match(f, _RESOLVER)) for g in query.include for f in g.any_of]


def _hits_tag(match: KeyMatch, key: str) -> bool:
    return match.hits(key)


def _why(
    query: Query, matchers: list[tuple[TagFilter, KeyMatch]], keys: list[tuple[str, str, str]],
    snippet: str | None, cosine: float | None, quality: float | None, words_matched: bool,
) -> list[str]:  # fmt: skip
    reasons: list[str] = []
    for f, match in matchers:
        shown = sorted({display for kind, key, display in keys
                        if (f.type is None or f.type.value == kind) and _hits_tag(match, key)})  # fmt: skip
        if shown:
            asked = "" if shown == [f.text] else f" for “{f.text}”"
            reasons.append("tagged " + ", ".join(shown[:3]) + asked)
    if snippet:
        reasons.append(f"text: {snippet}")
    elif query.text and words_matched:
        reasons.append(f"words “{query.text}” in title, authors, summary, tags or notes")
    if cosine is not None and cosine >= MIN_COSINE:
        reasons.append(f"close in meaning (cosine {cosine:.2f})")
    if quality is not None and query.sort in (Sort.RELEVANCE, Sort.QUALITY):
        reasons.append(f"quality {quality:.2f}")
    return reasons


def quality_report(lib: Library, work_id: int) -> list[str]:
    """How a work's quality score was made (``ficsift why``)."""
    detail = lib.score_detail(work_id)
    if detail is None:
        return [f"work {work_id} has no quality score yet (run `ficsift index`)"]
    score, basis, data = detail
    lines = [f"quality {score:.2f} from {basis}"]
    for name, value, weight, text in data.get("parts", []):
        lines.append(f"  {name:<16} {value:.2f} × {weight:.2f}  {text}".rstrip())
    return lines


def work_json_extra(lib: Library, work_id: int) -> dict[str, Any]:
    """Search-side facts about one work for `show --json`: quality and reading state."""
    detail = lib.score_detail(work_id)
    reading = lib.reading(work_id)
    return {
        "quality": None if detail is None else round(detail[0], 4),
        "reading": reading.to_json() if reading else None,
    }

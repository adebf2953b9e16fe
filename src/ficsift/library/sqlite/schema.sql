-- ficsift embedded library (the version is SCHEMA_VERSION in sqlite.py; an older library is
-- upgraded on open, see SqliteLibrary._migrate).
-- works: one row per story, its shown fields merged from its sources (library/merge.py).
-- sources: one row per place a work was read from; the source's document is kept whole
--          (JSON, chapter bodies in `chapters`) so merges can be recomputed at any time.
-- files: files read completely; a file row is written in the same transaction as its
--        sources, so an interrupted import never marks a half-read file as done.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS works (
    id             INTEGER PRIMARY KEY,
    work_key       TEXT UNIQUE,
    anchors        INTEGER NOT NULL DEFAULT 0,
    title          TEXT NOT NULL DEFAULT '',
    authors        TEXT NOT NULL DEFAULT '[]',
    summary        TEXT,
    language       TEXT,
    rating         TEXT,
    status         TEXT NOT NULL DEFAULT 'unknown',
    words          INTEGER NOT NULL DEFAULT 0,
    chapters       INTEGER NOT NULL DEFAULT 0,
    chapters_total INTEGER,
    published      TEXT,
    updated        TEXT,
    completed      TEXT,
    kudos          INTEGER,
    hits           INTEGER,
    bookmarks      INTEGER,
    comments       INTEGER,
    has_text       INTEGER NOT NULL DEFAULT 0,
    format         TEXT,
    text_source_id INTEGER,
    added_at       TEXT NOT NULL,
    modified_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sources (
    id         INTEGER PRIMARY KEY,
    work_id    INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    locator    TEXT NOT NULL UNIQUE,
    file_path  TEXT NOT NULL,
    format     TEXT NOT NULL,
    url        TEXT,
    sha256     TEXT,
    has_text   INTEGER NOT NULL DEFAULT 0,
    chapters   INTEGER NOT NULL DEFAULT 0,
    words      INTEGER NOT NULL DEFAULT 0,
    document   TEXT NOT NULL,
    read_seq   INTEGER NOT NULL,
    added_at   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_work ON sources(work_id);
CREATE INDEX IF NOT EXISTS sources_file ON sources(file_path);

CREATE TABLE IF NOT EXISTS chapters (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    title     TEXT,
    text      TEXT NOT NULL,
    html      TEXT NOT NULL,
    notes     TEXT NOT NULL DEFAULT '[]',
    end_notes TEXT NOT NULL DEFAULT '[]',
    summary   TEXT,
    words     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, idx)
);

-- work_tags (schema 1–5) held each work's tags a second time; tag_index has them all.
DROP TABLE IF EXISTS work_tags;

-- text_anchors: sampled shingle hashes of each work's opening (library/fingerprint.py).
CREATE TABLE IF NOT EXISTS text_anchors (
    value   INTEGER NOT NULL,
    work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    PRIMARY KEY (value, work_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS text_anchors_work ON text_anchors(work_id);

CREATE TABLE IF NOT EXISTS files (
    path      TEXT PRIMARY KEY,
    sha256    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    mtime     REAL NOT NULL,
    documents INTEGER NOT NULL,
    read_at   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS work_updates (
    work_id         INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    source_path     TEXT NOT NULL,
    chapters_before INTEGER NOT NULL,
    chapters_after  INTEGER NOT NULL,
    words_before    INTEGER NOT NULL,
    words_after     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS work_updates_work ON work_updates(work_id);

-- Search (schema version 2).  tag_index: one row per (work, tag key, origin), keys made by
-- library/tag_keys.py; `effective` marks the tags a filter reads (for rating, category and
-- warnings the author's when given, else ficsift's); `main` the work's main pairing;
-- `inherited` rows are a tag's meta tags (Vampire Willow Rosenberg → Vampires → Mythical
-- Beings & Creatures), so a filter on a meta tag is one key, not thousands of sub-tags.
CREATE TABLE IF NOT EXISTS tag_index (
    work_id    INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    key        TEXT NOT NULL,
    display    TEXT NOT NULL,
    origin     TEXT NOT NULL,
    main       INTEGER NOT NULL DEFAULT 0,
    effective  INTEGER NOT NULL DEFAULT 1,
    confidence REAL,
    inherited  INTEGER NOT NULL DEFAULT 0,
    hides      INTEGER NOT NULL DEFAULT 1,  -- may hide a work: the author's, or a sure guess
    PRIMARY KEY (key, type, work_id, origin)
) WITHOUT ROWID;
-- A work's own tags, read for every blurb and "why" line, straight from this index (covering:
-- no lookup into the table per tag, which cost ~5 µs a tag).
DROP INDEX IF EXISTS tag_index_work;
CREATE INDEX IF NOT EXISTS tag_index_by_work ON tag_index(
    work_id, inherited, effective, type, key, display, origin, main, confidence
);

-- tag_names: every distinct (type, key) the library has seen, so a wildcard is matched
-- against tens of thousands of names rather than millions of tag rows.
CREATE TABLE IF NOT EXISTS tag_names (
    type    TEXT NOT NULL,
    key     TEXT NOT NULL,
    display TEXT NOT NULL,  -- the greatest any work gave it (a facet's name)
    number  INTEGER,           -- a small integer of its own: search_rows.facet_tags lists them
    PRIMARY KEY (type, key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS tag_names_number ON tag_names(number);

-- work_facts: per-work values filters need that are not columns of works.
CREATE TABLE IF NOT EXISTS work_facts (
    work_id       INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    language      TEXT,
    fandoms       INTEGER NOT NULL DEFAULT 0,
    relationships INTEGER NOT NULL DEFAULT 0,
    rating        TEXT,
    notes         TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT ''  -- the tag names full text searches (search_index)
);
CREATE INDEX IF NOT EXISTS work_facts_language ON work_facts(language);

-- search_rows: one narrow row per work with everything filters and sorts read, so a search
-- scans a few MB rather than the wide works rows (and can walk a sort index and stop early).
CREATE TABLE IF NOT EXISTS search_rows (
    id            INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    words         INTEGER NOT NULL,
    chapters      INTEGER NOT NULL,
    kudos         INTEGER,
    hits          INTEGER,
    bookmarks     INTEGER,
    comments      INTEGER,
    has_text      INTEGER NOT NULL,
    published     TEXT,
    updated       TEXT,
    title_key     TEXT NOT NULL,
    language      TEXT,
    fandoms       INTEGER NOT NULL,
    relationships INTEGER NOT NULL,
    rating        TEXT,
    quality       REAL,
    title_norm    TEXT,      -- the title's words, case-folded: an exact title match ranks first
    franchises    INTEGER,   -- franchises the fandoms belong to: 2 or more is a crossover
    abandoned_since TEXT,    -- a work in progress counts as abandoned from this day (wip:)
    facet_tags    TEXT       -- its own effective tags' numbers, "3,17,42" (the facet cache reads them)
);
CREATE INDEX IF NOT EXISTS search_rows_title ON search_rows(title_norm);

-- work_series: the series a work is part of (series:"Name"); key is the name case-folded.
CREATE TABLE IF NOT EXISTS work_series (
    work_id INTEGER NOT NULL REFERENCES works(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    name    TEXT NOT NULL,
    part    INTEGER
);
CREATE INDEX IF NOT EXISTS work_series_key ON work_series(key, work_id);
CREATE INDEX IF NOT EXISTS work_series_work ON work_series(work_id);
CREATE INDEX IF NOT EXISTS search_rows_quality ON search_rows(quality);
CREATE INDEX IF NOT EXISTS search_rows_kudos ON search_rows(kudos);
CREATE INDEX IF NOT EXISTS search_rows_words ON search_rows(words);
CREATE INDEX IF NOT EXISTS search_rows_updated ON search_rows(updated);
CREATE INDEX IF NOT EXISTS search_rows_published ON search_rows(published);

-- work_text: what full-text search indexes, assembled from the work row, its facts and the
-- chapters of its text source; work_fts and head_fts read it (external content), so no story
-- text is stored twice.  Schema 6 (Porter stemming, a tags column, the head table) rebuilt
-- both from this view on open (SqliteLibrary._migrate).
CREATE VIEW IF NOT EXISTS work_text AS
SELECT w.id AS work_id, w.title AS title, w.authors AS authors,
       coalesce(w.summary, '') AS summary, coalesce(f.tags, '') AS tags,
       coalesce(f.notes, '') AS notes,
       coalesce((SELECT group_concat(text, char(10)) FROM
                 (SELECT text FROM chapters c WHERE c.source_id = w.text_source_id ORDER BY idx)), '') AS body
FROM works w LEFT JOIN work_facts f ON f.work_id = w.id;

-- work_fts: every field, for matching (a work must hold the words somewhere) and for the body
-- part of the score.  head_fts: the short fields alone, so their BM25 is normalised by their
-- own length, not by a novel's (a title word in a 100k-word story counts as much as in a
-- two-line listing blurb).  Porter-stemmed: "changelings" finds "changeling".
CREATE VIRTUAL TABLE IF NOT EXISTS work_fts USING fts5(
    title, authors, summary, tags, notes, body,
    content='work_text', content_rowid='work_id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS head_fts USING fts5(
    title, authors, summary, tags,
    content='work_text', content_rowid='work_id',
    tokenize='porter unicode61 remove_diacritics 2'
);

-- Term postings (term_postings.py): each term's works and weighted frequencies, in
-- segments, so a text search scores every match at once; text_dirty: works whose full text
-- changed since (the store marks them in the transaction that changes it).
CREATE TABLE IF NOT EXISTS term_postings (
    term     TEXT NOT NULL,
    segment  INTEGER NOT NULL,
    ids      BLOB NOT NULL,   -- <i8 work ids, ascending
    head     BLOB NOT NULL,   -- <f4 the term's weighted frequency in the head fields (0: none)
    body     BLOB NOT NULL,   -- <f4 its frequency in notes and body
    PRIMARY KEY (term, segment)
);
CREATE TABLE IF NOT EXISTS term_docs (
    work_id  INTEGER PRIMARY KEY,
    segment  INTEGER NOT NULL,
    head_len INTEGER NOT NULL,  -- tokens in the head fields (head_fts's docsize)
    work_len INTEGER NOT NULL   -- tokens in every field (work_fts's docsize)
);
CREATE TABLE IF NOT EXISTS text_dirty (work_id INTEGER PRIMARY KEY);

-- The reader's own state: never touched by imports.
CREATE TABLE IF NOT EXISTS reading (
    work_id    INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    status     TEXT,
    rating     INTEGER,
    notes      TEXT NOT NULL DEFAULT '',
    position   TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reading_status ON reading(status);

CREATE TABLE IF NOT EXISTS blacklist (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    fandom   TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL,
    UNIQUE (kind, value, fandom)
);

-- Derived by the search stage (quality scores, text vectors); a work's rows are dropped
-- whenever the work changes, so "stale" is simply "missing".
CREATE TABLE IF NOT EXISTS work_scores (
    work_id INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    quality REAL NOT NULL,
    basis   TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS work_scores_quality ON work_scores(quality);

CREATE TABLE IF NOT EXISTS work_vectors (
    work_id INTEGER PRIMARY KEY REFERENCES works(id) ON DELETE CASCADE,
    model   TEXT NOT NULL,
    vector  BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS models (
    name      TEXT PRIMARY KEY,
    data      BLOB NOT NULL,
    works     INTEGER NOT NULL,
    fitted_at TEXT NOT NULL
);


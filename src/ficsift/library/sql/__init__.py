"""The SQL both backends speak: the store algorithm (merging, dedupe, indexing), what front
ends read of stored works, the reader's state, derived data, finding and facet counting —
written once, with each backend's :class:`~ficsift.library.sql.store_core.Dialect` and
connection.  SQLite (:mod:`ficsift.library.sqlite`) and PostgreSQL
(:mod:`ficsift.library.postgresql`) add what only they can say; no SQL lives elsewhere."""

"""The archive backend: PostgreSQL (psycopg 3), full text in weighted tsvectors."""

from ficsift.library.postgresql.library import PostgresLibrary

__all__ = ["PostgresLibrary"]

"""Stage 4, search: the query language, filters, full text and meaning, quality, more like this.

from ficsift.search import parse_query, search
page = search(library, parse_query('vampire willow -"Major Character Death" sort:quality'))
"""

from ficsift.library.filters import query_to_text
from ficsift.search.engine import quality_report, search
from ficsift.search.index import refresh
from ficsift.search.parse import QuerySyntaxError, parse_query
from ficsift.search.results import Hit, SearchPage
from ficsift.search.similar import similar

__all__ = [
    "Hit",
    "QuerySyntaxError",
    "SearchPage",
    "parse_query",
    "quality_report",
    "query_to_text",
    "refresh",
    "search",
    "similar",
]

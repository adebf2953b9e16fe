"""Search: free text, semantic vectors, filters and ranking."""

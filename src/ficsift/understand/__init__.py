"""Stage 2: understanding the story itself (fandom, characters, pairings, tags, warnings)."""

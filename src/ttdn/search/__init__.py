"""One search interface over the material in every language of the border, with an SQLite FTS5 and a
PostgreSQL full-text backend that give the same results (Lao/Khmer/Chinese cut into cluster pairs, not trigrams)."""

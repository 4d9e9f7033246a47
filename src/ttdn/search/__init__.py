"""One search interface over the material in every language of the border, with an SQLite FTS5 and a
PostgreSQL full-text + trigram backend that give the same results."""

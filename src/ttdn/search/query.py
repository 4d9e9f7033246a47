"""What a person types, cut by the same pipeline as the documents and written out for each backend.

A query is a list of terms, all required (or, as a fallback when that finds nothing, any of them). A term
is one or more alternatives; an alternative is a set of phrases that must all occur; a phrase is a run of
adjacent tokens, possibly ending in a prefix. A quoted text is a phrase; `giới*` is a prefix; a Lao, Khmer
or Chinese run is the phrase of its cluster pairs (it is found inside longer runs), or, when ICU's dictionary
cuts it into several words, those words wherever they stand (a document that separates them with spaces
or zero-width spaces, a query typed without them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ttdn.search.normalize import Piece, clusters, fold, icu_words, pieces, run_bigrams

MAX_TERMS = 16
MAX_QUERY_LENGTH = 1000  # characters read from a query; the rest is ignored
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]
    prefix: bool = False


Alternative = tuple[Phrase, ...]


@dataclass
class Term:
    alternatives: list[Alternative]


@dataclass
class ParsedQuery:
    terms: list[Term] = field(default_factory=list)
    # For highlighting: folded words, folded word prefixes, folded runs of unspaced scripts.
    words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    runs: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.terms)


_PART = re.compile(r'"([^"]*)"?|(\S+)')


def _run_term(run: str, parsed: ParsedQuery) -> Term:
    parsed.runs.add(run)
    parts = clusters(run)
    if len(parts) == 1:
        return Term([(Phrase((run,), prefix=True),)])
    alternatives: list[Alternative] = [(Phrase(tuple(run_bigrams(parts))),)]
    words = [w for w in icu_words(run) if w.strip()]
    if len(words) > 1:
        alt = []
        for word in words:
            wparts = clusters(word)
            alt.append(Phrase(tuple(run_bigrams(wparts))) if len(wparts) > 1 else Phrase((word,), prefix=True))
        alternatives.append(tuple(alt))
    return Term(alternatives)


def _spaced_terms(words: list[Piece], prefix: bool, parsed: ParsedQuery) -> list[Term]:
    tokens = tuple(w.text for w in words if len(w.text) <= MAX_TOKEN_LENGTH)
    if not tokens:
        return []
    parsed.words.update(tokens[:-1] if prefix else tokens)
    if prefix:
        parsed.prefixes.add(tokens[-1])
    return [Term([(Phrase(tokens, prefix=prefix),)])]


def _terms_of(text: str, quoted: bool, parsed: ParsedQuery) -> list[Term]:
    """A quoted text keeps its spaced words together as a phrase; a bare word may be split by punctuation
    (H'Mông, Việt-Lào), and its parts are a phrase too. Unspaced runs are terms of their own."""
    prefix = not quoted and text.endswith("*")
    folded = fold(text.rstrip("*") if prefix else text)
    terms: list[Term] = []
    group: list[Piece] = []
    found = list(pieces(folded))
    for piece in found:
        if piece.unspaced:
            terms += _spaced_terms(group, False, parsed)
            group = []
            terms.append(_run_term(piece.text, parsed))
        else:
            group.append(piece)
    terms += _spaced_terms(group, prefix, parsed)
    return terms


def parse(text: str) -> ParsedQuery:
    parsed = ParsedQuery()
    for m in _PART.finditer((text or "")[:MAX_QUERY_LENGTH]):
        quoted, bare = m.group(1), m.group(2)
        if quoted is not None:
            parsed.terms += _terms_of(quoted, True, parsed)
        elif bare:
            parsed.terms += _terms_of(bare, False, parsed)
    parsed.terms = parsed.terms[:MAX_TERMS]
    return parsed


# ------------------------------------------------------------------------------------------ backends


def _fts5_phrase(p: Phrase) -> str:
    return '"' + " ".join(p.tokens) + '"' + ("*" if p.prefix else "")


def _group(parts: list[str], op: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {op} ".join(parts) + ")"


def to_fts5(parsed: ParsedQuery, any_term: bool = False) -> str:
    """The FTS5 MATCH expression. Tokens hold only letters, digits and marks, so quoting is enough."""
    terms = [
        _group([_group([_fts5_phrase(p) for p in alt], "AND") for alt in term.alternatives], "OR")
        for term in parsed.terms
    ]
    return f" {'OR' if any_term else 'AND'} ".join(terms)


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def phrase_tsquery(p: Phrase) -> str:
    """One phrase as a tsquery literal (also alone: PostgreSQL weighs each phrase of a query on its own)."""
    lexemes = [_lexeme(t) for t in p.tokens]
    if p.prefix:
        lexemes[-1] += ":*"
    return _group(lexemes, "<->")


def to_tsquery(parsed: ParsedQuery, any_term: bool = False) -> str:
    """A tsquery literal (cast with ::tsquery, so no parser cuts the tokens again)."""
    terms = [
        _group([_group([phrase_tsquery(p) for p in alt], "&") for alt in term.alternatives], "|")
        for term in parsed.terms
    ]
    return f" {'|' if any_term else '&'} ".join(terms)

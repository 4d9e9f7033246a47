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
import unicodedata
from dataclasses import dataclass, field, replace

from ttdn.search import lexicon
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
    # Words of a spaced script as typed (not an unspaced run): a neighbour of the next such term.
    spaced: bool = False
    # Its one word as typed, when typed with marks (lower case, normalised): which word of the list it is.
    typed: str | None = None
    # A Lao, Khmer, Thai or Chinese run's words (ICU's) wherever they stand: searched only when no document
    # holds the run (`ParsedQuery.relaxed`), so pieces of other words never rank with the word itself.
    loose: list[Alternative] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)


@dataclass
class ParsedQuery:
    terms: list[Term] = field(default_factory=list)
    # For highlighting: folded words, folded word prefixes, folded runs of unspaced scripts.
    words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    runs: set[str] = field(default_factory=set)
    # Proximity: term index -> the phrase of its word and the next term's first word, scored when present
    # and never required (see `_adjacent_pairs`).
    pairs: dict[int, Phrase] = field(default_factory=dict)
    # For highlighting: each folded word typed with its marks, as typed (`tone_key`), and the words typed
    # without: a "Mơ" query marks "Mơ", not "mở"; "mo" marks both (see snippets.spans).
    marked: dict[str, set[str]] = field(default_factory=dict)
    plain: set[str] = field(default_factory=set)
    # Runs whose words a document may write apart (spaces, zero-width spaces): their words, folded.
    split_runs: set[tuple[str, ...]] = field(default_factory=set)

    def marks_word(self, folded: str, written: str) -> bool:
        """Whether a word of a text (folded, and as written) is one the query asked for, tones included."""
        if folded not in self.words:
            return False
        wanted = self.marked.get(folded)
        return wanted is None or folded in self.plain or tone_key(written) in wanted

    def __bool__(self) -> bool:
        return bool(self.terms)

    def has_pieces(self) -> bool:
        """Whether a run of the query has words of its own (ICU's), which `with_pieces` looks for apart."""
        return any(term.loose for term in self.terms)

    def with_pieces(self) -> ParsedQuery:
        """The query with every run's words also wherever they stand, and marked where they stand: the
        second tier of results, after the items holding each run whole, and the relaxed query."""
        terms = [Term([*t.alternatives, *t.loose], t.spaced, t.typed) for t in self.terms]
        runs = self.runs | {piece for t in self.terms for piece in t.pieces}
        return replace(self, terms=terms, runs=runs)


_PART = re.compile(r'"([^"]*)"?|(\S+)')


def _alone(word: str, last: bool) -> tuple[list[str], bool]:
    """The tokens a word of an unspaced script is indexed under when written alone (its cluster pairs, then
    its last cluster), as the start of a phrase; the last word's closing cluster left out, and a last word of
    one cluster a prefix (either may be glued to what follows in the document)."""
    parts = clusters(word)
    if len(parts) == 1:
        return [word], last
    return run_bigrams(parts) + ([] if last else [parts[-1]]), False


def _run_term(run: str, parsed: ParsedQuery) -> Term:
    parsed.runs.add(run)
    parts = clusters(run)
    if len(parts) == 1:
        return Term([(Phrase((run,), prefix=True),)])
    alternatives: list[Alternative] = [(Phrase(tuple(run_bigrams(parts))),)]
    words = [w for w in icu_words(run) if w.strip()]
    loose: list[Alternative] = []
    if len(words) > 1:
        # The words ICU finds in the run, written apart with spaces or zero-width spaces: one phrase of the
        # tokens each has alone, so only those words next to each other match, not pieces of other words
        # (ຫຼັກໝາຍ is not ຫຼັກສູດ … ກົດໝາຍ).
        # A word of one cluster goes with the next (the last with the one before): ICU cuts the query's
        # folded spelling where the document may not (ໝາຍ folds as ຫມາຍ, cut ຫ | ມາຍ).
        joined: list[str] = []
        for word in words:
            if joined and len(clusters(joined[-1])) == 1:
                joined[-1] += word
            else:
                joined.append(word)
        if len(joined) > 1 and len(clusters(joined[-1])) == 1:
            last = joined.pop()
            joined[-1] += last
        tokens: list[str] = []
        prefix = False
        for n, word in enumerate(joined):
            more, prefix = _alone(word, n == len(joined) - 1)
            tokens += more
        if len(joined) > 1:
            alternatives.append((Phrase(tuple(tokens), prefix=prefix),))
            parsed.split_runs.add(tuple(joined))
        # Only when nothing holds the word: its words wherever they stand (ParsedQuery.relaxed).
        alt = []
        for word in words:
            wparts = clusters(word)
            alt.append(Phrase(tuple(run_bigrams(wparts))) if len(wparts) > 1 else Phrase((word,), prefix=True))
        loose.append(tuple(alt))
    return Term(alternatives, loose=loose, pieces=words if len(words) > 1 else [])


def _spaced_terms(words: list[Piece], prefix: bool, parsed: ParsedQuery, typed: str | None = None) -> list[Term]:
    tokens = tuple(w.text for w in words if len(w.text) <= MAX_TOKEN_LENGTH)
    if not tokens:
        return []
    parsed.words.update(tokens[:-1] if prefix else tokens)
    if prefix:
        parsed.prefixes.add(tokens[-1])
    if typed is not None:
        parsed.marked.setdefault(tokens[0], set()).add(tone_key(typed))
    else:
        parsed.plain.update(tokens)
    return [Term([(Phrase(tokens, prefix=prefix),)], spaced=True, typed=typed if len(tokens) == 1 else None)]


def tone_key(word: str) -> str:
    """A word as written, compared tones and all: normalised, lower case, and a final y read as i where
    `fold` reads it so (kỹ and kĩ, quý and quí are one spelling; mơ and mở are not)."""
    key = lexicon.written(word)
    if fold(key).endswith("i"):
        nfd = unicodedata.normalize("NFD", key)
        base = nfd.rstrip("\u0300\u0301\u0303\u0309\u0323")
        if base.endswith("y"):
            key = unicodedata.normalize("NFC", base[:-1] + "i" + nfd[len(base):])
    return key


def _has_marks(word: str) -> bool:
    return "đ" in word or any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", word))


def _terms_of(text: str, quoted: bool, parsed: ParsedQuery) -> list[Term]:
    """A quoted text keeps its spaced words together as a phrase; a bare word may be split by punctuation
    (H'Mông, Việt-Lào), and its parts are a phrase too. Unspaced runs are terms of their own."""
    prefix = not quoted and text.endswith("*")
    bare = text.rstrip("*") if prefix else text
    folded = fold(bare)
    terms: list[Term] = []
    group: list[Piece] = []
    found = list(pieces(folded))
    # The same pieces as written (lower case, marks kept), for the words typed with their marks.
    as_typed = [p.text for p in pieces(lexicon.written(bare))]
    if len(as_typed) != len(found):
        as_typed = []

    def typed_of(group: list[Piece]) -> str | None:
        if len(group) != 1 or not as_typed:
            return None
        word = as_typed[found.index(group[0])]
        return word if _has_marks(word) else None

    for piece in found:
        if piece.unspaced:
            terms += _spaced_terms(group, False, parsed, typed_of(group))
            group = []
            terms.append(_run_term(piece.text, parsed))
        else:
            group.append(piece)
    terms += _spaced_terms(group, prefix, parsed, typed_of(group))
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
    parsed.pairs = _adjacent_pairs(parsed.terms)
    return parsed


def _single_word(term: Term) -> Phrase | None:
    if term.spaced and len(term.alternatives) == 1 and len(term.alternatives[0]) == 1:
        phrase = term.alternatives[0][0]
        if len(phrase.tokens) == 1:
            return phrase
    return None


def _adjacent_pairs(terms: list[Term]) -> dict[int, Phrase]:
    """The proximity bonus: two neighbouring syllables of the query that stand inside one Vietnamese word
    (`lexicon`) make a phrase scored on top of the syllables' own (its BM25: idf and field weights), never
    required. So a document holding "đường biên giới" outranks one with "đường" (sugar) and "biên giới"
    apart, and "hội chợ biên giới" does not favour "chợ biên", which is no word. The pair belongs to its
    first term, a plain word, so the pair holds it (on FTS5 `("a b" OR a)` matches exactly what `a` does)."""
    pairs: dict[int, Phrase] = {}
    run: list[int] = []  # indexes of consecutive one-word terms (a prefix ends a run)

    def close() -> None:
        words = [_single_word(terms[i]) for i in run]
        tokens = [w.tokens[0] for w in words if w is not None]
        typed = [terms[i].typed for i in run]
        last_prefix = bool(words) and words[-1] is not None and words[-1].prefix
        for at in sorted(lexicon.word_pairs(tokens, typed, last_is_prefix=last_prefix)):
            pairs[run[at]] = Phrase((tokens[at], tokens[at + 1]), prefix=last_prefix and at + 1 == len(tokens) - 1)
        run.clear()

    for i, term in enumerate(terms):
        word = _single_word(term)
        if word is None:
            close()
            continue
        run.append(i)
        if word.prefix:
            close()
    close()
    return pairs


# ------------------------------------------------------------------------------------------ backends


# The proximity bonus tapers beyond adjacency: a pair's two syllables also score where at most this many
# tokens stand between them (in either order, in one field), once per window that holds them. So two
# syllables side by side score the phrase and every window, one word apart both windows, two or three words
# apart the wider one, further apart nothing more than their own BM25. The windows are narrow: each adds
# both syllables' BM25 over their occurrences inside it (FTS5's NEAR), so wider ones let a document that
# repeats the syllables loosely ("đường đi qua biên giới … biên giới") outrank the word itself.
NEAR_WINDOWS = (1, 3)
# The windows only in a query of at most this many proximity pairs, that is of one word of several
# syllables: each pair's windows are four more phrases of one syllable (FTS5's bm25() reads every phrase's
# documents over the whole index once per statement, and walks each window's positions on every row holding
# both syllables). With two pairs or more, the pairs side by side already order the items holding the words
# (the gold set's top 10 are the same with or without their windows, and their cost is a quarter of the
# mix's p95); a query of one such word is where its syllables standing near or far apart decide.
WINDOWED_PAIRS = 1


def near_pairs(parsed: ParsedQuery) -> list[tuple[int, str, str, int]]:
    """(term index, first syllable, second syllable, window) for every proximity pair and window, in the
    order both backends score them. A pair ending in a prefix, or of one syllable twice, has no windows; nor
    has any pair of a query holding more than WINDOWED_PAIRS pairs."""
    if len(parsed.pairs) > WINDOWED_PAIRS:
        return []
    return [(i, pair.tokens[0], pair.tokens[1], window) for i, pair in sorted(parsed.pairs.items())
            if not pair.prefix and pair.tokens[0] != pair.tokens[1] for window in NEAR_WINDOWS]


def _fts5_phrase(p: Phrase) -> str:
    return '"' + " ".join(p.tokens) + '"' + ("*" if p.prefix else "")


def _group(parts: list[str], op: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + f" {op} ".join(parts) + ")"


def to_fts5(parsed: ParsedQuery, any_term: bool = False, proximity: bool = True) -> str:
    """The FTS5 MATCH expression. Tokens hold only letters, digits and marks, so quoting is enough.

    A word with a proximity pair is written `("a b" OR a)`: the same rows match as for `a`, and bm25() adds
    the pair's part where it occurs (bm25 sums over every phrase of the expression). Each window of the pair
    adds `NEAR("a" "b", w)`: its two phrases count only their occurrences within w tokens of the other.
    `proximity=False` leaves the pairs and windows out: the same rows, for finding and counting them unranked
    (FTS5 walks each pair's and window's position lists on every row where both syllables occur, several
    times the cost of the words alone)."""
    terms = [
        _group([_group([_fts5_phrase(p) for p in alt], "AND") for alt in term.alternatives], "OR")
        for term in parsed.terms
    ]
    if not proximity:
        return f" {'OR' if any_term else 'AND'} ".join(terms)
    near: dict[int, list[str]] = {}
    for i, first, second, window in near_pairs(parsed):
        near.setdefault(i, []).append(f'NEAR("{first}" "{second}", {window})')
    for i, pair in parsed.pairs.items():
        terms[i] = "(" + " OR ".join([*near.get(i, []), _fts5_phrase(pair), terms[i]]) + ")"
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

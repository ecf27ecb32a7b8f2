"""Reading what a reader typed into the search box, with the operators of Baidu and Sogou.

A query is cut at ``MAX_QUERY_CHARS``, width-folded (｜ is |, ： is :, full-width quotes and
spaces are half-width), its codes restored, normalised like the text (``tokenise.normalise``)
and read as:

- words separated by spaces must all match (AND);
- ``A | B`` (also ``A|B``, ``A ｜ B``): either (OR), as many as written;
- ``-词`` (a minus at the start of a word, after a space): articles without it (NOT);
- ``"…"``, “…” or 「…」: an exact phrase, its word runs in order, separated in the text by at
  least one separator where the phrase has one (“机关 党建” finds 机关，党建);
- ``intitle:词`` (also ``intitle:"…"``, ``-intitle:词``): in the title only.

Anything else is text: an unquoted word is split at punctuation into terms that must all
match (党建，业务 → 党建 AND 业务); operators that do not apply (a lone ``-`` or ``|``, an
empty ``intitle:``, a quote left open, FTS or SQL syntax such as ``OR``, ``*``, ``NEAR(``)
are searched literally, i.e. as the characters they are (punctuation separates, ``OR`` finds
"or"); a query of exclusions only searches for the excluded words. A run of capitals made
wholly of codes is restored even when no Han character touches it, so DK alone finds 党课.
A query without any word character has no terms: no results, never an error.

The result is a ``ParsedQuery``: an AND of *clauses*, each an OR of *terms*, and the excluded
terms; a term is one or more *atoms* (all must match, in the title or anywhere), an atom a
tuple of runs. ``ParsedQuery.matches`` is the oracle: what every engine must find. Nothing
here knows about a database.
"""
import re
from dataclasses import dataclass, field

from ..text import _CAPS_RUN_RE, CODE_MAP, _split_codes, fold_width
from .tokenise import SEPARATOR, atom_skeleton, normalise, runs

MAX_QUERY_CHARS = 100
MAX_ATOMS = 8
MAX_RUN_CHARS = 32
LOOSE_FALLBACK_MAX_CHARS = 16

_TOKEN_RE = re.compile(
    r'(?P<or>\|)'
    r'|(?P<neg>-)?(?P<title>intitle:)?'
    r'(?:"(?P<p1>[^"]*)"|“(?P<p2>[^”]*)”|「(?P<p3>[^」]*)」|(?P<word>[^\s|]+))',
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Term:
    """Atoms that must all match, in the title only when ``title``."""

    atoms: tuple[tuple[str, ...], ...]
    title: bool = False

    def matches(self, fields) -> bool:
        """Whether this term is in the skeletons ``fields`` (title, headings, body)."""
        where = fields[:1] if self.title else fields
        return all(any(atom_skeleton(atom) in f for f in where) for atom in self.atoms)


class LooseAtom(tuple):
    """A punctuation-blind atom: one string of word characters that must follow each other
    in the text's stream of word characters, whatever separates them there."""


def loosen(atom) -> LooseAtom:
    """The punctuation-blind form of an atom: its runs as one (入“脑”入“心” → 入脑入心)."""
    return LooseAtom(("".join(atom),))


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[tuple[Term, ...], ...] = ()  # AND of clauses, each an OR of terms
    excluded: tuple[Term, ...] = ()
    terms: tuple[str, ...] = field(default=())  # what the reader typed, per atom, for display
    # Punctuation-blind: an atom matches where its characters follow each other once the
    # text's punctuation, spaces and quote marks are ignored (入脑入心 finds 入“脑”入“心”).
    loose: bool = False

    @classmethod
    def of_atoms(cls, atoms) -> "ParsedQuery":
        """Plain terms, all required (no operators)."""
        atoms = tuple(atoms)
        return cls(tuple((Term((atom,)),) for atom in atoms),
                   terms=tuple(" ".join(a) for a in atoms))

    def __bool__(self):
        return bool(self.clauses)

    @property
    def atoms(self) -> tuple[tuple[str, ...], ...]:
        """Every atom a match may hold (the excluded ones aside), once each: what ranking
        scores and highlighting marks. For a ``simple`` query, all of them are required."""
        out = []
        for clause in self.clauses:
            for term in clause:
                out += [atom for atom in term.atoms if atom not in out]
        return tuple(out)

    @property
    def simple(self) -> bool:
        """Plain required terms anywhere: no OR, NOT or intitle, exact (the engines' fast
        paths)."""
        return not self.loose and not self.excluded and all(
            len(clause) == 1 and not clause[0].title and len(clause[0].atoms) == 1
            for clause in self.clauses
        )

    @property
    def title_bound(self) -> bool:
        """Whether every match holds some atom in its title: some clause is made of title
        terms only (``intitle:``). Then every match is in the first ranking tier."""
        return any(all(term.title for term in clause) for clause in self.clauses)

    def loosened(self) -> "ParsedQuery":
        """The same query, punctuation-blind (``loose``)."""
        def term(t):
            return Term(tuple(dict.fromkeys(loosen(atom) for atom in t.atoms)), t.title)
        return ParsedQuery(
            tuple(tuple(term(t) for t in clause) for clause in self.clauses),
            tuple(term(t) for t in self.excluded), self.terms, loose=True,
        )

    @property
    def loosens(self) -> bool:
        """Whether falling back to punctuation-blind matching is worth it: some atom of two
        characters or more (one character matches the same either way), none longer than
        ``LOOSE_FALLBACK_MAX_CHARS`` (each character of a loose atom is a prefix query: a
        run of 30 common characters costs half a second, and is not what anyone types
        hoping for punctuation in between). ``match=loose`` asks for it regardless."""
        lengths = [len("".join(atom)) for atom in self.atoms]
        return any(n > 1 for n in lengths) and max(lengths) <= LOOSE_FALLBACK_MAX_CHARS

    def matches(self, fields) -> bool:
        """The oracle: whether an article whose skeletons (``tokenise.skeleton`` of the
        normalised title, headings and body) are ``fields`` matches; punctuation-blind, the
        same with the separators taken out."""
        if self.loose:
            fields = [f.replace(SEPARATOR, "") for f in fields]
        return bool(self.clauses) and all(
            any(term.matches(fields) for term in clause) for clause in self.clauses
        ) and not any(term.matches(fields) for term in self.excluded)


def restore_query_codes(text: str) -> str:
    """Restore every run of capitals that splits wholly into codes (DK → 党课, TD → 主题党)."""

    def replace(match):
        parts = _split_codes(match.group(0))
        return match.group(0) if parts is None else "".join(CODE_MAP[p] for p in parts)

    return _CAPS_RUN_RE.sub(replace, text)


def _atoms_of(match) -> tuple[tuple[str, ...], ...]:
    phrase = next((match.group(g) for g in ("p1", "p2", "p3") if match.group(g) is not None),
                  None)
    if phrase is not None:
        atom = tuple(r[:MAX_RUN_CHARS] for r in runs(phrase))
        return (atom,) if atom else ()
    return tuple(dict.fromkeys((r[:MAX_RUN_CHARS],) for r in runs(match.group("word"))))


def parse(q) -> ParsedQuery:
    """The clauses of a query string; an empty ``ParsedQuery`` when there is nothing to
    search."""
    if not isinstance(q, str):
        return ParsedQuery()
    text = q[:MAX_QUERY_CHARS].replace("\x00", "")
    # Full-width forms first, so ＂…＂, ｜ and intitle： are operators too; codes are restored
    # before lowering (they are capitals).
    text = normalise(restore_query_codes(fold_width(text).replace("：", ":")))
    groups, excluded, joining = [], [], False
    for match in _TOKEN_RE.finditer(text):
        if match.group("or"):
            joining = bool(groups)
            continue
        atoms = _atoms_of(match)
        if not atoms:
            if match.group("title") and match.group("word") is None:
                atoms = (("intitle",),)  # ``intitle:`` with nothing after it: the word
            else:
                joining = False
                continue
        term = Term(atoms, title=bool(match.group("title")))
        if match.group("neg") and not joining:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    if not groups:  # exclusions only: search for what was typed
        groups, excluded = [[term] for term in excluded], []
    return _bounded(groups, excluded)


def _bounded(groups, excluded) -> ParsedQuery:
    """At most ``MAX_ATOMS`` atoms in all, duplicates dropped, required terms first; a plain
    word split at punctuation is as many required terms."""
    budget = MAX_ATOMS
    clauses, seen = [], set()
    plain = []
    for group in groups:
        if len(group) == 1 and not group[0].title:
            plain += [[Term((atom,))] for atom in group[0].atoms]
        else:
            plain.append(group)
    for group in plain:
        terms = []
        for term in group:
            if term.atoms and budget >= len(term.atoms) and term not in terms:
                terms.append(term)
                budget -= len(term.atoms)
        key = frozenset(terms)
        if terms and key not in seen:
            seen.add(key)
            clauses.append(tuple(terms))
    kept = []
    for term in excluded:
        if budget >= len(term.atoms) and term not in kept:
            kept.append(term)
            budget -= len(term.atoms)
    parsed = ParsedQuery(tuple(clauses), tuple(kept))
    return ParsedQuery(parsed.clauses, parsed.excluded,
                       terms=tuple(" ".join(atom) for atom in parsed.atoms))


__all__ = ["MAX_QUERY_CHARS", "SEPARATOR", "ParsedQuery", "Term", "parse"]

"""Reading what a reader typed into the search box.

A query is cut at ``MAX_QUERY_CHARS``, normalised like the text (``tokenise.normalise``), and
split into *atoms* that must all match:

- an unquoted word is split at punctuation into atoms (党建，业务 → 党建 AND 业务);
- a "quoted phrase" (ASCII or Chinese quotes) is one atom, its word runs in order, separated
  in the text by at least one separator where the phrase has one (“机关 党建” finds 机关，党建);
- quotes left open, FTS or SQL syntax (OR, *, NEAR(, :, ") are just characters: operators
  become ordinary words (``OR`` finds "or"), punctuation separates;
- a run of capitals made wholly of codes is restored even when no Han character touches it,
  so DK alone finds 党课 (in text, codes are restored only next to Han characters);
- a query without any word character has no atoms: no results, never an error.

An atom is a tuple of runs; nothing here knows about a database.
"""
import re
from dataclasses import dataclass, field

from ..text import _CAPS_RUN_RE, CODE_MAP, _split_codes, fold_width
from .tokenise import normalise, runs

MAX_QUERY_CHARS = 100
MAX_ATOMS = 8
MAX_RUN_CHARS = 32

_PHRASE_RE = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|(\S+)')


@dataclass(frozen=True)
class ParsedQuery:
    atoms: tuple[tuple[str, ...], ...] = ()
    terms: tuple[str, ...] = field(default=())  # what the reader typed, per atom, for display

    def __bool__(self):
        return bool(self.atoms)


def restore_query_codes(text: str) -> str:
    """Restore every run of capitals that splits wholly into codes (DK → 党课, TD → 主题党)."""

    def replace(match):
        parts = _split_codes(match.group(0))
        return match.group(0) if parts is None else "".join(CODE_MAP[p] for p in parts)

    return _CAPS_RUN_RE.sub(replace, text)


def parse(q) -> ParsedQuery:
    """Atoms of a query string; an empty ``ParsedQuery`` when there is nothing to search."""
    if not isinstance(q, str):
        return ParsedQuery()
    text = q[:MAX_QUERY_CHARS].replace("\x00", "")
    # Full-width quotes and spaces are folded first so ＂…＂ is a phrase too.
    text = normalise(restore_query_codes(fold_width(text)))
    atoms, terms = [], []
    for match in _PHRASE_RE.finditer(text):
        phrase = next((g for g in match.groups()[:3] if g is not None), None)
        if phrase is not None:
            candidates = [tuple(r[:MAX_RUN_CHARS] for r in runs(phrase))]
        else:
            candidates = [(r[:MAX_RUN_CHARS],) for r in runs(match.group(4))]
        for atom in candidates:
            if atom and atom not in atoms:
                atoms.append(atom)
                terms.append(" ".join(atom))
    return ParsedQuery(tuple(atoms[:MAX_ATOMS]), tuple(terms[:MAX_ATOMS]))

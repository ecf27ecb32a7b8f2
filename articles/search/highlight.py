"""Marking matches in text as displayed: search-result snippets and the article page.

Matches are found in the normalised text (``tokenise.normalise_with_map``) with the same
atoms the engines matched, and mapped back to the displayed text, which is escaped piece by
piece around the ``<mark>`` tags.
"""
import re
from html import escape  # Django's escape, without its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe

from ..text import CODE_MAP
from .query import LooseAtom, ParsedQuery, parse
from .tokenise import normalise, normalise_with_map

SNIPPET_BEFORE = 30
SNIPPET_AFTER = 60
_SEPARATORS = r"(?:[^\w]|_)+"
_CODES_BY_WORD = sorted(((w, c) for c, w in CODE_MAP.items()), key=lambda p: -len(p[0]))


def _atom_pattern(atom) -> re.Pattern:
    if isinstance(atom, LooseAtom):  # its characters, whatever separates them
        return re.compile(r"(?:[^\w]|_)*".join(re.escape(ch) for ch in atom[0]))
    return re.compile(_SEPARATORS.join(re.escape(run) for run in atom))


def match_spans(text: str, parsed) -> list[tuple[int, int, int]]:
    """Spans (start, end, atom number) of every match in ``text``, merged, in order."""
    if not text or not parsed:
        return []
    norm = normalise(text)
    # Restoring a code never shortens text (each letter stands for one character or more),
    # so a normalised text as long as the original has every character in its place: most
    # texts, which then need no map (a third of a snippet's cost).
    index = None if len(norm) == len(text) else normalise_with_map(text)[1]
    spans = []
    for n, atom in enumerate(parsed.atoms):
        for match in _atom_pattern(atom).finditer(norm):
            if match.end() > match.start():
                start, last = match.start(), match.end() - 1
                if index is not None:
                    start, last = index[start], index[last]
                spans.append((start, last + 1, n))
    spans.sort()
    merged = []
    for start, end, n in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, n))
    return merged


def _marked(text: str, spans, start: int, end: int) -> str:
    out, pos = [], start
    for s, e, _n in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def snippets(text, q, limit=3) -> list[SafeString]:
    """Up to ``limit`` short passages of ``text`` around matches of ``q`` (a query string,
    or a ``ParsedQuery``: a punctuation-blind search's), marked, escaped.

    The first occurrence of each term comes first, so a multi-term query shows each term.
    """
    parsed = q if isinstance(q, ParsedQuery) else parse(q)
    text = text or ""
    spans = match_spans(text, parsed)
    if not spans or limit <= 0:
        return []
    chosen, seen = [], set()
    for span in spans:  # first occurrence of each atom, then the rest
        if span[2] not in seen:
            seen.add(span[2])
            chosen.append(span)
    chosen += [s for s in spans if s not in chosen]
    windows = []
    for s, e, _n in chosen:
        if any(a <= s and e <= b for a, b in windows):
            continue
        windows.append((max(0, s - SNIPPET_BEFORE), min(len(text), e + SNIPPET_AFTER)))
        if len(windows) >= limit:
            break
    windows.sort()
    merged = []
    for a, b in windows:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    out = []
    for a, b in merged:
        body = _marked(text, spans, a, b).replace("\n", " ")
        out.append(mark_safe(("…" if a > 0 else "") + body + ("…" if b < len(text) else "")))
    return out


def highlight(text, q) -> SafeString:
    """The whole ``text``, escaped, with every match of ``q`` in ``<mark>``."""
    text = text or ""
    parsed = q if isinstance(q, ParsedQuery) else parse(q)
    return mark_safe(_marked(text, match_spans(text, parsed), 0, len(text)))


def coded(term: str) -> str:
    """A term as it may be written in codes (党建 → D建, 主题党日 → TD日)."""
    for word, code in _CODES_BY_WORD:
        term = term.replace(word, code)
    return term


def query_terms(q) -> list[str]:
    """The terms of ``q`` as searched (restored, folded), each followed by its coded form."""
    out = []
    for term in parse(q).terms:
        for variant in (term, coded(term)):
            if variant not in out:
                out.append(variant)
    return out

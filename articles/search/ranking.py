"""Order within a ranking tier: more and closer matches first, newest first on ties.

The engines give each tier's matches newest first (``tier_ids``); the first ``RANK_WINDOW``
of a tier are then ordered here by ``score``, the same on both databases, from the article's
normalised text (as the oracle reads it, so codes count as the words they stand for). Past
the window a tier stays newest first: scoring every article that contains a common term would
read every one of them, which no page of twenty results is worth.

Normalising an article's text costs ~0.1 ms, and windows are made of the newest matches, so
the same recent articles are scored again and again: each process keeps the normalised texts
of the last ``TEXT_CACHE_SIZE`` articles it scored, for the current library version (any
write starts afresh, as the facet counts do).
"""
import threading
from collections import OrderedDict

from ..text import teaser
from .query import LooseAtom
from .tokenise import SEPARATOR, atom_skeleton, document_fields, normalise, skeleton

RANK_WINDOW = 40
COUNT_CAP = 10  # past ten occurrences of a term, more say nothing new
NEAR = 30  # characters: the terms of a query within one sentence or so
FAR = 120  # within one paragraph or so
TEXT_CACHE_SIZE = 5000  # ~3 KB each


def _occurrences(haystack: str, needle: str, cap: int) -> list[int]:
    found, start = [], haystack.find(needle)
    while start >= 0 and len(found) < cap:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


def _span(positions: list[list[int]]) -> int:
    """Length of the shortest stretch of text holding an occurrence of every term."""
    events = sorted((p, term) for term, found in enumerate(positions) for p in found)
    need, have, best, left = len(positions), {}, None, 0
    for right, (pos, term) in enumerate(events):
        have[term] = have.get(term, 0) + 1
        while len(have) == need:
            start, first = events[left]
            best = pos - start if best is None else min(best, pos - start)
            have[first] -= 1
            if not have[first]:
                del have[first]
            left += 1
    return best if best is not None else 1 << 30


def score(text: str, atoms) -> tuple[int, int]:
    """(closeness, occurrences) of the atoms in a normalised text (``fields_text``):
    closeness 2 when the terms stand within ``NEAR`` characters, 1 within ``FAR``, else 0
    (always 0 for one term); occurrences summed over the terms, each counted up to
    ``COUNT_CAP``."""
    positions = [_occurrences(text, atom_skeleton(atom), COUNT_CAP * 4) for atom in atoms]
    occurrences = sum(min(len(found), COUNT_CAP) for found in positions)
    closeness = 0
    if len(atoms) > 1 and all(positions):
        span = _span(positions)
        closeness = 2 if span <= NEAR else 1 if span <= FAR else 0
    return closeness, occurrences


def fields_text(title, sections, text, atoms) -> str:
    """An article's title, headings and body, normalised, as ``score`` reads them."""
    return _for_atoms(_normalised_fields(title, sections, text), atoms)


def _normalised_fields(title, sections, text) -> str:
    return SEPARATOR.join(normalise(f) for f in document_fields(title, sections, text))


def _for_atoms(normalised: str, atoms) -> str:
    """In skeleton form only when a term is a phrase across punctuation (the skeleton's regex
    is the costliest step, and a term of one run occurs in the same places either way);
    without separators at all for punctuation-blind terms."""
    if any(isinstance(atom, LooseAtom) for atom in atoms):
        return skeleton(normalised).replace(SEPARATOR, "")
    return skeleton(normalised) if any(len(atom) > 1 for atom in atoms) else normalised


_TEXTS = {"version": None, "texts": OrderedDict()}
_TEXTS_LOCK = threading.Lock()


def _texts(keys) -> dict[tuple[int, bool], str]:
    """{(id, preview): normalised fields} of these articles, from the cache or the database:
    with ``preview``, only the title and free preview (what a public search may match)."""
    from ..library import library_version
    from ..models import Article

    version = library_version()
    with _TEXTS_LOCK:
        if _TEXTS["version"] != version:
            _TEXTS.update(version=version, texts=OrderedDict())
        cached = _TEXTS["texts"]
        found = {key: cached[key] for key in keys if key in cached}
    missing = [key for key in keys if key not in found]
    if missing:
        previews = {pk for pk, preview in missing if preview}
        rows = Article.objects.filter(pk__in=[pk for pk, _preview in missing]).values_list(
            "pk", "title", "sections", "text"
        )
        for pk, title, sections, text in rows:
            if pk in previews:
                found[pk, True] = _normalised_fields(title, [], teaser(text))
            if (pk, False) in missing:
                found[pk, False] = _normalised_fields(title, sections, text)
    with _TEXTS_LOCK:
        if _TEXTS["version"] == version:
            cached = _TEXTS["texts"]
            for key in keys:
                if key in found:
                    cached[key] = found[key]
                    cached.move_to_end(key)
            while len(cached) > TEXT_CACHE_SIZE:
                cached.popitem(last=False)
    return found


def order_windows(windows: list[list[int]], atoms, preview=frozenset()) -> list[list[int]]:
    """Each window of ids ordered by score, best first, then newest (highest id) first; the
    texts the cache lacks read in one query. Articles in ``preview`` are scored on their
    title and free preview alone (a public search of members-only articles)."""
    wanted = [(pk, pk in preview) for window in windows if len(window) > 1 for pk in window]
    if not wanted:
        return [list(window) for window in windows]
    scores = {pk: score(_for_atoms(text, atoms), atoms)
              for (pk, _preview), text in _texts(wanted).items()}
    return [
        sorted(window, key=lambda pk: (scores.get(pk, (0, 0)), pk), reverse=True)
        for window in windows
    ]

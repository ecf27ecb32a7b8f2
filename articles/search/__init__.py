"""Full-text search for Chinese (placeholder: substring scan until the search work lands).

Interface used by the rest of the app:
- ``search_articles(queryset, q)`` → queryset of matches, annotated ``search_rank``, best first
  (``Article.objects.search(q)`` calls it).
- ``snippets(text, q, limit=3)`` → up to ``limit`` escaped HTML snippets with ``<mark>``.
"""
from django.db.models import Q, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe


def _terms(q):
    return [t for t in (q or "").split() if t][:10]


def search_articles(queryset, q):
    terms = _terms(q)
    if not terms:
        return queryset.none()
    for term in terms:
        queryset = queryset.filter(Q(title__icontains=term) | Q(text__icontains=term))
    return queryset.annotate(search_rank=Value(0.0)).order_by("-published_at", "-id")


def snippets(text, q, limit=3):
    out = []
    for term in _terms(q):
        i = (text or "").find(term)
        if i >= 0:
            piece = escape(text[max(0, i - 30): i + len(term) + 30])
            out.append(mark_safe(piece.replace(escape(term), f"<mark>{escape(term)}</mark>")))
        if len(out) >= limit:
            break
    return out

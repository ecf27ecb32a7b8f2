"""Template helpers of the reader site: marked-up article text and facet labels."""
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..text import placeholder_spans, restore_codes

register = template.Library()

MAX_TERMS = 10


def _term_spans(text, terms):
    spans = []
    lowered = text.lower()
    for term in terms:
        term = term.lower()
        if not term:
            continue
        start = lowered.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = lowered.find(term, start + len(term))
    return spans


def marked_text(text, terms=()):
    """Escaped ``text`` with anonymisation placeholders (XX市) in ``<mark class="placeholder">``
    and occurrences of ``terms`` in ``<mark class="hl">``.

    Works character by character, so overlapping marks never produce broken HTML.
    """
    text = text or ""
    flags = [0] * len(text)
    for start, end in placeholder_spans(text):
        for i in range(start, end):
            flags[i] |= 1
    for start, end in _term_spans(text, list(terms)[:MAX_TERMS]):
        for i in range(start, end):
            flags[i] |= 2
    out, i = [], 0
    placeholder_title = escape(_("匿名化占位：原文隐去的名称"))
    while i < len(text):
        j = i
        while j < len(text) and flags[j] == flags[i]:
            j += 1
        piece = escape(text[i:j])
        if flags[i] & 2:
            piece = f'<mark class="hl">{piece}</mark>'
        if flags[i] & 1:
            piece = f'<mark class="placeholder" title="{placeholder_title}">{piece}</mark>'
        out.append(piece)
        i = j
    return mark_safe("".join(out))


@register.simple_tag
def marked(text, terms=()):
    """``{% marked paragraph terms %}``: see ``marked_text``."""
    return marked_text(text, terms or ())


@register.filter
def restored(text):
    """Codes restored for reading (D建 → 党建); escaped by the template as usual."""
    return restore_codes(text or "")


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` for dicts keyed by ids."""
    return (mapping or {}).get(key)

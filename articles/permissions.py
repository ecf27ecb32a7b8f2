"""Who may read what: the one place that decides whether a reader sees an article's full text.

Used by every route that shows text (article page, search snippets, downloads, feeds, JSON),
so members-only text cannot leak through one of them.
"""
from django.utils.translation import gettext_lazy as _

from .models import Compilation, member_group_name
from .text import TEASER_CHARS, teaser  # noqa: F401  (re-exported: who may read what)

MEMBERS_ONLY_NOTICE = _("本文仅对会员开放。登录后可阅读全文。")


def is_editor(user) -> bool:
    """Editors are staff users (group 编辑); they see drafts and everything else."""
    return bool(user and user.is_authenticated and user.is_staff)


def is_member(user) -> bool:
    """True for users in the 会员 group. Remembered on the user object: one query per request."""
    if not (user and user.is_authenticated):
        return False
    cached = getattr(user, "_huibian_is_member", None)
    if cached is None:
        cached = user.groups.filter(name=member_group_name()).exists()
        user._huibian_is_member = cached
    return cached


def can_read_full(user, article) -> bool:
    """May this user read the whole text of this article (body, headings, original, downloads)?

    Everyone may read ordinary articles; members-only articles need a member or an editor.
    Visibility of drafts is a separate question (``Article.objects.visible_to``).
    """
    if not article.members_only:
        return True
    return is_editor(user) or is_member(user)


def readable_texts(user, ids):
    """(id, text, whether it is the whole text) of these articles, in one query: the whole
    text for whoever may read it (``can_read_full``); callers cut the rest to the preview."""
    from .models import Article

    full_for_all = is_editor(user) or is_member(user)
    return [
        (pk, text, full_for_all or not members_only)
        for pk, text, members_only in
        Article.objects.filter(pk__in=list(ids)).values_list("pk", "text", "members_only")
    ]


def visible_compilations(user):
    """Compilations this user may see: all for editors, published ones for everyone else."""
    return Compilation.objects.visible_to(user)

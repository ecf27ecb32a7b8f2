"""What a reader may see of the text kept in their workbench, decided now, not when it was
kept: a clip of a members-only article shows its text to a member or an editor, and to anyone
else only when the text lies inside the article's free preview; a member who lost
membership keeps the clip's source and link, not its text. The same rule holds for draft
items and every export (``articles.permissions`` decides the articles themselves).
"""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..models import Article
from ..permissions import is_editor, is_member
from ..reading import preview_text

WITHHELD_NOTICE = _("（会员文章的摘抄：成为会员后可见原文）")


@dataclass(frozen=True)
class SourceState:
    withheld: bool  # the reader may not see this text now
    changed: bool  # the article was edited after the text was taken
    gone: bool  # the article was deleted


def source_states(user, items) -> dict[int, SourceState]:
    """{item id: SourceState} for clips or draft items (anything with ``article_id``,
    ``members_only``, ``article_checksum`` and ``text``): one query, two when some members-only
    text must be checked against its preview."""
    items = [item for item in items if item.article_id or item.article_checksum]
    ids = {item.article_id for item in items if item.article_id}
    current = {
        pk: (members_only, checksum)
        for pk, members_only, checksum in Article.objects.filter(pk__in=ids).values_list(
            "pk", "members_only", "checksum")
    }
    privileged = is_editor(user) or is_member(user)
    previews = {}
    if not privileged:
        locked = {pk for pk, (members_only, _checksum) in current.items() if members_only}
        previews = {
            pk: preview_text(text)
            for pk, text in Article.objects.filter(pk__in=locked).values_list("pk", "text")
        }
    states = {}
    for item in items:
        members_only, checksum = current.get(item.article_id, (item.members_only, None))
        gone = item.article_id is None or item.article_id not in current
        withheld = False
        if members_only and not privileged:
            withheld = gone or item.text not in previews.get(item.article_id, "")
        states[item.pk] = SourceState(
            withheld=withheld,
            changed=not gone and checksum != item.article_checksum,
            gone=gone,
        )
    return states


def shown_text(item, state: SourceState | None) -> str:
    """The item's text as this reader may see it."""
    if state and state.withheld:
        return str(WITHHELD_NOTICE)
    return item.text

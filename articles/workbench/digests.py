"""The daily e-mail digest: for each reader with follows marked ``digest``, one message
listing what each of them matched since its last digest (titles, links and the free preview
only, like the feeds). Sent by ``manage.py send_digests`` once a day (a scheduled job); a
reader with nothing new gets no mail, a failed send leaves ``last_digest_at`` untouched so
the next run tries again."""
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Article
from ..permissions import teaser
from .follows import matching
from .models import Follow

DIGEST_ARTICLES = 20  # per follow
log = logging.getLogger("articles.digests")


@dataclass
class DigestResult:
    sent: int = 0
    failed: int = 0
    readers_without_news: int = 0


def _section(follow, site_url) -> str:
    since = follow.last_digest_at or follow.created_at
    ids = list(matching(follow, follow.owner, since=since).values_list("pk", flat=True)
               [:DIGEST_ARTICLES])
    if not ids:
        return ""
    rows = Article.objects.filter(pk__in=ids).select_related("agency").only(
        "id", "title", "text", "agency__name", "agency__region").in_bulk()
    lines = [_("【%(label)s】新增 %(n)s 篇") % {"label": follow.label, "n": len(ids)}]
    for pk in ids:
        article = rows[pk]
        lines.append(f"· {article.display_title}")
        lines.append(f"  {site_url}{article.get_absolute_url()}")
        lines.append(f"  {teaser(article.text, 60)}")
    return "\n".join(lines)


def send_digests(*, site_url: str, now=None) -> DigestResult:
    now = now or timezone.now()
    result = DigestResult()
    follows = (Follow.objects.filter(digest=True).exclude(owner__email="")
               .select_related("owner").order_by("owner_id", "id"))
    by_owner = {}
    for follow in follows:
        by_owner.setdefault(follow.owner, []).append(follow)
    for owner, owned in by_owner.items():
        sections = [text for text in (_section(f, site_url) for f in owned) if text]
        if not sections:
            result.readers_without_news += 1
            continue
        body = "\n\n".join([_("%(name)s，您好：以下是您关注的内容的新增材料。") % {
            "name": owner.get_username()}, *sections,
            _("管理关注与订阅：%(url)s") % {"url": f"{site_url}/workbench/"}])
        message = EmailMessage(_("汇编库每日摘要"), body, settings.DEFAULT_FROM_EMAIL,
                               [owner.email])
        try:
            message.send()
        except Exception:  # any backend failure: logged, retried by the next run
            log.exception("digest to user %s not sent", owner.pk)
            result.failed += 1
            continue
        Follow.objects.filter(pk__in=[f.pk for f in owned]).update(last_digest_at=now)
        result.sent += 1
    return result

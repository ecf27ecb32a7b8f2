"""Atom feed of newly published articles.

A feed is public and cached by readers' aggregators, so every entry carries only the
teaser (the first ~150 characters) whether or not the article is members-only: the full
text of a members-only article can never leave through it. Drafts never appear.
"""
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .exports import xml_safe
from .models import Article
from .permissions import MEMBERS_ONLY_NOTICE, teaser

FEED_SIZE = 30


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = _("汇编库最新文章")
    subtitle = _("新发布的材料汇编文章")

    def link(self):
        return reverse("articles:home")

    def feed_url(self):
        return reverse("articles:feed")

    def items(self):
        return (
            Article.objects.published()
            .select_related("agency")
            .defer("original_text", "sections")
            .prefetch_related("themes")
            .order_by("-published_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item):
        return xml_safe(item.display_title)

    def item_description(self, item):
        summary = xml_safe(teaser(item.text))
        if item.members_only:
            return f"{summary}（{MEMBERS_ONLY_NOTICE}）"
        return summary

    def item_author_name(self, item):
        return str(item.agency) if item.agency_id else None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all()]


class FollowFeed(LatestArticlesFeed):
    """The private feed of one follow (``/feeds/follow/<token>/``): what it matches, newest
    first, published material only, each entry its free preview like the public feed. The
    secret token is the only key; a revoked one is a 404."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, max-age=300"  # one reader's, by a secret URL
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, token):
        from django.shortcuts import get_object_or_404

        from .workbench.models import Follow

        return get_object_or_404(Follow.objects.select_related("owner"), token=token)

    def title(self, follow):
        return _("汇编库关注：%(label)s") % {"label": follow.label}

    def subtitle(self, follow):
        return _("按关注条件新发布的文章")

    def link(self, follow):
        from .workbench.follows import results_url

        return results_url(follow)

    def feed_url(self, follow):
        return reverse("articles:follow_feed", args=[follow.token])

    def items(self, follow):
        from .workbench.follows import matching

        ids = list(matching(follow, follow.owner).values_list("pk", flat=True)[:FEED_SIZE])
        rows = (
            Article.objects.filter(pk__in=ids).select_related("agency")
            .defer("original_text", "sections").prefetch_related("themes").in_bulk()
        )
        return [rows[pk] for pk in ids if pk in rows]

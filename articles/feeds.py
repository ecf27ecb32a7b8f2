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

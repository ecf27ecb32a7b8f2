"""sitemap.xml: published articles and compilations, and the agency, theme and initiative
pages that have published articles. Only addresses leave through it, never text.

``/sitemap.xml`` is an index; each section is paginated (``?p=``) at ``limit`` entries so a
library of 100,000 articles stays within the 50,000-URL limit per file.
"""
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef

from .models import Agency, Article, Compilation, Initiative, Theme


class _UpdatedSitemap(Sitemap):
    """Entries dated by ``updated_at``; the index gets the latest date from one aggregate
    instead of Django's default of loading every item."""

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]


class ArticleSitemap(_UpdatedSitemap):
    limit = 10000
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("id")


class CompilationSitemap(_UpdatedSitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Compilation.objects.published()
            .only("id", "updated_at").order_by("id")
        )


class _WithPublishedArticles(Sitemap):
    """Pages listing articles, kept only when at least one of their articles is published."""

    changefreq = "weekly"
    model = None
    link = ""  # the relation from Article to the model

    def items(self):
        published = Article.objects.published().filter(**{self.link: OuterRef("pk")})
        return self.model.objects.filter(Exists(published)).order_by("pk")


class AgencySitemap(_WithPublishedArticles):
    model, link = Agency, "agency"


class ThemeSitemap(_WithPublishedArticles):
    model, link = Theme, "themes"


class InitiativeSitemap(_WithPublishedArticles):
    model, link = Initiative, "initiatives"


sitemaps = {
    "articles": ArticleSitemap,
    "compilations": CompilationSitemap,
    "agencies": AgencySitemap,
    "themes": ThemeSitemap,
    "initiatives": InitiativeSitemap,
}

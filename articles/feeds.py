"""Feed of newly published articles (placeholder until the feeds work lands)."""
from django.contrib.syndication.views import Feed

from .models import Article


class LatestArticlesFeed(Feed):
    title = "汇编库最新文章"
    link = "/"

    def items(self):
        return Article.objects.published().for_list()[:20]

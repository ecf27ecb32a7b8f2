"""Every reader page takes the same number of queries whatever the size of its page."""
from django.core.cache import caches
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import TocEntry
from tests.factories import make_agency, make_article, make_compilation, make_user

from .data import make_rich_article


def build(n):
    """A library of ``n`` tagged articles in one compilation with a full 目录, by one agency."""
    agency = make_agency(name=f"市审计局{n}", level="市", sector="审计", region="都匀市")
    compilation = make_compilation(title=f"材料汇编（{n}篇）")
    articles = [
        make_rich_article(
            compilation=compilation, agency=agency, title=f"第{i}篇：D建引领“四点聚力”",
            themes=["党建", f"主题{i % 7}"], initiatives=["四点聚力", f"举措{i % 5}"],
            members_only=(i % 3 == 1), year=2020 + i % 4,
        )
        for i in range(1, n + 1)
    ]
    TocEntry.objects.bulk_create(
        TocEntry(compilation=compilation, position=i, title=a.title, page=i, article=a)
        for i, a in enumerate(articles, 1)
    )
    return agency, compilation, articles


def urls(agency, compilation, article):
    return [
        reverse("articles:home"),
        reverse("articles:compilation_list"),
        compilation.get_absolute_url(),
        reverse("articles:list"),
        reverse("articles:list") + "?theme=%E5%85%9A%E5%BB%BA&level=%E5%B8%82&sort=title",
        reverse("articles:search") + "?q=%E5%85%9A%E5%BB%BA",
        article.get_absolute_url() + "?hl=%E5%85%9A%E5%BB%BA",
        reverse("articles:agency_index"),
        agency.get_absolute_url(),
        reverse("articles:theme_index"),
        reverse("articles:theme", args=["党建"]),
        reverse("articles:initiative_index"),
        reverse("articles:initiative", args=["四点聚力"]),
    ]


class ConstantQueryTests(TestCase):
    def count_queries(self, url):
        from django.core.cache import cache

        cache.clear()  # measure the uncached path: the worst case
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200, url)
        return len(ctx.captured_queries)

    def check_constant(self):
        small = build(2)
        expected = {i: self.count_queries(u) for i, u in enumerate(urls(*small[:2], small[2][0]))}
        large = build(45)
        # The large library's pages are full (20 a page) and its compilation lists 45 articles.
        for i, url in enumerate(urls(*large[:2], large[2][0])):
            from django.core.cache import cache

            cache.clear()
            with self.subTest(url=url), self.assertNumQueries(expected[i]):
                self.client.get(url)

    def test_anonymous_pages_take_constant_queries(self):
        self.check_constant()

    def test_member_pages_take_constant_queries(self):
        self.client.force_login(make_user("会员小刘", group="会员"))
        self.check_constant()

    def test_editor_pages_take_constant_queries(self):
        self.client.force_login(make_user("编辑小孙", group="编辑", staff=True))
        self.check_constant()

    def test_cached_article_list_needs_four_queries(self):
        build(30)
        url = reverse("articles:list") + "?theme=%E5%85%9A%E5%BB%BA"
        self.client.get(url)
        caches["pages"].clear()  # the counts stay cached, the page is built again
        with self.assertNumQueries(5):  # library state, page ids, their rows, themes, initiatives
            self.client.get(url)
        with self.assertNumQueries(1):  # the library state: the whole page is cached
            self.client.get(url)

    def test_article_detail_queries_do_not_grow_with_sections(self):
        short = make_article(title="短文", initiatives=["六型"], agency=make_agency())
        sections = [{"heading": f"{i}、小标题", "paragraphs": ["段落。"] * 5} for i in range(40)]
        long = make_article(title="长文", initiatives=["六型"], agency=make_agency(),
                            sections=sections, original_text="段落。\n" * 200)
        n = self.count_queries(short.get_absolute_url())
        with self.assertNumQueries(n):
            self.client.get(long.get_absolute_url())

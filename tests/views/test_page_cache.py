"""Whole pages for anonymous readers from the page cache (``articles.pagecache``): served again
for a single query, never stale after a write, never for a signed-in reader, never a page
that is not a plain 200, and with every header the middleware adds."""
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from articles.services import article_save
from tests.factories import make_article, make_compilation, make_user

from .data import SECRET, make_members_article, make_rich_article

HIT = "X-Page-Cache"


class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation = make_compilation(title="关于作风建设材料汇编（2篇）")
        cls.article = make_rich_article(compilation=cls.compilation, position=1)
        cls.members = make_members_article(compilation=cls.compilation, position=2)
        cls.editor = make_user("编辑小王", group="编辑", staff=True)
        cls.member = make_user("会员小李", group="会员")

    def urls(self):
        return ["/", "/articles/", "/articles/?theme=%E5%85%9A%E5%BB%BA", "/search/?q=审计",
                self.article.get_absolute_url(), self.members.get_absolute_url(),
                self.compilation.get_absolute_url(), "/compilations/", "/agencies/",
                "/themes/", "/initiatives/", "/feed/"]

    def test_every_reader_page_is_served_again_from_the_cache_in_one_query(self):
        for url in self.urls():
            with self.subTest(url=url):
                first = self.client.get(url)
                self.assertEqual(first.status_code, 200)
                self.assertNotIn(HIT, first)
                with CaptureQueriesContext(connection) as queries:
                    again = self.client.get(url)
                self.assertEqual(again[HIT], "hit")
                self.assertEqual(again.content, first.content)
                self.assertEqual(again["Content-Type"], first["Content-Type"])
                self.assertEqual(len(queries), 1, [q["sql"] for q in queries.captured_queries])

    def test_middleware_headers_come_with_a_cached_page_too(self):
        url = self.article.get_absolute_url()
        first = self.client.get(url)
        again = self.client.get(url)
        self.assertEqual(again[HIT], "hit")
        for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                       "Referrer-Policy", "Content-Language"):
            self.assertEqual(again.get(header), first.get(header), header)
        self.assertRegex(again["X-Request-ID"], r"^[0-9a-f]{16}$")
        self.assertNotEqual(again["X-Request-ID"], first["X-Request-ID"])

    def test_a_write_is_seen_by_the_next_anonymous_reader(self):
        url = self.article.get_absolute_url()
        self.client.get(url)
        self.assertEqual(self.client.get(url)[HIT], "hit")
        current = Article.objects.get(pk=self.article.pk)
        article_save(article_id=current.pk, values={"title": "市审计局：“三化”发力争创“五型”模范机关"},
                     expected_version=current.version, user=self.editor)
        fresh = self.client.get(url)
        self.assertNotIn(HIT, fresh)
        self.assertContains(fresh, "“三化”发力争创“五型”模范机关")
        listed = self.client.get("/search/?q=三化")
        self.assertContains(listed, "模范机关")

    def test_signed_in_readers_never_get_or_fill_it(self):
        url = self.members.get_absolute_url()
        self.client.force_login(self.member)
        for _ in range(2):
            page = self.client.get(url)
            self.assertNotIn(HIT, page)
            self.assertContains(page, SECRET)
        self.client.logout()
        anonymous = [self.client.get(url) for _ in range(2)]
        for page in anonymous:
            self.assertNotContains(page, SECRET)
        self.assertNotIn(HIT, anonymous[0])
        self.assertEqual(anonymous[1][HIT], "hit")

    def test_a_visitor_with_a_session_messages_or_primary_cookie_is_not_served_from_it(self):
        url = "/articles/"
        self.client.get(url)
        self.assertEqual(self.client.get(url)[HIT], "hit")
        for name in ("sessionid", "messages", "hb_primary_until"):
            with self.subTest(cookie=name):
                self.client.cookies.clear()
                self.client.cookies[name] = "x"
                self.assertNotIn(HIT, self.client.get(url))
        self.client.cookies.clear()
        self.assertEqual(self.client.get(url)[HIT], "hit")

    def test_only_plain_successful_pages_are_kept(self):
        for url in ("/articles/999999/", "/compilations/999999/", "/themes/没有这个主题/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
                self.assertNotIn(HIT, self.client.get(url))
        self.assertNotIn(HIT, self.client.post("/articles/"))  # not a GET: never

    def test_query_strings_are_pages_of_their_own(self):
        url = self.article.get_absolute_url()
        plain = self.client.get(url)
        marked = self.client.get(url + "?hl=审计")
        self.assertNotIn(HIT, marked)
        self.assertNotEqual(plain.content, marked.content)
        self.assertContains(marked, "<mark")

    @override_settings(PAGE_CACHE=False)
    def test_it_can_be_turned_off(self):
        for _ in range(2):
            self.assertNotIn(HIT, self.client.get("/articles/"))

    def test_a_draft_stays_hidden_from_readers_until_published(self):
        draft = make_article(compilation=self.compilation, position=3, status="draft",
                             title="草稿：尚未审定的经验材料")
        for _ in range(2):
            self.assertNotContains(self.client.get("/articles/"), "尚未审定")
        current = Article.objects.get(pk=draft.pk)
        article_save(article_id=current.pk, values={"status": "published"},
                     expected_version=current.version, user=self.editor)
        self.assertContains(self.client.get("/articles/"), "尚未审定")

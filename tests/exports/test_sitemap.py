"""sitemap.xml: an index of sections listing published pages only; bad pages are 404."""
from xml.etree import ElementTree

from django.test import TestCase

from tests.factories import make_agency, make_article, make_compilation

from .utils import make_library

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()
        cls.public.themes.add("党建")
        cls.public.initiatives.add("三突出三强化")
        cls.hidden = make_compilation(title="尚未发布的汇编", status="draft")
        cls.hidden_agency = make_agency(name="县委组织部")
        cls.hidden_article = make_article(
            compilation=cls.hidden, agency=cls.hidden_agency, themes=["保密主题"]
        )
        cls.draft.themes.add("草稿主题")

    def locations(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        root = ElementTree.fromstring(response.content)
        return {loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SM}loc")}

    def test_index_points_to_every_section(self):
        self.assertEqual(self.locations("/sitemap.xml"), {
            f"/sitemap-{name}.xml"
            for name in ("articles", "compilations", "agencies", "themes", "initiatives")
        })

    def test_sections_list_published_pages_only(self):
        self.assertEqual(self.locations("/sitemap-articles.xml"), {
            self.public.get_absolute_url(), self.members.get_absolute_url(),
        })
        self.assertEqual(self.locations("/sitemap-compilations.xml"),
                         {self.compilation.get_absolute_url()})
        self.assertEqual(self.locations("/sitemap-agencies.xml"),
                         {self.public.agency.get_absolute_url()})
        self.assertEqual(self.locations("/sitemap-themes.xml"),
                         {self.public.themes.get().get_absolute_url()})
        self.assertEqual(self.locations("/sitemap-initiatives.xml"),
                         {self.public.initiatives.get().get_absolute_url()})

    def test_index_never_loads_the_articles_themselves(self):
        for position in range(4, 14):
            make_article(compilation=self.compilation, position=position)
        with self.assertNumQueries(8) as queries:  # state, a count per section, two latest dates
            response = self.client.get("/sitemap.xml")
        self.assertContains(response, "<lastmod>")
        article_queries = [q["sql"] for q in queries.captured_queries
                           if '"articles_article"' in q["sql"]]
        self.assertTrue(article_queries)
        for sql in article_queries:
            self.assertRegex(sql, r"COUNT\(|MAX\(", sql)

    def test_bad_section_or_page_is_404_not_500(self):
        for url in ("/sitemap-nothing.xml", "/sitemap-articles.xml?p=abc",
                    "/sitemap-articles.xml?p=99", "/sitemap-articles.xml?p=-1"):
            self.assertEqual(self.client.get(url).status_code, 404, url)

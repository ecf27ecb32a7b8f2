"""Every export route, asked by an anonymous reader: no 500, no members-only text, no draft."""
from django.test import TestCase
from django.urls import reverse

from .utils import SECRET, docx_xml, make_library


class AnonymousExportRoutesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compilation, cls.public, cls.members, cls.draft = make_library()

    def urls(self):
        for fmt in ("docx", "txt"):
            for article in (self.public, self.members, self.draft):
                yield reverse("articles:download", args=[article.pk, fmt])
            yield reverse("articles:compilation_download", args=[self.compilation.pk, fmt])
        yield reverse("articles:feed")
        yield "/sitemap.xml"
        for section in ("articles", "compilations", "agencies", "themes", "initiatives"):
            yield f"/sitemap-{section}.xml"

    def test_no_route_leaks_members_only_text_or_drafts(self):
        for url in self.urls():
            response = self.client.get(url)
            self.assertIn(response.status_code, (200, 302, 404), url)
            body = response.content
            text = docx_xml(body) if body.startswith(b"PK") else body.decode("utf-8-sig")
            self.assertNotIn(SECRET, text, url)
            self.assertNotIn("草稿：尚未审定的经验材料", text, url)
            if response.status_code == 200:
                self.assertNotIn(f"/articles/{self.draft.pk}/", text, url)

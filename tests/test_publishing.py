"""One meaning of publish, by every route; scheduled publishing (定时发布) on every public
route, with the clock frozen and no restart."""
import datetime
import re
from contextlib import contextmanager
from io import StringIO
from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.importer import import_compilation
from articles.models import Article, Compilation, Status

from .factories import make_agency, make_article, make_compilation, make_user
from .formdata import form_data
from .importer.helpers import STYLES, styles_text

START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@contextmanager
def clock(moment):
    """Every ``timezone.now()`` answers ``moment``."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


class ScheduledPublishingTests(TestCase):
    """An article scheduled for 10:00 is absent from every public route and count at 09:00,
    and present at 11:00, in the same process."""

    @classmethod
    def setUpTestData(cls):
        with clock(START):
            cls.agency = make_agency(name="市档案局", level="市", sector="档案")
            cls.compilation = make_compilation(title="关于每日更新材料汇编")
            make_article(compilation=cls.compilation, agency=cls.agency, title="已发布的材料：档案工作",
                         themes=["党建"], published_at=START - datetime.timedelta(days=1))
            cls.scheduled = services.article_create(values={
                "compilation": cls.compilation, "position": 2, "agency": cls.agency,
                "title": "定时发布的材料：蜉蝣工作法", "original_text": "一、蜉蝣工作法\n档案局创新蜉蝣工作法。",
                "status": Status.PUBLISHED, "published_at": START + datetime.timedelta(hours=2),
                "themes": ["党建"],
            })

    def routes(self):
        pk, compilation = self.scheduled.pk, self.compilation.pk
        return {
            "home": reverse("articles:home"),
            "list": reverse("articles:list"),
            "search": reverse("articles:search") + "?q=蜉蝣",
            "api": reverse("api:search") + "?q=蜉蝣",
            "feed": reverse("articles:feed"),
            "sitemap": "/sitemap-articles.xml",
            "compilation": reverse("articles:compilation_detail", args=[compilation]),
            "agency": reverse("articles:agency", args=[self.agency.pk]),
            "theme": reverse("articles:theme", args=["党建"]),
            "detail": reverse("articles:detail", args=[pk]),
            "download": reverse("articles:download", args=[pk, "docx"]),
            "compilation-download": reverse(
                "articles:compilation_download", args=[compilation, "txt"]),
        }

    def visible_on(self, client) -> dict:
        seen = {}
        for name, url in self.routes().items():
            response = client.get(url)
            if name in ("detail", "download"):
                seen[name] = response.status_code == 200
            elif name == "compilation-download":
                seen[name] = "蜉蝣工作法" in response.content.decode()
            else:
                self.assertEqual(response.status_code, 200, url)
                page = response.content.decode()
                seen[name] = ("定时发布的材料" in page or f"/articles/{self.scheduled.pk}/" in page
                              or f'"id": {self.scheduled.pk}' in page)
        return seen

    def total(self, client) -> int:
        page = client.get(reverse("articles:list")).content.decode()
        return int(re.search(r"共\s*(\d+)\s*篇", page)[1])

    def test_a_scheduled_article_appears_at_its_time_on_every_route(self):
        self.assertEqual(self.scheduled.status, Status.SCHEDULED)
        client = Client()
        with clock(START + datetime.timedelta(hours=1)):
            self.assertEqual(self.visible_on(client), dict.fromkeys(self.routes(), False))
            self.assertEqual(self.total(client), 1)
            self.assertNotIn(self.scheduled, Article.objects.visible_to(AnonymousUser()))
        with clock(START + datetime.timedelta(hours=3)):
            self.assertEqual(self.visible_on(client), dict.fromkeys(self.routes(), True))
            self.assertEqual(self.total(client), 2)
        article = Article.objects.get(pk=self.scheduled.pk)
        self.assertEqual(article.status, Status.PUBLISHED)
        self.assertEqual(article.published_at, START + datetime.timedelta(hours=2))
        record = Article.history.filter(id=article.pk).latest("history_id")
        self.assertEqual(record.history_change_reason, "定时发布到期")

    def test_the_admin_shows_the_schedule(self):
        client = Client()
        client.force_login(make_user("编辑甲", group="编辑", staff=True))
        with clock(START + datetime.timedelta(hours=1)):
            page = client.get(reverse("admin:articles_article_changelist")).content.decode()
        self.assertIn("定时发布", page)
        self.assertIn("10:00", page)

    def test_a_scheduled_compilation_keeps_its_articles_off_until_its_time(self):
        with clock(START):
            compilation, _changed, _n = services.compilation_save(values={
                "title": "关于定时发布汇编", "status": Status.PUBLISHED,
                "published_at": START + datetime.timedelta(hours=2),
            })
            article = make_article(compilation=compilation, title="随汇编定时发布：蟋蟀工作法",
                                   status=Status.DRAFT)
            services.compilations_publish(compilations=Compilation.objects.filter(pk=compilation.pk))
        compilation.refresh_from_db()
        self.assertEqual(compilation.status, Status.SCHEDULED)
        client = Client()
        url = reverse("articles:search") + "?q=蟋蟀"
        link = f'href="{article.get_absolute_url()}'
        with clock(START + datetime.timedelta(hours=1)):
            self.assertNotIn(link, client.get(url).content.decode())
            self.assertEqual(client.get(article.get_absolute_url()).status_code, 404)
        with clock(START + datetime.timedelta(hours=3)):
            self.assertIn(link, client.get(url).content.decode())
            self.assertEqual(client.get(article.get_absolute_url()).status_code, 200)


class PublishRouteTests(TestCase):
    """Publishing a compilation by any route publishes its articles."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("编辑甲", group="编辑", staff=True)

    def setUp(self):
        self.client.force_login(self.editor)

    def draft_compilation(self):
        compilation = make_compilation(status=Status.DRAFT)
        for n in range(1, 4):
            make_article(compilation=compilation, position=n, status=Status.DRAFT)
        return compilation

    def assert_public(self, compilation, articles=3):
        self.assertEqual(
            Article.objects.published().filter(compilation=compilation).count(), articles)

    def test_the_compilation_form(self):
        compilation = self.draft_compilation()
        url = reverse("admin:articles_compilation_change", args=[compilation.pk])
        data = form_data(self.client.get(url))
        response = self.client.post(url, {**data, "status": "published"}, follow=True)
        self.assertContains(response, "3 篇草稿文章随之发布")
        self.assert_public(compilation)

    def test_the_bulk_action_and_unpublishing(self):
        compilation = self.draft_compilation()
        url = reverse("admin:articles_compilation_changelist")
        response = self.client.post(
            url, {"action": "publish", "_selected_action": [compilation.pk]}, follow=True)
        self.assertContains(response, "3 篇文章随之发布")
        self.assert_public(compilation)
        response = self.client.post(
            url, {"action": "unpublish", "_selected_action": [compilation.pk]}, follow=True)
        self.assertContains(response, "3 篇文章不再公开")
        self.assert_public(compilation, 0)

    def test_the_import_checkbox(self):
        result = import_compilation(STYLES, publish=True, user=self.editor)
        self.assertEqual(result.compilation.status, Status.PUBLISHED)
        self.assert_public(result.compilation, len(result.changes))

    def test_publish_on_a_file_imported_before_unchanged(self):
        first = import_compilation(STYLES)
        self.assert_public(first.compilation, 0)
        out = StringIO()
        call_command("import_compilation", str(STYLES), "--publish", stdout=out)
        self.assertIn("已发布汇编及其 4 篇文章", out.getvalue())
        self.assert_public(first.compilation, 4)

    def test_publish_on_a_corrected_file(self):
        first = import_compilation(STYLES)
        corrected = styles_text().replace("全年压减一般性支出XX亿元", "全年压减一般性支出XX万元")
        result = import_compilation(corrected.encode(), filename="styles.txt", publish=True)
        self.assertEqual((result.compilation.pk, result.updated), (first.compilation.pk, 1))
        self.assert_public(first.compilation, 4)
        self.assertIn("发布文章 4 篇", result.summary())

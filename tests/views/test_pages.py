"""The other reader pages: home, compilations, index and subject pages, login, errors."""
from django.test import RequestFactory, SimpleTestCase, TestCase
from django.urls import reverse

from articles.models import Agency, Initiative, Status, Theme, TocEntry
from articles.views.reader import server_error
from tests.factories import make_agency, make_article, make_compilation, make_user


class HomeAndCompilationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency = make_agency(name="县委组织部", level="县", sector="组织")
        cls.compilation = make_compilation(title="关于模范机关建设材料汇编（3篇）", declared_count=3)
        cls.one = make_article(compilation=cls.compilation, position=1, agency=cls.agency,
                               title="县委组织部：“三个强化”扎实推进模范机关建设",
                               themes=["党建"], initiatives=["三个强化"])
        cls.two = make_article(compilation=cls.compilation, position=2, title="以T教育深化“六型”机关建设")
        cls.hidden = make_article(compilation=cls.compilation, position=3, title="尚未发布",
                                  status=Status.DRAFT)
        TocEntry.objects.create(compilation=cls.compilation, position=1, title=cls.one.title,
                                page=5, article=cls.one)
        TocEntry.objects.create(compilation=cls.compilation, position=2, title="目录里有而正文缺的D建文章",
                                page=9)
        TocEntry.objects.create(compilation=cls.compilation, position=3, title="尚未发布", page=12,
                                article=cls.hidden)
        cls.draft_compilation = make_compilation(title="编辑中的汇编", status=Status.DRAFT)

    def test_home_has_search_latest_and_entry_points(self):
        response = self.client.get(reverse("articles:home"))
        self.assertContains(response, 'role="search"')
        self.assertContains(response, self.compilation.title)
        self.assertContains(response, "以主题教育深化“六型”机关建设")
        self.assertContains(response, reverse("articles:theme", args=["党建"]))
        self.assertContains(response, reverse("articles:initiative", args=["三个强化"]))
        self.assertContains(response, "?level=%E5%8E%BF")
        self.assertContains(response, "?sector=%E7%BB%84%E7%BB%87")
        self.assertNotContains(response, "编辑中的汇编")

    def test_landmarks_and_skip_link(self):
        response = self.client.get(reverse("articles:home"))
        for marker in ('href="#main"', '<main id="main"', 'role="banner"', 'role="contentinfo"',
                       '<nav class="site-nav" aria-label="主导航"', 'lang="zh-Hans"'):
            self.assertContains(response, marker)

    def test_compilation_list_is_newest_first_and_filterable(self):
        newer = make_compilation(title="清廉机关建设材料汇编（2篇）")
        response = self.client.get(reverse("articles:compilation_list"))
        self.assertEqual(list(response.context["page_obj"])[:2], [newer, self.compilation])
        self.assertNotContains(response, "编辑中的汇编")
        filtered = self.client.get(reverse("articles:compilation_list"), {"title": "清廉"})
        self.assertEqual(list(filtered.context["page_obj"]), [newer])
        self.assertEqual(
            self.client.get(reverse("articles:compilation_list"), {"year": "abc", "page": "x"})
            .status_code, 200,
        )
        # Years whose 1 January in Asia/Shanghai is not a representable UTC date, and digits
        # of other scripts (१ = 1), are ignored like any other bad value.
        for year in ("1", "१", "0", "99999", "-5"):
            for url in (reverse("articles:compilation_list"), reverse("articles:list")):
                with self.subTest(url=url, year=year):
                    self.assertEqual(self.client.get(url, {"year": year}).status_code, 200)

    def test_compilation_detail_links_its_contents_and_download(self):
        response = self.client.get(self.compilation.get_absolute_url())
        self.assertContains(response, f'href="{self.one.get_absolute_url()}"')
        self.assertContains(response, "目录里有而正文缺的党建文章")
        self.assertContains(response, "（正文未收录）")
        self.assertContains(response, f'href="{self.two.get_absolute_url()}"')  # not in the 目录
        self.assertNotContains(response, f'href="{self.hidden.get_absolute_url()}"')
        self.assertContains(
            response, reverse("articles:compilation_download", args=[self.compilation.pk, "docx"])
        )
        self.assertEqual(response.context["article_count"], 2)
        self.assertContains(response, "<dd>3</dd>")  # declared count

    def test_draft_compilation_is_for_editors_only(self):
        url = self.draft_compilation.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(make_user("编辑老李", group="编辑", staff=True))
        self.assertEqual(self.client.get(url).status_code, 200)


class IndexAndSubjectPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.audit = make_agency(name="市审计局", level="市", sector="审计")
        cls.county = make_agency(name="县交通运输局", level="县", sector="交通运输")
        for i in range(3):
            make_article(agency=cls.audit, themes=["清廉机关"], initiatives=["四个着力"],
                         title=f"审计材料{i}")
        make_article(agency=cls.county, themes=["清廉机关", "作风建设"], title="交通材料")
        make_article(agency=cls.county, themes=["作风建设"], status=Status.DRAFT, title="草稿材料")

    def test_index_pages_count_published_articles(self):
        agencies = self.client.get(reverse("articles:agency_index"))
        self.assertContains(agencies, "市审计局")
        counts = {a["name"]: a["count"] for g in agencies.context["groups"] for a in g["agencies"]}
        self.assertEqual(counts, {"市审计局": 3, "县交通运输局": 1})
        themes = {name: n for _, name, n in
                      self.client.get(reverse("articles:theme_index")).context["page_obj"]}
        self.assertEqual(themes, {"清廉机关": 4, "作风建设": 1})
        initiatives = self.client.get(reverse("articles:initiative_index")).context["page_obj"]
        self.assertEqual([(name, n) for _, name, n in initiatives], [("四个着力", 3)])

    def test_subject_pages_list_their_articles(self):
        theme = Theme.objects.get(name="作风建设")
        response = self.client.get(theme.get_absolute_url())
        self.assertEqual([a.title for a in response.context["page_obj"]], ["交通材料"])
        self.assertContains(response, "?theme=%E4%BD%9C%E9%A3%8E%E5%BB%BA%E8%AE%BE")
        initiative = Initiative.objects.get(name="四个着力")
        self.assertEqual(
            self.client.get(initiative.get_absolute_url()).context["page_obj"].paginator.count, 3
        )
        agency = self.client.get(self.county.get_absolute_url())
        self.assertEqual([a.title for a in agency.context["page_obj"]], ["交通材料"])

    def test_every_model_with_a_page_has_an_absolute_url(self):
        article = make_article(themes=["党建"], initiatives=["六型"])
        for obj in (article, article.compilation, self.audit, Theme.objects.get(name="党建"),
                    Initiative.objects.get(name="六型")):
            with self.subTest(obj=obj):
                self.assertEqual(self.client.get(obj.get_absolute_url()).status_code, 200)

    def test_unknown_subjects_are_404(self):
        for url in (reverse("articles:theme", args=["不存在"]),
                    reverse("articles:initiative", args=["不存在"]),
                    reverse("articles:agency", args=[999999]),
                    reverse("articles:compilation_detail", args=[999999])):
            self.assertContains(self.client.get(url), "页面不存在", status_code=404)

    def test_agency_page_survives_bad_page_numbers(self):
        url = Agency.objects.get(name="市审计局").get_absolute_url()
        for page in ("abc", "99999", "0"):
            self.assertEqual(self.client.get(url, {"page": page}).status_code, 200)


class AccountPageTests(TestCase):
    def test_login_page_logs_a_member_in_and_back(self):
        make_user("会员小王", group="会员", password="密码-2024-abc")
        page = self.client.get(reverse("login"))
        self.assertContains(page, '<label for="id_username">用户名</label>')
        response = self.client.post(
            reverse("login"), {"username": "会员小王", "password": "密码-2024-abc", "next": "/articles/"}
        )
        self.assertRedirects(response, "/articles/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/articles/"), "退出")

    def test_wrong_password_shows_a_chinese_message(self):
        response = self.client.post(reverse("login"), {"username": "无此人", "password": "x"})
        self.assertContains(response, "用户名或密码不正确")

    def test_logout_page(self):
        self.client.force_login(make_user("会员小周", group="会员"))
        response = self.client.post(reverse("logout"))
        self.assertIn(response.status_code, (200, 302))


class ErrorPageTests(SimpleTestCase):
    def test_500_page_is_chinese_and_needs_no_database(self):
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("服务器出错", response.content.decode())

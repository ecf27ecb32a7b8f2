"""Editors' admin: every page answers, permissions, lost-update protection, history, merge."""
import re

from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse

from articles.facets import library_version
from articles.models import Agency, Article, Initiative, Theme, ThemeKeyword, TocEntry

from .factories import make_agency, make_article, make_user


class AdminSetupMixin:
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_user("总编", superuser=True)
        cls.editor = make_user("编辑甲", group="编辑", staff=True)
        cls.editor2 = make_user("编辑乙", group="编辑", staff=True)
        cls.agency = make_agency(name="市审计局", level="市", sector="审计")
        cls.article = make_article(
            agency=cls.agency, title="市审计局：“三化”发力争创“五型”模范机关",
            initiatives=["三化", "五型"], themes=["清廉机关"],
        )
        cls.compilation = cls.article.compilation
        TocEntry.objects.create(
            compilation=cls.compilation, position=1, title=cls.article.title, page=10,
            article=cls.article,
        )

    def client_for(self, user):
        client = Client()
        client.force_login(user)
        return client


def _objects():
    return {
        "compilation": lambda t: t.compilation,
        "article": lambda t: t.article,
        "agency": lambda t: t.agency,
        "initiative": lambda t: Initiative.objects.first(),
        "theme": lambda t: Theme.objects.get(name="清廉机关"),
        "themekeyword": lambda t: ThemeKeyword.objects.first(),
    }


class AdminPagesTests(AdminSetupMixin, TestCase):
    def test_every_changelist_add_and_change_page_answers_for_superuser_and_editor(self):
        for user in (self.superuser, self.editor):
            client = self.client_for(user)
            for model, get_obj in _objects().items():
                obj = get_obj(self)
                for url in (
                    reverse(f"admin:articles_{model}_changelist"),
                    reverse(f"admin:articles_{model}_add"),
                    reverse(f"admin:articles_{model}_change", args=[obj.pk]),
                ):
                    with self.subTest(user=user.username, url=url):
                        self.assertEqual(client.get(url).status_code, 200)
            for model in ("compilation", "article"):
                obj = _objects()[model](self)
                url = reverse(f"admin:articles_{model}_history", args=[obj.pk])
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 200)

    def test_compilation_changelist_offers_the_import_page(self):
        client = self.client_for(self.editor)
        changelist = client.get(reverse("admin:articles_compilation_changelist"))
        import_url = reverse("admin:articles_compilation_import")
        self.assertContains(changelist, import_url)
        self.assertContains(changelist, "导入汇编")
        self.assertEqual(client.get(import_url).status_code, 200)

    def test_article_changelist_filters_answer(self):
        client = self.client_for(self.editor)
        url = reverse("admin:articles_article_changelist")
        for query in (
            "level=市", "sector=审计", "theme=清廉机关", "initiative=三化",
            f"compilation={self.compilation.pk}", "compilation=abc", "status__exact=published",
            "members_only__exact=0", "year=2023", "q=三化",
        ):
            with self.subTest(query=query):
                response = client.get(f"{url}?{query}")
                self.assertEqual(response.status_code, 200)
        response = client.get(f"{url}?theme=清廉机关")
        self.assertContains(response, "市审计局：“三化”发力争创“五型”模范机关")

    def test_editor_cannot_see_users_groups_or_permissions(self):
        client = self.client_for(self.editor)
        for url in (
            reverse("admin:auth_user_changelist"),
            reverse("admin:auth_user_change", args=[self.superuser.pk]),
            reverse("admin:auth_group_changelist"),
        ):
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 403)
        index = client.get(reverse("admin:index"))
        self.assertNotContains(index, reverse("admin:auth_user_changelist"))

    def test_editor_group_has_content_permissions_only(self):
        perms = Group.objects.get(name="编辑").permissions.all()
        self.assertTrue(perms.filter(codename="change_article").exists())
        self.assertFalse(perms.exclude(content_type__app_label="articles").exists())
        self.assertTrue(Group.objects.filter(name="会员").exists())

    def test_article_page_links_to_the_site(self):
        client = self.client_for(self.editor)
        response = client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        self.assertContains(response, "/r/")  # Django's "view on site" redirect


def article_post_data(article, **overrides):
    data = {
        "compilation": article.compilation_id,
        "position": article.position,
        "title": article.title,
        "agency": article.agency_id or "",
        "year": article.year or "",
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "members_only": "on" if article.members_only else "",
        "initiatives": "，".join(article.initiatives.names()),
        "themes": "，".join(article.themes.names()),
        "original_text": article.original_text,
        "expected_version": article.version,
    }
    if article.published_at:
        from django.utils.timezone import localtime

        local = localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k.startswith("published_at")}


class ConcurrentEditTests(AdminSetupMixin, TestCase):
    def test_second_editor_save_is_refused_and_nothing_is_overwritten(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        first, second = self.client_for(self.editor), self.client_for(self.editor2)
        # Both open the same article.
        for client in (first, second):
            page = client.get(url)
            self.assertContains(page, f'name="expected_version" value="{self.article.version}"')
        opened = Article.objects.get(pk=self.article.pk)

        response = first.post(url, article_post_data(opened, title="甲的标题：“三化”发力"))
        self.assertEqual(response.status_code, 302)

        response = second.post(url, article_post_data(opened, title="乙的标题：“五型”模范"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "保存被拒绝")
        self.assertContains(response, "编辑甲")
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(article.title, "甲的标题：“三化”发力")
        self.assertEqual(article.version, opened.version + 1)

    def test_save_with_current_version_succeeds_and_edits_text(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        client = self.client_for(self.editor)
        article = Article.objects.get(pk=self.article.pk)
        new_text = "一、强化D建引领\n开展TD日活动。\n二、强化作风建设\n严格落实规定。"
        response = client.post(url, article_post_data(
            article, original_text=new_text, initiatives="三化、五型；六型"))
        self.assertEqual(response.status_code, 302, response.content[:2000])
        article.refresh_from_db()
        self.assertEqual(article.text, "一、强化党建引领\n开展主题党日活动。\n二、强化作风建设\n严格落实规定。")
        self.assertEqual(sorted(article.initiatives.names()), ["三化", "五型", "六型"])
        self.assertEqual(
            [s["heading"] for s in article.sections if s["heading"]],
            ["一、强化D建引领", "二、强化作风建设"],
        )

    def test_concurrent_compilation_edit_is_refused(self):
        url = reverse("admin:articles_compilation_change", args=[self.compilation.pk])
        first, second = self.client_for(self.editor), self.client_for(self.editor2)
        page = second.get(url)
        version = int(re.search(r'name="expected_version" value="(\d+)"', page.content.decode())[1])
        self.compilation.title = "被甲改过的汇编"
        self.compilation.save()
        data = {
            "title": "乙的汇编", "status": "published", "expected_version": version,
            "articles-TOTAL_FORMS": 0, "articles-INITIAL_FORMS": 0,
            "toc_entries-TOTAL_FORMS": 0, "toc_entries-INITIAL_FORMS": 0,
        }
        response = second.post(url, data)
        self.assertContains(response, "保存被拒绝")
        self.compilation.refresh_from_db()
        self.assertEqual(self.compilation.title, "被甲改过的汇编")
        self.assertIsNotNone(first)


class HistoryTests(AdminSetupMixin, TestCase):
    def test_history_records_who_changed_what_and_restores_it(self):
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        client = self.client_for(self.editor)
        article = Article.objects.get(pk=self.article.pk)
        original_title = article.title
        response = client.post(url, article_post_data(article, title="改过的标题"))
        self.assertEqual(response.status_code, 302)

        history = Article.history.filter(id=self.article.pk).order_by("history_date")
        self.assertEqual(history.count(), 2)
        latest = history.last()
        self.assertEqual(latest.history_user, self.editor)
        delta = latest.diff_against(history.first())
        self.assertIn("title", delta.changed_fields)

        page = client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        self.assertContains(page, "编辑甲")

        first = history.first()
        restore_url = reverse(
            "admin:articles_article_simple_history", args=[self.article.pk, first.history_id]
        )
        form_page = client.get(restore_url)
        self.assertContains(form_page, original_title)
        current = Article.objects.get(pk=self.article.pk)
        data = article_post_data(first.instance, expected_version=current.version)
        data["initiatives"] = "，".join(current.initiatives.names())
        data["themes"] = "，".join(current.themes.names())
        response = client.post(restore_url, data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        current.refresh_from_db()
        self.assertEqual(current.title, original_title)
        self.assertEqual(current.version, 3)
        self.assertEqual(Article.history.filter(id=self.article.pk).count(), 3)


class AgencyMergeTests(AdminSetupMixin, TestCase):
    def test_merge_moves_every_article_and_deletes_the_duplicate(self):
        duplicate = make_agency(name="审计局", level="其他", sector="审计")
        moved = [make_article(agency=duplicate) for _ in range(3)]
        client = self.client_for(self.editor)
        url = reverse("admin:articles_agency_changelist")
        selection = {"action": "merge", "_selected_action": [self.agency.pk, duplicate.pk]}
        page = client.post(url, selection)
        self.assertContains(page, "保留哪个机关")
        response = client.post(url, {**selection, "confirm": "1", "keep": self.agency.pk})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Agency.objects.filter(pk=duplicate.pk).exists())
        self.assertEqual(
            set(Article.objects.filter(agency=self.agency).values_list("pk", flat=True)),
            {self.article.pk, *(a.pk for a in moved)},
        )
        self.assertFalse(Article.objects.filter(agency__isnull=True).exists())
        self.assertEqual(
            Article.history.filter(id=moved[0].pk).latest("history_date").agency_id,
            self.agency.pk,
        )

    def test_merge_without_choice_changes_nothing(self):
        duplicate = make_agency(name="审计局2")
        client = self.client_for(self.editor)
        url = reverse("admin:articles_agency_changelist")
        response = client.post(url, {
            "action": "merge", "_selected_action": [self.agency.pk, duplicate.pk],
            "confirm": "1",
        })
        self.assertContains(response, "请选择要保留的机关")
        self.assertTrue(Agency.objects.filter(pk=duplicate.pk).exists())


class BulkActionTests(AdminSetupMixin, TestCase):
    def test_publish_unpublish_and_add_theme(self):
        drafts = [make_article(status="draft") for _ in range(2)]
        client = self.client_for(self.editor)
        url = reverse("admin:articles_article_changelist")
        ids = [a.pk for a in drafts]
        before = library_version()
        client.post(url, {"action": "publish", "_selected_action": ids})
        self.assertNotEqual(library_version(), before, "cached facet counts must be invalidated")
        self.assertEqual(Article.objects.filter(pk__in=ids, status="published").count(), 2)
        self.assertFalse(Article.objects.filter(pk__in=ids, published_at__isnull=True).exists())
        client.post(url, {"action": "unpublish", "_selected_action": ids})
        self.assertEqual(Article.objects.filter(pk__in=ids, status="draft").count(), 2)
        theme = Theme.objects.get(name="作风建设")
        client.post(url, {"action": "add_theme", "_selected_action": ids, "theme": theme.pk})
        self.assertEqual(theme.tagged_articles.filter(content_object__in=ids).count(), 2)
        response = client.post(url, {"action": "add_theme", "_selected_action": ids}, follow=True)
        self.assertContains(response, "请先在操作栏中选择要添加的主题")


class EditorsDayTests(AdminSetupMixin, TestCase):
    """The changelist and history as editors use them all day, in Chinese."""

    def test_admin_search_finds_restored_words_in_titles_text_and_agency_names(self):
        coded_title = make_article(title="县委组织部：以D建引领基层治理", agency=make_agency(name="县委组织部"))
        coded_text = make_article(title="县民政局经验材料", original_text="局D组开展TD日活动。")
        by_agency = make_article(title="某机关经验材料", agency=make_agency(name="县委D建办"))
        other = make_article(title="县财政局预算绩效管理")
        client = self.client_for(self.editor)
        url = reverse("admin:articles_article_changelist")
        for q, expected in (("党建", {coded_title, by_agency}), ("主题党日", {coded_text}),
                            ("县委组织部", {coded_title})):
            with self.subTest(q=q):
                response = client.get(url, {"q": q})
                shown = set(response.context["cl"].result_list)
                self.assertEqual(shown, expected)
                self.assertNotIn(other, shown)
        self.assertContains(client.get(url, {"q": "党建"}), "县委组织部：以党建引领基层治理")

    def test_agency_filter_lists_the_busiest_agencies_with_counts(self):
        make_article(agency=self.agency)
        client = self.client_for(self.editor)
        url = reverse("admin:articles_article_changelist")
        page = client.get(url).content.decode()
        self.assertIn("市审计局（2）", page)
        response = client.get(url, {"agency": self.agency.pk})
        self.assertEqual(len(response.context["cl"].result_list), 2)
        self.assertEqual(client.get(url, {"agency": "abc"}).status_code, 200)

    def test_history_pages_speak_chinese(self):
        client = self.client_for(self.editor)
        url = reverse("admin:articles_article_change", args=[self.article.pk])
        from .formdata import form_data

        data = form_data(client.get(url))
        client.post(url, {**data, "year": "", "themes": "清廉机关，党建"})
        page = client.get(reverse("admin:articles_article_history", args=[self.article.pk]))
        text = page.content.decode()
        for word in ("第 2 版", "编辑保存", "编辑甲", "年份：</strong>2023 → —", "主题："):
            self.assertIn(word, text)
        for english in ("None", "Changes", "Unchanged", "Historical"):
            self.assertNotIn(english, text)
        first = Article.history.filter(id=self.article.pk).earliest("history_id")
        restore = client.get(reverse("admin:articles_article_simple_history",
                                     args=[self.article.pk, first.history_id])).content.decode()
        self.assertIn("恢复文章", restore)
        for english in ("Historical", "Revert", "Home"):
            self.assertNotIn(english, restore)

"""The promise to editors, tried as two editors would: on every editable surface the second,
stale save is refused with a message naming who changed what, and the database stays exactly
as the first save left it; every change is in the history (tags too) and a save that changes
nothing writes nothing."""
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.importer import import_compilation
from articles.library import read_version
from articles.models import Agency, Article, Compilation, Theme, TocEntry
from articles.regions import gazetteer
from articles.services import names_of, records_delete
from articles.services.core import Write

from .factories import make_agency, make_article, make_compilation, make_user
from .formdata import form_data
from .importer.helpers import styles_text


def snapshot(model, pk) -> dict:
    """Every column of a row, its tags and its number of history rows."""
    row = model.objects.filter(pk=pk).values().get()
    if model is Article:
        article = Article.objects.get(pk=pk)
        row["tags"] = (sorted(article.themes.names()), sorted(article.initiatives.names()))
    history = getattr(model, "history", None)
    if history is not None:
        row["history_rows"] = history.filter(**{model._meta.pk.attname: pk}).count()
    return row


class TwoEditors(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor_a = make_user("编辑甲", group="编辑", staff=True)
        cls.editor_b = make_user("编辑乙", group="编辑", staff=True)
        cls.agency = make_agency(name="市审计局", level="市", sector="审计", region="都匀市")
        cls.article = make_article(
            agency=cls.agency, title="市审计局：“三化”发力争创“五型”模范机关", year=2021,
            initiatives=["三化"], themes=["清廉机关"],
        )
        cls.compilation = cls.article.compilation

    def setUp(self):
        self.a, self.b = Client(), Client()
        self.a.force_login(self.editor_a)
        self.b.force_login(self.editor_b)

    def open(self, client, url):
        page = client.get(url)
        self.assertEqual(page.status_code, 200)
        return form_data(page)

    def assert_refused(self, response, who="编辑乙", *shown):
        """The page refuses the save, names who saved before and shows ``shown`` (the diff,
        the editor's input)."""
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        for text in ("保存被拒绝", who, *shown):
            self.assertIn(text, page, f"not on the page: {text}")

    def article_url(self, pk=None):
        return reverse("admin:articles_article_change", args=[pk or self.article.pk])


class ArticleFormTests(TwoEditors):
    def test_second_article_save_is_refused_with_a_field_diff_and_keeps_the_input(self):
        url = self.article_url()
        data_a, data_b = self.open(self.a, url), self.open(self.b, url)
        self.assertEqual(self.b.post(url, {**data_b, "year": "2022"}).status_code, 302)
        after_b = snapshot(Article, self.article.pk)
        response = self.a.post(url, {**data_a, "title": "甲改的标题：“三化”发力"})
        # The diff of B's save, and A's input still in the form.
        self.assert_refused(response, "编辑乙", "年份：2021 → 2022", "甲改的标题：“三化”发力")
        self.assertEqual(snapshot(Article, self.article.pk), after_b)

    def test_an_unchanged_save_writes_nothing_and_keeps_the_version(self):
        url = self.article_url()
        before = snapshot(Article, self.article.pk)
        data = self.open(self.a, url)
        self.assertIn("\r\n", data["original_text"])  # what a browser sends back
        self.assertEqual(self.a.post(url, data).status_code, 302)
        self.assertEqual(snapshot(Article, self.article.pk), before)

    def test_a_tag_change_is_in_the_history_and_a_restore_brings_the_old_tags_back(self):
        url = self.article_url()
        first = Article.history.filter(id=self.article.pk).earliest("history_id")
        data = self.open(self.a, url)
        response = self.a.post(url, {**data, "themes": "党建，作风建设", "initiatives": ""})
        self.assertEqual(response.status_code, 302)
        latest = Article.history.filter(id=self.article.pk).latest("history_id")
        delta = latest.diff_against(first)
        self.assertEqual(set(delta.changed_fields), {"theme_names", "initiative_names"})
        self.assertEqual(latest.history_change_reason, "编辑保存")
        self.assertEqual(latest.history_user, self.editor_a)

        restore = reverse("admin:articles_article_simple_history",
                          args=[self.article.pk, first.history_id])
        data = self.open(self.a, restore)
        self.assertEqual(data["themes"], "清廉机关")
        self.assertEqual(self.a.post(restore, data).status_code, 302)
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(sorted(article.themes.names()), ["清廉机关"])
        self.assertEqual(sorted(article.initiatives.names()), ["三化"])
        self.assertEqual(names_of(article.theme_names), ["清廉机关"])
        self.assertEqual(
            Article.history.filter(id=self.article.pk).latest("history_id").history_change_reason,
            f"恢复到第 {first.version} 版",
        )

    def test_a_restore_opened_before_another_save_is_refused(self):
        url = self.article_url()
        first = Article.history.filter(id=self.article.pk).earliest("history_id")
        restore = reverse("admin:articles_article_simple_history",
                          args=[self.article.pk, first.history_id])
        restore_data = self.open(self.a, restore)
        data_b = self.open(self.b, url)
        self.assertEqual(self.b.post(url, {**data_b, "year": "2019"}).status_code, 302)
        after_b = snapshot(Article, self.article.pk)
        self.assert_refused(self.a.post(restore, restore_data))
        self.assertEqual(snapshot(Article, self.article.pk), after_b)


class CompilationPageTests(TwoEditors):
    def compilation_url(self):
        return reverse("admin:articles_compilation_change", args=[self.compilation.pk])

    def row(self, data, field):
        index = next(key.split("-")[1] for key, value in data.items()
                     if key.startswith("articles-") and key.endswith("-id")
                     and value == str(self.article.pk))
        return f"articles-{index}-{field}"

    def test_a_stale_inline_row_is_refused_and_the_article_keeps_the_other_save(self):
        page_a = self.open(self.a, self.compilation_url())
        data_b = self.open(self.b, self.article_url())
        saved = self.b.post(self.article_url(), {**data_b, "year": "2022"})
        self.assertEqual(saved.status_code, 302)
        after_b = snapshot(Article, self.article.pk)
        compilation_before = snapshot(Compilation, self.compilation.pk)
        response = self.a.post(self.compilation_url(), {
            **page_a, self.row(page_a, "title"): "甲在汇编页改的标题"})
        self.assert_refused(response, "编辑乙", "年份：2021 → 2022", "甲在汇编页改的标题")
        self.assertEqual(snapshot(Article, self.article.pk), after_b)
        self.assertEqual(snapshot(Compilation, self.compilation.pk), compilation_before)

    def test_an_inline_edit_is_versioned_and_recorded(self):
        page = self.open(self.a, self.compilation_url())
        response = self.a.post(self.compilation_url(), {**page, self.row(page, "year"): "2020"})
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual((article.year, article.version), (2020, self.article.version + 1))
        record = Article.history.filter(id=article.pk).latest("history_id")
        self.assertEqual((record.history_change_reason, record.history_user),
                         ("在汇编页编辑", self.editor_a))

    def test_an_unchanged_compilation_page_save_writes_nothing(self):
        TocEntry.objects.create(compilation=self.compilation, position=1,
                                title=self.article.title, page=3, article=self.article)
        before = (snapshot(Compilation, self.compilation.pk), snapshot(Article, self.article.pk))
        page = self.open(self.a, self.compilation_url())
        self.assertEqual(self.a.post(self.compilation_url(), page).status_code, 302)
        after = (snapshot(Compilation, self.compilation.pk), snapshot(Article, self.article.pk))
        self.assertEqual(after, before)

    def test_a_compilation_form_opened_before_another_save_is_refused(self):
        page_a, page_b = (self.open(c, self.compilation_url()) for c in (self.a, self.b))
        saved = self.b.post(self.compilation_url(), {**page_b, "title": "乙改的汇编"})
        self.assertEqual(saved.status_code, 302)
        after_b = snapshot(Compilation, self.compilation.pk)
        self.assert_refused(self.a.post(self.compilation_url(), {**page_a, "declared_count": "9"}))
        self.assertEqual(snapshot(Compilation, self.compilation.pk), after_b)


class BulkActionTests(TwoEditors):
    changelist = reverse("admin:articles_article_changelist")

    def test_a_bulk_theme_makes_an_open_form_stale(self):
        data_a = self.open(self.a, self.article_url())
        theme = Theme.objects.create(name="作风建设1")
        self.b.post(self.changelist, {"action": "add_theme", "theme": theme.pk,
                                      "_selected_action": [self.article.pk]})
        after_b = snapshot(Article, self.article.pk)
        self.assertIn("作风建设1", after_b["tags"][0])
        self.assertEqual(Article.history.filter(id=self.article.pk).latest("history_id")
                         .history_change_reason, "批量添加主题“作风建设1”")
        response = self.a.post(self.article_url(), {**data_a, "year": "2024"})
        self.assert_refused(response, "编辑乙", "主题：清廉机关 → 作风建设1、清廉机关")
        self.assertEqual(snapshot(Article, self.article.pk), after_b)

    def test_a_bulk_publish_makes_an_open_form_stale(self):
        draft = make_article(compilation=self.compilation, title="草稿：待发布的材料", status="draft")
        data_a = self.open(self.a, self.article_url(draft.pk))
        self.b.post(self.changelist, {"action": "publish", "_selected_action": [draft.pk]})
        after_b = snapshot(Article, draft.pk)
        self.assertEqual(after_b["status"], "published")
        self.assertEqual(Article.history.filter(id=draft.pk).latest("history_id")
                         .history_change_reason, "批量发布")
        self.assert_refused(self.a.post(self.article_url(draft.pk), {**data_a, "year": "2024"}),
                            "编辑乙", "状态：草稿 → 已发布")
        self.assertEqual(snapshot(Article, draft.pk), after_b)

    def test_a_bulk_unpublish_makes_an_open_form_stale(self):
        data_a = self.open(self.a, self.article_url())
        self.b.post(self.changelist, {"action": "unpublish", "_selected_action": [self.article.pk]})
        after_b = snapshot(Article, self.article.pk)
        self.assertEqual(after_b["status"], "draft")
        self.assert_refused(self.a.post(self.article_url(), {**data_a, "year": "2024"}))
        self.assertEqual(snapshot(Article, self.article.pk), after_b)


class AgencyAndTagFormTests(TwoEditors):
    def test_a_second_agency_save_is_refused(self):
        url = reverse("admin:articles_agency_change", args=[self.agency.pk])
        data_a, data_b = self.open(self.a, url), self.open(self.b, url)
        fuquan = gazetteer().place_of("福泉市").code
        self.assertEqual(self.b.post(url, {**data_b, "region": fuquan}).status_code, 302)
        after_b = snapshot(Agency, self.agency.pk)
        response = self.a.post(url, {**data_a, "sector": "审计监督"})
        self.assert_refused(response, "编辑乙",
                            "地区：贵州省 › 黔南州 › 都匀市 → 贵州省 › 黔南州 › 福泉市")
        self.assertEqual(snapshot(Agency, self.agency.pk), after_b)

    def test_an_agency_restore_brings_back_the_old_values(self):
        url = reverse("admin:articles_agency_change", args=[self.agency.pk])
        data = self.open(self.a, url)
        fuquan = gazetteer().place_of("福泉市").code
        self.assertEqual(self.a.post(url, {**data, "region": fuquan}).status_code, 302)
        self.assertEqual(Agency.objects.get(pk=self.agency.pk).region_id, fuquan)
        first = Agency.history.filter(id=self.agency.pk).earliest("history_id")
        restore = reverse("admin:articles_agency_simple_history",
                          args=[self.agency.pk, first.history_id])
        self.assertEqual(self.a.post(restore, self.open(self.a, restore)).status_code, 302)
        self.assertEqual(Agency.objects.get(pk=self.agency.pk).region.name, "都匀市")

    def test_a_second_tag_save_is_refused_and_a_rename_reaches_the_articles(self):
        theme = Theme.objects.get(name="清廉机关")
        url = reverse("admin:articles_theme_change", args=[theme.pk])
        data_a, data_b = self.open(self.a, url), self.open(self.b, url)
        article_form = self.open(self.a, self.article_url())
        self.assertEqual(self.b.post(url, {**data_b, "name": "清廉机关建设"}).status_code, 302)
        after_b = snapshot(Theme, theme.pk)
        self.assert_refused(self.a.post(url, {**data_a, "description": "甲写的说明"}))
        self.assertEqual(snapshot(Theme, theme.pk), after_b)
        article = Article.objects.get(pk=self.article.pk)
        self.assertEqual(article.theme_names, "清廉机关建设")
        # An article form opened before the rename would put the old name back: refused.
        self.assert_refused(self.a.post(self.article_url(), {**article_form, "year": "2020"}))

    def test_unchanged_agency_and_tag_saves_write_nothing(self):
        theme = Theme.objects.get(name="清廉机关")
        for model, pk, name in ((Agency, self.agency.pk, "agency"), (Theme, theme.pk, "theme")):
            url = reverse(f"admin:articles_{name}_change", args=[pk])
            before = snapshot(model, pk)
            self.assertEqual(self.a.post(url, self.open(self.a, url)).status_code, 302)
            self.assertEqual(snapshot(model, pk), before, name)


class ReimportTests(TwoEditors):
    def test_a_reimport_that_moves_an_article_makes_its_open_form_stale(self):
        first = import_compilation(styles_text().encode(), filename="styles.txt")
        moved = Article.objects.get(compilation=first.compilation, position=2)
        url = self.article_url(moved.pk)
        data_a = self.open(self.a, url)
        # The corrected file has a new article at the top: every other article moves down.
        text = styles_text()
        title_line = text.splitlines()[0]
        body_start = text.index("\n\n\n") + 3
        inserted = ("县审计局：以“三个到位”推进审计整改\n\n"
                    "县审计局坚持把审计整改作为审计工作的“下半篇文章”，建立整改台账，逐项销号。\n\n\n")
        corrected = text[:body_start] + inserted + text[body_start:]
        self.assertTrue(corrected.startswith(title_line))
        result = import_compilation(corrected.encode(), filename="styles-2.txt", user=self.editor_b)
        self.assertEqual(result.created, 1)
        moved.refresh_from_db()
        self.assertEqual(moved.position, 3)
        record = Article.history.filter(id=moved.pk).latest("history_id")
        self.assertEqual(record.position, 3)
        self.assertEqual(record.history_user, self.editor_b)
        after = snapshot(Article, moved.pk)
        self.assert_refused(self.a.post(url, {**data_a, "year": "2024"}))
        self.assertEqual(snapshot(Article, moved.pk), after)


class DeleteTests(TwoEditors):
    def test_deleting_from_the_admin_is_in_the_history(self):
        doomed = make_article(compilation=make_compilation(), title="将被删除的文章")
        url = reverse("admin:articles_article_delete", args=[doomed.pk])
        self.assertEqual(self.a.post(url, {"post": "yes"}).status_code, 302)
        self.assertFalse(Article.objects.filter(pk=doomed.pk).exists())
        record = Article.history.filter(id=doomed.pk).latest("history_id")
        self.assertEqual((record.history_type, record.history_user), ("-", self.editor_a))


class HandEditsTests(TwoEditors):
    """A corrected file over articles an editor changed by hand since the last import."""

    def setUp(self):
        super().setUp()
        self.first = import_compilation(styles_text().encode(), filename="styles.txt")
        self.edited = Article.objects.get(compilation=self.first.compilation, position=1)
        self.untouched = Article.objects.get(compilation=self.first.compilation, position=2)
        url = self.article_url(self.edited.pk)
        data = self.open(self.a, url)
        self.hand_text = data["original_text"].replace("XX亿元", "3.2亿元")
        self.assertEqual(self.a.post(url, {**data, "original_text": self.hand_text}).status_code, 302)
        self.corrected = (styles_text().replace("每季度召开一次专题会议", "每月召开一次专题会议")
                          .replace("依托机关图书室", "依托机关阅览室"))

    def preview(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("styles-2.txt", self.corrected.encode())
        response = self.a.post(reverse("admin:articles_compilation_import"), {"file": upload})
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_preview_marks_the_hand_edit_and_the_import_keeps_it_by_default(self):
        response = self.preview()
        page = response.content.decode()
        self.assertIn("人工修改过", page)
        self.assertIn("3.2亿元", page)  # the editor's change, shown as a diff
        self.assertEqual(page.count('name="take_file"'), 1)
        ticket = form_data(response, "import-confirm")["ticket"]
        self.a.post(reverse("admin:articles_compilation_import_confirm"), {"ticket": ticket})
        self.edited.refresh_from_db()
        self.untouched.refresh_from_db()
        self.assertIn("3.2亿元", self.edited.original_text)
        self.assertNotIn("每月召开", self.edited.original_text)
        self.assertIn("依托机关阅览室", self.untouched.original_text)

    def test_the_editor_may_take_the_files_version(self):
        response = self.preview()
        data = form_data(response, "import-confirm")
        self.a.post(reverse("admin:articles_compilation_import_confirm"),
                    {"ticket": data["ticket"], "take_file": [self.edited.pk]})
        self.edited.refresh_from_db()
        self.assertIn("每月召开一次专题会议", self.edited.original_text)
        self.assertNotIn("3.2亿元", self.edited.original_text)

    def test_the_command_keeps_hand_edits_unless_told(self):
        again = self.corrected.replace("建立长效机制8项", "建立长效机制9项")
        for text, flags in ((self.corrected, []), (again, ["--overwrite-edits"])):
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "styles.txt"
                path.write_text(text, encoding="utf-8")
                out = StringIO()
                call_command("import_compilation", str(path), *flags, stdout=out)
            self.edited.refresh_from_db()
            if flags:
                self.assertIn("每月召开一次专题会议", self.edited.original_text)
                self.assertNotIn("3.2亿元", self.edited.original_text)
            else:
                self.assertIn("保留了编辑的版本", out.getvalue())
                self.assertIn("3.2亿元", self.edited.original_text)


class AddTests(TwoEditors):
    def test_adding_an_article_and_a_compilation_goes_through_the_services(self):
        url = reverse("admin:articles_compilation_add")
        data = self.open(self.a, url)
        data.update({"title": "关于新建汇编材料汇编", "status": "draft"})
        self.assertEqual(self.a.post(url, data).status_code, 302)
        compilation = Compilation.objects.get(title="关于新建汇编材料汇编")
        self.assertEqual(Compilation.history.filter(id=compilation.pk).get().history_user,
                         self.editor_a)

        url = reverse("admin:articles_article_add")
        data = self.open(self.a, url)
        data.update({"compilation": compilation.pk, "position": "1", "title": "县委办：以D建促发展",
                     "original_text": "一、强化D建\r\n开展TD日活动。", "status": "published",
                     "themes": "党建、作风建设"})
        self.assertEqual(self.a.post(url, data).status_code, 302)
        article = Article.objects.get(title="县委办：以D建促发展")
        self.assertEqual(article.text, "一、强化党建\n开展主题党日活动。")
        self.assertEqual(sorted(article.themes.names()), ["作风建设", "党建"])
        self.assertEqual(article.theme_names, "作风建设、党建")
        self.assertIsNotNone(article.published_at)
        self.assertEqual(Article.history.filter(id=article.pk).get().history_user, self.editor_a)
        from articles.search import search_results

        self.assertEqual(search_results("党建").match_ids(), [article.pk])

    def test_adding_an_agency_and_a_theme_is_in_their_history(self):
        for name, values, model in (
            ("agency", {"name": "县委社会工作部", "level": "县", "sector": "社会工作"}, Agency),
            ("theme", {"name": "基层减负", "description": "为基层减负的材料"}, Theme),
        ):
            url = reverse(f"admin:articles_{name}_add")
            data = {**self.open(self.a, url), **values}
            self.assertEqual(self.a.post(url, data).status_code, 302, name)
            row = model.objects.get(name=values["name"])
            record = model.history.filter(id=row.pk).get()
            self.assertEqual((record.history_type, record.history_user), ("+", self.editor_a))
        self.assertEqual(Theme.objects.get(name="基层减负").slug, "基层减负")


class MergedAgencyTests(TwoEditors):
    def test_a_reimport_never_brings_back_an_agency_merged_away(self):
        first = import_compilation(styles_text().encode(), filename="styles.txt")
        duplicate = Agency.objects.get(name="市财政局")
        keep = make_agency(name="市财政局（本级）", level="市", sector="财政", region="都匀市")
        url = reverse("admin:articles_agency_changelist")
        selection = {"action": "merge", "_selected_action": [keep.pk, duplicate.pk]}
        self.a.post(url, {**selection, "confirm": "1", "keep": keep.pk})
        self.assertFalse(Agency.objects.filter(name="市财政局").exists())
        page = self.open(self.a, reverse("admin:articles_agency_change", args=[keep.pk]))
        self.assertIsNotNone(page)
        # A corrected file, and then another compilation, naming 市财政局 again.
        corrected = styles_text().replace("每季度召开一次专题会议", "每月召开一次专题会议")
        import_compilation(corrected.encode(), filename="styles-2.txt")
        other = corrected.replace("关于机关作风建设经验做法材料汇编", "关于预算绩效管理材料汇编")
        second = import_compilation(other.encode(), filename="other.txt")
        self.assertNotEqual(second.compilation.pk, first.compilation.pk)
        self.assertFalse(Agency.objects.filter(name="市财政局").exists())
        self.assertEqual(
            Article.objects.get(compilation=second.compilation, position=1).agency, keep)
        self.assertNotIn("市财政局", second.agencies_created)


class LibraryVersionOncePerWrite(TestCase):
    """Every write moves the library version (cached counts are keyed by it); a service moves
    it once for all its rows, not once per row its signals report."""

    def state_updates(self, queries):
        return [q["sql"] for q in queries
                if q["sql"].startswith("UPDATE") and "articles_librarystate" in q["sql"]]

    def test_deleting_a_compilation_moves_the_version_once(self):
        compilation = make_compilation(title="关于作风建设材料汇编")
        for position in range(1, 6):
            make_article(compilation=compilation, position=position, title=f"第{position}篇",
                         themes=["作风建设"], initiatives=["马上就办"])
        before = read_version()
        with CaptureQueriesContext(connection) as queries:
            records_delete(objs=[compilation])
        self.assertFalse(Article.objects.filter(compilation_id=compilation.pk).exists())
        self.assertEqual(len(self.state_updates(queries.captured_queries)), 1)
        self.assertGreater(read_version(), before)

    def test_a_save_outside_the_services_still_moves_it_at_once(self):
        article = make_article(title="县交通运输局：“马上就办”提升服务效能")
        before = read_version()
        Article.objects.filter(pk=article.pk).first().save()
        self.assertGreater(read_version(), before)

    def test_a_write_that_fails_leaves_the_version(self):
        article = make_article(title="市审计局：“三化”发力争创“五型”模范机关")
        before = read_version()
        with self.assertRaises(RuntimeError), Write(reason="测试"):
            Article.objects.get(pk=article.pk).save()
            raise RuntimeError("中途出错")
        self.assertEqual(read_version(), before)
        self.assertEqual(Article.objects.get(pk=article.pk).title, article.title)

    def test_a_row_saved_inside_a_write_behind_its_back_moves_it_when_the_write_ends(self):
        article = make_article(title="州交通运输局：“四点聚力”建设人民满意交通")
        before = read_version()
        with CaptureQueriesContext(connection) as queries, Write(reason="测试"):
            Article.objects.get(pk=article.pk).save()
            self.assertEqual(self.state_updates(queries.captured_queries), [])
        self.assertEqual(len(self.state_updates(queries.captured_queries)), 1)
        self.assertGreater(read_version(), before)

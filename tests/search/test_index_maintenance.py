"""The index follows every write in the same transaction: create, update, delete, cascade,
bulk_create + index_articles, rebuild."""
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase

from articles.models import Article, Status
from articles.search import check_index, index_articles, rebuild_index
from tests.factories import make_article, make_compilation


def found(q):
    return set(Article.objects.search(q).values_list("pk", flat=True))


class IndexMaintenanceTests(TestCase):
    def test_new_article_is_found_by_title_heading_and_body(self):
        article = make_article(
            title="县委组织部：犰狳保护", original_text="正文写着鹳雀楼。",
            sections=[{"heading": "一、珐琅彩传承", "paragraphs": ["正文写着鹳雀楼。"]}],
        )
        for q in ("犰狳", "珐琅彩", "鹳雀楼"):
            self.assertEqual(found(q), {article.pk}, q)

    def test_edit_replaces_the_old_words(self):
        article = make_article(original_text="旧文本提到砗磲。")
        article.original_text = "新文本提到玳瑁。"
        article.save()
        self.assertEqual(found("砗磲"), set())
        self.assertEqual(found("玳瑁"), {article.pk})

    def test_a_queryset_update_bypasses_the_index_until_it_is_repaired(self):
        article = make_article(title="原标题")
        other = make_article(title="别的标题")
        Article.objects.filter(pk=article.pk).update(title="改后的蝾螈标题")
        self.assertEqual(found("蝾螈"), set())  # no trigger indexes behind the application
        self.assertEqual(check_index(), {"missing": [], "changed": [article.pk], "deleted": []})
        index_articles([article.pk])  # what the write services do after a write
        self.assertEqual(found("蝾螈"), {article.pk})
        if connection.vendor == "sqlite":
            # A contentless entry is removed by replaying the tokens it was indexed with,
            # which only ``forget`` before the write knows: the old tokens stay beside the
            # new ones, and the check keeps reporting the article until the index is rebuilt.
            self.assertEqual(check_index()["changed"], [article.pk])
        rebuild_index()
        self.assertEqual(found("原标题"), set())
        self.assertEqual(found("标题"), {article.pk, other.pk})
        self.assertEqual(check_index(), {"missing": [], "changed": [], "deleted": []})

    def test_deleting_a_compilation_removes_its_articles_from_search(self):
        compilation = make_compilation()
        make_article(compilation=compilation, original_text="独有词缂丝技艺。")
        other = make_article(original_text="另一篇也有缂丝技艺。")
        compilation.delete()
        self.assertEqual(found("缂丝"), {other.pk})

    def test_bulk_created_articles_are_found_after_index_articles(self):
        compilation = make_compilation()
        objs = []
        for n in range(3):
            article = Article(compilation=compilation, position=n + 1, title=f"批量{n}",
                              original_text=f"批量导入的榫卯工艺{n}。", status=Status.PUBLISHED)
            article.refresh_derived()
            objs.append(article)
        created = Article.objects.bulk_create(objs)
        index_articles([a.pk for a in created])
        index_articles([a.pk for a in created])  # idempotent
        self.assertEqual(found("榫卯"), {a.pk for a in created})
        self.assertEqual(found("工艺2"), {created[2].pk})

    def test_rebuild_command_restores_the_same_results(self):
        articles = [make_article(original_text=f"重建测试氦三资源{n}号。") for n in range(3)]
        before = found("氦三")
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        self.assertIn("3/", out.getvalue())
        self.assertEqual(found("氦三"), before)
        self.assertEqual(before, {a.pk for a in articles})


class RollbackTests(TransactionTestCase):
    def test_a_rolled_back_write_leaves_no_trace_in_the_index(self):
        make_article(original_text="提交的文本含骆驼刺。")
        try:
            with transaction.atomic():
                make_article(original_text="回滚的文本含骆驼刺和麝香。")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
        self.assertEqual(len(found("骆驼刺")), 1)
        self.assertEqual(found("麝香"), set())


class LongArticleTests(TestCase):
    def test_phrases_far_into_a_very_long_article_are_exact(self):
        # Past 16,383 positions and 256 repeats a tsvector loses positions: PostgreSQL falls
        # back to the article's skeleton text; SQLite keeps every position.
        filler = "机关党建工作，" * 3000  # 21,000 characters, 机关 repeated 3,000 times
        article = make_article(original_text=filler + "末尾写着鹳雀楼与珐琅彩。")
        make_article(original_text="珐琅 鹳雀 分开写。")
        self.assertEqual(found("鹳雀楼"), {article.pk})
        self.assertEqual(found('"鹳雀楼与珐琅彩"'), {article.pk})
        self.assertEqual(found("工作机关"), set())  # separated by ， every time
        self.assertEqual(found('"工作，机关"'), {article.pk})

    def test_grams_too_large_for_a_tsvector_fall_back_to_the_skeleton(self):
        # PostgreSQL: an article whose 1–6 character substrings would not fit a tsvector has
        # an empty grams vector and is matched on its skeleton; terms of every length, and
        # terms that need positions, stay exact. (SQLite has no such limit: same answers.)
        from articles.search import postgres

        with mock.patch.object(postgres, "MAX_GRAMS_BYTES", 50):
            big = make_article(title="犰狳保护", original_text="机关党建提质增效，学习强国APP平台上线。",
                               sections=[])
            small = make_article(title="短", original_text="党建", sections=[])
        cases = {
            "党": {big.pk, small.pk}, "党建": {big.pk, small.pk}, "机关党建提质": {big.pk},
            "学习强国app平台": {big.pk}, '"增效，学习"': {big.pk}, "犰狳 app": {big.pk},
            "提质增效学习": set(), "短": {small.pk},
        }
        for q, expected in cases.items():
            self.assertEqual(found(q), expected, q)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT article_id, long FROM {postgres.GRAMS} JOIN"
                               f" {postgres.TABLE} USING (article_id) WHERE grams = ''")
                self.assertEqual(cursor.fetchall(), [(big.pk, True)])

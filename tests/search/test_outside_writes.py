"""Writes from outside the application: a plain database connection (the ``sqlite3`` shell,
``psql``, a repair script) can update and delete articles, because no trigger calls
application code; ``check_search_index`` then names the stale articles and
``rebuild_search_index`` repairs them."""
import sqlite3
from io import StringIO

import psycopg
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase

from articles.models import Article
from articles.search import Scope, search_results
from tests.factories import make_article


def plain_connection():
    """A connection of the database's own driver, without Django (no functions, no hooks)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return sqlite3.connect(settings["NAME"], timeout=20)
    return psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"], port=settings["PORT"] or None,
    )


def found(q):
    return set(search_results(q, Scope.EDITOR).match_ids())


class OutsideWriteTests(TransactionTestCase):
    def check(self):
        out = StringIO()
        try:
            call_command("check_search_index", stdout=out)
        except CommandError as error:
            return out.getvalue(), str(error)
        return out.getvalue(), None

    def test_plain_connection_updates_and_deletes_then_check_and_rebuild(self):
        edited = make_article(title="县档案局：珐琅彩档案修复", original_text="旧正文写着砗磲。")
        deleted = make_article(title="县林业局：玳瑁保护", original_text="正文写着玳瑁。")
        kept = make_article(title="县水利局：河湖长制", original_text="正文写着砗磲与河湖。")
        self.assertEqual(self.check(), ("搜索索引与文章一致。\n", None))

        plain = plain_connection()
        try:
            cursor = plain.cursor()
            mark = "?" if connection.vendor == "sqlite" else "%s"
            cursor.execute(f"UPDATE articles_article SET text = {mark} WHERE id = {mark}",
                           ["新正文写着鹳雀楼。", edited.pk])
            cursor.execute("DELETE FROM articles_tocentry WHERE article_id = " + mark, [deleted.pk])
            for table in ("articles_taggedtheme", "articles_taggedinitiative"):
                cursor.execute(f"DELETE FROM {table} WHERE content_object_id = {mark}",
                               [deleted.pk])
            cursor.execute(f"DELETE FROM articles_article WHERE id = {mark}", [deleted.pk])
            plain.commit()
        finally:
            plain.close()

        out, error = self.check()
        self.assertIn(f"索引已过期（文章在应用之外被修改）：{edited.pk}", out)
        if connection.vendor == "sqlite":
            # PostgreSQL's delete trigger (plpgsql) takes the index rows with the article.
            self.assertIn(f"文章已删除，索引仍在：{deleted.pk}", out)
        self.assertIn("rebuild_search_index", error)
        self.assertNotIn(str(kept.pk), out.replace(str(edited.pk), "").replace(str(deleted.pk), ""))

        call_command("rebuild_search_index", stdout=StringIO())
        self.assertEqual(self.check(), ("搜索索引与文章一致。\n", None))
        self.assertEqual(found("鹳雀楼"), {edited.pk})
        self.assertEqual(found("砗磲"), {kept.pk})
        self.assertEqual(found("玳瑁"), set())
        self.assertFalse(Article.objects.filter(pk=deleted.pk).exists())

    def test_the_application_s_own_writes_keep_the_index_current(self):
        article = make_article(title="市审计局：三化发力", original_text="正文写着砗磲。")
        article.original_text = "改写后写着鹳雀楼。"
        article.members_only = True
        article.save()
        make_article(title="另一篇", original_text="另一篇写着玳瑁。").delete()
        self.assertEqual(self.check(), ("搜索索引与文章一致。\n", None))
        self.assertEqual(found("砗磲"), set())
        self.assertEqual(found("鹳雀楼"), {article.pk})

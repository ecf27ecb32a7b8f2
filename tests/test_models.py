"""Models: Chinese tag names and slugs, derived fields, versions, JSON text."""
import json

from django.test import TestCase

from articles.models import Article, Initiative, Theme
from articles.tagging import parse_tags

from .factories import make_article


class TagNameTests(TestCase):
    def test_chinese_tag_names_get_non_empty_unique_unicode_slugs(self):
        article = make_article()
        article.initiatives.add("三突出三强化", "四点聚力", "六型", "三化", "五型")
        slugs = list(Initiative.objects.values_list("slug", flat=True))
        self.assertEqual(len(slugs), 5)
        self.assertEqual(len(set(slugs)), 5)
        self.assertTrue(all(slugs))
        self.assertIn("三突出三强化", slugs)

    def test_quoted_and_full_width_forms_are_one_tag(self):
        article = make_article()
        article.initiatives.add("“四点聚力”")
        other = make_article()
        other.initiatives.add("四点聚力", " 四点聚力 ", '"四点聚力"')
        self.assertEqual(Initiative.objects.filter(name__contains="四点聚力").count(), 1)
        tag = Initiative.objects.get()
        self.assertEqual((tag.name, tag.slug), ("四点聚力", "四点聚力"))
        self.assertEqual(tag.tagged_articles.count(), 2)

    def test_full_width_latin_is_folded(self):
        tag = Initiative.objects.create(name="“１＋６”品牌")
        self.assertEqual(tag.name, "1+6品牌")

    def test_symbol_only_name_still_gets_a_slug(self):
        tag = Theme.objects.create(name="＋")
        self.assertTrue(tag.slug)

    def test_tag_input_splits_on_chinese_separators(self):
        self.assertEqual(
            parse_tags("三化，五型、六型；“四点聚力”, 三化"),
            ["三化", "五型", "六型", "四点聚力"],
        )


class ArticleDerivedFieldTests(TestCase):
    def test_text_is_restored_and_original_kept(self):
        article = make_article(original_text="持续打造D建品牌，开展TD日活动，讲好DK。AED不变。")
        article.refresh_from_db()
        self.assertIn("D建", article.original_text)
        self.assertEqual(article.text, "持续打造党建品牌，开展主题党日活动，讲好党课。AED不变。")
        self.assertEqual(article.chars, len("持续打造D建品牌，开展TD日活动，讲好DK。AED不变。"))
        self.assertEqual(len(article.checksum), 64)

    def test_each_save_bumps_the_version(self):
        article = make_article()
        self.assertEqual(article.version, 1)
        article.title = "县委组织部：“三个强化”扎实推进模范机关建设"
        article.save()
        article.refresh_from_db()
        self.assertEqual(article.version, 2)

    def test_publishing_stamps_published_at(self):
        article = make_article(status="draft")
        self.assertIsNone(article.published_at)
        article.status = "published"
        article.save()
        self.assertIsNotNone(article.published_at)

    def test_published_excludes_drafts_and_draft_compilations(self):
        visible = make_article()
        make_article(status="draft")
        hidden_by_compilation = make_article()
        hidden_by_compilation.compilation.status = "draft"
        hidden_by_compilation.compilation.save()
        self.assertEqual(list(Article.objects.published()), [visible])


class JSONTextTests(TestCase):
    """The JSON fields holding text store Chinese as itself (UTF-8), not as ``\\uXXXX``:
    half the bytes on SQLite, and nothing for psycopg to escape in PostgreSQL's bulk
    inserts. Values stored the other way still read the same."""

    SECTIONS = [{"heading": "一、强化D建引领", "paragraphs": ["“三化”发力争创“五型”模范机关。"]}]

    def test_sections_and_their_history_are_stored_as_utf8(self):
        from django.db import connection

        article = make_article(sections=self.SECTIONS)
        with connection.cursor() as cursor:
            for table in ("articles_article", "articles_historicalarticle"):
                cursor.execute(f"SELECT sections FROM {table} WHERE id = %s", [article.pk])
                rows = cursor.fetchall()
                self.assertTrue(rows, table)
                for (raw,) in rows:
                    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
                    self.assertIn("强化D建引领", text, table)
                    self.assertNotIn("\\u", text, table)
        self.assertEqual(Article.objects.get(pk=article.pk).sections, self.SECTIONS)

    def test_values_written_with_escapes_read_the_same(self):
        from django.db import connection

        article = make_article(sections=[])
        escaped = json.dumps(self.SECTIONS)  # ensure_ascii: \u5f3a…
        self.assertIn("\\u", escaped)
        cast = "::jsonb" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE articles_article SET sections = %s{cast} WHERE id = %s",
                           [escaped, article.pk])
        self.assertEqual(Article.objects.get(pk=article.pk).sections, self.SECTIONS)

    def test_every_text_json_field_keeps_chinese(self):
        from django.apps import apps
        from django.db.models import JSONField

        from articles.fields import UnicodeJSONEncoder

        fields = [f"{model.__name__}.{field.name}" for model in apps.get_app_config("articles")
                  .get_models() for field in model._meta.fields
                  if isinstance(field, JSONField) and field.encoder is not UnicodeJSONEncoder]
        self.assertEqual(fields, [])
        self.assertEqual(json.dumps({"t": "党建"}, cls=UnicodeJSONEncoder), '{"t": "党建"}')

"""The write services are the only code that writes content rows: a check of the source.

Any call that writes through the ORM (``save``, ``delete``, ``create``, ``update``,
``bulk_create``, ``bulk_update``, tag managers' ``add``/``set``/``remove``/``clear``) on a
content model, its manager, a queryset or a related manager (recognised by the model's or the
relation's name in the receiver), outside ``articles/services/``, fails this test with the
file and line; users, groups and the library state row are not content. Left out, by name: migrations (they run before the
services exist) and the benchmark corpora, which fill a scratch library with synthetic rows
(``articles/benchmarks/``, ``bench_*`` commands) and refuse a database with real articles.
"""
import ast
from pathlib import Path

from django.test import SimpleTestCase

APP = Path(__file__).resolve().parent.parent / "articles"
# The readers' own rows (folders, clips, drafts, follows) are written by the workbench's
# services, which write no content row.
ALLOWED = ("services/", "workbench/services.py", "migrations/", "benchmarks/",
           "management/commands/bench_")
WRITES = {"save", "delete", "create", "get_or_create", "update_or_create", "update",
          "bulk_create", "bulk_update", "add", "set", "remove", "clear"}
CONTENT = ("Article", "Compilation", "Agency", "Initiative", "Theme", "TaggedTheme",
           "TaggedInitiative", "TocEntry", "article", "compilation", "agency", "initiative",
           "theme", "tag", "entry", "articles", "themes", "initiatives", "toc_entries",
           "tagged_articles")


def writes_in(source: str) -> list[tuple[int, str]]:
    """(line, call) of every call in ``source`` that writes content rows."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITES:
            continue
        receiver = ast.unparse(node.func.value)
        if any(word in receiver for word in CONTENT):
            found.append((node.lineno, f"{receiver}.{node.func.attr}(…)"))
    return found


class WriteBoundaryTests(SimpleTestCase):
    def test_only_the_services_write_content_rows(self):
        offences = []
        for path in sorted(APP.rglob("*.py")):
            relative = path.relative_to(APP).as_posix()
            if relative.startswith(ALLOWED):
                continue
            for line, call in writes_in(path.read_text(encoding="utf-8")):
                offences.append(f"articles/{relative}:{line}: {call}")
        self.assertEqual(offences, [], "content written outside articles/services/")

    def test_the_check_finds_the_writes_it_is_for(self):
        source = "\n".join([
            "Article.objects.filter(pk=1).update(position=F('position') + 1)",
            "TaggedTheme.objects.bulk_create(rows)",
            "compilation.articles.all().delete()",
            "article.themes.add('党建')",
            "article.save()",
            "context.update(extra)",  # a dict: not a write
            "document.save(buffer)",  # a Word file: not a write
        ])
        self.assertEqual([line for line, _call in writes_in(source)], [1, 2, 3, 4, 5])

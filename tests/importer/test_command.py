"""``manage.py import_compilation``: JSON, dry run, summaries, refusals without tracebacks."""
import json
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase

from articles.models import Article, Compilation

from .helpers import STYLES, make_docx

REPO = Path(__file__).resolve().parents[2]


class ImportCommandTests(TestCase):
    def test_json_prints_exactly_one_object_and_dry_run_writes_nothing(self):
        out, err = StringIO(), StringIO()
        call_command("import_compilation", str(STYLES), "--dry-run", "--json", stdout=out, stderr=err)
        data = json.loads(out.getvalue())
        self.assertEqual(data["title"], "关于机关作风建设经验做法材料汇编")
        self.assertEqual(data["declared_count"], 5)
        self.assertEqual(len(data["toc"]), 4)
        self.assertEqual(data["articles"][2]["members_only"], True)
        self.assertEqual(data["articles"][0]["headings"][0], "（一）聚焦责任落实，建立全过程绩效链条")
        self.assertEqual(len(data["warnings"]), 3)
        self.assertEqual(Compilation.objects.count(), 0)

    def test_import_then_unchanged(self):
        out = StringIO()
        call_command("import_compilation", str(STYLES), "--publish", stdout=out)
        self.assertIn("新建 4 篇", out.getvalue())
        self.assertEqual(Article.objects.published().count(), 4)
        out = StringIO()
        call_command("import_compilation", str(STYLES), stdout=out)
        self.assertIn("unchanged", out.getvalue())
        self.assertEqual(Article.objects.count(), 4)

    def test_json_with_import_keeps_stdout_a_single_object(self):
        out, err = StringIO(), StringIO()
        call_command("import_compilation", str(STYLES), "--json", stdout=out, stderr=err)
        self.assertEqual(len(json.loads(out.getvalue())["articles"]), 4)
        self.assertIn("新建 4 篇", err.getvalue())

    def test_refusals_raise_one_line_command_errors(self):
        with self.assertRaises(CommandError) as caught:
            call_command("import_compilation", "/nonexistent/汇编.txt", stdout=StringIO())
        self.assertEqual(str(caught.exception), "/nonexistent/汇编.txt：文件不存在")
        self.assertEqual(caught.exception.returncode, 2)

    def test_command_line_exit_status_and_stderr_without_traceback(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "截断的汇编.docx"
            path.write_bytes(make_docx()[:1500])
            proc = subprocess.run(
                [sys.executable, "manage.py", "import_compilation", str(path), "--dry-run"],
                cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
            )
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(proc.stdout, "")
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertIn(str(path), lines[0])
        self.assertIn("损坏", lines[0])
        self.assertNotIn("Traceback", proc.stderr)


class ImportCommandChangesTests(TestCase):
    def test_output_names_the_created_and_updated_articles(self):
        call_command("import_compilation", str(STYLES), stdout=StringIO())
        corrected = STYLES.read_text(encoding="utf-8").replace("全年开展集中学习24次", "全年开展集中学习26次")
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "修订版.txt"
            path.write_text(corrected, encoding="utf-8")
            out = StringIO()
            call_command("import_compilation", str(path), stdout=out)
        self.assertIn("更新 1 篇，未变 3 篇", out.getvalue())
        self.assertIn("更新：区档案局“两化”并进打造学习型机关", out.getvalue())
        self.assertNotIn("更新：市财政局", out.getvalue())

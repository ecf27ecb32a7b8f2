"""``manage.py import_compilation PATH [--dry-run] [--json] [--publish]``: a thin shell over
``articles.importer``. Refused files end with one line naming the file and the problem and a
non-zero exit status; nothing is written."""
import json

from django.core.management.base import BaseCommand, CommandError

from articles.importer import ImportRefused, import_compilation, parse_file, prepare


class Command(BaseCommand):
    help = "导入一份材料汇编（.txt 或 .docx）：先完整解析，再在一个事务中写入。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="汇编文件的路径（.txt 任意常见编码，或 .docx）")
        parser.add_argument("--dry-run", action="store_true",
                            help="只解析并报告，不写数据库")
        parser.add_argument("--json", action="store_true",
                            help="在标准输出打印一个 JSON 对象（标题、目录、文章、警告）")
        parser.add_argument("--publish", action="store_true",
                            help="导入后直接发布汇编和文章（默认为草稿）")
        parser.add_argument("--overwrite-edits", action="store_true",
                            help="上次导入后经人工修改的文章也用文件中的版本覆盖（默认保留编辑的版本）")

    def handle(self, *args, path, dry_run, json: bool, publish, overwrite_edits, **options):
        as_json = json
        try:
            parsed = parse_file(path)  # refusals come before any database access
            prepare(parsed)
            result = None if dry_run else import_compilation(
                parsed, publish=publish, take_file="all" if overwrite_edits else ())
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        # With --json stdout holds exactly one JSON object; the rest goes to stderr.
        report = self.stderr if as_json else self.stdout
        if as_json:
            self.stdout.write(_dumps(parsed.as_json()))
        else:
            self._describe(parsed)
        for warning in parsed.warnings if not as_json else []:
            report.write(f"警告：{warning}")
        if result is not None:
            report.write(f"[{result.status}] {result.summary()}")  # the status token for scripts
            labels = {"created": "新建", "updated": "更新"}
            for state, title in result.changes:
                report.write(f"  {labels[state]}：{title}")
            for warning in result.warnings[len(parsed.warnings):]:
                report.write(f"警告：{warning}")
        elif not as_json:
            report.write("试运行（--dry-run）：未写入数据库")

    def _describe(self, parsed):
        count = f"（声明 {parsed.declared_count} 篇）" if parsed.declared_count is not None else ""
        self.stdout.write(f"《{parsed.title}》{count}：目录 {len(parsed.toc)} 条，正文 {len(parsed.articles)} 篇")
        for n, article in enumerate(parsed.articles, 1):
            flags = "［会员］" if article.members_only else ""
            self.stdout.write(
                f"{n:>3}. {article.title}{flags} | 机关：{article.agency or '—'} | "
                f"举措：{'、'.join(article.initiatives) or '—'} | 主题：{'、'.join(article.themes) or '—'} | "
                f"小标题 {len(article.headings)} 个 | {article.chars} 字"
            )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)

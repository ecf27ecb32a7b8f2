"""Report the articles whose search index entry is not what their row says now."""
from django.core.management.base import BaseCommand, CommandError

from articles.search import check_index

KINDS = {
    "missing": "未编入索引",
    "changed": "索引已过期（文章在应用之外被修改）",
    "deleted": "文章已删除，索引仍在",
}
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare every article with what the search index was built from (a digest kept "
        "beside the index) and list the stale ones; exits with status 1 when there are any. "
        "Repair with rebuild_search_index."
    )

    def handle(self, *args, **options):
        report = check_index()
        stale = sum(len(ids) for ids in report.values())
        if not stale:
            self.stdout.write(self.style.SUCCESS("搜索索引与文章一致。"))
            return
        for kind, ids in report.items():
            if ids:
                shown = "、".join(str(pk) for pk in ids[:SHOWN])
                more = f" 等 {len(ids)} 篇" if len(ids) > SHOWN else ""
                self.stdout.write(f"{KINDS[kind]}：{shown}{more}")
        raise CommandError(
            f"搜索索引有 {stale} 篇文章过期：请运行 manage.py rebuild_search_index 修复。",
            returncode=1,
        )

"""Prepare a local demo: migrate, import the demo compilations, create demo accounts."""
import secrets
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
ACCOUNTS = (
    ("editor", "编辑", True),
    ("member", "会员", False),
    ("reader", None, False),  # signed in, no member: the free preview of members-only text
)


class Command(BaseCommand):
    help = ("迁移数据库，导入 articles/demo/ 中的示例汇编并发布，创建示例账号（编辑、会员、普通读者）"
            "并打印其密码；会员的工作台里放一个示例收藏夹、两条摘抄和一篇组稿。")

    def handle(self, *args, **options):
        from articles.importer import ImportRefused, import_compilation

        call_command("migrate", interactive=False, verbosity=0)
        paths = sorted(DEMO_DIR.glob("*.txt")) + sorted(DEMO_DIR.glob("*.docx"))
        if not paths:
            raise CommandError(f"{DEMO_DIR}: 没有示例汇编文件")
        for path in paths:
            try:
                result = import_compilation(path, publish=True)
            except ImportRefused as refusal:
                raise CommandError(str(refusal)) from None
            self.stdout.write(f"{path.name}: {result}")

        from articles.groups import ensure_groups

        groups = dict(zip(("编辑", "会员"), ensure_groups()))
        self.stdout.write("示例账号（每次运行都会重设密码）：")
        for username, group_name, is_staff in ACCOUNTS:
            password = secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.add(groups[group_name])
            self.stdout.write(f"  {group_name or '读者'}：用户名 {username}  密码 {password}")
            if username == "member":
                demo_workbench(user)
        self.stdout.write("管理后台：http://127.0.0.1:8000/admin/  读者站点：http://127.0.0.1:8000/")


def demo_workbench(user):
    """A folder of three articles, two clips and a draft holding them, once."""
    from articles.models import Article
    from articles.reading import article_blocks
    from articles.workbench import services
    from articles.workbench.models import Folder

    if Folder.objects.filter(owner=user).exists():
        return
    articles = list(Article.objects.published().order_by("compilation_id", "position")[:3])
    if not articles:
        return
    folder = services.folder_create(owner=user, name="示例收藏夹")
    draft = services.draft_create(owner=user, title="示例组稿：关于机关作风建设的情况报告")
    services.draft_add_item(draft=draft, owner=user, heading="一、主要做法")
    for article in articles:
        services.folder_add_article(folder=folder, user=user, article_id=article.pk)
    for article in articles[:2]:
        blocks = article_blocks(article, True)
        paragraph = next((b.n for b in blocks if b.kind == "paragraph"), 1)
        clip = services.clip_create(owner=user, article_id=article.pk, paragraph=paragraph)
        services.draft_add_item(draft=draft, owner=user, clip_id=clip.pk)

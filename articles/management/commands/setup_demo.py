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
)


class Command(BaseCommand):
    help = "迁移数据库，导入 articles/demo/ 中的示例汇编并发布，创建示例账号（编辑、会员）并打印其密码。"

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
            user.groups.add(groups[group_name])
            self.stdout.write(f"  {group_name}：用户名 {username}  密码 {password}")
        self.stdout.write("管理后台：http://127.0.0.1:8000/admin/  读者站点：http://127.0.0.1:8000/")

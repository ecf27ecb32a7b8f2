"""Send the daily e-mail digest of followed searches, agencies, themes and regions."""
from django.core.management.base import BaseCommand, CommandError

from articles.workbench.digests import send_digests


class Command(BaseCommand):
    help = ("Mail each reader who asked for it what their follows matched since the last "
            "digest (run once a day). --site-url is the address links in the mail start with.")

    def add_arguments(self, parser):
        parser.add_argument("--site-url", default="", help="如 https://huibian.example.cn")

    def handle(self, *args, site_url, **options):
        site_url = site_url.rstrip("/")
        if site_url and not site_url.startswith(("http://", "https://")):
            raise CommandError("--site-url 应以 http:// 或 https:// 开头。")
        result = send_digests(site_url=site_url)
        self.stdout.write(f"已发送 {result.sent} 封摘要；{result.readers_without_news} 位读者没有新增；"
                          f"{result.failed} 封发送失败。")
        if result.failed:
            raise CommandError(f"{result.failed} 封摘要未能发出，见日志 articles.digests；下次运行会重试。")
